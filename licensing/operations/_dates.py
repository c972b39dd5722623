"""Licensing's dated acts checked against the records they follow (through core.dates)."""

from __future__ import annotations

from datetime import date

from core import dates
from core.persian import isolate_code
from licensing.models import Application, Licence


def _last_term_day(licence: Licence | None) -> date | None:
    return max((t.effective_on for t in licence.terms), default=None) if licence is not None else None


def require_issue_date(application: Application, issued_on: date) -> None:
    """A licence is issued on or after its application's receipt and its working group's decision,
    and not before the last event of the licence it acts on."""
    what = f"صدور پروانه درخواست {isolate_code(application.number)}"
    follows = [
        (application.received_on, f"دریافت درخواست {isolate_code(application.number)}"),
        (application.decided_on, f"تصمیم کارگروه درباره درخواست {isolate_code(application.number)}"),
    ]
    if application.licence is not None:
        follows.append(
            (
                _last_term_day(application.licence),
                f"آخرین رویداد پروانه {isolate_code(application.licence.number)}",
            )
        )
    dates.dated(issued_on, what, *follows, field="issued_on")
