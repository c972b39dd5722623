"""What the licensing operations share."""

from __future__ import annotations

from datetime import date

from core.persian import jalali
from licensing.models import ApplicationState

S = ApplicationState

# The authority licensing passes to the registry when it changes a licensed office (the registry's
# guard refuses such changes from anyone else).
LICENSING = "licensing"


def jalali_year(day: date) -> int:
    """The Jalali year a date falls in: numbers (applications, sessions, licences) run per year."""
    return jalali(day).year
