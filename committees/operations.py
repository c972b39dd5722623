"""Business rules of the violations committee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from committees.models import (
    Case,
    CaseEvidence,
    CaseSource,
    CaseState,
    CaseViolation,
    ViolationType,
)
from core.counters import next_value
from core.errors import DomainError
from core.extensions import db
from core.persian import clean_text, jalali, today_tehran
from licensing.models import Licence, LicenceStatus
from registry.models import Site


@dataclass
class EvidenceItem:
    """Evidence attached when a case is opened: a visit, one of its photos, or a stored file."""

    kind: str                      # "visit", "photo" or "document"
    description: str
    reference: str | None = None   # visit uuid, photo sha256
    filename: str | None = None
    content_type: str | None = None
    storage_key: str | None = None


def current_licence(site: Site) -> Licence | None:
    """The office's licence in force (active or suspended), if any."""
    return db.session.scalar(select(Licence).where(
        Licence.site_id == site.id,
        Licence.status.in_([LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED]))
        .order_by(Licence.issued_on.desc()))


def open_case(site: Site, *, source: CaseSource | str, summary: str, offence_on: date,
              violation_type_ids: list[int], actor, complainant: str | None = None,
              visit_uuid: str | None = None, evidence: list[EvidenceItem] = (),
              opened_on: date | None = None) -> Case:
    """Open a case against an office from an inspection's referral, a complaint, or by hand."""
    source = CaseSource(source)
    summary = clean_text(summary)
    if not summary:
        raise DomainError("شرح پرونده را بنویسید.", field="summary")
    if not violation_type_ids:
        raise DomainError("دست‌کم یک تخلف را انتخاب کنید.", field="violation_type_ids")
    types = db.session.scalars(select(ViolationType).where(
        ViolationType.id.in_(violation_type_ids), ViolationType.active.is_(True))).all()
    if len(types) != len(set(violation_type_ids)):
        raise DomainError("تخلف انتخاب‌شده در فهرست تخلفات نیست.", field="violation_type_ids")
    if source == CaseSource.COMPLAINT and not clean_text(complainant):
        raise DomainError("نام شاکی را وارد کنید.", field="complainant")
    opened_on = opened_on or today_tehran()
    if offence_on is None or offence_on > opened_on:
        raise DomainError("تاریخ تخلف نمی‌تواند پس از تاریخ تشکیل پرونده باشد.", field="offence_on")
    year = jalali(opened_on).year
    licence = current_licence(site)
    case = Case(number=f"{year}-{next_value(f'case:{year}'):04d}", site=site,
                licence_id=licence.id if licence else None, source=source,
                state=CaseState.OPEN, opened_on=opened_on, offence_on=offence_on, summary=summary,
                complainant=clean_text(complainant) or None, visit_uuid=visit_uuid)
    db.session.add(case)
    for violation_type in types:
        case.violations.append(CaseViolation(violation_type=violation_type))
    for item in evidence:
        case.evidence.append(CaseEvidence(
            kind=item.kind, description=clean_text(item.description), reference=item.reference,
            filename=item.filename, content_type=item.content_type, storage_key=item.storage_key))
    db.session.flush()
    return case
