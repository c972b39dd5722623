"""What the committee's operations share: sanity bounds on typed values and the checks of
text and dates every form goes through."""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError

from core.clock import today_tehran
from core.errors import DomainError
from core.extensions import db
from core.persian import clean_text, format_number

# Sanity bounds on what an admin or the secretary types (not regulations: those are settings and
# the catalogue). A longer suspension is a typo: revocation is the ladder's step for that.
MAX_SUSPENSION_DAYS = 3650
MAX_LOOKBACK_DAYS = 3650
MAX_FINE_RIALS = 10**13
LIMITS = {
    "title": 200,
    "full_name": 150,
    "organisation": 200,
    "title_member": 150,
    "complainant": 200,
    "place": 200,
    "text": 4000,
}


def insert_unique(row, message: str, *, field_name: str | None = None) -> None:
    """Insert a row a unique constraint guards: a duplicate that a concurrent request inserted
    first is refused in Persian instead of failing the whole request."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as exc:
        raise DomainError(message, field=field_name) from exc


def required_text(value: str | None, message: str, field_name: str, limit: int | None = None) -> str:
    value = clean_text(value)
    if not value:
        raise DomainError(message, field=field_name)
    if limit and len(value) > limit:
        raise DomainError(f"این فیلد حداکثر {format_number(limit)} نویسه است.", field=field_name)
    return value


def optional_text(value: str | None, field_name: str, limit: int) -> str | None:
    value = clean_text(value)
    if len(value) > limit:
        raise DomainError(f"این فیلد حداکثر {format_number(limit)} نویسه است.", field=field_name)
    return value or None


def not_future(day: date | None, today: date | None, label: str, field_name: str) -> date:
    if day is None:
        raise DomainError(f"{label} را وارد کنید.", field=field_name)
    if day > (today or today_tehran()):
        raise DomainError(f"{label} نمی‌تواند پس از امروز باشد.", field=field_name)
    return day
