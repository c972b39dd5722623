"""Site visits: the officer asks inspectors to check a proposed site; their finding comes back."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select

from core.calendar import deadline_from
from core.clock import today_tehran, utcnow
from core.db import actor_id
from core.errors import DomainError
from core.extensions import db
from core.persian import clean_text
from licensing.models import Application, ApplicationKind, VisitRequest, VisitRequestState
from licensing.operations._common import S
from licensing.operations.applications import transition


def request_site_visit(
    application: Application, *, actor, due_on: date | None = None, note: str | None = None
) -> VisitRequest:
    """Ask inspectors to check the proposed site; the application waits for the result."""
    if application.kind not in (
        ApplicationKind.NEW,
        ApplicationKind.ADDRESS_CHANGE,
        ApplicationKind.TRANSFER,
    ):
        raise DomainError("برای این نوع درخواست بازدید محل لازم نیست.")
    transition(application, S.SITE_VISIT_REQUESTED, actor=actor, note=note)
    purpose = {"new": "new_site", "address_change": "address_change", "transfer": "performance"}[
        application.kind.value
    ]
    lat, lon, address = application.lat, application.lon, application.address
    if application.kind == ApplicationKind.TRANSFER and application.site is not None:
        lat, lon, address = application.site.lat, application.site.lon, application.site.address
    visit = VisitRequest(
        application=application,
        site=application.site,
        purpose=purpose,
        lat=lat,
        lon=lon,
        address=address,
        due_on=due_on or deadline_from(today_tehran(), "licensing.site_visit_due_days"),
        requested_by_id=actor_id(actor),
    )
    db.session.add(visit)
    db.session.flush()
    return visit


def record_visit_result(visit: VisitRequest, *, passed: bool, notes: str, actor) -> VisitRequest:
    """The inspectors' finding returns to the application, which goes back under review."""
    if visit.state != VisitRequestState.REQUESTED:
        raise DomainError("نتیجه این بازدید پیش‌تر ثبت شده است.")
    visit.state = VisitRequestState.DONE
    visit.passed = passed
    visit.result_notes = clean_text(notes) or None
    visit.completed_at = utcnow()
    db.session.flush()
    if visit.application is not None and visit.application.state == S.SITE_VISIT_REQUESTED:
        verdict = "تأیید شد" if passed else "تأیید نشد"
        transition(visit.application, S.UNDER_REVIEW, actor=actor, note=f"نتیجه بازدید محل: {verdict}")
    return visit


def open_visit_requests() -> Select:
    return (
        select(VisitRequest)
        .where(VisitRequest.state == VisitRequestState.REQUESTED)
        .order_by(VisitRequest.due_on)
    )
