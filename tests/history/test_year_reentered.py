"""Issue 13's must-show: from an EMPTY database (migrations only) a directorate creates its province and
counties with the documented command, imports 50 offices and their existing licences (some renewed
twice, some transferred once) from .xlsx files, then enters a past year (1404) late through the API —
new licences, a transfer, two renewals of one licence, a relocation — all dated in that year; the
year's annual report counts them as if entered on time, and each licence's terms read as they happened.

Documents and eligibility overrides, which carry no date of their own, are attached through the
operations the API calls (tests.factories), so the test need not upload fifty files."""

from datetime import date

from openpyxl import Workbook
from sqlalchemy import func, select

from core.persian import parse_jalali
from core.security import Role
from core.settings import definitions
from licensing import operations as ops
from licensing.importer import COLUMNS as LICENCE_COLUMNS
from licensing.models import Application, Licence, LicenceTerm, TermKind
from registry.importer import COLUMNS as SITE_COLUMNS
from registry.models import County, Province, Site
from tests import factories

NOW = "2026-11-29T08:00:00+00:00"  # 1405/09/08: the year 1404 is entered late
COUNTIES = ("خرم‌آباد", "بروجرد", "دورود", "الیگودرز", "ازنا", "کوهدشت", "دلفان", "سلسله", "پلدختر")


def _xlsx(path, header, rows):
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _offices_and_licences(tmp_path):
    sites, licences = [], []
    for n in range(50):
        county = COUNTIES[n % len(COUNTIES)]
        holder = factories.national_id(5000 + n)
        site = {
            "code": f"P-{n:03d}",
            "kind": "دفتر پیشخوان",
            "name": f"دفتر پیشخوان خدمات دولت شماره {n}",
            "county": county,
            "locality": county,
            "address": f"{county}، خیابان اصلی، پلاک {n + 1}",
            "lat": 33.0 + n * 0.01,
            "lon": 48.0 + n * 0.01,
            "established_on": "1391/01/15" if n % 5 == 0 else "1396/01/15",
            "operator_national_id": holder,
            "operator_first_name": "دارنده",
            "operator_last_name": f"شماره {n}",
        }
        sites.append([site.get(c.key, "") for c in SITE_COLUMNS])
        licence = {
            "number": f"15-P-{1391 if n % 5 == 0 else 1396}-{n + 1:05d}",
            "kind": "دفتر پیشخوان",
            "site_code": site["code"],
            "holder_national_id": holder,
            "issued_on": site["established_on"],
            "expires_on": "1406/01/15",
            "renewals": "1395/11/01، 1400/11/01" if n % 5 == 0 else "1400/11/01",
        }
        if n % 7 == 3:  # transferred once, in 1402, from an earlier holder
            licence |= {
                "transferred_on": "1402/05/01",
                "previous_national_id": factories.national_id(7000 + n),
                "previous_first_name": "دارنده",
                "previous_last_name": f"پیشین {n}",
            }
        licences.append([licence.get(c.key, "") for c in LICENCE_COLUMNS])
    return (
        _xlsx(tmp_path / "offices.xlsx", [c.header for c in SITE_COLUMNS], sites),
        _xlsx(tmp_path / "licences.xlsx", [c.header for c in LICENCE_COLUMNS], licences),
    )


# The year is re-entered from paper: its offices were licensed to people under the older rules and
# its renewals were asked for outside today's window. Those statutory rules are made discretionary for
# this test and each is named as an override where it fails; any other failed check fails the test.
WAIVED = ("holder_type", "renewal_window", "lease_length", "lease_deadline", "personal_conditions")


def _through_the_working_group(officer, application_id, *, held_on, db):
    """Review and documents (undated), then the working group's session and approval on `held_on`."""
    from core.settings import set_setting

    for code in WAIVED:
        if f"rules.class.{code}" in definitions():
            set_setting(f"rules.class.{code}", "discretionary")
    application = db.session.get(Application, application_id)
    factories.attach_all_documents(application)
    ops.start_review(application, actor=None)
    failed = [c.code for c in ops.eligibility_checks(application) if not c.passed and c.code in WAIVED]
    factories.review(application, overrides=failed)
    factories.pay_fee(application, paid_on=parse_jalali(held_on))
    db.session.commit()
    session = officer.post("/wg-sessions", json={"held_on": held_on, "place": "سالن جلسات"}).json
    officer.post(
        f"/wg-sessions/{session['id']}/attendees",
        json={"full_name": "مجتبی صارمی", "organisation": "اداره کل"},
    )
    item = officer.post(f"/wg-sessions/{session['id']}/agenda", json={"application_id": application_id}).json
    item_id = item["items"][-1]["id"] if "items" in item else item["id"]
    decided = officer.post(
        f"/wg-sessions/{session['id']}/agenda/{item_id}/decision",
        json={"decision": "approved", "reasons": "شرایط احراز شد."},
    )
    assert decided.status_code in (200, 201), decided.json


def test_an_empty_database_takes_a_directorates_records_and_a_late_year(app, db, frozen_at, caller, tmp_path):
    frozen_at(NOW)
    assert db.session.scalar(select(func.count()).select_from(Province)) == 0
    runner = app.test_cli_runner()
    assert runner.invoke(args=["reference", "import", "--province", "15"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(County)) == 11
    offices, licences = _offices_and_licences(tmp_path)
    result = runner.invoke(args=["registry", "import", str(offices)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["licensing", "import", str(licences)])
    assert result.exit_code == 0 and "created 50" in result.output, result.output
    assert db.session.scalar(select(func.count()).select_from(Site)) == 50
    twice = ops.find_licence("15-P-1391-00001")
    assert [t.kind for t in twice.terms] == [TermKind.ISSUE, TermKind.RENEWAL, TermKind.RENEWAL]
    moved_on = ops.find_licence("15-P-1396-00004")
    assert [t.kind for t in moved_on.terms] == [TermKind.ISSUE, TermKind.RENEWAL, TermKind.TRANSFER]

    officer = caller(Role.LICENSING)
    county = db.session.scalar(select(County).where(County.name == "کوهدشت"))
    new_ids = []
    for n, received in enumerate(("1404/02/01", "1404/02/05")):
        created = officer.post(
            "/applications",
            json={
                "kind": "new",
                "received_on": received,
                "office_kind": "counter_office",
                "applicant_national_id": factories.make_person("متقاضی", f"تازه {n}").national_id,
                "office_name": f"دفتر پیشخوان خدمات دولت نو {n}",
                "county_id": county.id,
                "locality": "کوهدشت",
                "address": f"کوهدشت، بلوار نو، پلاک {n + 1}",
                "lat": 33.535 + n * 0.02,
                "lon": 47.606,
                "premises_m2": 60,
            },
        )
        assert created.status_code == 201, created.json
        new_ids.append(created.json["id"])
    for application_id in new_ids:
        _through_the_working_group(officer, application_id, held_on="1404/02/20", db=db)
        issued = officer.post(f"/applications/{application_id}/licence", json={"issued_on": "1404/03/01"})
        assert issued.status_code == 201, issued.json
        assert issued.json["number"].startswith("15-P-1404-") and issued.json["expires_on"] == "2030-05-22"

    def act(kind, licence, received, held, issued_on, **extra):
        body = {"kind": kind, "received_on": received, "licence_number": licence.number}
        body["applicant_national_id"] = extra.pop("applicant", licence.holder.national_id)
        created = officer.post("/applications", json=body | extra)
        assert created.status_code == 201, created.json
        _through_the_working_group(officer, created.json["id"], held_on=held, db=db)
        answer = officer.post(f"/applications/{created.json['id']}/licence", json={"issued_on": issued_on})
        assert answer.status_code == 201, answer.json
        return answer.json

    sold = ops.find_licence("15-P-1396-00002")
    buyer = factories.make_person("خریدار", "دفتر").national_id
    db.session.commit()
    transferred = act("transfer", sold, "1404/04/01", "1404/04/20", "1404/05/01", applicant=buyer)
    renewed = ops.find_licence("15-P-1396-00003")
    act("renewal", renewed, "1404/06/01", "1404/06/10", "1404/06/15")
    act("renewal", renewed, "1404/09/01", "1404/09/10", "1404/09/15")
    from registry.localities import locality_of

    # An office whose registered point lies in its own county (the import's points are made up).
    relocated = next(
        licence
        for licence in db.session.scalars(select(Licence).order_by(Licence.id))
        if licence.number not in (sold.number, renewed.number)
        and locality_of(licence.site.lat, licence.site.lon).id == licence.site.county_id
    )
    site = relocated.site
    # A move within the same town (a move to another town is refused by law: DOMAIN §3).
    act(
        "address_change",
        relocated,
        "1404/07/01",
        "1404/07/10",
        "1404/07/15",
        address=f"{site.locality}، خیابان تازه، پلاک ۹",
        locality=site.locality,
        lat=site.lat + 0.003,
        lon=site.lon,
        premises_m2=60,
        lease_ends_on="1410/07/01",
    )

    report = caller(Role.ADMIN).get("/reports/annual?year=1404").json
    issued = report["licences_issued"]["counter_office"]
    assert issued == {"new": 2, "transfer": 1, "renewal": 2, "address_change": 1}
    assert report["licences_issued"]["rural_ict_office"] == {k: 0 for k in issued}
    on_time = caller(Role.ADMIN).get("/reports/annual?year=1403").json["licences_issued"]["counter_office"]
    assert on_time == {"new": 0, "transfer": 0, "renewal": 0, "address_change": 0}

    db.session.expire_all()
    assert transferred["number"].startswith("15-P-1404-")
    assert ops.find_licence(transferred["number"]).holder.national_id == buyer
    assert [(t["kind"], t["effective_on"]) for t in transferred["terms"]][-2:] == [
        ("superseded", "2025-07-23"),
        ("transfer", "2025-07-23"),
    ]
    renewals = [t for t in ops.licence_terms(renewed) if t.kind == TermKind.RENEWAL]
    assert [(t.effective_on, t.valid_to) for t in renewals][-2:] == [
        (date(2025, 9, 6), date(2032, 4, 4)),
        (date(2025, 12, 6), date(2037, 4, 4)),
    ]
    assert renewed.expires_on == date(2037, 4, 4)
    assert all(ops.entered_late(t) for t in renewals[-2:])
    moved = db.session.scalar(select(Licence).where(Licence.previous_licence_id == relocated.id))
    assert (
        moved.site.address == f"{site.locality}، خیابان تازه، پلاک 9"
        and moved.terms[0].kind == TermKind.ADDRESS_CHANGE
    )
    assert ops.cache_disagreements() == []
    assert db.session.scalar(select(func.count()).select_from(LicenceTerm)) > 100
