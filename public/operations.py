"""The public office finder, citizens' complaints and the staff's triage of them.

Citizens see only licensed offices in service: an office whose licence is active (not suspended,
revoked or expired) and whose site is active. Nothing personal of a natural-person holder reaches a
public page: the finder shows the office's own name, address, phone, hours and services only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import joinedload

from committees import operations as committee_ops
from committees.models import Case, CaseSource
from core import storage
from core.clock import today_tehran, utcnow
from core.db import actor_id
from core.errors import DomainError
from core.extensions import db
from core.geo import bounding_box, distance_m
from core.persian import clean_text, format_jalali, normalize_for_search, to_latin_digits, to_persian_digits
from core.settings import get_setting
from inspections import operations as inspection_ops
from inspections.models import VisitPurpose
from licensing.models import Licence, LicenceStatus
from public.models import (
    COMPLAINT_TRANSITIONS,
    Complaint,
    ComplaintState,
    OfficeHours,
    OfficeService,
    ServiceType,
)
from registry.models import OFFICE_KINDS, Site, SiteStatus

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone
TRACKING_LENGTH = 10
CHALLENGE_MAX_AGE_S = 3600
FINDER_PAGE = 30

# --------------------------------------------------------------------------- the office finder


def licensed_offices() -> Select:
    """Offices in service under an active licence (suspended, revoked and expired ones are not listed)."""
    live = exists().where(
        Licence.site_id == Site.id,
        Licence.status == LicenceStatus.ACTIVE,
        Licence.expires_on >= today_tehran(),
    )
    return select(Site).where(Site.kind.in_(OFFICE_KINDS), Site.status == SiteStatus.ACTIVE, live)


@dataclass(frozen=True)
class FoundOffice:
    site: Site
    distance_m: float | None
    hours: str | None
    services: list[str]


def find_offices(
    *,
    county_id: int | None = None,
    locality: str | None = None,
    service_id: int | None = None,
    near: tuple[float, float] | None = None,
    limit: int = FINDER_PAGE,
) -> list[FoundOffice]:
    """Licensed offices by county, town and service; nearest first from `near` when given."""
    query = licensed_offices().options(joinedload(Site.county))
    if county_id:
        query = query.where(Site.county_id == county_id)
    if locality:
        query = query.where(Site.name_norm.contains(normalize_for_search(locality)))
    if service_id:
        query = query.where(
            exists().where(OfficeService.site_id == Site.id, OfficeService.service_type_id == service_id)
        )
    if near is not None:
        radius = float(get_setting("public.finder_radius_km")) * 1000
        min_lat, max_lat, min_lon, max_lon = bounding_box(near[0], near[1], radius)
        boxed = query.where(Site.lat.between(min_lat, max_lat), Site.lon.between(min_lon, max_lon))
        sites = [s for s in db.session.scalars(boxed) if distance_m(near, (s.lat, s.lon)) <= radius]
        sites.sort(key=lambda s: distance_m(near, (s.lat, s.lon)))
        sites = sites[:limit]
    else:
        sites = list(db.session.scalars(query.order_by(Site.county_id, Site.name_norm).limit(limit)))
    return _with_profiles(sites, near)


def _with_profiles(sites: list[Site], near: tuple[float, float] | None) -> list[FoundOffice]:
    ids = [s.id for s in sites]
    hours = dict(
        db.session.execute(
            select(OfficeHours.site_id, OfficeHours.hours).where(OfficeHours.site_id.in_(ids))
        ).all()
    )
    services: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(OfficeService.site_id, ServiceType.name)
        .join(ServiceType)
        .where(OfficeService.site_id.in_(ids), ServiceType.active.is_(True))
        .order_by(ServiceType.name)
    )
    for site_id, name in rows:
        services.setdefault(site_id, []).append(name)
    return [
        FoundOffice(
            site=s,
            distance_m=distance_m(near, (s.lat, s.lon)) if near and s.lat is not None else None,
            hours=hours.get(s.id),
            services=services.get(s.id, []),
        )
        for s in sites
    ]


def licensed_office_by_code(code: str | None) -> Site | None:
    """A licensed office in service by the code printed on its sign, in any digits."""
    from registry.operations import normalise_code

    code = normalise_code(code)
    if not code:
        return None
    return db.session.scalars(licensed_offices().where(Site.code == code)).first()


def office_markers() -> list[dict]:
    """The finder map's markers: position, name and code of every licensed office in service."""
    rows = db.session.execute(
        licensed_offices()
        .with_only_columns(Site.id, Site.code, Site.name, Site.kind, Site.lat, Site.lon)
        .where(Site.lat.is_not(None))
    )
    return [
        {
            "id": r.id,
            "code": to_persian_digits(r.code),
            "name": r.name,
            "kind": r.kind.label,
            "lat": r.lat,
            "lon": r.lon,
        }
        for r in rows
    ]


def active_services() -> list[ServiceType]:
    return list(
        db.session.scalars(select(ServiceType).where(ServiceType.active.is_(True)).order_by(ServiceType.name))
    )


# --------------------------------------------------------------------------- the service catalogue


def add_service_type(name: str, *, actor) -> ServiceType:
    """Add a service to the catalogue (names compared through Persian spelling variants)."""
    name = clean_text(name)
    if not name:
        raise DomainError("نام خدمت را بنویسید.", field="name")
    if len(name) > 150:
        raise DomainError("نام خدمت بیش از ۱۵۰ نویسه است.", field="name")
    # «ثبت‌نام», «ثبت نام» and «ثبتنام» are one service: spaces go with the ZWNJ.
    norm = normalize_for_search(name).replace(" ", "")
    if db.session.scalar(select(ServiceType.id).where(ServiceType.name_norm == norm)):
        raise DomainError("این خدمت در فهرست هست.", field="name")
    service = ServiceType(name=name, name_norm=norm, active=True)
    db.session.add(service)
    db.session.flush()
    return service


def set_service_active(service: ServiceType, active: bool, *, actor) -> None:
    service.active = active
    db.session.flush()


def set_office_profile(site: Site, *, hours: str | None, service_ids: list[int], actor) -> None:
    """An office's working hours and services, as citizens will read them."""
    if not site.kind.is_office:
        raise DomainError("ساعات کار و خدمات فقط برای دفاتر ثبت می‌شود.", field="hours")
    hours = clean_text(hours)
    if len(hours) > 200:
        raise DomainError("ساعات کار بیش از ۲۰۰ نویسه است.", field="hours")
    row = db.session.get(OfficeHours, site.id)
    if hours and row is None:
        db.session.add(OfficeHours(site_id=site.id, hours=hours))
    elif hours:
        row.hours = hours
    elif row is not None:
        db.session.delete(row)
    known = set(db.session.scalars(select(ServiceType.id).where(ServiceType.id.in_(service_ids or [0]))))
    if set(service_ids) - known:
        raise DomainError("خدمت انتخاب‌شده در فهرست خدمات نیست.", field="service_ids")
    current = {
        r.service_type_id: r
        for r in db.session.scalars(select(OfficeService).where(OfficeService.site_id == site.id))
    }
    for service_id in known - current.keys():
        db.session.add(OfficeService(site_id=site.id, service_type_id=service_id))
    for service_id in current.keys() - known:
        db.session.delete(current[service_id])
    db.session.flush()


def office_profile(site: Site) -> tuple[str | None, list[int]]:
    row = db.session.get(OfficeHours, site.id)
    ids = list(
        db.session.scalars(select(OfficeService.service_type_id).where(OfficeService.site_id == site.id))
    )
    return (row.hours if row else None), ids


# --------------------------------------------------------------------------- abuse protection


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="complaint-challenge")


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def new_challenge() -> Challenge:
    """A small sum in Persian digits, answered on the page; works with no third-party service."""
    a, b = secrets.randbelow(8) + 2, secrets.randbelow(8) + 2
    token = _serializer().dumps({"s": a + b, "n": secrets.token_hex(4)})
    return Challenge(
        question=f"حاصل {to_persian_digits(a)} به علاوه {to_persian_digits(b)} چند می‌شود؟", token=token
    )


def check_challenge(token: str | None, answer: str | None) -> None:
    """Refuse a wrong, stale or forged answer to the page's sum."""
    try:
        data = _serializer().loads(token or "", max_age=CHALLENGE_MAX_AGE_S)
    except BadSignature:
        raise DomainError(
            "پرسش امنیتی منقضی شده است؛ به پرسش تازه پاسخ دهید.", field="challenge_answer"
        ) from None
    given = to_latin_digits(clean_text(answer))
    if not given.isdigit() or not given.isascii() or int(given) != data.get("s"):
        raise DomainError("پاسخ پرسش امنیتی درست نیست.", field="challenge_answer")


def client_key(address: str | None) -> str:
    """A keyed hash of the client's address: the rate limit needs it, the record does not keep the address."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, (address or "-").encode(), hashlib.sha256).hexdigest()


def _check_rate(key: str) -> None:
    limit = int(get_setting("public.complaints_per_address_per_day"))
    since = utcnow() - timedelta(days=1)
    sent = db.session.scalar(
        select(func.count())
        .select_from(Complaint)
        .where(Complaint.client_key == key, Complaint.received_at >= since)
    )
    if sent >= limit:
        raise DomainError(
            f"از این نشانی در یک روز گذشته {to_persian_digits(sent)} شکایت ثبت شده است؛ فردا تلاش کنید.",
            field="description",
        )


# --------------------------------------------------------------------------- filing and following


def _tracking_code() -> str:
    while True:
        code = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))
        if not db.session.scalar(select(Complaint.id).where(Complaint.tracking_code == code)):
            return code


def file_complaint(
    *,
    office_code: str | None,
    happened_on: date | None,
    description: str | None,
    complainant_name: str | None = None,
    complainant_mobile: str | None = None,
    complainant_email: str | None = None,
    photo: bytes | None = None,
    client_address: str | None,
) -> Complaint:
    """Record a citizen's complaint about a licensed office and give it a tracking code."""
    site = licensed_office_by_code(office_code)
    if site is None:
        raise DomainError(
            "دفتر فعالی با این کد یافت نشد؛ کد را از تابلوی دفتر یا از فهرست دفاتر بردارید.",
            field="office_code",
        )
    if happened_on is None:
        raise DomainError("تاریخ رخداد را وارد کنید.", field="happened_on")
    today = today_tehran()
    if happened_on > today:
        raise DomainError(
            f"تاریخ رخداد نمی‌تواند پس از امروز ({format_jalali(today)}) باشد.", field="happened_on"
        )
    if happened_on < today - timedelta(days=365):
        raise DomainError("شکایت باید در یک سال پس از رخداد ثبت شود.", field="happened_on")
    description = clean_text(description)
    if len(description) < 10:
        raise DomainError("آنچه رخ داده است را دست‌کم در چند کلمه بنویسید.", field="description")
    if len(description) > 4000:
        raise DomainError("شرح شکایت بیش از ۴۰۰۰ نویسه است.", field="description")
    key = client_key(client_address)
    _check_rate(key)
    photo_key = None
    if photo:
        stored = storage.store(
            photo,
            types=storage.IMAGES,
            max_mb=get_setting("public.complaint_photo_max_mb"),
            folder="complaints",
        )
        photo_key = stored.key
    complaint = Complaint(
        tracking_code=_tracking_code(),
        site_id=site.id,
        happened_on=happened_on,
        description=description,
        complainant_name=clean_text(complainant_name)[:150] or None,
        complainant_mobile=complainant_mobile or None,
        complainant_email=clean_text(complainant_email)[:200] or None,
        photo_key=photo_key,
        client_key=key,
    )
    db.session.add(complaint)
    db.session.flush()
    return complaint


def complaint_by_code(code: str | None) -> Complaint | None:
    """The complaint with this tracking code (any case or digits; dashes and spaces ignored)."""
    code = to_latin_digits(clean_text(code)).upper().replace("-", "").replace(" ", "")
    if len(code) != TRACKING_LENGTH or any(ch not in TRACKING_ALPHABET for ch in code):
        return None
    return db.session.scalars(select(Complaint).where(Complaint.tracking_code == code)).first()


# --------------------------------------------------------------------------- staff triage


def complaints(state: ComplaintState | None = None) -> Select:
    query = select(Complaint).options(joinedload(Complaint.site)).order_by(Complaint.received_at.desc())
    if state is not None:
        query = query.where(Complaint.state == state)
    return query


def _move(complaint: Complaint, to: ComplaintState, *, actor) -> None:
    if to not in COMPLAINT_TRANSITIONS[complaint.state]:
        raise DomainError(f"شکایتی که «{complaint.state.label}» است، «{to.label}» نمی‌شود.")
    complaint.state = to
    complaint.handled_by_id = actor_id(actor)


def dismiss_complaint(complaint: Complaint, reason: str | None, *, actor) -> None:
    """Close a complaint that needs no action, with the reason the staff give."""
    reason = clean_text(reason)
    if not reason:
        raise DomainError("دلیل رد شکایت را بنویسید.", field="reason")
    _move(complaint, ComplaintState.DISMISSED, actor=actor)
    complaint.decision_note = reason
    db.session.flush()


def ask_office(complaint: Complaint, *, actor, due_on: date | None = None) -> None:
    """Ask the office to answer the complaint within the deadline (a setting, in days)."""
    due_on = due_on or today_tehran() + timedelta(days=int(get_setting("public.office_answer_days")))
    if due_on < today_tehran():
        raise DomainError("مهلت پاسخ نمی‌تواند پیش از امروز باشد.", field="due_on")
    _move(complaint, ComplaintState.AWAITING_ANSWER, actor=actor)
    complaint.answer_due_on = due_on
    db.session.flush()


def record_office_answer(complaint: Complaint, answer: str | None, *, actor) -> None:
    answer = clean_text(answer)
    if not answer:
        raise DomainError("پاسخ دفتر را بنویسید.", field="answer")
    _move(complaint, ComplaintState.ANSWERED, actor=actor)
    complaint.office_answer = answer
    db.session.flush()


def schedule_inspection(complaint: Complaint, *, inspector, planned_on: date, actor) -> None:
    """Plan an inspector's visit to the office for the complaint."""
    assignment = inspection_ops.assign_visit(
        inspector=inspector,
        planned_on=planned_on,
        purpose=VisitPurpose.COMPLAINT,
        site=complaint.site,
        note=f"رسیدگی به شکایت {complaint.tracking_code}",
        actor=actor,
    )
    _move(complaint, ComplaintState.INSPECTION, actor=actor)
    complaint.assignment_id = assignment.id
    db.session.flush()


def refer_to_committee(
    complaint: Complaint, *, violation_type_ids: list[int], summary: str | None, actor
) -> Case:
    """Open a committee case against the office with the complaint (and its photo) as evidence."""
    evidence = [
        committee_ops.EvidenceItem(
            kind="document",
            description=f"شکایت مردمی {complaint.tracking_code}: {complaint.description[:300]}",
            reference=complaint.tracking_code,
        )
    ]
    if complaint.photo_key:
        file_type = storage.PNG if complaint.photo_key.endswith(storage.PNG.extension) else storage.JPEG
        evidence.append(
            committee_ops.EvidenceItem(
                kind="photo",
                description=f"عکس پیوست شکایت {complaint.tracking_code}",
                reference=complaint.tracking_code,
                filename=f"complaint-{complaint.tracking_code}{file_type.extension}",
                content_type=file_type.content_type,
                storage_key=complaint.photo_key,
            )
        )
    case = committee_ops.open_case(
        complaint.site,
        source=CaseSource.COMPLAINT,
        summary=clean_text(summary) or complaint.description,
        offence_on=complaint.happened_on,
        violation_type_ids=violation_type_ids,
        complainant=f"شکایت مردمی {complaint.tracking_code}",
        evidence=evidence,
        actor=actor,
    )
    _move(complaint, ComplaintState.REFERRED, actor=actor)
    complaint.case_id = case.id
    db.session.flush()
    return case
