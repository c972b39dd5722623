"""The committee's states and kinds: cases, rulings, votes, fines, appeals and the penalty steps."""

from __future__ import annotations

from enum import StrEnum

from core.persian import format_number, to_persian_digits


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def label(self) -> str:
        return {"low": "خفیف", "medium": "متوسط", "high": "شدید", "critical": "بسیار شدید"}[self.value]


class PenaltyKind(StrEnum):
    ACQUITTAL = "acquittal"
    WRITTEN_WARNING = "written_warning"
    FILED_NOTICE = "filed_notice"
    FINE = "fine"
    SUSPENSION = "suspension"
    REVOCATION = "revocation"

    @property
    def label(self) -> str:
        return {
            "acquittal": "برائت (عدم احراز تخلف)",
            "written_warning": "تذکر کتبی",
            "filed_notice": "اخطار کتبی با درج در پرونده",
            "fine": "جریمه نقدی",
            "suspension": "تعلیق پروانه",
            "revocation": "لغو پروانه",
        }[self.value]


# From the mildest to the harshest: the order in which a case's several suggestions are compared.
PENALTY_ORDER = (
    PenaltyKind.ACQUITTAL,
    PenaltyKind.WRITTEN_WARNING,
    PenaltyKind.FILED_NOTICE,
    PenaltyKind.FINE,
    PenaltyKind.SUSPENSION,
    PenaltyKind.REVOCATION,
)
# The penalties a ruling carries out on the licence (through licensing.operations).
LICENCE_PENALTIES = (PenaltyKind.SUSPENSION, PenaltyKind.REVOCATION)


def penalty_text(penalty: PenaltyKind | str, days: int | None = None, amount: int | None = None) -> str:
    """A penalty as a sentence: «تعلیق پروانه به مدت ۱۵ روز», «جریمه نقدی ۲۰٬۰۰۰٬۰۰۰ ریال»."""
    penalty = PenaltyKind(penalty)
    if penalty == PenaltyKind.SUSPENSION and days:
        return f"{penalty.label} به مدت {to_persian_digits(days)} روز"
    if penalty == PenaltyKind.FINE and amount:
        return f"{penalty.label} {format_number(amount)} ریال"
    return penalty.label


class CaseSource(StrEnum):
    INSPECTION = "inspection"
    COMPLAINT = "complaint"
    MANUAL = "manual"

    @property
    def label(self) -> str:
        return {"inspection": "گزارش بازرسی", "complaint": "شکایت", "manual": "ثبت دستی"}[self.value]


class CaseState(StrEnum):
    OPEN = "open"
    AWAITING_DEFENCE = "awaiting_defence"
    READY = "ready"
    RULED = "ruled"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            "open": "در حال تکمیل",
            "awaiting_defence": "در انتظار دفاعیه",
            "ready": "آماده رسیدگی",
            "ruled": "رأی صادر شد",
            "closed": "مختومه",
        }[self.value]

    @property
    def badge(self) -> str:
        return {
            "open": "primary",
            "awaiting_defence": "warning",
            "ready": "info",
            "ruled": "success",
            "closed": "secondary",
        }[self.value]


# The one table of allowed case steps. RULED is reached only through record_ruling; a ruled case
# is closed only when its ruling becomes final (finalise_rulings, decide_appeal).
TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    CaseState.OPEN: frozenset({CaseState.AWAITING_DEFENCE, CaseState.CLOSED}),
    CaseState.AWAITING_DEFENCE: frozenset({CaseState.READY, CaseState.CLOSED}),
    CaseState.READY: frozenset({CaseState.AWAITING_DEFENCE, CaseState.RULED, CaseState.CLOSED}),
    CaseState.RULED: frozenset({CaseState.CLOSED}),
    CaseState.CLOSED: frozenset(),
}


class VoteChoice(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"

    @property
    def label(self) -> str:
        return {"for": "موافق", "against": "مخالف", "abstain": "ممتنع"}[self.value]


class RulingState(StrEnum):
    ISSUED = "issued"
    SERVED = "served"
    UNDER_APPEAL = "under_appeal"
    FINAL = "final"
    REPLACED = "replaced"

    @property
    def label(self) -> str:
        return {
            "issued": "صادر شده",
            "served": "ابلاغ شده",
            "under_appeal": "در مرحله اعتراض",
            "final": "قطعی",
            "replaced": "جایگزین شده",
        }[self.value]

    @property
    def badge(self) -> str:
        return {
            "issued": "primary",
            "served": "info",
            "under_appeal": "warning",
            "final": "success",
            "replaced": "secondary",
        }[self.value]


class FineStatus(StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"

    @property
    def label(self) -> str:
        return {"unpaid": "پرداخت نشده", "paid": "پرداخت شده"}[self.value]


class AppealOutcome(StrEnum):
    CONFIRMED = "confirmed"
    REPLACED = "replaced"

    @property
    def label(self) -> str:
        return {"confirmed": "تأیید رأی", "replaced": "تغییر رأی"}[self.value]


class ConflictAnswer(StrEnum):
    RECUSED = "recused"
    NO_CONFLICT = "no_conflict"

    @property
    def label(self) -> str:
        return {"recused": "کناره‌گیری از رأی", "no_conflict": "اعلام نبود تعارض"}[self.value]
