"""Appeals against a served ruling: filed within the window, decided by confirming the ruling
(final) or replacing it with a new one that is final at once (see rulings.replace_effect for
what that does to the licence)."""

from __future__ import annotations

from datetime import date
from typing import Any

from committees.models import Appeal, AppealOutcome, Ruling, RulingState
from committees.operations._common import LIMITS, not_future, required_text
from committees.operations.rulings import close_ruled_case, replace_effect, ruling_number, ruling_values
from core.errors import DomainError
from core.events import announce
from core.extensions import db
from core.persian import format_jalali


def file_appeal(
    ruling: Ruling, *, filed_on: date | None, grounds: str, actor, today: date | None = None
) -> Appeal:
    """An appeal by the office, recorded only within the window after service."""
    if ruling.state != RulingState.SERVED:
        raise DomainError(
            f"رأی در وضعیت «{ruling.state.label}» است؛ اعتراض فقط به رأی ابلاغ‌شده "
            "و پیش از قطعی شدن پذیرفته می‌شود.",
            field="filed_on",
        )
    filed_on = not_future(filed_on, today, "تاریخ اعتراض", "filed_on")
    if filed_on < ruling.served_on:
        raise DomainError("تاریخ اعتراض نمی‌تواند پیش از ابلاغ رأی باشد.", field="filed_on")
    if filed_on > ruling.appeal_deadline:
        raise DomainError(
            f"مهلت اعتراض به این رأی در {format_jalali(ruling.appeal_deadline)} "
            "به پایان رسیده است؛ اعتراض پذیرفته نمی‌شود.",
            field="filed_on",
        )
    grounds = required_text(grounds, "دلایل اعتراض را بنویسید.", "grounds", LIMITS["text"])
    appeal = Appeal(ruling=ruling, filed_on=filed_on, grounds=grounds)
    db.session.add(appeal)
    ruling.state = RulingState.UNDER_APPEAL
    db.session.flush()
    return appeal


def decide_appeal(
    appeal: Appeal,
    *,
    outcome: AppealOutcome | str,
    decided_on: date | None,
    reasoning: str,
    actor,
    replacement: dict[str, Any] | None = None,
    today: date | None = None,
) -> Ruling:
    """Record the appeal's decision: confirmed (the ruling becomes final) or replaced by a new
    ruling (final at once, in force from the decision day). Returns the ruling in force."""
    ruling = appeal.ruling
    if appeal.outcome is not None:
        raise DomainError("برای این اعتراض پیش‌تر تصمیم ثبت شده است.")
    try:
        outcome = AppealOutcome(outcome)
    except ValueError as exc:
        raise DomainError("نتیجه رسیدگی به اعتراض را انتخاب کنید.", field="outcome") from exc
    decided_on = not_future(decided_on, today, "تاریخ تصمیم", "decided_on")
    if decided_on < appeal.filed_on:
        raise DomainError("تاریخ تصمیم نمی‌تواند پیش از تاریخ اعتراض باشد.", field="decided_on")
    reasoning = required_text(
        reasoning, "دلایل تصمیم درباره اعتراض را بنویسید.", "decision_reasoning", LIMITS["text"]
    )
    if outcome == AppealOutcome.CONFIRMED:
        in_force = ruling
        ruling.state = RulingState.FINAL
    else:
        values = ruling_values(ruling.case, replacement or {}, licence_in_force=False)
        in_force = Ruling(
            number=ruling_number(decided_on),
            case=ruling.case,
            session=None,
            ruled_on=decided_on,
            served_on=decided_on,
            state=RulingState.FINAL,
            replaces=ruling,
            **values,
        )
        db.session.add(in_force)
        replace_effect(ruling, in_force, decided_on, actor=actor)  # may refuse: nothing set yet
        ruling.state = RulingState.REPLACED
        appeal.new_ruling = in_force
    appeal.outcome = outcome
    appeal.decided_on = decided_on
    appeal.decision_reasoning = reasoning
    close_ruled_case(in_force, actor=actor)
    db.session.flush()
    announce("appeal_decision", appeal, actor=actor)
    return in_force
