"""Dates that agree: the one place every feature's operations ask whether a dated act fits the records
it follows. Each refusal names both records and both Jalali dates in Persian."""

from __future__ import annotations

from datetime import date

from core.clock import today_tehran
from core.errors import DomainError
from core.persian import format_jalali


def not_in_future(day: date, what: str, *, field: str | None = None) -> None:
    """Nothing is recorded as having happened after today (Tehran time)."""
    today = today_tehran()
    if day > today:
        raise DomainError(
            f"تاریخ {what} ({format_jalali(day)}) پس از امروز ({format_jalali(today)}) است؛ "
            "رویداد آینده ثبت نمی‌شود.",
            field=field,
        )


def not_before(
    day: date, what: str, earlier: date | None, earlier_what: str, *, field: str | None = None
) -> None:
    """`day` (of `what`) may not come before `earlier` (of `earlier_what`), the record it follows."""
    if earlier is not None and day < earlier:
        raise DomainError(
            f"تاریخ {what} ({format_jalali(day)}) پیش از تاریخ {earlier_what} "
            f"({format_jalali(earlier)}) است؛ این دو تاریخ با هم نمی‌خوانند.",
            field=field,
        )


def dated(day: date, what: str, *follows: tuple[date | None, str], field: str | None = None) -> date:
    """Check a past-dated act: not in the future, and not before any record it follows."""
    not_in_future(day, what, field=field)
    for earlier, earlier_what in follows:
        not_before(day, what, earlier, earlier_what, field=field)
    return day
