"""The report's periods: the Jalali periods of core.periods, and the first year with records."""

from __future__ import annotations

from sqlalchemy import func, select

from core.extensions import db
from core.periods import (
    FIRST_YEAR,
    LAST_YEAR,
    Period,
    current_year,
    month_buckets,
    month_of,
)
from core.persian import jalali
from registry.models import SiteStatusChange

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "Period",
    "current_year",
    "first_year_with_records",
    "month_buckets",
    "month_of",
]


def first_year_with_records() -> int:
    """The earliest Jalali year with a site on record (for the year picker)."""
    first = db.session.scalar(select(func.min(SiteStatusChange.effective_on)))
    if first is None:
        return current_year()
    return max(jalali(first).year, FIRST_YEAR, current_year() - 40)
