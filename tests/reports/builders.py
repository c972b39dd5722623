"""A year of records built through the operations, as the screens would build them, with the
figures the annual report of 1401 must show written out by hand (never computed by the code under
test).

1401 runs from 2022-03-21 (1 Farvardin) to 2023-03-20 (29 Esfand; 1401 is not a leap year).
Two counties: Khorramabad (A) and Borujerd (B).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import jdatetime
from dateutil.relativedelta import relativedelta

from committees import operations as committee_ops
from core.security import Role
from inspections import operations as inspection_ops
from licensing import operations as lic_ops
from licensing.models import ApplicationKind, ApplicationState
from registry import operations as registry_ops
from registry.models import SiteKind, SiteStatus
from tests import factories
from tests.inspections import helpers as h

FIRST_DAY, LAST_DAY = date(2022, 3, 21), date(2023, 3, 20)


def j(year: int, month: int, day: int) -> date:
    """A Jalali date as the Gregorian date the database stores."""
    return jdatetime.date(year, month, day).togregorian()


def at(day: date, hour: int = 6, minute: int = 30) -> datetime:
    """A UTC moment on that (Gregorian) day."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@dataclass
class Year:
    """What was built, by name, for the tests to point at."""

    county_a: object = None
    county_b: object = None
    sites: dict = field(default_factory=dict)
    licences: dict = field(default_factory=dict)
    visits: dict = field(default_factory=dict)
    cases: dict = field(default_factory=dict)
    rulings: dict = field(default_factory=dict)


def _new_application(kind: SiteKind, county, name: str, point, received_on: date, applicant_name):
    """A new office's request; an urban counter office is asked for by a company whose managing
    director is the person named."""
    person = factories.make_person(*applicant_name)
    company = (
        {
            "applicant_company": factories.make_company(f"شرکت {name}", director=person),
            "manager": factories.make_person("رضا", "امیری"),
            "deputy": factories.make_person("لیلا", "سپهوند"),
        }
        if kind == SiteKind.COUNTER_OFFICE
        else {}
    )
    return lic_ops.create_application(
        ApplicationKind.NEW,
        applicant=person,
        **company,
        premises_m2=60,
        lease_ends_on=received_on + relativedelta(years=6),
        actor=None,
        office_kind=kind,
        office_name=name,
        county_id=county.id,
        locality=county.name,
        address=f"{county.name}، خیابان آزادی، پلاک ۷",
        lat=point[0],
        lon=point[1],
        received_on=received_on,
    )


def _ready_for_wg(application, overrides=()) -> None:
    """Review, documents and the named overrides up to «ready for the working group» (no session)."""
    factories.review(application, overrides=overrides)


def build_1401() -> Year:
    """Offices, devices, licences of every kind, visits, working-group and committee sessions."""
    y = Year()
    y.county_a = factories.make_county(
        "خرم‌آباد", population=2_000_000, center_lat=33.4878, center_lon=48.3558
    )
    y.county_b = factories.make_county("بروجرد", population=2_000_000, center_lat=33.8973, center_lon=48.7516)
    a, b = y.county_a, y.county_b
    inspector = factories.make_user(role=Role.INSPECTOR, full_name="علیرضا حسنوند")

    # ---------------------------------------------------------------- offices with a licence
    def licensed(name, kind, county, issued_on, point):
        licence = factories.make_licence(
            kind, issued_on=issued_on, county=county, established_on=issued_on, lat=point[0], lon=point[1]
        )
        y.sites[name] = licence.site
        y.licences[name] = licence
        return licence

    licensed("c1", SiteKind.COUNTER_OFFICE, a, date(2017, 8, 1), (33.4800, 48.3500))  # renewed in 1401
    licensed("c2", SiteKind.COUNTER_OFFICE, a, date(2020, 5, 1), (33.4900, 48.3600))  # transferred in 1401
    licensed("c3", SiteKind.COUNTER_OFFICE, b, date(2019, 6, 1), (33.8900, 48.7500))  # suspended mid-year
    licensed("c4", SiteKind.COUNTER_OFFICE, a, date(2019, 7, 1), (33.4700, 48.3400))  # suspended, restored
    licensed("r1", SiteKind.RURAL_ICT_OFFICE, b, date(2019, 9, 1), (33.9100, 48.7700))  # moved in 1401

    # ---------------------------------------------------------------- sites without a licence
    def site(name, kind, county, established_on, point=(33.48, 48.35)):
        made = factories.make_site(
            kind=kind, name=name, county=county, established_on=established_on, lat=point[0], lon=point[1]
        )
        y.sites[name] = made
        return made

    site("a1", SiteKind.ATM, a, date(2020, 1, 5), (33.4850, 48.3550))
    site("a2", SiteKind.ATM, b, date(2020, 1, 5), (33.8950, 48.7550))  # closed in 1401
    site("k1", SiteKind.BANK_KIOSK, b, date(2020, 2, 1), (33.9000, 48.7400))
    site("old", SiteKind.COUNTER_OFFICE, a, date(2018, 1, 1), (33.4600, 48.3300))  # revoked in 1398
    site("later", SiteKind.RURAL_ICT_OFFICE, b, j(1402, 1, 21), (33.9200, 48.7800))  # opens in 1402
    registry_ops.change_site_status(
        y.sites["old"], SiteStatus.REVOKED, effective_on=date(2020, 1, 1), reason="لغو پروانه", actor=None
    )
    registry_ops.change_site_status(
        y.sites["a2"], SiteStatus.CLOSED, effective_on=j(1401, 10, 1), reason="جمع‌آوری دستگاه", actor=None
    )

    # ---------------------------------------------------------------- licences issued through the workflow
    n1 = _new_application(
        SiteKind.COUNTER_OFFICE,
        a,
        "دفتر پیشخوان خدمات دولت مهر",
        (33.5000, 48.3700),
        j(1401, 2, 1),
        ("سارا", "محمدی"),
    )
    factories.approve(n1, held_on=j(1401, 3, 10))
    y.licences["n1"] = lic_ops.issue_licence(n1, actor=None, issued_on=j(1401, 3, 20))
    y.sites["n1"] = y.licences["n1"].site

    renewal = lic_ops.create_application(
        ApplicationKind.RENEWAL,
        applicant=y.licences["c1"].holder,
        licence=y.licences["c1"],
        actor=None,
        received_on=j(1401, 2, 1),  # within the renewal window before 1401/05/10
    )
    factories.approve(renewal, held_on=j(1401, 4, 10))
    lic_ops.issue_licence(renewal, actor=None, issued_on=j(1401, 4, 20))

    transfer = lic_ops.create_application(
        ApplicationKind.TRANSFER,
        applicant_company=factories.make_company(
            "شرکت خدمات کیوان", director=factories.make_person("کیوان", "رحیمی")
        ),
        manager=factories.make_person("رضا", "امیری"),
        deputy=factories.make_person("لیلا", "سپهوند"),
        licence=y.licences["c2"],
        actor=None,
        received_on=j(1401, 5, 15),
    )
    factories.approve(transfer, held_on=j(1401, 6, 20))
    y.licences["c2 transferred"] = lic_ops.issue_licence(transfer, actor=None, issued_on=j(1401, 7, 1))

    moving = lic_ops.create_application(
        ApplicationKind.ADDRESS_CHANGE,
        applicant=y.licences["r1"].holder,
        licence=y.licences["r1"],
        actor=None,
        received_on=j(1401, 8, 1),
        **factories.move_details(
            y.licences["r1"], j(1401, 8, 1), address="روستای سراب، جنب دهیاری", lat=33.9150, lon=48.7750
        ),
    )
    factories.approve(moving, held_on=j(1401, 9, 5), overrides=("distance",))  # «later» is near
    y.licences["r1 moved"] = lic_ops.issue_licence(moving, actor=None, issued_on=j(1401, 9, 15))

    # A rural office whose site was visited before the decision, licensed on the last day of Esfand.
    n2 = _new_application(
        SiteKind.RURAL_ICT_OFFICE,
        b,
        "دفتر ICT روستایی سراب",
        (33.9300, 48.7900),
        j(1401, 10, 1),
        ("نرگس", "پاپی"),
    )
    lic_ops.start_review(n2, actor=None)
    request = lic_ops.request_site_visit(n2, actor=None, due_on=j(1401, 11, 1))
    y.visits["v5 new site"], _ = inspection_ops.submit_visit(
        h.visit_payload(
            request=request,
            purpose="new_site",
            verdict="pass",
            point=(33.9301, 48.7901),
            photos=[h.image_bytes(), h.image_bytes(color=(9, 9, 9))],
            started=at(j(1401, 10, 20)),
        ),
        actor=inspector,
    )
    factories.approve(n2, held_on=j(1401, 12, 20), overrides=("distance",))  # «later» is 722 m away
    y.licences["n2"] = lic_ops.issue_licence(n2, actor=None, issued_on=LAST_DAY)
    y.sites["n2"] = y.licences["n2"].site

    # Approved in Esfand 1401, issued on 1 Farvardin 1402: the session counts, the licence not.
    n3 = _new_application(
        SiteKind.COUNTER_OFFICE,
        b,
        "دفتر پیشخوان خدمات دولت نوروز",
        (33.8800, 48.7300),
        j(1401, 12, 1),
        ("بهروز", "ویسی"),
    )
    factories.approve(n3, held_on=j(1401, 12, 25))
    y.licences["n3"] = lic_ops.issue_licence(n3, actor=None, issued_on=j(1402, 1, 1))
    y.sites["n3"] = y.licences["n3"].site

    # One working-group session that rejected one request and deferred another.
    rejected = _new_application(
        SiteKind.COUNTER_OFFICE, a, "دفتر پیشخوان امید", (33.4500, 48.3200), j(1401, 9, 1), ("یاسر", "قبادی")
    )
    deferred = _new_application(
        SiteKind.COUNTER_OFFICE,
        a,
        "دفتر پیشخوان نور",
        (33.4400, 48.3100),
        j(1401, 9, 2),
        ("شیرین", "آزادبخت"),
    )
    _ready_for_wg(rejected)
    _ready_for_wg(deferred)
    session = lic_ops.schedule_session(j(1401, 11, 10), place="سالن جلسات", actor=None)
    lic_ops.add_attendee(session, full_name="مجتبی صارمی", organisation="اداره کل ارتباطات", actor=None)
    item = lic_ops.add_to_agenda(session, rejected, actor=None)
    lic_ops.record_decision(item, ApplicationState.REJECTED, "فاصله از دفتر مجاور کافی نیست.", actor=None)
    item = lic_ops.add_to_agenda(session, deferred, actor=None)
    lic_ops.record_decision(item, ApplicationState.DEFERRED, "مدارک مالکیت کامل نیست.", actor=None)

    # ---------------------------------------------------------------- visits, as the tablet sends them
    def visit(name, target, purpose, started):
        y.visits[name], _ = inspection_ops.submit_visit(
            h.visit_payload(target, purpose=purpose, point=(target.lat, target.lon), started=started),
            actor=inspector,
        )

    s = y.sites
    visit("v1", s["c1"], "performance", at(FIRST_DAY))  # 1 Farvardin 1401
    visit("v2", s["c2"], "health", at(j(1401, 5, 10)))
    visit("v3", s["a1"], "atm_kiosk", at(j(1401, 7, 1)))
    visit("v4", s["c4"], "complaint", at(j(1401, 8, 10)))
    visit("v6", s["k1"], "atm_kiosk", at(LAST_DAY, 20, 0))  # 23:30 in Tehran, still 29 Esfand
    visit("v7", s["c3"], "performance", at(j(1401, 4, 10)))
    visit("before", s["c1"], "performance", at(j(1400, 12, 29)))
    visit("after", s["c1"], "performance", at(LAST_DAY, 21, 0))  # 00:30 of 1 Farvardin 1402 in Tehran

    # ---------------------------------------------------------------- the violations committee
    members = factories.make_committee(5)

    def rule(name, office, codes, opened_on, held_on, penalty, **data):
        case = factories.make_ready_case(office, codes=codes, offence_on=opened_on, opened_on=opened_on)
        y.cases[name] = case
        found = [] if penalty == "acquittal" else list(codes)
        y.rulings[name] = factories.make_ruling(
            case, members=members, held_on=held_on, penalty=penalty, codes=found, **data
        )
        return y.rulings[name]

    # c4: suspended for 30 days from the day the ruling was served (1 Khordad), back on 31 Khordad.
    r2 = rule("k2", s["c4"], ("V07", "V01"), j(1401, 2, 5), j(1401, 2, 25), "suspension", suspension_days=30)
    committee_ops.serve_ruling(r2, j(1401, 3, 1), actor=None)
    lic_ops.lift_ended_suspensions(j(1401, 5, 1))
    # c3: suspended for a year from 1 Shahrivar: not active at the end of 1401.
    r1 = rule("k1", s["c3"], ("V02",), j(1401, 5, 5), j(1401, 5, 25), "suspension", suspension_days=365)
    committee_ops.serve_ruling(r1, j(1401, 6, 1), actor=None)
    rule("k3", s["c1"], ("V05",), j(1401, 9, 1), j(1401, 9, 20), "fine", fine_amount=20_000_000)
    # Opened in Esfand 1401, heard in 1402: the case counts in 1401, the session and ruling do not.
    rule("k4", s["r1"], ("V02",), j(1401, 12, 25), j(1402, 1, 20), "written_warning")
    # Opened in 1400, heard in Farvardin 1401.
    rule("k5", s["c2"], ("V03",), j(1400, 12, 20), j(1401, 1, 15), "acquittal")
    return y


# The figures the report of 1401 must show, worked out by hand from build_1401().
EXPECTED_1401 = {
    "year": 1401,
    # counter: c1, c2, c4 (restored), n1 — not c3 (suspended), old (revoked), n3 (1402);
    # rural: r1, n2 (licensed on the last day) — not later (1402); ATM a1 — not a2 (closed); kiosk k1.
    "sites_active": {"counter_office": 4, "rural_ict_office": 2, "atm": 1, "bank_kiosk": 1},
    "licences_issued": {
        "counter_office": {"new": 1, "transfer": 1, "renewal": 1, "address_change": 0},
        "rural_ict_office": {"new": 1, "transfer": 0, "renewal": 0, "address_change": 1},
    },
    "visits": {
        "total": 7,
        "by_site_kind": {"counter_office": 4, "rural_ict_office": 1, "atm": 1, "bank_kiosk": 1},
        "by_purpose": {
            "performance": 2,
            "health": 1,
            "new_site": 1,
            "address_change": 0,
            "complaint": 1,
            "atm_kiosk": 2,
        },
    },
    # approve() holds a session per request (n1, renewal, transfer, address change, n2, n3) + one
    # session with a rejection and a deferral.
    "working_group_sessions": 7,
    "working_group_decisions": {"approved": 6, "rejected": 1, "deferred": 1},
    # k5 (Farvardin), k2 (Ordibehesht), k1 (Mordad), k3 (Azar); k4's session is in 1402.
    "committee_sessions": 4,
    "cases_opened": 4,
    "cases_by_violation": {
        "V01": 1,
        "V02": 2,
        "V03": 0,
        "V04": 0,
        "V05": 1,
        "V06": 0,
        "V07": 1,
        "V08": 0,
        "V09": 0,
        "V10": 0,
    },
    "rulings_by_penalty": {
        "acquittal": 1,
        "written_warning": 0,
        "filed_notice": 0,
        "fine": 1,
        "suspension": 2,
        "revocation": 0,
    },
}

# Per county: active sites by kind, licences issued, visits, cases opened.
EXPECTED_COUNTIES_1401 = {
    "خرم‌آباد": ({"counter_office": 4, "rural_ict_office": 0, "atm": 1, "bank_kiosk": 0}, 3, 4, 2),
    "بروجرد": ({"counter_office": 0, "rural_ict_office": 2, "atm": 0, "bank_kiosk": 1}, 2, 3, 2),
}
