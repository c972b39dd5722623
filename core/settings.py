"""Regulations as data: settings an admin edits, with defaults from regulations.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow

DEFAULTS_FILE = Path(__file__).with_name("regulations.toml")


class Setting(Base):
    """A value an admin changed; keys without a row use their default."""

    __tablename__ = "settings"
    __label__ = "تنظیم"
    __field_labels__ = {"key": "کلید", "value": "مقدار"}

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Setting {self.key}={self.value!r}>"


@dataclass(frozen=True)
class SettingDefinition:
    key: str
    value: Any
    unit: str
    group: str
    label: str
    basis: str
    min: float = 0
    # Deadlines: "working" when the period counts working days (core/calendar.py), else calendar days.
    count: str = "calendar"
    # A fixed set of values, code -> Persian label (a rule's class); for a list setting, the values
    # each item may take (written as a list in the file, where code and label are the same).
    choices: dict[str, str] | None = None

    @property
    def kind(self) -> type:
        return type(self.value)


def _flatten(table: dict, prefix: str = "") -> dict[str, dict]:
    out = {}
    for name, item in table.items():
        key = f"{prefix}{name}"
        if isinstance(item, dict) and "value" in item:
            out[key] = item
        elif isinstance(item, dict):
            out.update(_flatten(item, key + "."))
    return out


@cache
def definitions() -> dict[str, SettingDefinition]:
    """Every known setting with its default, unit, label and basis, in file order."""
    with DEFAULTS_FILE.open("rb") as fh:
        raw = _flatten(tomllib.load(fh))
    for item in raw.values():
        if isinstance(item.get("choices"), list):
            item["choices"] = {choice: choice for choice in item["choices"]}
    return {key: SettingDefinition(key=key, **item) for key, item in raw.items()}


def get_setting(key: str) -> Any:
    """The value in force: the admin's value if set, else the default."""
    from core.extensions import db

    definition = definitions()[key]
    row = db.session.execute(select(Setting.value).where(Setting.key == key)).scalar_one_or_none()
    return definition.value if row is None else row


def set_setting(key: str, value: Any) -> Setting:
    """Change a setting (the audit hook records who and when); a setting with choices takes one."""
    from core.extensions import db

    definition = definitions()[key]
    if definition.kind is float and isinstance(value, int):
        value = float(value)
    if not isinstance(value, definition.kind):
        raise TypeError(f"{key} expects {definition.kind.__name__}")
    items = value if isinstance(value, list) else [value]
    if definition.choices is not None and any(item not in definition.choices for item in items):
        raise ValueError(f"{key} expects one of {sorted(definition.choices)}")
    row = db.session.get(Setting, key)
    if row is None:
        row = Setting(key=key, value=value)
        db.session.add(row)
    else:
        row.value = value
    db.session.flush()
    return row


def current_values() -> dict[str, Any]:
    """All settings with the values in force."""
    from core.extensions import db

    stored = dict(db.session.execute(select(Setting.key, Setting.value)).all())
    return {key: stored.get(key, d.value) for key, d in definitions().items()}
