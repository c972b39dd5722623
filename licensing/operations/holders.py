"""Who may hold, apply for and renew a licence: the holder type an office kind takes, the personal
conditions of the people who answer for the office, the holder's standing for a renewal."""

from __future__ import annotations

from collections.abc import Callable

from core.persian import normalize_for_search
from core.settings import get_setting
from licensing.models import Application, Licence
from licensing.operations.rules import CheckResult
from registry.models import Education, HolderType, Person

EDUCATION_ORDER = [e.value for e in Education]

# Features above licensing (the violations committee) tell a renewal what stands in its way: each
# blocker takes the office's site id and returns the reasons (open cases, unpaid fines).
RenewalBlocker = Callable[[int], list[str]]
RENEWAL_BLOCKERS: list[RenewalBlocker] = []


def renewal_blocker(blocker: RenewalBlocker) -> RenewalBlocker:
    """Register a source of reasons that block a licence's renewal."""
    RENEWAL_BLOCKERS.append(blocker)
    return blocker


def holder_type_check(application: Application) -> CheckResult:
    allowed = [HolderType(v) for v in get_setting(f"licensing.holder_types.{application.office_kind.value}")]
    kind = application.holder_type
    return CheckResult(
        "holder_type",
        "نوع متقاضی (حقیقی یا حقوقی)",
        kind in allowed,
        f"متقاضی {kind.label} است؛ پروانه {application.office_kind.label} به "
        + " و ".join(a.label for a in allowed)
        + " داده می‌شود.",
    )


def responsible_people(application: Application) -> list[tuple[str, Person | None]]:
    """The natural people who answer for the office: the applicant, or the company's managing
    director and the office's manager and deputy."""
    if application.applicant_company is None:
        people = [("متقاضی", application.applicant)]
    else:
        people = [("مدیرعامل", application.applicant_company.managing_director)]
    people += [("مدیر دفتر", application.manager), ("جانشین مدیر", application.deputy)]
    if application.applicant_company is None:
        people = [p for p in people if p[0] == "متقاضی" or p[1] is not None]
    return people


def personal_checks(application: Application) -> list[CheckResult]:
    wanted = normalize_for_search(get_setting("licensing.applicant_min_education"))
    minimum = next((e for e in Education if normalize_for_search(e.label) == wanted), Education.BACHELOR)
    people = responsible_people(application)
    degree_lines, degree_ok, employee_lines = [], True, []
    for role, person in people:
        if person is None:
            degree_ok = False
            degree_lines.append(f"{role}: معرفی نشده")
            continue
        education = person.education
        ok = education is not None and EDUCATION_ORDER.index(education.value) >= EDUCATION_ORDER.index(
            minimum.value
        )
        degree_ok = degree_ok and ok
        degree_lines.append(f"{role} ({person.full_name}): {education.label if education else 'ثبت نشده'}")
        if person.state_employee:
            employee_lines.append(f"{role} ({person.full_name}) کارمند دولت است")
    return [
        CheckResult(
            "applicant_degree",
            "مدرک تحصیلی متقاضی، مدیرعامل، مدیر و جانشین",
            degree_ok,
            "؛ ".join(degree_lines) + f" — دست‌کم {minimum.label} لازم است.",
        ),
        CheckResult(
            "state_employee",
            "کارمند دولت نبودن متقاضی، مدیرعامل، مدیر و جانشین",
            not employee_lines,
            "؛ ".join(employee_lines) + "." if employee_lines else "هیچ‌یک کارمند دولت نیست.",
        ),
    ]


def _responsible_for_licence(licence: Licence) -> Person:
    """Who may ask for a licence's renewal or move: its holder, or the holding company's
    managing director."""
    if licence.holder_company is not None:
        return licence.holder_company.managing_director
    return licence.holder


def renewal_holder_check(application: Application) -> CheckResult:
    responsible = _responsible_for_licence(application.licence)
    ok = application.applicant_id == responsible.id
    return CheckResult(
        "renewal_holder",
        "درخواست از دارنده پروانه",
        ok,
        f"درخواست‌دهنده: {application.applicant.full_name}؛ دارنده: {application.licence.holder_name}"
        + (f" (مدیرعامل: {responsible.full_name})" if application.licence.holder_company else "")
        + ".",
    )


def open_case_check(application: Application) -> CheckResult:
    title = "پرونده تخلف باز یا جریمه پرداخت‌نشده ندارد"
    if get_setting("licence.renewal_blocked_by_open_case") != "yes":
        return CheckResult("renewal_open_case", title, True, "بنا بر تنظیمات، پرونده باز مانع تمدید نیست.")
    parts = [reason for blocker in RENEWAL_BLOCKERS for reason in blocker(application.licence.site_id)]
    detail = "؛ ".join(parts) + "." if parts else "پرونده باز یا جریمه ندارد."
    return CheckResult("renewal_open_case", title, not parts, detail)


def power_of_attorney_check(application: Application) -> CheckResult:
    return CheckResult(
        "power_of_attorney",
        "انتقال مستقیم، نه با وکالت‌نامه",
        not application.via_power_of_attorney,
        "انتقال با وکالت‌نامه درخواست شده است؛ انتقال وکالتی ممنوع است."
        if application.via_power_of_attorney
        else "انتقال مستقیم میان دارنده و انتقال‌گیرنده است.",
    )
