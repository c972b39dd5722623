"""The working-day calendar: weekly days off (a setting) and holidays (a table the admin edits).

Official holidays come from the `holidays` library (Iran's solar and lunar holidays, with their
Persian names) and are copied into the `holidays` table a year at a time, so the admin can add an
announced closure or take a day out; a year not yet copied is read from the library directly.

A statutory deadline says in regulations.toml whether it counts calendar or working days
(`count = "working"`); `deadline_from(start, key)` applies it. The first day counted is the day
after `start`, and a deadline never ends on a day off.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

from sqlalchemy import Date, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, TimestampMixin, enum_type
from core.persian import clean_text, format_jalali

# Persian weekday names as the settings page shows them, by Python's weekday() number.
WEEKDAYS = {
    "دوشنبه": 0,
    "سه‌شنبه": 1,
    "چهارشنبه": 2,
    "پنجشنبه": 3,
    "جمعه": 4,
    "شنبه": 5,
    "یکشنبه": 6,
}
WEEKDAY_NAMES = {number: name for name, number in WEEKDAYS.items()}
# The longest run of days off we accept before deciding the calendar is broken.
MAX_DAYS_OFF_IN_A_ROW = 60


class HolidaySource(StrEnum):
    OFFICIAL = "official"
    ANNOUNCED = "announced"

    @property
    def label(self) -> str:
        return {"official": "تعطیل رسمی", "announced": "تعطیلی اعلام‌شده"}[self.value]


class Holiday(TimestampMixin, Base):
    """A day off besides the weekly ones; `off=False` keeps an official holiday the admin reopened."""

    __tablename__ = "holidays"
    __label__ = "روز تعطیل"
    __field_labels__ = {"day": "تاریخ", "name": "مناسبت", "source": "نوع", "off": "تعطیل"}

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[HolidaySource] = mapped_column(enum_type(HolidaySource))
    off: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Holiday {self.day} {self.name}>"


def normalise_weekday_name(name: str) -> str:
    """«پنج شنبه», «پنجشنبه» and «پنج‌شنبه» are one day."""
    return clean_text(name).replace(" ", "").replace("\u200c", "").replace("سهشنبه", "سه‌شنبه")


def weekday_number(name: str) -> int | None:
    """Python's weekday() number of a Persian day name, or None when it names no day."""
    wanted = normalise_weekday_name(name)
    for day_name, number in WEEKDAYS.items():
        if normalise_weekday_name(day_name) == wanted:
            return number
    return None


def weekly_days_off() -> frozenset[int]:
    """The weekday numbers that are off every week (setting calendar.weekly_days_off)."""
    from core.settings import get_setting

    numbers = {weekday_number(name) for name in get_setting("calendar.weekly_days_off")}
    numbers.discard(None)
    return frozenset(numbers)


@lru_cache(maxsize=64)
def library_holidays(year: int) -> dict[date, str]:
    """Iran's official holidays of a Gregorian year from the `holidays` library, in Persian."""
    import holidays

    return dict(holidays.Iran(years=year, language="fa_IR").items())


def load_official_holidays(year: int) -> list[Holiday]:
    """Copy a Gregorian year's official holidays into the table (rows already there are kept)."""
    from core.extensions import db

    start, end = date(year, 1, 1), date(year, 12, 31)
    existing = set(db.session.scalars(select(Holiday.day).where(Holiday.day.between(start, end))))
    added = []
    for day, name in sorted(library_holidays(year).items()):
        if day not in existing:
            row = Holiday(day=day, name=name[:200], source=HolidaySource.OFFICIAL, off=True)
            db.session.add(row)
            added.append(row)
    db.session.flush()
    return added


def _year_days_off(year: int) -> set[date]:
    """Holidays of a Gregorian year: the table where the year was loaded, else the library."""
    from core.extensions import db

    start, end = date(year, 1, 1), date(year, 12, 31)
    rows = db.session.execute(
        select(Holiday.day, Holiday.source, Holiday.off).where(Holiday.day.between(start, end))
    ).all()
    loaded = any(source == HolidaySource.OFFICIAL for _day, source, _off in rows)
    days = set() if loaded else set(library_holidays(year))
    for day, _source, off in rows:
        if off:
            days.add(day)
        else:
            days.discard(day)
    return days


class Calendar:
    """Working days over a few years, read once per computation."""

    def __init__(self) -> None:
        self.days_off_weekly = weekly_days_off()
        self._years: dict[int, set[date]] = {}

    def is_holiday(self, day: date) -> bool:
        if day.year not in self._years:
            self._years[day.year] = _year_days_off(day.year)
        return day in self._years[day.year]

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in self.days_off_weekly and not self.is_holiday(day)

    def add_working_days(self, start: date, n: int) -> date:
        day, counted, idle = start, 0, 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted, idle = counted + 1, 0
            else:
                idle += 1
                if idle > MAX_DAYS_OFF_IN_A_ROW:
                    raise ValueError("the calendar has no working day in two months")
        return day

    def working_days_between(self, start: date, end: date) -> int:
        if end <= start:
            return -self._count(end, start)
        return self._count(start, end)

    def _count(self, start: date, end: date) -> int:
        return sum(
            1 for offset in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(offset))
        )


def is_working_day(day: date) -> bool:
    """Neither a weekly day off nor a holiday."""
    return Calendar().is_working_day(day)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (the day itself is not counted)."""
    return Calendar().add_working_days(start, n)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is earlier)."""
    return Calendar().working_days_between(start, end)


# ---------------------------------------------------------------- statutory deadlines


def counts_working_days(key: str) -> bool:
    """Whether the deadline setting `key` counts working days (else calendar days)."""
    from core.settings import definitions

    return definitions()[key].count == "working"


def deadline_from(start: date, key: str) -> date:
    """The last day of the period set by `key`, counted from `start` as the rule says."""
    from core.settings import get_setting

    n = get_setting(key)
    if counts_working_days(key):
        return add_working_days(start, n)
    return start + timedelta(days=n)


def days_left(due: date, key: str | None = None, *, today: date | None = None) -> int:
    """Days from today to `due`, in the rule's unit (negative: overdue by that many)."""
    from core.clock import today_tehran

    today = today or today_tehran()
    if key and counts_working_days(key):
        return working_days_between(today, due)
    return (due - today).days


def unit_label(key: str | None) -> str:
    """«روز کاری» or «روز», for the rule's count."""
    return "روز کاری" if key and counts_working_days(key) else "روز"


def describe_day(day: date) -> str:
    """«چهارشنبه ۲۹ اسفند ۱۴۰۳» style text for a day, with its weekday."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {format_jalali(day)}"


def due_text(due: date | None, key: str | None = None, *, today: date | None = None) -> str:
    """«۵ روز کاری مانده», «امروز», «۳ روز کاری گذشته» for a list's due-date column."""
    from core.persian import to_persian_digits

    if due is None:
        return ""
    today = today or _today()
    left = days_left(due, key, today=today)
    unit = unit_label(key)
    if left == 0:
        return "امروز آخرین روز است" if due >= today else "مهلت گذشته"
    if left > 0:
        return f"{to_persian_digits(left)} {unit} مانده"
    return f"{to_persian_digits(-left)} {unit} گذشته"


def _today() -> date:
    from core.clock import today_tehran

    return today_tehran()
