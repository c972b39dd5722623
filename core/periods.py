"""Jalali periods: a Jalali year or any range of days, and the months or years a chart counts.

Periods are Gregorian dates inclusive at both ends; Period.jalali_year(1401) runs from
1 Farvardin 1401 to the last day of Esfand 1401 (29 Esfand, or 30 in a leap year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import jdatetime

from core.clock import today_tehran
from core.errors import DomainError
from core.persian import (
    JALALI_MONTHS,
    format_jalali,
    format_jalali_long,
    jalali,
    jalali_year_bounds,
    to_persian_digits,
)

# The oldest and newest years a period may name (the date helpers' own range).
FIRST_YEAR, LAST_YEAR = 1300, 1500


@dataclass(frozen=True)
class Period:
    """A reporting period: a Jalali year, or any range of days (both ends included)."""

    start: date
    end: date
    year: int | None = None

    def __post_init__(self):
        if self.start > self.end:
            raise DomainError("تاریخ پایان نباید پیش از تاریخ آغاز باشد.", field="end")

    @classmethod
    def jalali_year(cls, year: int) -> Period:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise DomainError(
                f"سال باید بین {to_persian_digits(FIRST_YEAR)} و {to_persian_digits(LAST_YEAR)} باشد.",
                field="year",
            )
        start, end = jalali_year_bounds(year)
        return cls(start, end, year)

    @classmethod
    def between(cls, start: date, end: date) -> Period:
        """A range of days; a range that is exactly one Jalali year is reported as that year."""
        year = jalali(start).year
        if (start, end) == jalali_year_bounds(year):
            return cls(start, end, year)
        return cls(start, end)

    @property
    def title(self) -> str:
        """«سال ۱۴۰۱» or «۱ فروردین ۱۴۰۱ تا ۳۱ شهریور ۱۴۰۱»."""
        if self.year is not None:
            return f"سال {to_persian_digits(self.year)}"
        return f"{format_jalali_long(self.start)} تا {format_jalali_long(self.end)}"

    @property
    def within(self) -> str:
        """How a sentence names the period: «در سال ۱۴۰۱», «از ۱ فروردین ... تا ...»."""
        return f"در {self.title}" if self.year is not None else f"از {self.title}"

    @property
    def at_end(self) -> str:
        """«در پایان سال ۱۴۰۱», «در پایان روز ۳۱ شهریور ۱۴۰۱»."""
        if self.year is not None:
            return f"در پایان سال {to_persian_digits(self.year)}"
        return f"در پایان روز {format_jalali_long(self.end)}"

    def args(self) -> dict[str, str]:
        """The query arguments that name this period in a URL (Jalali, Latin digits)."""
        if self.year is not None:
            return {"year": str(self.year)}
        return {
            "start": format_jalali(self.start, persian_digits=False).replace("/", "-"),
            "end": format_jalali(self.end, persian_digits=False).replace("/", "-"),
        }

    @property
    def held_until(self) -> date:
        """Sessions count once held: a session scheduled after today is not yet part of a period."""
        return min(self.end, today_tehran())


def jalali_year_of(day: date) -> int:
    """The Jalali year a day falls in (the year a register numbers its entries by)."""
    return jalali(day).year


def current_year() -> int:
    return jalali_year_of(today_tehran())


@dataclass(frozen=True)
class Bucket:
    """A slice of a period (a Jalali month or year) that a chart counts separately."""

    label: str
    period: Period


def _month_after(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first and last Gregorian days of a Jalali month."""
    start = jdatetime.date(year, month, 1).togregorian()
    end = jdatetime.date(*_month_after(year, month), 1).togregorian() - timedelta(days=1)
    return start, end


def month_label(year: int, month: int, *, with_year: bool = True) -> str:
    """«مهر ۱۴۰۱», or «مهر» alone."""
    name = JALALI_MONTHS[month - 1]
    return f"{name} {to_persian_digits(year)}" if with_year else name


def month_buckets(period: Period) -> list[Bucket]:
    """The Jalali months a period covers, each clipped to the period."""
    first, last = jalali(period.start), jalali(period.end)
    many_years = first.year != last.year
    buckets = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        start, end = _month_bounds(year, month)
        label = month_label(year, month, with_year=many_years)
        buckets.append(Bucket(label, Period(max(start, period.start), min(end, period.end))))
        year, month = _month_after(year, month)
    return buckets


def year_buckets(last_year: int, count: int = 10) -> list[Bucket]:
    """The `count` Jalali years up to last_year, oldest first."""
    years = range(last_year - count + 1, last_year + 1)
    return [Bucket(to_persian_digits(y), Period.jalali_year(y)) for y in years]


def month_of(day: date) -> Period:
    """The whole Jalali month a day falls in."""
    jd = jalali(day)
    return Period(*_month_bounds(jd.year, jd.month))
