"""The violation catalogue, each violation's penalty ladder, and the ladder's suggestion for an
offence (counting the office's earlier rulings within the look-back)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from committees.models import (
    PENALTY_ORDER,
    Case,
    PenaltyKind,
    Ruling,
    RulingState,
    Severity,
    ViolationType,
    penalty_text,
)
from committees.operations._common import (
    LIMITS,
    MAX_FINE_RIALS,
    MAX_LOOKBACK_DAYS,
    MAX_SUSPENSION_DAYS,
    insert_unique,
    optional_text,
    required_text,
)
from core.errors import DomainError
from core.extensions import db
from core.persian import format_number, normalize_for_search, to_persian_digits
from registry.models import Site

MAX_LADDER_STEPS = 6
LADDER_PENALTIES = (
    PenaltyKind.WRITTEN_WARNING,
    PenaltyKind.FILED_NOTICE,
    PenaltyKind.FINE,
    PenaltyKind.SUSPENSION,
    PenaltyKind.REVOCATION,
)
_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{0,19}$")


# ---------------------------------------------------------------- the catalogue and its ladders


def normalise_ladder(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check a penalty ladder and return it in its stored form; Persian message on the first fault.

    Each step: {"penalty": kind} plus "days" for a suspension and "amount" (rials) for a fine.
    """
    ladder = []
    for position, step in enumerate(steps, 1):
        raw = step.get("penalty")
        if not raw:
            continue
        where = f"پله {to_persian_digits(position)}"
        try:
            penalty = PenaltyKind(raw)
        except ValueError as exc:
            raise DomainError(f"{where}: نوع مجازات معتبر نیست.", field="ladder") from exc
        if penalty not in LADDER_PENALTIES:
            raise DomainError(f"{where}: «{penalty.label}» در پلکان مجازات نمی‌آید.", field="ladder")
        if ladder and ladder[-1]["penalty"] == PenaltyKind.REVOCATION.value:
            raise DomainError("لغو پروانه باید آخرین پله باشد.", field="ladder")
        entry: dict[str, Any] = {"penalty": penalty.value}
        if penalty == PenaltyKind.SUSPENSION:
            days = step.get("days")
            if not days or not 1 <= int(days) <= MAX_SUSPENSION_DAYS:
                raise DomainError(
                    f"{where}: روزهای تعلیق را (از ۱ تا {format_number(MAX_SUSPENSION_DAYS)}) وارد کنید.",
                    field="ladder",
                )
            entry["days"] = int(days)
        if penalty == PenaltyKind.FINE:
            amount = step.get("amount")
            if not amount or not 1 <= int(amount) <= MAX_FINE_RIALS:
                raise DomainError(f"{where}: مبلغ جریمه را به ریال وارد کنید.", field="ladder")
            entry["amount"] = int(amount)
        ladder.append(entry)
    if not ladder:
        raise DomainError("دست‌کم یک پله برای پلکان مجازات وارد کنید.", field="ladder")
    if len(ladder) > MAX_LADDER_STEPS:
        raise DomainError(
            f"پلکان مجازات حداکثر {to_persian_digits(MAX_LADDER_STEPS)} پله دارد.", field="ladder"
        )
    return ladder


def save_violation_type(
    violation_type: ViolationType | None, data: dict[str, Any], *, actor
) -> ViolationType:
    """Add a violation type to the catalogue or change one (its code is fixed once created)."""
    if violation_type is None:
        code = normalize_for_search(data.get("code")).replace(" ", "").upper()
        if not code:
            raise DomainError("کد تخلف را وارد کنید.", field="code")
        if not _CODE_RE.match(code):
            raise DomainError("کد تخلف فقط حروف لاتین بزرگ، رقم و خط تیره است (مثلاً V11).", field="code")
        if db.session.scalar(select(ViolationType).where(ViolationType.code == code)):
            raise DomainError("تخلفی با این کد پیش‌تر ثبت شده است.", field="code")
    title = required_text(data.get("title"), "عنوان تخلف را وارد کنید.", "title", LIMITS["title"])
    clash = db.session.scalar(select(ViolationType).where(ViolationType.title == title))
    if clash is not None and clash is not violation_type:
        raise DomainError("تخلفی با همین عنوان در فهرست هست.", field="title")
    try:
        severity = Severity(data.get("severity"))
    except ValueError as exc:
        raise DomainError("شدت تخلف را انتخاب کنید.", field="severity") from exc
    lookback = data.get("lookback_days")
    if lookback is None or not 1 <= int(lookback) <= MAX_LOOKBACK_DAYS:
        raise DomainError(
            f"دوره بازنگری سوابق باید از ۱ تا {format_number(MAX_LOOKBACK_DAYS)} روز باشد.",
            field="lookback_days",
        )
    values = {
        "title": title,
        "description": optional_text(data.get("description"), "description", LIMITS["text"]),
        "severity": severity,
        "lookback_days": int(lookback),
        "legal_basis": optional_text(data.get("legal_basis"), "legal_basis", LIMITS["text"]),
        "active": bool(data.get("active", True)),
        "ladder": normalise_ladder(data.get("ladder") or []),
    }
    if violation_type is None:
        violation_type = ViolationType(code=code, **values)
        insert_unique(violation_type, "تخلفی با این کد پیش‌تر ثبت شده است.", field_name="code")
    else:
        for key, value in values.items():
            setattr(violation_type, key, value)
    db.session.flush()
    return violation_type


def active_violation_types() -> list[ViolationType]:
    return list(
        db.session.scalars(
            select(ViolationType).where(ViolationType.active.is_(True)).order_by(ViolationType.code)
        )
    )


# ---------------------------------------------------------------- earlier rulings and the ladder


def earlier_rulings(site: Site, *, exclude_case: Case | None = None) -> list[Ruling]:
    """The office's rulings in other cases, newest first (replaced ones included, marked)."""
    stmt = (
        select(Ruling)
        .join(Case, Ruling.case)
        .where(Case.site_id == site.id)
        .order_by(Ruling.ruled_on.desc(), Ruling.id.desc())
    )
    if exclude_case is not None:
        stmt = stmt.where(Case.id != exclude_case.id)
    return list(db.session.scalars(stmt))


@dataclass
class Suggestion:
    """The ladder's penalty for this offence count: a suggestion, the committee decides."""

    violation_type: ViolationType
    offence_number: int  # 1 for a first offence within the look-back
    penalty: PenaltyKind
    days: int | None = None
    amount: int | None = None
    counted: list[Ruling] = field(default_factory=list)  # the earlier rulings counted

    @property
    def text(self) -> str:
        return penalty_text(self.penalty, self.days, self.amount)

    @property
    def rank(self) -> tuple[int, int]:
        return PENALTY_ORDER.index(self.penalty), self.days or self.amount or 0


def suggest_penalty(case: Case, violation_type: ViolationType) -> Suggestion:
    """The ladder step for this offence: count the office's earlier rulings that found this
    violation for an offence within lookback_days before this case's offence (replaced rulings
    do not count; the ruling that replaced one does)."""
    since = case.offence_on - timedelta(days=violation_type.lookback_days)
    counted = [
        ruling
        for ruling in earlier_rulings(case.site, exclude_case=case)
        if ruling.state != RulingState.REPLACED
        and violation_type.code in (ruling.violations_found or [])
        and since <= ruling.case.offence_on <= case.offence_on
    ]
    ladder = violation_type.ladder or [{"penalty": PenaltyKind.WRITTEN_WARNING.value}]
    step = ladder[min(len(counted), len(ladder) - 1)]
    return Suggestion(
        violation_type=violation_type,
        offence_number=len(counted) + 1,
        penalty=PenaltyKind(step["penalty"]),
        days=step.get("days"),
        amount=step.get("amount"),
        counted=counted,
    )


def case_suggestions(case: Case) -> list[Suggestion]:
    return [suggest_penalty(case, v.violation_type) for v in case.violations]


def strongest_suggestion(case: Case) -> Suggestion | None:
    """The harshest of the case's suggestions (what the ruling form starts from)."""
    suggestions = case_suggestions(case)
    return max(suggestions, key=lambda s: s.rank) if suggestions else None
