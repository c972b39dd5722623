"""The organisations letters go to, with their e-mail, mobile and postal addresses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.errors import DomainError
from core.extensions import db
from core.persian import clean_text, normalize_for_search
from letters.models import Correspondent
from letters.operations._common import LIMITS, valid_email, valid_mobile


def find_correspondent(name: str | None) -> Correspondent | None:
    """An organisation of the correspondents list by name (spelling variants folded)."""
    wanted = normalize_for_search(name)
    if not wanted:
        return None
    for row in db.session.scalars(select(Correspondent)):
        if normalize_for_search(row.name) == wanted:
            return row
    return None


def save_correspondent(row: Correspondent | None, data: dict[str, Any], *, actor) -> Correspondent:
    """Add or change an organisation of the correspondents list."""
    name = clean_text(data.get("name"))
    if not name:
        raise DomainError("نام سازمان را بنویسید.", field="name")
    other = find_correspondent(name)
    if other is not None and other is not row:
        raise DomainError("این سازمان پیش‌تر ثبت شده است.", field="name")
    values = {
        "name": name[: LIMITS["name"]],
        "email": valid_email(data.get("email"), "email"),
        "mobile": valid_mobile(data.get("mobile"), "mobile"),
        "address": clean_text(data.get("address")) or None,
    }
    if row is None:
        row = Correspondent(**values)
        db.session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    db.session.flush()
    return row
