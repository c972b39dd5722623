"""Referring a visit to the violations committee: the failed items that name a violation, the
office a case is opened against, the visit and its photos as evidence."""

from __future__ import annotations

from sqlalchemy import select

from committees import operations as committee_ops
from committees.models import Case
from core.clock import today_tehran
from core.errors import DomainError
from core.extensions import db
from core.persian import clean_text, format_jalali, format_jalali_datetime
from inspections.models import Visit, VisitAnswer
from inspections.operations.intake import PHOTO_FOLDER
from registry.models import BANK_KINDS, Site


def referable_answers(visit: Visit) -> list[VisitAnswer]:
    """Failed answers whose item points to a violation type."""
    return [a for a in visit.answers if a.failed and a.item.violation_type_id is not None]


def referral_site(visit: Visit) -> Site | None:
    """The office a case would be opened against: the site itself, or the licensed office that
    hosts an ATM or kiosk (the bank's own devices are reported, not tried)."""
    site = visit.site
    if site is None:
        return None
    if site.kind in BANK_KINDS:
        host = site.host_site
        return host if host is not None and host.kind.is_office else None
    return site


def visit_cases(visit: Visit) -> list[Case]:
    """Committee cases opened from this visit."""
    return list(db.session.scalars(select(Case).where(Case.visit_uuid == visit.uuid).order_by(Case.id)))


def refer_to_committee(
    visit: Visit, *, answer_ids: list[int] | None = None, summary: str | None = None, actor
) -> Case:
    """Open a committee case from a visit's failed items, with the visit and photos as evidence."""
    if visit_cases(visit):
        raise DomainError("این بازدید پیش‌تر به کمیته تخلفات ارجاع شده است.")
    target = referral_site(visit)
    if target is None:
        if visit.site is None:
            raise DomainError(
                "بازدید محل پیشنهادی (پیش از صدور پروانه) به کمیته ارجاع نمی‌شود؛ "
                "نتیجه آن به کارشناس صدور پروانه رفته است."
            )
        raise DomainError(
            "این پایانه در دفتر دارای پروانه مستقر نیست؛ یافته‌ها به بانک و اداره "
            "کل گزارش می‌شود و پرونده تخلف تشکیل نمی‌شود."
        )
    answers = referable_answers(visit)
    if answer_ids:
        answers = [a for a in answers if a.id in set(answer_ids)]
    if not answers:
        raise DomainError(
            "بند ناموفقی که به تخلفی از فهرست تخلفات اشاره کند انتخاب نشده است.", field="answer_ids"
        )
    violation_ids = list(dict.fromkeys(a.item.violation_type_id for a in answers))
    lines = "، ".join(a.item.text + (f" ({a.note})" if a.note else "") for a in answers)
    text = clean_text(summary) or (
        f"ارجاع از بازدید «{visit.purpose.label}» مورخ {format_jalali(visit.visited_on)} "
        f"بازرس {visit.inspector.full_name}: {lines}"
    )
    evidence = [
        committee_ops.EvidenceItem(
            kind="visit",
            reference=visit.uuid,
            description=(
                f"گزارش بازدید {format_jalali_datetime(visit.started_at)} — "
                f"{visit.place_name}؛ موارد: {lines}"
            ),
        )
    ]
    for photo in visit.photos:
        if not photo.arrived:
            continue
        evidence.append(
            committee_ops.EvidenceItem(
                kind="photo",
                reference=photo.sha256,
                description=photo.caption or (photo.item.text if photo.item else "عکس بازدید"),
                filename=photo.storage_key,
                content_type=photo.content_type,
                storage_key=f"{PHOTO_FOLDER}/{photo.storage_key}",
            )
        )
    offence_on = min(visit.visited_on, today_tehran())
    return committee_ops.open_case(
        target,
        source="inspection",
        summary=text,
        offence_on=offence_on,
        violation_type_ids=violation_ids,
        actor=actor,
        visit_uuid=visit.uuid,
        evidence=evidence,
    )
