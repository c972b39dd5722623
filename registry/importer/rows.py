"""Each row of the import file through the registry's operations: its values read and checked, the
site and its operator created or updated, a refused row reported with its line and reason."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError

from core.audit import Actor, acting_as, because
from core.errors import DomainError
from core.extensions import db
from core.persian import (
    digits_only,
    normalize_for_search,
    parse_jalali,
    to_latin_digits,
    to_persian_digits,
)
from registry import operations as ops
from registry.importer.table import (
    _BANKS,
    _FIELD_COLUMNS,
    _HEADER_KEYS,
    _KINDS,
    _LOCALITY_TYPES,
    _STATUSES,
    COLUMNS,
    HEADERS,
    IMPORT_REASON,
    ImportFileError,
    ImportReport,
    RowError,
    Table,
    _key,
    _text,
    read_table,
)
from registry.models import (
    BANK_KINDS,
    County,
    Person,
    Province,
    Site,
    SiteKind,
    SiteStatus,
)

# ---------------------------------------------------------------- values


class _Problem(ValueError):
    """A cell that cannot be read; reported as '<column>: <message>'."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key
        self.message = message


def _quoted(value: Any) -> str:
    return f"«{_text(value)}»"


def _choice(table: dict[str, Any], key: str, value: Any, hint: str) -> Any:
    if not _text(value):
        raise _Problem(key, "این فیلد اجباری است.")
    try:
        return table[_key(_text(value))]
    except KeyError:
        raise _Problem(key, f"{_quoted(value)} شناخته نشد؛ {hint}") from None


_KIND_HINT = "یکی از این‌ها را بنویسید: " + "، ".join(k.label for k in SiteKind) + "."
_STATUS_HINT = "یکی از این‌ها را بنویسید: " + "، ".join(s.label for s in SiteStatus) + "."
_LOCALITY_HINT = "«شهر» یا «روستا» بنویسید."
_BANK_HINT = "نام بانک را همان‌گونه که در فهرست بانک‌های سامانه آمده بنویسید."


def _number(key: str, value: Any) -> float | None:
    if value is None or isinstance(value, int | float):
        return None if value is None else float(value)
    text = to_latin_digits(_text(value)).replace("٫", ".")
    if not text:
        return None
    if "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise _Problem(key, f"{_quoted(value)} عدد نیست.") from None


def _date(key: str, value: Any) -> date | None:
    if isinstance(value, datetime):  # a real date cell in Excel is Gregorian
        return value.date()
    if isinstance(value, date):
        return value
    if not _text(value):
        return None
    try:
        return parse_jalali(_text(value))
    except ValueError as exc:
        raise _Problem(key, str(exc)) from None


def _national_id(value: Any) -> str:
    # Excel stores a number-formatted ID as a number and drops its leading zeros.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _text(value).zfill(10)
    return digits_only(_text(value))


def _checked_length(key: str, text: str, limit: int | None) -> str:
    if limit and len(text) > limit:
        raise _Problem(key, f"حداکثر {to_persian_digits(limit)} نویسه پذیرفته می‌شود.")
    return text


def _site_limit(attr: str) -> int | None:
    return getattr(Site.__table__.c[attr].type, "length", None)


# ---------------------------------------------------------------- the import


def import_registry(
    source: str | Path | Table | Iterable[Sequence[Any]],
    *,
    actor,
    progress: Callable[[int], Any] | None = None,
) -> ImportReport:
    """Create or update a site (and its operator) for every row; report the rows refused.

    ``source`` is a path to a .csv/.xlsx file, a Table, or rows whose first is the header.
    ``progress`` is called with 1 after each data row. Does not commit.
    """
    table = read_table(source)
    importer = _Importer(table, actor)
    scope = acting_as(actor) if isinstance(actor, Actor) else contextlib.nullcontext()
    with scope, because(IMPORT_REASON):
        for line, cells in table.rows:
            importer.import_line(line, cells)
            if progress is not None:
                progress(1)
    return importer.report


class _Importer:
    def __init__(self, table: Table, actor):
        self.actor = actor
        self.report = ImportReport()
        self.columns: dict[str, int] = {}
        for index, header in enumerate(table.header):
            if not _text(header):
                continue
            key = _HEADER_KEYS.get(_key(_text(header)))
            if key is None:
                self.report.ignored_columns.append(_text(header))
            elif key in self.columns:
                raise ImportFileError(f"ستون «{HEADERS[key]}» دو بار آمده است.")
            else:
                self.columns[key] = index
        missing = [c.header for c in COLUMNS if c.required and c.key not in self.columns]
        if missing:
            raise ImportFileError("این ستون‌ها در سطر سرستون نیست: " + "، ".join(f"«{h}»" for h in missing))
        self.seen_codes: dict[str, int] = {}
        self._new_operators = 0
        self._counties: dict[tuple[str, str], int] = {}

    # -- one line, in its own savepoint

    def import_line(self, line: int, cells: Sequence[Any]) -> None:
        row = {key: cells[i] if i < len(cells) else None for key, i in self.columns.items()}
        self._new_operators = 0
        try:
            with db.session.begin_nested():
                outcome = self._import_row(line, row)
        except _Problem as exc:
            self._refuse(line, exc.key, exc.message)
        except DomainError as exc:
            self._refuse(line, _FIELD_COLUMNS.get(exc.field or "", exc.field), exc.message)
        except (IntegrityError, DataError):
            self._refuse(
                line,
                None,
                "پایگاه داده این سطر را نپذیرفت (مقداری تکراری یا بیش از اندازه بلند است).",
            )
        else:
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)
            self.report.operators_created += self._new_operators

    def _refuse(self, line: int, key: str | None, message: str) -> None:
        header = HEADERS.get(key or "")
        reason = f"{header}: {message}" if header and not message.startswith(header) else message
        self.report.errors.append(RowError(line, reason))

    def _has(self, key: str) -> bool:
        return key in self.columns

    def _import_row(self, line: int, row: dict[str, Any]) -> str:
        code = ops.normalise_code(_text(row["code"]))
        if not code:
            raise _Problem("code", "کد را وارد کنید.")
        if code in self.seen_codes:
            first = to_persian_digits(self.seen_codes[code])
            raise _Problem("code", f"این کد در سطر {first} هم آمده است.")
        self.seen_codes[code] = line
        site = db.session.scalar(select(Site).where(Site.code == code))
        data = self._site_data(row, site)
        data["code"] = code
        status = (
            _choice(_STATUSES, "status", row["status"], _STATUS_HINT)
            if self._has("status") and _text(row["status"])
            else None
        )
        if site is None:
            ops.create_site(data, actor=self.actor, status=status or SiteStatus.ACTIVE)
            return "created"
        before = _state(site)
        ops.update_site(site, data, actor=self.actor)
        changed = _state(site) != before
        if status is not None and status != site.status:
            ops.change_site_status(site, status, reason=IMPORT_REASON, actor=self.actor)
            changed = True
        return "updated" if changed else "unchanged"

    def _site_data(self, row: dict[str, Any], site: Site | None) -> dict[str, Any]:
        """The operation's input: the stored values, overlaid with the file's columns."""
        data: dict[str, Any] = {k: getattr(site, k) for k in ops.SITE_FIELDS} if site else {}
        data["kind"] = _choice(_KINDS, "kind", row["kind"], _KIND_HINT)
        for key in ("name", "locality", "address", "postal_code", "phone", "terminal_id", "notes"):
            if self._has(key):
                limit = _site_limit(key)
                data[key] = _checked_length(key, _text(row[key]), limit)
        data["county_id"] = self._county_id(row)
        if self._has("locality_type") and _text(row["locality_type"]):
            data["locality_type"] = _choice(
                _LOCALITY_TYPES, "locality_type", row["locality_type"], _LOCALITY_HINT
            )
        elif site is None:
            data["locality_type"] = None  # the operation picks it from the kind
        for key in ("lat", "lon"):
            if self._has(key):
                data[key] = _number(key, row[key])
        if self._has("established_on"):
            data["established_on"] = _date("established_on", row["established_on"])
        if self._has("bank"):
            data["bank"] = _choice(_BANKS, "bank", row["bank"], _BANK_HINT) if _text(row["bank"]) else None
        if self._has("host_code"):
            data["host_site_id"] = self._host_site_id(row["host_code"])
        if data["kind"] not in BANK_KINDS and self._has("operator_national_id"):
            data["operator_id"] = self._operator_id(row)
        return data

    def _county_id(self, row: dict[str, Any]) -> int:
        name = _text(row["county"])
        if not name:
            raise _Problem("county", "نام شهرستان را وارد کنید.")
        province_name = _text(row["province"]) if self._has("province") else ""
        cache_key = (normalize_for_search(name), normalize_for_search(province_name))
        if cache_key not in self._counties:
            self._counties[cache_key] = self._find_county(name, province_name)
        return self._counties[cache_key]

    def _find_county(self, name: str, province_name: str) -> int:
        province_id = None
        if province_name:
            provinces = db.session.scalars(select(Province)).all()
            province_id = next((p.id for p in provinces if _key(p.name) == _key(province_name)), None)
            if province_id is None:
                raise _Problem("province", f"{_quoted(province_name)} در سامانه ثبت نشده است.")
        # Counties spelled alike once ZWNJ and spaces are also ignored (خرم آباد = خرم‌آباد).
        namesakes = [
            c
            for c in db.session.scalars(select(County))
            if _key(c.name) == _key(name) and (province_id is None or c.province_id == province_id)
        ]
        county = ops.find_county(name, province_id=province_id)
        if county is None and len(namesakes) == 1:
            county = namesakes[0]
        if county is None and not namesakes:
            raise _Problem("county", f"{_quoted(name)} در سامانه ثبت نشده است.")
        if len(namesakes) > 1:
            raise _Problem("county", f"{_quoted(name)} در چند استان هست؛ ستون «استان» را هم پر کنید.")
        return county.id

    def _host_site_id(self, value: Any) -> int | None:
        code = ops.normalise_code(_text(value))
        if not code:
            return None
        host_id = db.session.scalar(select(Site.id).where(Site.code == code))
        if host_id is None:
            raise _Problem(
                "host_code",
                f"دفتری با کد {_quoted(code)} ثبت نشده است (دفتر میزبان "
                "باید پیش‌تر ثبت شده یا در سطرهای بالاتر آمده باشد).",
            )
        return host_id

    def _operator_id(self, row: dict[str, Any]) -> int | None:
        national_id = _national_id(row["operator_national_id"])
        names = {
            k: _text(row[k]) if self._has(k) else "" for k in ("operator_first_name", "operator_last_name")
        }
        if not national_id:
            if any(names.values()):
                raise _Problem("operator_national_id", "برای متصدی کد ملی را هم وارد کنید.")
            return None
        person = ops.find_person_by_national_id(national_id)
        if person is not None:
            return person.id
        if len(national_id) in (8, 9):
            raise _Problem(
                "operator_national_id",
                "کد ملی باید ۱۰ رقم باشد؛ اگر با صفر آغاز می‌شود، ستون را در اکسل «متنی» کنید.",
            )
        for key, text in names.items():
            limit = Person.__table__.c[key.removeprefix("operator_")].type.length
            _checked_length(key, text, limit)
        person = ops.create_person(
            {
                "national_id": national_id,
                "first_name": names["operator_first_name"],
                "last_name": names["operator_last_name"],
            },
            actor=self.actor,
        )
        self._new_operators += 1
        return person.id


def _state(site: Site) -> tuple:
    return (*(getattr(site, k) for k in ops.SITE_FIELDS), site.status)
