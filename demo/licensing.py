"""Licensing demo data on top of the registry demo.

Licences for the demo offices (renewed every five years up to now), the two working-group
sessions of 1401 that approved the year's 6 counter and 8 rural ICT offices (seed 004), and a few
applications in every state of today's workflow, so that each licensing screen has something to
show. Historical rows are written directly (they describe the past); today's applications go
through the operations.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from core.clock import today_tehran
from core.counters import next_value
from core.forms import complete_company_id, complete_national_id
from core.persian import jalali_year_bounds
from licensing import operations as ops
from licensing.models import (
    AgendaItem,
    Application,
    ApplicationKind,
    ApplicationState,
    ApplicationStep,
    Licence,
    LicenceStatus,
    TermKind,
)
from registry import operations as registry_ops
from registry.models import OFFICE_KINDS, Site, SiteStatus

S = ApplicationState

WG_ATTENDEES = (
    (
        "مجتبی صارمی",
        "سرپرست اداره کل و رئیس کارگروه",
        "اداره کل ارتباطات و فناوری اطلاعات استان لرستان",
    ),
    ("کامران خدری", "معاون برنامه‌ریزی", "سازمان مدیریت و برنامه‌ریزی استان لرستان"),
    ("لیلا میرزایی", "مدیرکل فناوری اطلاعات و شبکه دولت", "استانداری لرستان"),
)

APPLICANTS = (
    ("بهروز", "ویسی", "bachelor"),
    ("الهام", "سلیمانی", "master"),
    ("یاسر", "قبادی", "bachelor"),
    ("شیرین", "آزادبخت", "bachelor"),
    ("کیوان", "رحیمی", "diploma"),
)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _history(application: Application, steps: list[tuple[date, S | None, S, str | None]]) -> None:
    for day, from_state, to_state, note in steps:
        application.steps.append(
            ApplicationStep(
                from_state=from_state,
                to_state=to_state,
                at=_at(day),
                actor_name="مریم سپهوند",
                note=note,
            )
        )


def _licence_dates(established: date, today: date) -> tuple[date, date, date | None]:
    """Issue date, expiry and last renewal of a licence renewed every five years until today."""
    expires = established + relativedelta(years=5)
    renewed = None
    while expires < today:
        renewed = expires - timedelta(days=100)
        expires += relativedelta(years=5)
    return established, expires, renewed


def _renew_up_to(licence: Licence, expires: date) -> None:
    """Renew a licence every five years (100 days before each expiry) until it runs to `expires`."""
    while licence.expires_on < expires:
        old = licence.expires_on
        ops.record_term(
            licence,
            TermKind.RENEWAL,
            on=old - timedelta(days=100),
            actor=None,
            valid_from=old,
            valid_to=old + relativedelta(years=5),
        )


def _sessions_1401(offices: list[Site]) -> list[Licence]:
    """The year's new offices, approved in two working-group sessions and licensed."""
    licences = []
    half = (len(offices) + 1) // 2
    first_day, _ = jalali_year_bounds(1401)
    for group in (offices[:half], offices[half:]):
        if not group:
            continue
        held_on = max(
            min(s.established_on for s in group) - timedelta(days=12),
            first_day + timedelta(days=20),
        )
        session = ops.schedule_session(held_on, place="سالن جلسات اداره کل", actor=None)
        for full_name, title, organisation in WG_ATTENDEES:
            ops.add_attendee(session, full_name=full_name, title=title, organisation=organisation, actor=None)
        for position, site in enumerate(group, 1):
            received = held_on - timedelta(days=45)
            application = Application(
                number=f"1401-{next_value('application:1401'):05d}",
                kind=ApplicationKind.NEW,
                office_kind=site.kind,
                state=S.LICENCE_ISSUED,
                applicant=site.operator,
                site=site,
                received_on=received,
                due_on=received + timedelta(days=90),
                office_name=site.name,
                county_id=site.county_id,
                locality=site.locality,
                locality_type=site.locality_type,
                address=site.address,
                postal_code=site.postal_code,
                lat=site.lat,
                lon=site.lon,
                decided_on=held_on,
                decision_reason="شرایط صدور پروانه احراز شد.",
            )
            _history(
                application,
                [
                    (received, None, S.RECEIVED, "ثبت درخواست"),
                    (received + timedelta(days=3), S.RECEIVED, S.UNDER_REVIEW, None),
                    (received + timedelta(days=20), S.UNDER_REVIEW, S.READY_FOR_WG, None),
                    (held_on, S.READY_FOR_WG, S.APPROVED, f"کارگروه جلسه {session.number}"),
                    (site.established_on, S.APPROVED, S.LICENCE_ISSUED, None),
                ],
            )
            session.items.append(
                AgendaItem(
                    application=application,
                    position=position,
                    decision=S.APPROVED,
                    reasons="شرایط صدور پروانه احراز شد.",
                )
            )
            licences.append(
                ops._new_licence(
                    office_kind=site.kind,
                    site=site,
                    holder=site.operator,
                    issued_on=site.established_on,
                    expires_on=site.established_on + ops._validity(site.kind),
                    application=application,
                )
            )
        session.closed = True
    return licences


def _open_applications(offices: list[Site], licences: dict[int, Licence], today: date) -> int:
    """Today's workflow: one application in each interesting state."""
    people = []
    for n, (first, last, education) in enumerate(APPLICANTS):
        people.append(
            registry_ops.create_person(
                {
                    "national_id": complete_national_id(f"4060{n:02d}123"),
                    "first_name": first,
                    "last_name": last,
                    "education": education,
                    "mobile": f"0916{n:03d}4455",
                },
                actor=None,
            )
        )
    county = offices[0].county
    active = [
        licences[s.id] for s in offices if s.id in licences and licences[s.id].status == LicenceStatus.ACTIVE
    ]
    # Urban counter offices are licensed to companies (DOMAIN §1): two demo companies.
    negin, farda = (
        registry_ops.create_company(
            {
                "name": name,
                "national_id": complete_company_id(first_ten),
                "registration_number": reg,
                "registered_on": today - timedelta(days=days),
                "registration_office": "اداره ثبت شرکت‌ها و مؤسسات غیرتجاری خرم‌آباد",
                "managing_director_id": director.id,
            },
            actor=None,
        )
        for name, first_ten, reg, days, director in (
            ("شرکت خدمات پیشخوان نگین لرستان", "1086012345", "4512", 900, people[0]),
            ("شرکت فناوری فردای زاگرس", "1086054321", "5120", 1500, people[2]),
        )
    )
    for company, member in ((negin, people[3]), (farda, people[1])):
        registry_ops.add_company_member(company, member, "director", actor=None)

    fresh = ops.create_application(
        ApplicationKind.NEW,
        applicant_company=negin,
        manager=people[3],
        deputy=people[1],
        lease_ends_on=today + relativedelta(years=5, months=2),
        actor=None,
        office_kind=OFFICE_KINDS[0],
        office_name="دفتر پیشخوان خدمات دولت نگین",
        county_id=county.id,
        locality="خرم‌آباد",
        address="خرم‌آباد، بلوار ولیعصر، نبش کوچه لاله، پلاک ۱۸",
        postal_code="6813915678",
        lat=33.4712,
        lon=48.3321,
        premises_m2=64,
        received_on=today - timedelta(days=3),
    )
    dowreh = registry_ops.find_county("دوره") or county
    late = ops.create_application(
        ApplicationKind.NEW,
        applicant=people[1],
        actor=None,
        office_kind=OFFICE_KINDS[1],
        office_name="دفتر ICT روستایی سرابدوره",
        county_id=dowreh.id,
        locality="سرابدوره",
        address="روستای سرابدوره، جنب دهیاری",
        lat=33.5601,
        lon=48.0213,
        received_on=today - timedelta(days=120),
    )
    ops.start_review(late, actor=None)

    renewal_licence = min(active, key=lambda lic: lic.expires_on)
    renewal = ops.create_application(
        ApplicationKind.RENEWAL,
        applicant=renewal_licence.holder,
        licence=renewal_licence,
        actor=None,
        received_on=today - timedelta(days=8),
    )
    ops.start_review(renewal, actor=None)

    # A transfer needs more than the minimum validity left (DOMAIN §2).
    transferable = [lic for lic in active if lic.expires_on > today + relativedelta(years=1)]
    transfer = ops.create_application(
        ApplicationKind.TRANSFER,
        applicant_company=farda,
        manager=people[2],
        deputy=people[3],
        licence=transferable[min(5, len(transferable) - 1)],
        actor=None,
        received_on=today - timedelta(days=30),
    )
    ops.start_review(transfer, actor=None)
    for doc_type, _ in ops.document_checklist(transfer):
        ops.add_document(transfer, doc_type, f"{doc_type.code}.pdf", DEMO_PDF, actor=None)
    for check in ops.eligibility_checks(transfer):
        if check.blocking and check.overridable:  # discretionary rules only: the WG's call
            ops.override_check(transfer, check.code, "موافقت رئیس کارگروه با توجه به سابقه دفتر", actor=None)
    ops.transition(transfer, S.READY_FOR_WG, actor=None)

    moving = active[9]
    address_change = ops.create_application(
        ApplicationKind.ADDRESS_CHANGE,
        applicant=moving.holder,
        licence=moving,
        actor=None,
        received_on=today - timedelta(days=12),
        address=f"{moving.site.locality}، خیابان جدید، پلاک ۵",
        locality=moving.site.locality,
        lat=(moving.site.lat or 33.48) + 0.004,
        lon=(moving.site.lon or 48.35) + 0.003,
        premises_m2=58,
        lease_ends_on=today + relativedelta(years=5, months=6),
        old_lease_ends_on=today + timedelta(days=75),
    )
    ops.start_review(address_change, actor=None)
    ops.request_site_visit(
        address_change,
        actor=None,
        due_on=today + timedelta(days=10),
        note="بررسی محل جدید پیش از طرح در کارگروه",
    )

    upcoming = ops.schedule_session(today + timedelta(days=7), place="سالن جلسات اداره کل", actor=None)
    ops.add_to_agenda(upcoming, transfer, actor=None)
    return len([fresh, late, renewal, transfer, address_change])


DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]"
    b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed_licensing_demo() -> str:
    """Licences, the 1401 working-group sessions and today's applications; flush, never commit."""
    today = today_tehran()
    offices = list(db_offices())
    first, last = jalali_year_bounds(1401)
    new_1401 = [s for s in offices if s.established_on and first <= s.established_on <= last]
    licences = {lic.site_id: lic for lic in _sessions_1401(new_1401)}
    active_seen = 0
    for site in offices:
        if site.id in licences or site.operator is None:
            continue
        issued, expires, renewed = _licence_dates(site.established_on, today)
        # A few licences run out soon, for the follow-up list.
        if site.status == SiteStatus.ACTIVE:
            if 3 <= active_seen < 8:
                expires = today + timedelta(days=25 + 20 * (active_seen - 3))
                issued, renewed = expires - relativedelta(years=5), None
            active_seen += 1
        licence = ops._new_licence(
            office_kind=site.kind,
            site=site,
            holder=site.operator,
            issued_on=issued,
            expires_on=expires if renewed is None else issued + relativedelta(years=5),
            application=None,
        )
        if renewed is not None:
            _renew_up_to(licence, expires)
        licences[site.id] = licence
    for site in offices:
        licence = licences.get(site.id)
        if licence is None:
            continue
        since = site.status_since or today
        if site.status == SiteStatus.SUSPENDED:
            ops.record_term(
                licence,
                TermKind.SUSPENSION,
                on=since,
                actor=None,
                valid_from=since,
                valid_to=today + timedelta(days=25),
                note="رأی کمیته تخلفات",
            )
        elif site.status == SiteStatus.REVOKED:
            ops.record_term(licence, TermKind.REVOCATION, on=since, actor=None, note="رأی کمیته تخلفات")
        elif site.status == SiteStatus.CLOSED:
            ops.record_term(
                licence,
                TermKind.EXPIRY,
                on=since,
                actor=None,
                valid_to=min(licence.expires_on, since),
                note="تعطیلی دفتر",
            )
    from core.extensions import db

    db.session.flush()
    opened = _open_applications(offices, licences, today)
    return (
        f"licensing demo: {len(licences)} licences, {len(new_1401)} issued in 1401 by two "
        f"working-group sessions, {opened} open applications"
    )


def db_offices():
    from core.extensions import db

    return db.session.scalars(
        select(Site).where(Site.kind.in_(OFFICE_KINDS)).order_by(Site.established_on, Site.id)
    )
