"""Small factory functions for the tests; each flushes and returns the new row."""

from __future__ import annotations

import itertools

import iranian_national_code

from accounts import operations as account_ops
from core.clock import today_tehran
from core.extensions import db
from core.forms import complete_national_id
from core.security import Role
from registry import operations as registry_ops
from registry.models import County, Person, Site, SiteKind

DEFAULT_PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def make_user(role: Role = Role.VIEWER, username: str | None = None, **kwargs):
    n = next(_counter)
    return account_ops.create_user(
        username or f"{role.value}{n}",
        full_name=kwargs.pop("full_name", f"کاربر {n}"),
        role=role,
        password=kwargs.pop("password", DEFAULT_PASSWORD),
        **kwargs,
    )


def make_county(name: str = "خرم‌آباد", population: int | None = 500_000, **kwargs) -> County:
    province = registry_ops.get_or_create_province("لرستان", "15")
    return registry_ops.get_or_create_county(province, name, population=population, **kwargs)


def national_id(seed: int | None = None) -> str:
    """A checksum-valid national ID, different on each call."""
    base = f"{(seed if seed is not None else next(_counter)) + 100_000_000:09d}"[-9:]
    code = complete_national_id(base)
    assert iranian_national_code.validate(code), code
    return code


def make_person(first_name: str = "علی", last_name: str = "رضایی", **kwargs) -> Person:
    data = {
        "national_id": kwargs.pop("national_id", None) or national_id(),
        "first_name": first_name,
        "last_name": last_name,
        "education": kwargs.pop("education", "bachelor"),
        **kwargs,
    }
    return registry_ops.create_person(data, actor=None)


def company_id(seed: int | None = None) -> str:
    """A check-digit-valid 11-digit company national identifier, different on each call."""
    from core.forms import complete_company_id

    serial = (seed if seed is not None else next(_counter)) % 9_000_000 + 1_000_000
    return complete_company_id(f"14{serial:08d}")


def make_company(name: str = "شرکت خدمات پیشخوان آفتاب", *, director=None, **kwargs):
    """A company with a managing director who holds a bachelor's degree."""
    director = director or make_person("مریم", "کرمی")
    data = {
        "name": name,
        "national_id": kwargs.pop("national_id", None) or company_id(),
        "registration_number": kwargs.pop("registration_number", "12345"),
        "registered_on": kwargs.pop("registered_on", None),
        "registration_office": kwargs.pop("registration_office", "اداره ثبت شرکت‌های خرم‌آباد"),
        "managing_director_id": director.id,
        **kwargs,
    }
    return registry_ops.create_company(data, actor=None)


def company_applicant(name: str = "شرکت خدمات دولت آینده") -> dict:
    """The keywords of a company's request: the company (its managing director applies) and the
    office's manager and deputy, all with a bachelor's degree."""
    return {
        "applicant_company": make_company(name),
        "manager": make_person("رضا", "امیری"),
        "deputy": make_person("لیلا", "سپهوند"),
    }


def move_details(licence, received_on, **kwargs) -> dict:
    """A valid address change for a licence: same city, nearby point, the premises' conditions."""
    from datetime import timedelta

    from dateutil.relativedelta import relativedelta

    return {
        "address": "خیابان تازه، پلاک ۹",
        "locality": licence.site.locality,
        "lat": licence.site.lat + 0.002,
        "lon": licence.site.lon + 0.002,
        "premises_m2": 60,
        "lease_ends_on": received_on + relativedelta(years=6),
        "old_lease_ends_on": received_on + timedelta(days=90),
        **kwargs,
    }


def make_site(kind: SiteKind = SiteKind.COUNTER_OFFICE, name: str | None = None, **kwargs) -> Site:
    n = next(_counter)
    county = kwargs.pop("county", None) or make_county()
    data = {
        "kind": kind,
        "code": kwargs.pop("code", f"66{n:06d}"),
        "name": name or f"دفتر پیشخوان شماره {n}",
        "county_id": county.id,
        "locality": kwargs.pop("locality", "خرم‌آباد"),
        "locality_type": kwargs.pop("locality_type", None),
        "address": kwargs.pop("address", "خیابان انقلاب، پلاک ۱۲"),
        "lat": kwargs.pop("lat", 33.4878),
        "lon": kwargs.pop("lon", 48.3558),
        **kwargs,
    }
    if kind in (SiteKind.ATM, SiteKind.BANK_KIOSK):
        data.setdefault("bank", "بانک ملی ایران")
        data.setdefault("terminal_id", f"{n:08d}")
    site = registry_ops.create_site(data, actor=None)
    db.session.flush()
    return site


def pdf_bytes() -> bytes:
    """A tiny but real PDF file's content."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]"
        b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def attach_all_documents(application) -> None:
    """Upload a file for every required checklist item of the application."""
    from licensing import operations as lic_ops

    for doc_type, _docs in lic_ops.document_checklist(application):
        lic_ops.add_document(application, doc_type, f"{doc_type.code}.pdf", pdf_bytes(), actor=None)


def pay_fee(application, *, paid_on=None):
    """Record the payment of the fee the application owes (none when it owes nothing)."""
    from licensing import operations as lic_ops

    due = lic_ops.fee_summary(application)["outstanding"]
    if due:
        lic_ops.record_payment(
            application,
            amount_rials=due,
            receipt_number=f"R{next(_counter):08d}",
            bank="بانک ملی ایران",
            paid_on=paid_on or application.received_on,
            actor=None,
        )


def review(application, *, overrides=()):
    """Take an application through review (documents, a passed site visit where one is needed)
    to «ready for the working group».

    Only the checks named in `overrides` are overruled (each must have failed, and only a
    discretionary rule can be); any other failed check fails the test.
    """
    from licensing import operations as lic_ops
    from licensing.models import ApplicationState, VisitRequestState

    attach_all_documents(application)
    if application.state == ApplicationState.RECEIVED:
        lic_ops.start_review(application, actor=None)
    checks = {c.code: c for c in lic_ops.eligibility_checks(application)}
    visit_check = checks.get("site_visit")
    if (
        visit_check is not None
        and not visit_check.passed
        and not any(v.state == VisitRequestState.DONE for v in application.visit_requests)
    ):
        visit = lic_ops.request_site_visit(application, actor=None)
        lic_ops.record_visit_result(visit, passed=True, notes="محل مناسب است.", actor=None)
    for code in overrides:
        check = next(c for c in lic_ops.eligibility_checks(application) if c.code == code)
        assert not check.passed, f"the check {code} passed: nothing to override"
        lic_ops.override_check(application, code, "تصمیم کارگروه پس از بررسی محل", actor=None)
    failed = [
        f"{c.code}: {c.detail}"
        for c in lic_ops.eligibility_checks(application)
        if c.blocking and c.code not in lic_ops.AT_ISSUE
    ]
    assert not failed, "failed checks not named as overrides: " + " | ".join(failed)
    lic_ops.transition(application, ApplicationState.READY_FOR_WG, actor=None)


def approve(application, *, held_on=None, overrides=(), pay=True):
    """Take an application through review (see `review`, which names the overrides) and a
    working-group approval; then pay its fee (unless pay=False)."""
    from licensing import operations as lic_ops
    from licensing.models import ApplicationState

    review(application, overrides=overrides)
    session = lic_ops.schedule_session(held_on or today_tehran(), place="سالن جلسات", actor=None)
    lic_ops.add_attendee(session, full_name="مجتبی صارمی", organisation="اداره کل ارتباطات", actor=None)
    item = lic_ops.add_to_agenda(session, application, actor=None)
    lic_ops.record_decision(item, ApplicationState.APPROVED, "شرایط احراز شده است.", actor=None)
    if pay:
        pay_fee(application, paid_on=held_on)
    return session


def make_licence(
    kind=SiteKind.COUNTER_OFFICE, *, holder=None, holder_company=None, issued_on=None, **site_kwargs
):
    """An active licence for a new office, issued directly (for tests of later steps); a
    company's licence is answered for by its managing director."""
    from datetime import date

    from licensing import operations as lic_ops

    if holder_company is not None:
        holder = holder_company.managing_director
    holder = holder or make_person()
    site = make_site(kind=kind, operator_id=holder.id, **site_kwargs)
    issued_on = issued_on or date(2022, 9, 16)
    return lic_ops._new_licence(
        office_kind=kind,
        site=site,
        holder=holder,
        holder_company=holder_company,
        issued_on=issued_on,
        expires_on=issued_on + lic_ops._validity(kind),
        application=None,
    )


# ---------------------------------------------------------------- committees (violations committee)

COMMITTEE_ORGANISATIONS = (
    "سازمان تنظیم مقررات و ارتباطات رادیویی منطقه جنوب غرب",
    "استانداری لرستان",
    "سازمان مدیریت و برنامه‌ریزی استان",
    "انجمن صنفی دفاتر پیشخوان و ICT روستایی",
    "اداره کل ارتباطات و فناوری اطلاعات استان",
)
COMMITTEE_NAMES = ("حمید ملکی", "نسرین امیری", "محمود طولابی", "اکبر قائدی", "زهرا پاپی")


def make_committee_member(full_name: str = "حمید ملکی", organisation: str | None = None, **kwargs):
    from committees import operations as committee_ops

    if organisation is None:
        organisation = COMMITTEE_ORGANISATIONS[0]
    data = {"full_name": full_name, "organisation": organisation, **kwargs}
    return committee_ops.save_member(None, data, actor=None)


def make_committee(size: int = 5) -> list:
    """Committee members, one per organisation of the demo committee."""
    return [
        make_committee_member(name, organisation)
        for name, organisation in zip(COMMITTEE_NAMES[:size], COMMITTEE_ORGANISATIONS[:size], strict=True)
    ]


def violation_type(code: str):
    from sqlalchemy import select

    from committees.models import ViolationType

    return db.session.scalar(select(ViolationType).where(ViolationType.code == code))


def make_case(site=None, *, codes=("V02",), offence_on=None, opened_on=None, source="manual", **kwargs):
    """A case against an office (a licensed one unless given)."""
    from datetime import date, timedelta

    from committees import operations as committee_ops

    if site is None:
        site = make_licence().site
    offence_on = offence_on or date(2022, 9, 1)
    opened_on = opened_on or offence_on + timedelta(days=5)
    return committee_ops.open_case(
        site,
        source=source,
        summary=kwargs.pop("summary", "دفتر در ساعت اداری بسته بود."),
        offence_on=offence_on,
        opened_on=opened_on,
        violation_type_ids=[violation_type(c).id for c in codes],
        actor=None,
        **kwargs,
    )


def make_ready_case(site=None, **kwargs):
    """A case whose defence is in: ready to go on a session's agenda."""
    from datetime import timedelta

    from committees import operations as committee_ops

    case = make_case(site, **kwargs)
    committee_ops.request_defence(case, requested_on=case.opened_on, actor=None)
    committee_ops.record_defence(
        case,
        text="متصدی برای درمان به بیمارستان رفته بود.",
        received_on=case.opened_on + timedelta(days=3),
        actor=None,
    )
    committee_ops.mark_ready(case, actor=None)
    return case


def hold_hearing(case, members, *, held_on=None, votes=None):
    """A committee session with the members present, the case on its agenda and the votes cast
    (all 'for' unless given as a list of choices, one per member; None skips a member)."""
    from datetime import timedelta

    from committees import operations as committee_ops

    held_on = held_on or case.opened_on + timedelta(days=20)
    session = committee_ops.schedule_session(held_on, place="سالن جلسات اداره کل", actor=None)
    committee_ops.add_to_agenda(session, case, actor=None)
    committee_ops.set_attendance(session, [m.id for m in members], actor=None)
    for member, choice in zip(members, votes or ["for"] * len(members), strict=True):
        if choice:
            committee_ops.record_vote(session, case, member, choice, actor=None)
    return session


def ruling_data(penalty="written_warning", codes=("V02",), **kwargs) -> dict:
    return {
        "penalty": penalty,
        "violations_found": list(codes),
        "legal_basis": "مصوبه ۲ جلسه ۳۱۷ کمیسیون تنظیم مقررات، پیوست ۲",
        "reasoning": "تخلف با گزارش بازرسی و اقرار متصدی احراز شد.",
        **kwargs,
    }


def make_ruling(case=None, *, members=None, held_on=None, **data):
    """A ruling recorded in a session where every member voted for it."""
    from committees import operations as committee_ops

    case = case or make_ready_case()
    if case.state.value != "ready":
        from datetime import timedelta

        committee_ops.request_defence(case, requested_on=case.opened_on, actor=None)
        committee_ops.record_defence(
            case, text="دفاعیه", actor=None, received_on=case.opened_on + timedelta(days=1)
        )
        committee_ops.mark_ready(case, actor=None)
    members = members or make_committee(3)
    session = hold_hearing(case, members, held_on=held_on)
    codes = data.pop("codes", [v.violation_type.code for v in case.violations])
    return committee_ops.record_ruling(case, session, ruling_data(codes=codes, **data), actor=None)
