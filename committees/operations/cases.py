"""Cases against an office: opening one (from a referral, a complaint or by hand), its evidence,
the defence asked for and received, its workflow to a hearing or closure, and the search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import contains_eager

from committees.models import (
    TRANSITIONS,
    Case,
    CaseEvidence,
    CaseSource,
    CaseState,
    CaseViolation,
    FineStatus,
    Ruling,
    ViolationType,
)
from committees.operations._common import LIMITS, not_future, optional_text, required_text
from committees.operations.sessions import open_agenda_item
from core import dates, storage
from core.args import MAX_ID
from core.calendar import deadline_from
from core.clock import today_tehran
from core.counters import next_value
from core.errors import DomainError
from core.extensions import db
from core.periods import jalali_year_of
from core.persian import clean_text, format_jalali, isolate_code, search_terms
from core.settings import get_setting
from licensing.models import Licence, LicenceStatus
from licensing.operations.holders import renewal_blocker
from registry import operations as registry_ops
from registry.models import Site


@dataclass
class EvidenceItem:
    """Evidence attached when a case is opened: a visit, one of its photos, or a stored file."""

    kind: str  # "visit", "photo" or "document"
    description: str
    reference: str | None = None  # visit uuid, photo sha256
    filename: str | None = None
    content_type: str | None = None
    storage_key: str | None = None


def current_licence(site: Site) -> Licence | None:
    """The office's licence in force (active or suspended), if any."""
    return db.session.scalar(
        select(Licence)
        .where(
            Licence.site_id == site.id, Licence.status.in_([LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED])
        )
        .order_by(Licence.issued_on.desc())
    )


def find_office(code: str | None) -> Site | None:
    """An office by its code (any digits, spaces ignored)."""
    wanted = registry_ops.normalise_code(code)
    if not wanted:
        return None
    return db.session.scalar(select(Site).where(Site.code == wanted))


def get_case(case_id: int | None) -> Case:
    """A case chosen by its id (from a list or an API call); refused in Persian if there is none."""
    case = db.session.get(Case, case_id) if case_id and 0 < case_id <= MAX_ID else None
    if case is None:
        raise DomainError("پرونده یافت نشد.", field="case_id")
    return case


def open_case(
    site: Site,
    *,
    source: CaseSource | str,
    summary: str,
    offence_on: date,
    violation_type_ids: list[int],
    actor,
    complainant: str | None = None,
    visit_uuid: str | None = None,
    evidence: list[EvidenceItem] = (),
    opened_on: date | None = None,
) -> Case:
    """Open a case against an office from an inspection's referral, a complaint, or by hand."""
    source = CaseSource(source)
    if site is None:
        raise DomainError("دفتری با این کد یافت نشد.", field="office_code")
    if not site.kind.is_office:
        raise DomainError(
            "پرونده تخلف فقط برای دفاتر پیشخوان و ICT روستایی تشکیل می‌شود؛ برای "
            "خودپرداز و باجه، دفتر میزبان را وارد کنید.",
            field="office_code",
        )
    summary = required_text(summary, "شرح پرونده را بنویسید.", "summary", LIMITS["text"])
    if not violation_type_ids:
        raise DomainError("دست‌کم یک تخلف را انتخاب کنید.", field="violation_type_ids")
    types = db.session.scalars(
        select(ViolationType)
        .where(ViolationType.id.in_(violation_type_ids), ViolationType.active.is_(True))
        .order_by(ViolationType.code)
    ).all()
    if len(types) != len(set(violation_type_ids)):
        raise DomainError("تخلف انتخاب‌شده در فهرست تخلفات نیست.", field="violation_type_ids")
    complainant = optional_text(complainant, "complainant", LIMITS["complainant"])
    if source == CaseSource.COMPLAINT and not complainant:
        raise DomainError("نام شاکی را وارد کنید.", field="complainant")
    opened_on = opened_on or today_tehran()
    if offence_on is None:
        raise DomainError("تاریخ تخلف را وارد کنید.", field="offence_on")
    if offence_on > opened_on:
        raise DomainError("تاریخ تخلف نمی‌تواند پس از تاریخ تشکیل پرونده باشد.", field="offence_on")
    dates.dated(
        opened_on,
        "تشکیل پرونده",
        (site.established_on, f"آغاز فعالیت «{site.name}»"),
        field="opened_on",
    )
    year = jalali_year_of(opened_on)
    licence = current_licence(site)
    case = Case(
        number=f"{year}-{next_value(f'case:{year}'):04d}",
        site=site,
        licence=licence,
        source=source,
        state=CaseState.OPEN,
        opened_on=opened_on,
        offence_on=offence_on,
        summary=summary,
        complainant=complainant,
        visit_uuid=visit_uuid,
    )
    db.session.add(case)
    for violation_type in types:
        case.violations.append(CaseViolation(violation_type=violation_type))
    for item in evidence:
        case.evidence.append(
            CaseEvidence(
                kind=item.kind,
                description=clean_text(item.description),
                reference=item.reference,
                filename=item.filename,
                content_type=item.content_type,
                storage_key=item.storage_key,
            )
        )
    db.session.flush()
    return case


def transition_case(
    case: Case, to_state: CaseState | str, *, actor, note: str | None = None, today: date | None = None
) -> Case:
    """Move a case one step along its workflow; an illegal step is refused in Persian."""
    to_state = CaseState(to_state)
    from_state = case.state
    if to_state not in TRANSITIONS[from_state]:
        raise DomainError(
            f"پرونده در وضعیت «{from_state.label}» است و نمی‌توان آن را به «{to_state.label}» برد."
        )
    if to_state == CaseState.READY:
        _require_ready(case, today or today_tehran())
    if from_state == CaseState.READY and to_state != CaseState.RULED:
        on_agenda = open_agenda_item(case)
        if on_agenda is not None:
            raise DomainError(
                f"پرونده در دستور جلسه {isolate_code(on_agenda.session.number)}"
                " است؛ نخست آن را از دستور جلسه بردارید."
            )
    if to_state == CaseState.CLOSED and from_state != CaseState.RULED:
        case.closed_reason = required_text(
            note, "دلیل مختومه شدن پرونده را بنویسید.", "reason", LIMITS["text"]
        )
    elif to_state == CaseState.CLOSED:
        case.closed_reason = clean_text(note) or None
    case.state = to_state
    db.session.flush()
    return case


def defence_deadline(case: Case) -> date | None:
    """The last day the office may hand in its written defence."""
    if case.defence_requested_on is None:
        return None
    return deadline_from(case.defence_requested_on, "committee.defence_days")


def request_defence(case: Case, *, requested_on: date | None, actor, today: date | None = None) -> Case:
    """Ask the office's manager for a written defence; the case waits for it."""
    requested_on = not_future(requested_on, today, "تاریخ درخواست دفاعیه", "requested_on")
    if requested_on < case.opened_on:
        raise DomainError("درخواست دفاعیه نمی‌تواند پیش از تشکیل پرونده باشد.", field="requested_on")
    transition_case(case, CaseState.AWAITING_DEFENCE, actor=actor)
    case.defence_requested_on = requested_on
    db.session.flush()
    return case


def record_defence(
    case: Case, *, text: str, received_on: date | None, actor, today: date | None = None
) -> Case:
    """The office's written defence and the day it was received."""
    if case.state not in (CaseState.AWAITING_DEFENCE, CaseState.READY):
        raise DomainError("دفاعیه فقط پس از درخواست آن و پیش از صدور رأی ثبت می‌شود.")
    text = required_text(text, "متن دفاعیه را بنویسید.", "defence_text", LIMITS["text"])
    received_on = not_future(received_on, today, "تاریخ دریافت دفاعیه", "defence_on")
    if received_on < case.defence_requested_on:
        raise DomainError("تاریخ دریافت دفاعیه پیش از درخواست آن است.", field="defence_on")
    case.defence_text = text
    case.defence_on = received_on
    db.session.flush()
    return case


def _require_ready(case: Case, today: date) -> None:
    if case.defence_on is not None:
        return
    deadline = defence_deadline(case)
    if deadline is None:
        raise DomainError("پیش از رسیدگی باید از دفتر دفاعیه خواسته شود.")
    if today <= deadline:
        raise DomainError(f"دفاعیه دفتر هنوز نرسیده و مهلت آن تا {format_jalali(deadline)} است.")


def mark_ready(case: Case, *, actor, today: date | None = None) -> Case:
    """The defence is in (or its window has passed): the case can go on a session's agenda."""
    return transition_case(case, CaseState.READY, actor=actor, today=today)


def close_case(case: Case, reason: str, *, actor) -> Case:
    """Close a case without a ruling (complaint withdrawn, no violation to hear)."""
    return transition_case(case, CaseState.CLOSED, actor=actor, note=reason)


def add_evidence_document(
    case: Case, *, filename: str, content: bytes, description: str, actor
) -> CaseEvidence:
    """Attach a document (PDF, JPEG or PNG, checked by its content) to the case's evidence."""
    if case.state == CaseState.CLOSED:
        raise DomainError("به پرونده مختومه نمی‌توان مدرک افزود.", field="file")
    description = required_text(description, "شرح مدرک را بنویسید.", "description", 500)
    stored = storage.store(content, types=storage.DOCUMENTS, max_mb=get_setting("licensing.document_max_mb"))
    evidence = CaseEvidence(
        case=case,
        kind="document",
        description=description,
        filename=storage.display_name(filename),
        content_type=stored.content_type,
        storage_key=stored.key,
    )
    db.session.add(evidence)
    db.session.flush()
    return evidence


def evidence_path(evidence: CaseEvidence) -> Path | None:
    if not evidence.storage_key:
        return None
    return storage.path(evidence.storage_key)


def search_cases(
    *, state: str | None = None, source: str | None = None, county_id: int | None = None, q: str | None = None
) -> Select:
    """Cases matching the filters; every word of q must appear in the office's name or code, or
    in the case number."""
    stmt = select(Case).join(Site, Case.site).options(contains_eager(Case.site))
    if state:
        stmt = stmt.where(Case.state == CaseState(state))
    if source:
        stmt = stmt.where(Case.source == CaseSource(source))
    if county_id:
        stmt = stmt.where(Site.county_id == county_id)
    for term in search_terms(q):
        stmt = stmt.where(
            or_(Site.name_norm.contains(term, autoescape=True), Case.number.contains(term, autoescape=True))
        )
    return stmt.order_by(Case.opened_on.desc(), Case.id.desc())


@renewal_blocker
def open_cases_and_unpaid_fines(site_id: int) -> list[str]:
    """What the committee holds against an office's renewal: its open cases and unpaid fines."""
    open_cases = db.session.scalars(
        select(Case.number).where(Case.site_id == site_id, Case.state != CaseState.CLOSED)
    ).all()
    unpaid = db.session.scalars(
        select(Case.number)
        .join(Ruling, Ruling.case_id == Case.id)
        .where(Case.site_id == site_id, Ruling.fine_status == FineStatus.UNPAID)
    ).all()
    reasons = []
    if open_cases:
        reasons.append("پرونده باز: " + "، ".join(isolate_code(n) for n in open_cases))
    if unpaid:
        reasons.append("جریمه پرداخت‌نشده در پرونده " + "، ".join(isolate_code(n) for n in unpaid))
    return reasons
