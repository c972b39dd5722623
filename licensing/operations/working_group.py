"""The working group: sessions, their attendees and agenda, and the decision on each item."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select

from core import dates
from core.counters import next_value
from core.errors import DomainError
from core.events import announce
from core.extensions import db
from core.persian import clean_text, isolate_code, to_persian_digits
from licensing.models import (
    WG_DECISIONS,
    AgendaItem,
    Application,
    ApplicationState,
    WorkingGroupAttendee,
    WorkingGroupSession,
)
from licensing.operations._common import S, jalali_year
from licensing.operations.applications import _move
from licensing.operations.eligibility import _require_still_eligible


def schedule_session(held_on: date, *, place: str | None, actor) -> WorkingGroupSession:
    """Schedule a working-group session, numbered within its Jalali year."""
    if held_on is None:
        raise DomainError("تاریخ جلسه را وارد کنید.", field="held_on")
    year = jalali_year(held_on)
    serial = next_value(f"wg_session:{year}")
    session = WorkingGroupSession(
        number=f"{year}-{serial:02d}", held_on=held_on, place=clean_text(place) or None
    )
    db.session.add(session)
    db.session.flush()
    return session


def _require_open(session: WorkingGroupSession) -> None:
    if session.closed:
        raise DomainError("این جلسه بسته شده و صورتجلسه آن دیگر تغییر نمی‌کند.")


def add_to_agenda(session: WorkingGroupSession, application: Application, *, actor) -> AgendaItem:
    """Put a ready application on the session's agenda."""
    _require_open(session)
    if application.state != S.READY_FOR_WG:
        raise DomainError("فقط درخواست‌های «آماده طرح در کارگروه» در دستور جلسه قرار می‌گیرند.")
    if any(item.application_id == application.id for item in session.items):
        raise DomainError("این درخواست در دستور همین جلسه است.")
    elsewhere = db.session.scalar(
        select(AgendaItem)
        .join(WorkingGroupSession)
        .where(
            AgendaItem.application_id == application.id,
            AgendaItem.decision.is_(None),
            WorkingGroupSession.closed.is_(False),
        )
    )
    if elsewhere is not None:
        raise DomainError("این درخواست در دستور جلسه باز دیگری است.")
    item = AgendaItem(session=session, application=application, position=len(session.items) + 1)
    db.session.add(item)
    db.session.flush()
    return item


def remove_from_agenda(item: AgendaItem, *, actor) -> None:
    _require_open(item.session)
    if item.decision is not None:
        raise DomainError("برای این بند تصمیم ثبت شده است.")
    db.session.delete(item)
    db.session.flush()


def ready_applications() -> list[Application]:
    """Applications ready for the working group and not yet on an open agenda."""
    on_agenda = (
        select(AgendaItem.application_id)
        .join(WorkingGroupSession)
        .where(WorkingGroupSession.closed.is_(False), AgendaItem.decision.is_(None))
    )
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.state == S.READY_FOR_WG, Application.id.not_in(on_agenda))
            .order_by(Application.received_on)
        )
    )


def add_attendee(
    session: WorkingGroupSession,
    *,
    full_name: str,
    organisation: str,
    title: str | None = None,
    actor,
) -> WorkingGroupAttendee:
    """Record who attended and the organisation they represent."""
    _require_open(session)
    full_name, organisation = clean_text(full_name), clean_text(organisation)
    if not full_name:
        raise DomainError("نام حاضر را وارد کنید.", field="full_name")
    if not organisation:
        raise DomainError("سازمان را وارد کنید.", field="organisation")
    attendee = WorkingGroupAttendee(
        session=session,
        full_name=full_name,
        organisation=organisation,
        title=clean_text(title) or None,
    )
    db.session.add(attendee)
    db.session.flush()
    return attendee


def record_decision(item: AgendaItem, decision: ApplicationState | str, reasons: str, *, actor) -> AgendaItem:
    """The working group's decision on one agenda item, with reasons; it moves the application."""
    _require_open(item.session)
    decision = ApplicationState(decision)
    if decision not in WG_DECISIONS:
        raise DomainError("تصمیم باید تصویب، رد یا تعویق باشد.", field="decision")
    reasons = clean_text(reasons)
    if not reasons:
        raise DomainError("دلایل تصمیم را بنویسید.", field="reasons")
    if not item.session.attendees:
        raise DomainError("پیش از ثبت تصمیم، حاضران جلسه را ثبت کنید.")
    if item.decision is not None:
        raise DomainError("برای این بند تصمیم ثبت شده است.")
    application = item.application
    dates.dated(
        item.session.held_on,
        f"تصمیم کارگروه در جلسه {isolate_code(item.session.number)}",
        (application.received_on, f"دریافت درخواست {isolate_code(application.number)}"),
    )
    item.decision = decision
    item.reasons = reasons
    if decision == S.APPROVED:
        _require_still_eligible(application)
    _move(application, decision, actor=actor, note=f"کارگروه جلسه {item.session.number}: {reasons}")
    application.decided_on = item.session.held_on
    application.decision_reason = reasons
    db.session.flush()
    announce("wg_decision", item, actor=actor)
    if decision == S.APPROVED:
        announce("payment_due", application, actor=actor)
    return item


def close_session(session: WorkingGroupSession, *, actor) -> WorkingGroupSession:
    """Close the session: every item must have a decision; the minutes are then final."""
    _require_open(session)
    if not session.items:
        raise DomainError("دستور جلسه خالی است.")
    undecided = [i for i in session.items if i.decision is None]
    if undecided:
        raise DomainError(f"برای {to_persian_digits(len(undecided))} بند دستور جلسه تصمیمی ثبت نشده است.")
    session.closed = True
    db.session.flush()
    return session


def sessions_newest_first() -> Select:
    """Working-group sessions, the latest first."""
    return select(WorkingGroupSession).order_by(
        WorkingGroupSession.held_on.desc(), WorkingGroupSession.id.desc()
    )
