"""The one clock: every "now" and "today" of the app is read here, so tests can freeze it.

The database keeps UTC; the directorate's day is Tehran's (UTC+3:30), which differs from the
server's UTC date between 20:30 and 24:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

TEHRAN = ZoneInfo("Asia/Tehran")


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored moment as an aware UTC datetime (SQLite hands back naive UTC; None stays None)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def now_tehran() -> datetime:
    """The current time in Tehran, timezone-aware."""
    return utcnow().astimezone(TEHRAN)


def today_tehran() -> date:
    """Today's date in Tehran."""
    return now_tehran().date()
