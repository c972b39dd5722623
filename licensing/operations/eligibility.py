"""Eligibility: every check an application must pass before the working group, and its result.

This is the file a regulations reviewer reads. Each check reads its numbers from the settings
(core/regulations.toml), never from a literal; `eligibility_checks` says which checks apply to
which kind of application; a failed check blocks until it passes or, where the rules allow, an
officer overrules it with a written reason (`override_check`).
"""

from __future__ import annotations

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import Select, func, select

from core.audit import because
from core.db import actor_id
from core.errors import DomainError
from core.extensions import db
from core.persian import clean_text, format_jalali, isolate_code, to_persian_digits
from core.settings import definitions as setting_definitions
from core.settings import get_setting
from licensing.models import (
    Application,
    ApplicationKind,
    CheckOverride,
    Licence,
    LicenceStatus,
    VisitRequestState,
)
from licensing.operations.documents import missing_documents
from licensing.operations.fees import payment_check
from licensing.operations.holders import (
    holder_type_check,
    open_case_check,
    personal_checks,
    power_of_attorney_check,
    renewal_holder_check,
)
from licensing.operations.rules import AT_ISSUE, CheckResult, rule_basis, rule_class
from registry import operations as registry_ops
from registry.localities import same_locality
from registry.models import OFFICE_KINDS, Site, SiteKind, SiteStatus


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
    return CheckResult("licence_status", "پروانه معلق یا لغو نشده باشد", ok, detail)


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
    if received > latest:
        detail += " مهلت تمدید گذشته است: پروانه واگذارشده تلقی می‌شود و دفتر باید پروانه تازه بگیرد."
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
    if application.applicant_company_id == licence.holder_company_id and (
        licence.holder_company_id is not None or application.applicant_id == licence.holder_id
    ):
        checks.append(
            CheckResult(
                "transferee",
                "انتقال‌گیرنده غیر از دارنده فعلی",
                False,
                "متقاضی همان دارنده فعلی پروانه است.",
            )
        )
    return checks


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
    verdict = same_locality(site, lat=application.lat, lon=application.lon, locality=application.locality)
    same_county = application.county_id in (None, site.county_id)
    detail = verdict.detail if same_county else "شهرستان نشانی جدید با شهرستان دفتر یکی نیست."
    return CheckResult(
        "relocation_scope", "جابجایی در همان شهر یا روستا", verdict.same and same_county, detail
    )


def _lease_checks(application: Application) -> list[CheckResult]:
    """The premises' lease: long enough (or owned), and a move asked for before the current
    lease ends by the deadline."""
    years = get_setting("licence.lease_min_years")
    needed = application.received_on + relativedelta(years=years)
    ends = application.lease_ends_on
    if application.premises_owned:
        length = CheckResult("lease_length", "مدت اجاره‌نامه محل", True, "محل ملکی متقاضی است (سند).")
    else:
        length = CheckResult(
            "lease_length",
            "مدت اجاره‌نامه محل",
            ends is not None and ends >= needed,
            (f"اجاره‌نامه تا {format_jalali(ends)}" if ends else "پایان اجاره‌نامه ثبت نشده")
            + f"؛ دست‌کم {to_persian_digits(years)} سال لازم است (تا {format_jalali(needed)}).",
        )
    checks = [length]
    if application.kind == ApplicationKind.ADDRESS_CHANGE:
        days = get_setting("relocation.request_days_before_lease_end")
        old_ends = application.old_lease_ends_on
        latest = old_ends - timedelta(days=days) if old_ends else None
        checks.append(
            CheckResult(
                "lease_deadline",
                "درخواست جابجایی پیش از پایان اجاره‌نامه",
                latest is not None and application.received_on <= latest,
                f"اجاره‌نامه محل فعلی تا {format_jalali(old_ends)}؛ درخواست باید تا {format_jalali(latest)} "
                f"({to_persian_digits(days)} روز پیش از آن) برسد و در "
                f"{format_jalali(application.received_on)} رسید."
                if old_ends
                else "تاریخ پایان اجاره‌نامه محل فعلی ثبت نشده است.",
            )
        )
    return checks


def eligibility_checks(application: Application) -> list[CheckResult]:
    """Every rule the officer sees before deciding, computed from the records and settings."""
    checks: list[CheckResult] = []
    kind = application.kind
    if kind != ApplicationKind.NEW:
        checks.append(_licence_state_check(application))
    if kind in (ApplicationKind.RENEWAL, ApplicationKind.ADDRESS_CHANGE):
        checks.append(renewal_holder_check(application))
    if kind == ApplicationKind.ADDRESS_CHANGE:
        checks.append(_relocation_scope_check(application))
    if kind in (ApplicationKind.NEW, ApplicationKind.ADDRESS_CHANGE):
        checks.append(_distance_check(application))
        checks.append(_site_visit_check(application))
        premises = _premises_check(application)
        if premises is not None:
            checks.append(premises)
        checks.extend(_lease_checks(application))
    if kind == ApplicationKind.NEW:
        checks.append(_quota_check(application))
    if kind in (ApplicationKind.NEW, ApplicationKind.TRANSFER):
        checks.append(holder_type_check(application))
        checks.extend(_applicant_checks(application))
        checks.extend(personal_checks(application))
    if kind == ApplicationKind.TRANSFER:
        checks.extend(_transfer_checks(application))
        checks.append(power_of_attorney_check(application))
    if kind == ApplicationKind.RENEWAL:
        checks.append(_renewal_window_check(application))
        checks.append(open_case_check(application))
    if kind in (ApplicationKind.NEW, ApplicationKind.RENEWAL):
        checks.append(payment_check(application))
    missing = missing_documents(application)
    checks.append(
        CheckResult(
            "documents",
            "مدارک لازم بارگذاری شده",
            not missing,
            "کامل است." if not missing else "کم است: " + "، ".join(t.title for t in missing),
        )
    )
    overrides = {o.check_code: o for o in application.overrides}
    for check in checks:
        check.rule_class = rule_class(check.code)
        check.basis = rule_basis(check.code)
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
        raise DomainError(check.refusal, field="check_code")
    if check.override is not None:
        raise DomainError("این شرط پیش‌تر نادیده گرفته شده است.", field="check_code")
    with because(reason):
        override = CheckOverride(
            application=application, check_code=code, reason=reason, actor_id=actor_id(actor)
        )
        db.session.add(override)
        db.session.flush()
    return override


def _require_still_eligible(application: Application, *, at_issue: bool = False) -> None:
    """Refuse an approval or an issue when a check newly blocks (e.g. another office opened
    nearby since the application was ready); at issue, the fee counts too."""
    blocking = [
        c for c in eligibility_checks(application) if c.blocking and (at_issue or c.code not in AT_ISSUE)
    ]
    if blocking:
        raise DomainError("این شرط‌ها برقرار نیست: " + " ".join(c.refusal for c in blocking))


def _require_ready(application: Application) -> None:
    blocking = [c for c in eligibility_checks(application) if c.blocking and c.code not in AT_ISSUE]
    if blocking:
        raise DomainError(
            "پیش از طرح در کارگروه این شرط‌ها باید برقرار یا با دلیل نادیده گرفته "
            "شوند: " + " ".join(c.refusal for c in blocking)
        )
    pending = [v for v in application.visit_requests if v.state == VisitRequestState.REQUESTED]
    if pending:
        raise DomainError("نتیجه بازدید محل هنوز ثبت نشده است.")
