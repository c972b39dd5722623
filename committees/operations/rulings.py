"""Rulings: what a ruling may say (checked against the case), its issue in a session with quorum
and majority, its service, the fine's payment, finality, and how it acts on the office's licence.

When a ruling acts: a ruling is *issued* in a session and *acts on the licence when it is
served* (ابلاغ) on the office: a suspension runs from the day of service for its number of days
(the last day is `suspension_until`; `flask licensing daily` restores the licence the day after),
a revocation takes effect on the day of service. An appeal does not stay it. If the appeal
replaces the ruling, the licence is brought to what the new ruling says as of the decision day
(replace_effect, called by appeals.decide_appeal). A fine is recorded unpaid at issue and marked
paid once served."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from committees.models import (
    LICENCE_PENALTIES,
    Case,
    CaseState,
    CommitteeSession,
    FineStatus,
    PenaltyKind,
    Ruling,
    RulingState,
)
from committees.operations._common import (
    LIMITS,
    MAX_FINE_RIALS,
    MAX_SUSPENSION_DAYS,
    not_future,
    required_text,
)
from committees.operations.cases import current_licence, transition_case
from committees.operations.sessions import require_hearing, require_quorum, vote_tally
from core import dates
from core.calendar import deadline_from
from core.clock import today_tehran
from core.counters import next_value
from core.errors import DomainError
from core.events import announce
from core.extensions import db
from core.periods import jalali_year_of
from core.persian import format_jalali, format_number, isolate_code
from licensing import operations as licensing_ops
from licensing.models import Licence, LicenceStatus
from registry.models import SiteStatus


def ruling_values(case: Case, data: dict[str, Any], *, licence_in_force: bool = True) -> dict[str, Any]:
    """Check what a ruling says against the case; the values to store."""
    try:
        penalty = PenaltyKind(data.get("penalty"))
    except ValueError as exc:
        raise DomainError("مجازات را انتخاب کنید.", field="penalty") from exc
    case_codes = [v.violation_type.code for v in case.violations]
    found = list(dict.fromkeys(data.get("violations_found") or []))
    unknown = [c for c in found if c not in case_codes]
    if unknown:
        raise DomainError("تخلف احرازشده باید از تخلفات همین پرونده باشد.", field="violations_found")
    if penalty == PenaltyKind.ACQUITTAL and found:
        raise DomainError(
            "در رأی برائت تخلفی احراز نمی‌شود؛ تخلفات احرازشده را خالی بگذارید.", field="violations_found"
        )
    if penalty != PenaltyKind.ACQUITTAL and not found:
        raise DomainError("تخلف‌های احرازشده را انتخاب کنید.", field="violations_found")
    days = data.get("suspension_days")
    amount = data.get("fine_amount")
    if penalty == PenaltyKind.SUSPENSION:
        if not days or not 1 <= int(days) <= MAX_SUSPENSION_DAYS:
            raise DomainError(
                f"روزهای تعلیق را (از ۱ تا {format_number(MAX_SUSPENSION_DAYS)}) وارد کنید.",
                field="suspension_days",
            )
        days = int(days)
    else:
        days = None
    if penalty == PenaltyKind.FINE:
        if not amount or not 1 <= int(amount) <= MAX_FINE_RIALS:
            raise DomainError("مبلغ جریمه را به ریال وارد کنید.", field="fine_amount")
        amount = int(amount)
    else:
        amount = None
    legal_basis = required_text(
        data.get("legal_basis"), "مستند قانونی رأی را بنویسید.", "legal_basis", LIMITS["text"]
    )
    reasoning = required_text(data.get("reasoning"), "استدلال رأی را بنویسید.", "reasoning", LIMITS["text"])
    if licence_in_force and penalty in LICENCE_PENALTIES and current_licence(case.site) is None:
        raise DomainError("این دفتر پروانه معتبری ندارد؛ تعلیق یا لغو پروانه ممکن نیست.", field="penalty")
    return {
        "penalty": penalty,
        "violations_found": [c for c in case_codes if c in found],
        "suspension_days": days,
        "fine_amount": amount,
        "fine_status": FineStatus.UNPAID if amount else None,
        "legal_basis": legal_basis,
        "reasoning": reasoning,
    }


def ruling_number(ruled_on: date) -> str:
    year = jalali_year_of(ruled_on)
    return f"{year}-{next_value(f'ruling:{year}'):04d}"


def record_ruling(case: Case, session: CommitteeSession, data: dict[str, Any], *, actor) -> Ruling:
    """The committee's ruling on a case heard in the session: needs quorum (of members not
    recused) and more than half of those members voting for it."""
    require_hearing(session, case)
    require_quorum(session, case)
    tally = vote_tally(session, case)
    if not tally.passes:
        raise DomainError(f"رأی اکثریت لازم را ندارد: {tally.text}.")
    values = ruling_values(case, data)
    ruling = Ruling(
        number=ruling_number(session.held_on),
        case=case,
        session=session,
        ruled_on=session.held_on,
        state=RulingState.ISSUED,
        **values,
    )
    db.session.add(ruling)
    transition_case(case, CaseState.RULED, actor=actor)
    db.session.flush()
    announce("ruling_notice", ruling, actor=actor)
    return ruling


def session_ruling(session: CommitteeSession, case: Case) -> Ruling | None:
    return db.session.scalar(select(Ruling).where(Ruling.session_id == session.id, Ruling.case_id == case.id))


# ---------------------------------------------------------------- service and effect on the licence


def _effect_reason(ruling: Ruling) -> str:
    return f"رأی شماره {ruling.number} کمیته رسیدگی به تخلفات (پرونده {ruling.case.number})"


def _suspension_until(start: date, days: int) -> date:
    return start + timedelta(days=days - 1)


def _apply_effect(ruling: Ruling, start: date, *, actor) -> None:
    """Carry out a suspension or revocation on the office's licence in force, from `start`."""
    if not ruling.acts_on_licence:
        return
    licence = current_licence(ruling.case.site)
    if licence is None:
        raise DomainError("این دفتر پروانه معتبری ندارد؛ رأی تعلیق یا لغو بر پروانه اجرا نمی‌شود.")
    if ruling.penalty == PenaltyKind.SUSPENSION:
        until = _suspension_until(start, ruling.suspension_days)
        if licence.status != LicenceStatus.ACTIVE:
            raise DomainError(
                f"پروانه {isolate_code(licence.number)} هم‌اکنون "
                f"«{licence.status.label}» است (تا "
                f"{format_jalali(licence.suspended_until)})؛ تعلیق تازه پس از "
                "پایان تعلیق کنونی ابلاغ شود."
            )
        licensing_ops.suspend_licence(
            licence,
            until=until,
            reason=_effect_reason(ruling),
            actor=actor,
            effective_on=start,
            ruling_id=ruling.id,
        )
        ruling.suspension_until = until
    else:
        licensing_ops.revoke_licence(
            licence, reason=_effect_reason(ruling), actor=actor, effective_on=start, ruling_id=ruling.id
        )
    ruling.case.licence = licence


def serve_ruling(ruling: Ruling, served_on: date | None, *, actor, today: date | None = None) -> Ruling:
    """Record the day the ruling was served on the office: the appeal window opens and a
    suspension or revocation takes effect on the licence from that day."""
    if ruling.state != RulingState.ISSUED:
        raise DomainError(f"رأی در وضعیت «{ruling.state.label}» است و ابلاغ آن پیش‌تر ثبت شده است.")
    served_on = not_future(served_on, today, "تاریخ ابلاغ", "served_on")
    dates.not_before(
        served_on, "ابلاغ رأی", ruling.ruled_on, f"صدور رأی {isolate_code(ruling.number)}", field="served_on"
    )
    ruling.served_on = served_on
    ruling.appeal_deadline = deadline_from(served_on, "committee.appeal_days")
    ruling.state = RulingState.SERVED
    _apply_effect(ruling, served_on, actor=actor)
    db.session.flush()
    return ruling


def mark_fine_paid(ruling: Ruling, paid_on: date | None, *, actor, today: date | None = None) -> Ruling:
    """Record that the fine was paid."""
    if ruling.penalty != PenaltyKind.FINE:
        raise DomainError("این رأی جریمه نقدی ندارد.")
    if ruling.fine_status == FineStatus.PAID:
        raise DomainError("پرداخت این جریمه پیش‌تر ثبت شده است.")
    if ruling.state not in (RulingState.SERVED, RulingState.UNDER_APPEAL, RulingState.FINAL):
        raise DomainError(f"رأی «{ruling.state.label}» است و پرداخت جریمه آن ثبت نمی‌شود.")
    paid_on = not_future(paid_on, today, "تاریخ پرداخت", "paid_on")
    if paid_on < ruling.served_on:
        raise DomainError("تاریخ پرداخت نمی‌تواند پیش از ابلاغ رأی باشد.", field="paid_on")
    ruling.fine_status = FineStatus.PAID
    ruling.fine_paid_on = paid_on
    db.session.flush()
    return ruling


def close_ruled_case(ruling: Ruling, *, actor) -> None:
    case = ruling.case
    if case.state == CaseState.RULED:
        transition_case(case, CaseState.CLOSED, actor=actor, note=f"رأی شماره {ruling.number} قطعی شد.")


def finalise_rulings(today: date | None = None, *, actor=None) -> list[Ruling]:
    """Served rulings whose appeal window has passed without an appeal become final. Safe to run
    twice."""
    today = today or today_tehran()
    due = db.session.scalars(
        select(Ruling)
        .where(Ruling.state == RulingState.SERVED, Ruling.appeal_deadline < today)
        .order_by(Ruling.id)
    ).all()
    for ruling in due:
        ruling.state = RulingState.FINAL
        close_ruled_case(ruling, actor=actor)
    db.session.flush()
    return list(due)


def _undo_revocation_refusal(licence: Licence, case: Case, day: date) -> str | None:
    """Why a revocation can no longer be undone, if it cannot."""
    other = current_licence(case.site)
    if other is not None and other is not licence:
        return (
            f"برای این دفتر پروانه تازه {isolate_code(other.number)} صادر شده است؛ "
            "لغو پروانه پیشین را نمی‌توان برگرداند."
        )
    if licence.expires_on < day:
        return (
            f"اعتبار پروانه {isolate_code(licence.number)} در "
            f"{format_jalali(licence.expires_on)} به پایان رسیده است؛ لغو آن را نمی‌توان "
            "برگرداند."
        )
    if licence.site.status != SiteStatus.REVOKED:
        return (
            f"وضعیت دفتر پس از لغو به «{licence.site.status.label}» تغییر کرده است؛ لغو پروانه "
            "را نمی‌توان برگرداند."
        )
    return None


def replace_effect(old: Ruling, new: Ruling, day: date, *, actor) -> None:
    """Bring the licence to what the new ruling says, as of `day` (the appeal's decision).

    - New revocation: the licence is revoked (if it is not already).
    - New suspension: it counts from the day the replaced ruling's suspension or revocation began
      (days the office was already shut are credited), else from `day`; the licence is suspended
      until its last day, or back in force if that day has passed.
    - Anything else: a suspension or revocation by the replaced ruling is lifted.
    A revocation is undone only while the licence could still be in force (not expired, no new
    licence for the office, the office still marked revoked); otherwise the decision is refused
    and nothing changes. Nothing is done when the licence is already as the new ruling says.
    """
    if not old.acts_on_licence and not new.acts_on_licence:
        return
    case = new.case
    licence = case.licence if old.acts_on_licence else current_licence(case.site)
    if licence is None:
        raise DomainError("این دفتر پروانه معتبری ندارد؛ تعلیق یا لغو پروانه ممکن نیست.")
    status = licence.status
    reason = _effect_reason(new)
    # What the licence should be from `day`: revoked, suspended until a day, or not restricted.
    want_revoked = new.penalty == PenaltyKind.REVOCATION
    until = None
    if new.penalty == PenaltyKind.SUSPENSION:
        start = old.served_on if old.acts_on_licence else day
        new.suspension_until = _suspension_until(start, new.suspension_days)
        if new.suspension_until >= day:
            until = new.suspension_until
    restricted = want_revoked or until is not None
    if status not in (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED, LicenceStatus.REVOKED):
        if restricted:
            raise DomainError(
                f"پروانه {isolate_code(licence.number)} «{status.label}» است و رأی تازه بر آن اجرا نمی‌شود."
            )
        return
    if status == LicenceStatus.REVOKED and not want_revoked:
        refusal = _undo_revocation_refusal(licence, case, day)
        if refusal:
            raise DomainError(refusal)
    if want_revoked:
        if status != LicenceStatus.REVOKED:
            licensing_ops.revoke_licence(
                licence, reason=reason, actor=actor, effective_on=day, ruling_id=new.id
            )
    elif until is not None:
        if status == LicenceStatus.ACTIVE:
            licensing_ops.suspend_licence(
                licence, until=until, reason=reason, actor=actor, effective_on=day, ruling_id=new.id
            )
        elif licence.suspended_until != until or status == LicenceStatus.REVOKED:
            licensing_ops.reinstate_licence(
                licence, until=until, reason=reason, actor=actor, effective_on=day, ruling_id=new.id
            )
    elif status != LicenceStatus.ACTIVE:
        licensing_ops.reinstate_licence(
            licence, until=None, reason=reason, actor=actor, effective_on=day, ruling_id=new.id
        )
    case.licence = licence
