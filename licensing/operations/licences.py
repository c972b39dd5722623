"""Business rules for licensing: applications, eligibility, site visits, working group, licences."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from core.audit import because
from core.clock import today_tehran, utcnow
from core.counters import next_value
from core.db import actor_id
from core.errors import DomainError
from core.extensions import db
from core.persian import (
    clean_text,
    format_jalali,
    isolate_code,
    jalali,
    normalize_for_search,
    search_terms,
    to_persian_digits,
)
from core.settings import definitions as setting_definitions
from core.settings import get_setting
from licensing.models import (
    TRANSITIONS,
    WG_DECISIONS,
    AgendaItem,
    Application,
    ApplicationDocument,
    ApplicationKind,
    ApplicationState,
    ApplicationStep,
    CheckOverride,
    DocumentType,
    Licence,
    LicenceStatus,
    VisitRequest,
    VisitRequestState,
    WorkingGroupAttendee,
    WorkingGroupSession,
)
from registry import operations as registry_ops
from registry.models import OFFICE_KINDS, Education, LocalityType, Person, Site, SiteKind, SiteStatus

S = ApplicationState


def _actor_name(actor) -> str:
    return getattr(actor, "full_name", None) or getattr(actor, "username", None) or "سامانه"


# ---------------------------------------------------------------- numbering


def _jalali_year(day: date) -> int:
    return jalali(day).year


# ---------------------------------------------------------------- applications


APPLICATION_FIELDS = (
    "office_name",
    "county_id",
    "locality",
    "locality_type",
    "address",
    "postal_code",
    "lat",
    "lon",
    "premises_m2",
    "notes",
)


def create_application(
    kind: ApplicationKind | str,
    *,
    applicant: Person,
    actor,
    licence: Licence | None = None,
    office_kind: SiteKind | str | None = None,
    received_on: date | None = None,
    **details: Any,
) -> Application:
    """Register a request; it starts as 'received' with its statutory deadline."""
    kind = ApplicationKind(kind)
    received_on = received_on or today_tehran()
    if received_on > today_tehran():
        raise DomainError("تاریخ دریافت نمی‌تواند پس از امروز باشد.", field="received_on")
    if applicant is None:
        raise DomainError("متقاضی را مشخص کنید.", field="applicant_national_id")
    data = {k: details.get(k) for k in APPLICATION_FIELDS}
    for key in ("office_name", "locality", "address", "notes"):
        data[key] = clean_text(data[key]) or None
    if data["postal_code"]:
        data["postal_code"] = registry_ops.digits_only(data["postal_code"])
        if len(data["postal_code"]) != 10:
            raise DomainError("کد پستی باید ۱۰ رقم باشد.", field="postal_code")
    if kind == ApplicationKind.NEW:
        office_kind = SiteKind(office_kind or SiteKind.COUNTER_OFFICE)
        if office_kind not in OFFICE_KINDS:
            raise DomainError("پروانه فقط برای دفاتر پیشخوان و ICT روستایی صادر می‌شود.", field="office_kind")
        for key, label in (
            ("office_name", "نام دفتر"),
            ("county_id", "شهرستان"),
            ("locality", "شهر یا روستا"),
            ("address", "نشانی"),
        ):
            if not data[key]:
                raise DomainError(f"{label} را وارد کنید.", field=key)
        if data["lat"] is None or data["lon"] is None:
            raise DomainError("مختصات محل پیشنهادی را وارد کنید.", field="lat")
        data["locality_type"] = LocalityType(
            data["locality_type"]
            or (LocalityType.VILLAGE if office_kind == SiteKind.RURAL_ICT_OFFICE else LocalityType.CITY)
        )
        site = None
    else:
        if licence is None:
            raise DomainError("شماره پروانه را وارد کنید.", field="licence_number")
        office_kind = licence.office_kind
        site = licence.site
        if kind == ApplicationKind.ADDRESS_CHANGE:
            if not data["address"]:
                raise DomainError("نشانی جدید را وارد کنید.", field="address")
            if data["lat"] is None or data["lon"] is None:
                raise DomainError("مختصات نشانی جدید را وارد کنید.", field="lat")
        open_same = db.session.scalar(
            select(func.count())
            .select_from(Application)
            .where(
                Application.licence_id == licence.id,
                Application.state.not_in([S.LICENCE_ISSUED, S.CLOSED, S.REJECTED]),
            )
        )
        if open_same:
            raise DomainError("برای این پروانه درخواست باز دیگری در جریان است.", field="licence_number")
    deadline = get_setting(f"licensing.deadline_days.{kind.value}")
    year = _jalali_year(received_on)
    application = Application(
        number=f"{year}-{next_value(f'application:{year}'):05d}",
        kind=kind,
        office_kind=office_kind,
        state=S.RECEIVED,
        applicant=applicant,
        licence=licence,
        site=site,
        received_on=received_on,
        due_on=received_on + timedelta(days=deadline),
        **data,
    )
    db.session.add(application)
    db.session.flush()
    _record_step(application, None, S.RECEIVED, actor, "ثبت درخواست")
    return application


def _record_step(application: Application, from_state, to_state, actor, note=None) -> None:
    db.session.add(
        ApplicationStep(
            application=application,
            from_state=from_state,
            to_state=to_state,
            actor_id=actor_id(actor),
            actor_name=_actor_name(actor),
            note=note,
        )
    )
    db.session.flush()


def transition(
    application: Application, to_state: ApplicationState | str, *, actor, note: str | None = None
) -> Application:
    """Move an application one step along its workflow; an illegal step is refused in Persian.

    The working group's decisions are taken only through record_decision, and the licence is
    issued only through issue_licence: this function refuses those steps.
    """
    to_state = ApplicationState(to_state)
    if to_state in (*WG_DECISIONS, S.LICENCE_ISSUED):
        raise DomainError("تصمیم کارگروه فقط در جلسه کارگروه و صدور پروانه فقط با دکمه صدور ثبت می‌شود.")
    return _move(application, to_state, actor=actor, note=note)


def _move(application: Application, to_state: ApplicationState, *, actor, note: str | None) -> Application:
    from_state = application.state
    if to_state not in TRANSITIONS[from_state]:
        raise DomainError(
            f"درخواست در وضعیت «{from_state.label}» است و نمی‌توان آن را به «{to_state.label}» برد."
        )
    if to_state == S.CLOSED and not clean_text(note):
        raise DomainError("دلیل مختومه کردن درخواست را بنویسید.", field="note")
    if to_state == S.READY_FOR_WG:
        _require_ready(application)
    application.state = to_state
    if to_state == S.CLOSED:
        application.closed_reason = clean_text(note)
    _record_step(application, from_state, to_state, actor, clean_text(note) or None)
    return application


def start_review(application: Application, *, actor) -> Application:
    """دریافت → در حال بررسی"""
    return transition(application, S.UNDER_REVIEW, actor=actor)


def close_application(application: Application, reason: str, *, actor) -> Application:
    """Close an application (withdrawn, rejected and notified, incomplete)."""
    return transition(application, S.CLOSED, actor=actor, note=reason)


def is_overdue(application: Application, today: date | None = None) -> bool:
    """Open and past its statutory deadline."""
    return application.state.is_open and application.due_on < (today or today_tehran())


# ---------------------------------------------------------------- documents

ALLOWED_TYPES = {
    b"%PDF": ("application/pdf", ".pdf"),
    b"\x89PNG": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
}


def sniff_type(head: bytes) -> tuple[str, str] | None:
    """The file's real type from its first bytes (PDF, PNG or JPEG), whatever its name says."""
    for magic, kind in ALLOWED_TYPES.items():
        if head.startswith(magic):
            return kind
    return None


def document_checklist(
    application: Application,
) -> list[tuple[DocumentType, list[ApplicationDocument]]]:
    """The checklist for the application's kind with the files uploaded against each item."""
    types = db.session.scalars(
        select(DocumentType)
        .where(DocumentType.kind == application.kind, DocumentType.active.is_(True))
        .order_by(DocumentType.position, DocumentType.id)
    ).all()
    return [(t, [d for d in application.documents if d.document_type_id == t.id]) for t in types]


def missing_documents(application: Application) -> list[DocumentType]:
    """Required checklist items with no file yet."""
    return [t for t, docs in document_checklist(application) if t.required and not docs]


def upload_directory() -> Path:
    path = Path(current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / "uploads")
    path.mkdir(parents=True, exist_ok=True)
    return path


def add_document(
    application: Application, document_type: DocumentType, filename: str, content: bytes, *, actor
) -> ApplicationDocument:
    """Store an uploaded document after checking its real type and size."""
    if not application.state.is_open:
        raise DomainError("به درخواست مختومه نمی‌توان مدرک افزود.", field="file")
    if document_type.kind != application.kind:
        raise DomainError("این مدرک در فهرست مدارک این نوع درخواست نیست.", field="document_type")
    limit_mb = get_setting("licensing.document_max_mb")
    if len(content) > limit_mb * 1024 * 1024:
        raise DomainError(f"حجم فایل بیش از {to_persian_digits(limit_mb)} مگابایت است.", field="file")
    if not content:
        raise DomainError("فایل خالی است.", field="file")
    sniffed = sniff_type(content[:8])
    if sniffed is None:
        raise DomainError(
            "فقط فایل PDF، JPEG یا PNG پذیرفته می‌شود (نوع فایل از محتوای آن تشخیص داده شد).",
            field="file",
        )
    content_type, extension = sniffed
    digest = hashlib.sha256(content).hexdigest()
    storage_key = f"{digest}{extension}"
    target = upload_directory() / storage_key
    if not target.exists():
        target.write_bytes(content)
    document = ApplicationDocument(
        application=application,
        document_type=document_type,
        filename=clean_text(Path(filename or "file").name)[:255] or "file",
        content_type=content_type,
        size=len(content),
        sha256=digest,
        storage_key=storage_key,
        uploaded_by_id=actor_id(actor),
    )
    db.session.add(document)
    db.session.flush()
    return document


def document_path(document: ApplicationDocument) -> Path:
    return upload_directory() / document.storage_key


# ---------------------------------------------------------------- eligibility


@dataclass
class CheckResult:
    code: str
    title: str
    passed: bool
    detail: str
    override: CheckOverride | None = None
    overridable: bool = True

    @property
    def blocking(self) -> bool:
        return not self.passed and self.override is None


def _active_offices(kind: SiteKind) -> Select:
    return select(Site).where(Site.kind == kind, Site.status == SiteStatus.ACTIVE)


def _distance_check(application: Application) -> CheckResult:
    minimum = get_setting(f"licensing.min_distance_m.{application.office_kind.value}")
    title = "فاصله از نزدیک‌ترین دفتر هم‌نوع فعال"
    point = (application.lat, application.lon)
    radius = max(minimum * 20, 50_000)
    nearby = [
        (s, d)
        for s, d in registry_ops.sites_near(
            *point, radius, kind=application.office_kind, status=SiteStatus.ACTIVE
        )
        if s.id != application.site_id
    ]
    if not nearby:
        return CheckResult(
            "distance",
            title,
            True,
            f"دفتر هم‌نوع فعالی در شعاع {to_persian_digits(round(radius / 1000))} کیلومتری نیست.",
        )
    site, meters = nearby[0]
    detail = (
        f"نزدیک‌ترین: «{site.name}» در {to_persian_digits(round(meters))} متری "
        f"(کمترین فاصله مجاز {to_persian_digits(minimum)} متر)."
    )
    return CheckResult("distance", title, meters >= minimum, detail)


def _quota_check(application: Application) -> CheckResult:
    title = "سهمیه دفاتر شهرستان به نسبت جمعیت"
    county = application.county
    per_office = get_setting(f"licensing.people_per_office.{application.office_kind.value}")
    if county is None or not county.population:
        return CheckResult("quota", title, False, "جمعیت شهرستان ثبت نشده است؛ سهمیه قابل محاسبه نیست.")
    quota = county.population // per_office
    active = db.session.scalar(
        select(func.count()).select_from(
            _active_offices(application.office_kind).where(Site.county_id == county.id).subquery()
        )
    )
    detail = (
        f"{to_persian_digits(active)} دفتر فعال در شهرستان {county.name}؛ سهمیه "
        f"{to_persian_digits(quota)} دفتر (یک دفتر برای هر {to_persian_digits(per_office)} نفر)."
    )
    return CheckResult("quota", title, active < quota, detail)


def _applicant_checks(application: Application) -> list[CheckResult]:
    applicant = application.applicant
    running = db.session.scalars(
        select(Site).where(
            Site.operator_id == applicant.id,
            Site.kind.in_(OFFICE_KINDS),
            Site.status.in_([SiteStatus.ACTIVE, SiteStatus.SUSPENDED]),
            Site.id != (application.site_id or 0),
        )
    ).all()
    revoked = db.session.scalars(
        select(Licence).where(Licence.holder_id == applicant.id, Licence.status == LicenceStatus.REVOKED)
    ).all()
    return [
        CheckResult(
            "applicant_runs_office",
            "متقاضی دفتر دیگری را اداره نمی‌کند",
            not running,
            "متقاضی متصدی «" + "»، «".join(s.name for s in running) + "» است."
            if running
            else "متقاضی متصدی دفتر دیگری نیست.",
        ),
        CheckResult(
            "applicant_revoked",
            "متقاضی سابقه لغو پروانه ندارد",
            not revoked,
            "پروانه " + "، ".join(isolate_code(lic.number) for lic in revoked) + " از این شخص لغو شده است."
            if revoked
            else "سابقه لغو پروانه ندارد.",
        ),
    ]


def _licence_state_check(application: Application) -> CheckResult:
    licence = application.licence
    ok = licence.status == LicenceStatus.ACTIVE
    detail = (
        f"پروانه {isolate_code(licence.number)} «{licence.status.label}» است"
        + (
            f" (تا {format_jalali(licence.suspended_until)})"
            if licence.suspended_until and licence.status == LicenceStatus.SUSPENDED
            else ""
        )
        + "."
    )
    # A suspended or revoked licence may not be transferred or moved: this is not overridable.
    return CheckResult("licence_status", "پروانه معلق یا لغو نشده باشد", ok, detail, overridable=False)


def _renewal_window_check(application: Application) -> CheckResult:
    licence = application.licence
    latest = licence.expires_on - timedelta(
        days=get_setting("licence.renewal_request_min_days_before_expiry")
    )
    earliest = licence.expires_on - timedelta(days=get_setting("licence.renewal_window_open_days"))
    received = application.received_on
    ok = earliest <= received <= latest
    detail = (
        f"درخواست در {format_jalali(received)} رسید؛ بازه مجاز از {format_jalali(earliest)} "
        f"تا {format_jalali(latest)} (انقضا {format_jalali(licence.expires_on)})."
    )
    return CheckResult("renewal_window", "درخواست تمدید در مهلت مقرر", ok, detail)


def _last_transfer(licence: Licence) -> Licence | None:
    """The latest licence in this one's chain (reissues for address changes included) that a
    transfer created, if any."""
    current = licence
    while current is not None:
        if current.application is not None and current.application.kind == ApplicationKind.TRANSFER:
            return current
        current = current.previous_licence
    return None


def _transfer_checks(application: Application) -> list[CheckResult]:
    licence = application.licence
    months = get_setting("transfer.min_remaining_validity_months")
    needed_until = application.received_on + relativedelta(months=months)
    checks = [
        CheckResult(
            "transfer_validity",
            "اعتبار باقی‌مانده پروانه برای انتقال",
            licence.expires_on >= needed_until,
            f"پروانه تا {format_jalali(licence.expires_on)} اعتبار دارد؛ دست‌کم "
            f"{to_persian_digits(months)} ماه لازم است (تا {format_jalali(needed_until)}).",
        )
    ]
    years = get_setting("transfer.no_retransfer_years")
    transferred = _last_transfer(licence)
    since = transferred.issued_on + relativedelta(years=years) if transferred else None
    recent = transferred is not None and application.received_on < since
    checks.append(
        CheckResult(
            "retransfer",
            "منع انتقال دوباره",
            not recent,
            f"این پروانه در {format_jalali(transferred.issued_on) if transferred else ''} با انتقال "
            "صادر شده؛ انتقال دوباره از "
            f"{format_jalali(since)} ممکن است."
            if recent
            else "منع انتقال دوباره وجود ندارد.",
        )
    )
    if application.applicant_id == licence.holder_id:
        checks.append(
            CheckResult(
                "transferee",
                "انتقال‌گیرنده غیر از دارنده فعلی",
                False,
                "متقاضی همان دارنده فعلی پروانه است.",
                overridable=False,
            )
        )
    return checks


EDUCATION_ORDER = [e.value for e in Education]


def _degree_check(application: Application) -> CheckResult:
    wanted = normalize_for_search(get_setting("licensing.applicant_min_education"))
    minimum = next((e for e in Education if normalize_for_search(e.label) == wanted), Education.BACHELOR)
    education = application.applicant.education
    ok = education is not None and EDUCATION_ORDER.index(education.value) >= EDUCATION_ORDER.index(
        minimum.value
    )
    detail = (
        f"تحصیلات متقاضی: {education.label if education else 'ثبت نشده'}؛ دست‌کم {minimum.label} لازم است."
    )
    return CheckResult("applicant_degree", "مدرک تحصیلی متقاضی", ok, detail)


def _premises_check(application: Application) -> CheckResult | None:
    key = f"licence.premises_min_m2.{application.office_kind.value}"
    if key not in setting_definitions():
        return None
    minimum = get_setting(key)
    area = application.premises_m2
    ok = area is not None and area >= minimum
    detail = (
        f"مساحت محل: {to_persian_digits(area) + ' متر مربع' if area else 'ثبت نشده'}؛ "
        f"دست‌کم {to_persian_digits(minimum)} متر مربع لازم است."
    )
    return CheckResult("premises_area", "مساحت محل", ok, detail)


def _site_visit_check(application: Application) -> CheckResult:
    done = [v for v in application.visit_requests if v.state == VisitRequestState.DONE]
    if not done:
        return CheckResult("site_visit", "تأیید محل در بازدید", False, "بازدید محل هنوز انجام نشده است.")
    latest = done[-1]
    detail = (latest.result_notes or "") or ("محل تأیید شد." if latest.passed else "محل تأیید نشد.")
    return CheckResult("site_visit", "تأیید محل در بازدید", bool(latest.passed), detail)


def _relocation_scope_check(application: Application) -> CheckResult:
    site = application.licence.site
    same_county = application.county_id in (None, site.county_id)
    same_place = not application.locality or normalize_for_search(application.locality).replace(
        " ", ""
    ) == normalize_for_search(site.locality).replace(" ", "")
    detail = (
        f"نشانی جدید در {application.locality or site.locality} است؛ دفتر در {site.locality} "
        "پروانه دارد (جابجایی فقط در همان شهر یا روستا)."
    )
    return CheckResult(
        "relocation_scope",
        "جابجایی در همان شهر یا روستا",
        same_county and same_place,
        detail,
        overridable=False,
    )


def eligibility_checks(application: Application) -> list[CheckResult]:
    """Every rule the officer sees before deciding, computed from the records and settings."""
    checks: list[CheckResult] = []
    kind = application.kind
    if kind != ApplicationKind.NEW:
        checks.append(_licence_state_check(application))
    if kind == ApplicationKind.ADDRESS_CHANGE:
        checks.append(_relocation_scope_check(application))
    if kind in (ApplicationKind.NEW, ApplicationKind.ADDRESS_CHANGE):
        checks.append(_distance_check(application))
        checks.append(_site_visit_check(application))
    if kind == ApplicationKind.NEW:
        checks.append(_quota_check(application))
        premises = _premises_check(application)
        if premises is not None:
            checks.append(premises)
    if kind in (ApplicationKind.NEW, ApplicationKind.TRANSFER):
        checks.extend(_applicant_checks(application))
        checks.append(_degree_check(application))
    if kind == ApplicationKind.TRANSFER:
        checks.extend(_transfer_checks(application))
    if kind == ApplicationKind.RENEWAL:
        checks.append(_renewal_window_check(application))
    missing = missing_documents(application)
    checks.append(
        CheckResult(
            "documents",
            "مدارک لازم بارگذاری شده",
            not missing,
            "کامل است." if not missing else "کم است: " + "، ".join(t.title for t in missing),
            overridable=False,
        )
    )
    overrides = {o.check_code: o for o in application.overrides}
    for check in checks:
        if not check.passed and check.overridable:
            check.override = overrides.get(check.code)
    return checks


def override_check(application: Application, code: str, reason: str, *, actor) -> CheckOverride:
    """Overrule a failed check with a written reason; the reason is kept and audited."""
    reason = clean_text(reason)
    if len(reason) < 10:
        raise DomainError("دلیل نادیده گرفتن شرط را کامل بنویسید (دست‌کم ۱۰ نویسه).", field="reason")
    check = next((c for c in eligibility_checks(application) if c.code == code), None)
    if check is None or check.passed:
        raise DomainError("این شرط برقرار است و نیازی به نادیده گرفتن ندارد.", field="check_code")
    if not check.overridable:
        raise DomainError(f"شرط «{check.title}» را نمی‌توان نادیده گرفت.", field="check_code")
    if check.override is not None:
        raise DomainError("این شرط پیش‌تر نادیده گرفته شده است.", field="check_code")
    with because(reason):
        override = CheckOverride(
            application=application, check_code=code, reason=reason, actor_id=actor_id(actor)
        )
        db.session.add(override)
        db.session.flush()
    return override


def _require_still_eligible(application: Application) -> None:
    """Refuse an approval or an issue when a check newly blocks (e.g. another office opened
    nearby since the application was ready)."""
    blocking = [c for c in eligibility_checks(application) if c.blocking]
    if blocking:
        raise DomainError(
            "این شرط‌ها دیگر برقرار نیست و باید دوباره بررسی شوند: " + "، ".join(c.title for c in blocking)
        )


def _require_ready(application: Application) -> None:
    blocking = [c for c in eligibility_checks(application) if c.blocking]
    if blocking:
        raise DomainError(
            "پیش از طرح در کارگروه این شرط‌ها باید برقرار یا با دلیل نادیده گرفته "
            "شوند: " + "، ".join(c.title for c in blocking)
        )
    pending = [v for v in application.visit_requests if v.state == VisitRequestState.REQUESTED]
    if pending:
        raise DomainError("نتیجه بازدید محل هنوز ثبت نشده است.")


# ---------------------------------------------------------------- site visits


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
        due_on=due_on or today_tehran() + timedelta(days=get_setting("licensing.site_visit_due_days")),
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


# ---------------------------------------------------------------- working group


def schedule_session(held_on: date, *, place: str | None, actor) -> WorkingGroupSession:
    """Schedule a working-group session, numbered within its Jalali year."""
    if held_on is None:
        raise DomainError("تاریخ جلسه را وارد کنید.", field="held_on")
    year = _jalali_year(held_on)
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
    item.decision = decision
    item.reasons = reasons
    application = item.application
    if decision == S.APPROVED:
        _require_still_eligible(application)
    _move(application, decision, actor=actor, note=f"کارگروه جلسه {item.session.number}: {reasons}")
    application.decided_on = item.session.held_on
    application.decision_reason = reasons
    db.session.flush()
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


# ---------------------------------------------------------------- licences


def next_licence_number(office_kind: SiteKind, issued_on: date, province_code: str) -> str:
    """A number no other licence has: province-kind-year-serial, serial under a row lock.

    Serials run per province and year, so every province can issue from the same database.
    """
    year = _jalali_year(issued_on)
    serial = next_value(f"licence:{province_code}:{year}")
    kind_code = {"counter_office": "P", "rural_ict_office": "R"}[office_kind.value]
    return f"{province_code}-{kind_code}-{year}-{serial:05d}"


def _new_licence(
    *,
    office_kind: SiteKind,
    site: Site,
    holder: Person,
    issued_on: date,
    expires_on: date,
    application: Application | None,
    previous: Licence | None = None,
) -> Licence:
    licence = Licence(
        number=next_licence_number(office_kind, issued_on, site.county.province.code),
        office_kind=office_kind,
        site=site,
        holder=holder,
        application=application,
        previous_licence=previous,
        issued_on=issued_on,
        expires_on=expires_on,
        status=LicenceStatus.ACTIVE,
        office_name=site.name,
        address=site.address,
        verify_token=secrets.token_urlsafe(18),
    )
    db.session.add(licence)
    db.session.flush()
    return licence


def _validity(office_kind: SiteKind) -> relativedelta:
    return relativedelta(years=get_setting(f"licence.validity_years.{office_kind.value}"))


LICENSING = "licensing"


@registry_ops.guard_site_changes
def _licensed_office_guard(site: Site, changed: set[str], authority: str | None) -> None:
    """A licensed office's operator, address and status change only through licensing: a
    transfer, an address change, a ruling. Direct edits would be an informal transfer."""
    if authority == LICENSING or not site.kind.is_office or site.id is None:
        return
    live = db.session.scalar(
        select(func.count())
        .select_from(Licence)
        .where(
            Licence.site_id == site.id, Licence.status.in_([LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED])
        )
    )
    if live:
        raise DomainError(
            "این دفتر پروانه معتبر دارد؛ متصدی، نشانی و وضعیت آن فقط با درخواست انتقال یا تغییر "
            "نشانی در کارگروه، یا رأی کمیته تخلفات تغییر می‌کند.",
            field="status" if changed == {"status"} else next(iter(sorted(changed))),
        )


def _supersede(licence: Licence, reason: str) -> None:
    licence.status = LicenceStatus.SUPERSEDED
    licence.status_reason = reason


def issue_licence(application: Application, *, actor, issued_on: date | None = None) -> Licence:
    """Act on an approved application: issue, transfer, extend or reissue the licence."""
    if application.state != S.APPROVED:
        raise DomainError("فقط برای درخواست تصویب‌شده در کارگروه پروانه صادر می‌شود.")
    issued_on = issued_on or today_tehran()
    kind = application.kind
    old = application.licence
    _require_still_eligible(application)
    if old is not None and old.status != LicenceStatus.ACTIVE:
        raise DomainError(
            f"پروانه {isolate_code(old.number)} «{old.status.label}» است و این درخواست بر آن اجرا نمی‌شود."
        )
    if kind == ApplicationKind.NEW:
        site = registry_ops.create_site(
            {
                "kind": application.office_kind,
                "code": _new_site_code(application),
                "name": application.office_name,
                "county_id": application.county_id,
                "locality": application.locality,
                "locality_type": application.locality_type,
                "address": application.address,
                "postal_code": application.postal_code,
                "lat": application.lat,
                "lon": application.lon,
                "established_on": issued_on,
                "operator_id": application.applicant_id,
            },
            actor=actor,
        )
        application.site = site
        licence = _new_licence(
            office_kind=application.office_kind,
            site=site,
            holder=application.applicant,
            issued_on=issued_on,
            expires_on=issued_on + _validity(application.office_kind),
            application=application,
        )
    elif kind == ApplicationKind.TRANSFER:
        site = old.site
        _supersede(old, f"انتقال به {application.applicant.full_name} (درخواست {application.number})")
        site_data = {k: getattr(site, k) for k in registry_ops.SITE_FIELDS}
        registry_ops.update_site(
            site,
            {**site_data, "operator_id": application.applicant_id},
            actor=actor,
            authority=LICENSING,
        )
        licence = _new_licence(
            office_kind=old.office_kind,
            site=site,
            holder=application.applicant,
            issued_on=issued_on,
            expires_on=old.expires_on,
            application=application,
            previous=old,
        )
    elif kind == ApplicationKind.ADDRESS_CHANGE:
        site = old.site
        site_data = {k: getattr(site, k) for k in registry_ops.SITE_FIELDS}
        registry_ops.update_site(
            site,
            {
                **site_data,
                "address": application.address,
                "lat": application.lat,
                "lon": application.lon,
                "postal_code": application.postal_code or site.postal_code,
                "locality": application.locality or site.locality,
            },
            actor=actor,
            authority=LICENSING,
        )
        _supersede(old, f"تغییر نشانی (درخواست {application.number})")
        licence = _new_licence(
            office_kind=old.office_kind,
            site=site,
            holder=old.holder,
            issued_on=issued_on,
            expires_on=old.expires_on,
            application=application,
            previous=old,
        )
    else:  # renewal extends the same licence from its current expiry
        licence = old
        licence.expires_on = old.expires_on + _validity(old.office_kind)
        licence.renewed_on = issued_on
    _move(application, S.LICENCE_ISSUED, actor=actor, note=f"پروانه {isolate_code(licence.number)}")
    db.session.flush()
    return licence


def _new_site_code(application: Application) -> str:
    year = _jalali_year(application.received_on)
    return f"L{year}{application.id:05d}"


def suspend_licence(
    licence: Licence, *, until: date, reason: str, actor, effective_on: date | None = None
) -> Licence:
    """Suspend a licence and its office until a date (a committee ruling does this)."""
    if licence.status != LicenceStatus.ACTIVE:
        raise DomainError(f"پروانه «{licence.status.label}» است و تعلیق نمی‌شود.")
    licence.status = LicenceStatus.SUSPENDED
    licence.suspended_until = until
    licence.status_reason = clean_text(reason)
    if licence.site.status == SiteStatus.ACTIVE:
        registry_ops.change_site_status(
            licence.site,
            SiteStatus.SUSPENDED,
            effective_on=effective_on,
            reason=reason,
            actor=actor,
            authority=LICENSING,
        )
    db.session.flush()
    return licence


def revoke_licence(licence: Licence, *, reason: str, actor, effective_on: date | None = None) -> Licence:
    """Revoke a licence; its office is marked revoked."""
    if licence.status in (LicenceStatus.REVOKED, LicenceStatus.SUPERSEDED):
        raise DomainError(f"پروانه «{licence.status.label}» است و لغو نمی‌شود.")
    reason = clean_text(reason)
    if not reason:
        raise DomainError("دلیل لغو را بنویسید.", field="reason")
    licence.status = LicenceStatus.REVOKED
    licence.status_reason = reason
    licence.suspended_until = None
    if licence.site.status != SiteStatus.REVOKED:
        registry_ops.change_site_status(
            licence.site,
            SiteStatus.REVOKED,
            effective_on=effective_on,
            reason=reason,
            actor=actor,
            authority=LICENSING,
        )
    db.session.flush()
    return licence


def reinstate_licence(
    licence: Licence, *, until: date | None, reason: str, actor, effective_on: date
) -> Licence:
    """Put a licence back in force (active, or suspended until a day) when an appeal replaced the
    ruling that suspended or revoked it; the office follows."""
    licence.status = LicenceStatus.SUSPENDED if until else LicenceStatus.ACTIVE
    licence.suspended_until = until
    licence.status_reason = clean_text(reason)
    site_status = SiteStatus.SUSPENDED if until else SiteStatus.ACTIVE
    if licence.site.status != site_status:
        registry_ops.change_site_status(
            licence.site,
            site_status,
            effective_on=effective_on,
            reason=reason,
            actor=actor,
            authority=LICENSING,
        )
    db.session.flush()
    return licence


def lift_ended_suspensions(today: date | None = None, *, actor=None) -> list[Licence]:
    """Restore licences whose suspension ended before today. Safe to run twice."""
    today = today or today_tehran()
    ended = db.session.scalars(
        select(Licence).where(Licence.status == LicenceStatus.SUSPENDED, Licence.suspended_until < today)
    ).all()
    for licence in ended:
        licence.status = LicenceStatus.ACTIVE
        licence.status_reason = f"پایان تعلیق در {format_jalali(licence.suspended_until)}"
        until = licence.suspended_until
        licence.suspended_until = None
        if licence.site.status == SiteStatus.SUSPENDED:
            registry_ops.change_site_status(
                licence.site,
                SiteStatus.ACTIVE,
                effective_on=until + timedelta(days=1),
                reason="پایان دوره تعلیق",
                actor=actor,
                authority=LICENSING,
            )
    db.session.flush()
    return list(ended)


def expire_licences(today: date | None = None) -> list[Licence]:
    """Mark active licences past their expiry date as expired. Safe to run twice."""
    today = today or today_tehran()
    expired = db.session.scalars(
        select(Licence).where(Licence.status == LicenceStatus.ACTIVE, Licence.expires_on < today)
    ).all()
    for licence in expired:
        licence.status = LicenceStatus.EXPIRED
        licence.status_reason = "پایان مدت اعتبار"
        # A lapsed licence is given up (DOMAIN §1): the office stops counting as active.
        if licence.site.status == SiteStatus.ACTIVE:
            registry_ops.change_site_status(
                licence.site,
                SiteStatus.CLOSED,
                effective_on=licence.expires_on + timedelta(days=1),
                reason="پایان اعتبار پروانه",
                actor=None,
                authority=LICENSING,
            )
    db.session.flush()
    return list(expired)


def expiring_licences(today: date | None = None) -> Select:
    """Active licences expiring within the follow-up window, soonest first."""
    today = today or today_tehran()
    horizon = today + timedelta(days=get_setting("licence.expiry_followup_days"))
    return (
        select(Licence)
        .options(joinedload(Licence.site), joinedload(Licence.holder))
        .where(Licence.status == LicenceStatus.ACTIVE, Licence.expires_on.between(today, horizon))
        .order_by(Licence.expires_on)
    )


def find_licence(number: str) -> Licence | None:
    """A licence by its number (any digit forms)."""
    from core.persian import normalize_for_search

    wanted = normalize_for_search(number).replace(" ", "").upper()
    return db.session.scalar(select(Licence).where(Licence.number == wanted))


def licence_history(site: Site) -> list[Licence]:
    """Every licence an office has had, newest first."""
    return list(
        db.session.scalars(
            select(Licence)
            .where(Licence.site_id == site.id)
            .order_by(Licence.issued_on.desc(), Licence.id.desc())
        )
    )


def inbox(
    *,
    state: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    overdue_only: bool = False,
) -> Select:
    """Applications for the officer's day, by deadline; filters by state, kind and text."""
    stmt = select(Application).options(joinedload(Application.applicant))
    if state:
        stmt = stmt.where(Application.state == ApplicationState(state))
    else:
        stmt = stmt.where(Application.state.not_in([S.LICENCE_ISSUED, S.CLOSED]))
    if kind:
        stmt = stmt.where(Application.kind == ApplicationKind(kind))
    if overdue_only:
        stmt = stmt.where(
            Application.due_on < today_tehran(),
            Application.state.not_in([S.LICENCE_ISSUED, S.CLOSED]),
        )
    for term in search_terms(q):
        stmt = stmt.join(Person, Application.applicant).where(
            or_(
                Person.name_norm.contains(term, autoescape=True),
                Person.national_id.startswith(term, autoescape=True),
                Application.number.contains(term, autoescape=True),
            )
        )
    return stmt.order_by(Application.due_on, Application.id)
