"""Licensing through the API: an application from receipt to a licence (documents, checks, site
visit, working group, issue), the other kinds of application, licences by number."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from core.clock import today_tehran
from core.security import Role
from licensing import operations as ops
from licensing.models import Application, ApplicationState
from registry.models import SiteKind
from tests import factories
from tests.api.conftest import assert_json_error, assert_page

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

S = ApplicationState


def new_application(county, applicant, **changes) -> dict:
    """A rural ICT office, which a natural person may hold (DOMAIN §1)."""
    return {
        "kind": "new",
        "office_kind": "rural_ict_office",
        "applicant_national_id": applicant.national_id,
        "received_on": "1401/06/01",
        "office_name": "دفتر پیشخوان خدمات دولت مهر",
        "county_id": county.id,
        "locality": "خرم‌آباد",
        "address": "خیابان امام، پلاک ۲۰",
        "postal_code": "6813700001",
        "lat": 33.48,
        "lon": 48.35,
        "premises_m2": 60,
        "lease_ends_on": "1407/01/30",
        **changes,
    }


@pytest.fixture
def officer(caller):
    return caller(Role.LICENSING)


@pytest.fixture
def ready(db):
    county = factories.make_county(population=1_000_000)
    applicant = factories.make_person("سارا", "محمدی")
    db.session.commit()
    return county, applicant


def upload(officer, application_id: int, document_type_id: int, content: bytes, name="doc.pdf"):
    return officer.call(
        "POST",
        f"/applications/{application_id}/documents",
        data={"document_type_id": str(document_type_id), "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_an_application_goes_from_receipt_to_a_licence(officer, ready, db):
    county, applicant = ready
    response = officer.post("/applications", json=new_application(county, applicant))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["state"] == "received" and body["received_on"] == "2022-08-23"
    assert body["received_on_jalali"] == "1401/06/01" and body["number"].startswith("1401-")
    assert body["allowed_transitions"] == ["under_review", "closed"]
    assert any(c["code"] == "documents" and not c["passed"] for c in body["checks"])
    url = f"/applications/{body['id']}"

    reviewed = officer.post(f"{url}/transitions", json={"to_state": "under_review"})
    assert reviewed.status_code == 200 and reviewed.get_json()["state"] == "under_review"
    for item in body["checklist"]:
        uploaded = upload(officer, body["id"], item["document_type_id"], factories.pdf_bytes())
        assert uploaded.status_code == 201, uploaded.get_data(as_text=True)
        assert uploaded.get_json()["content_type"] == "application/pdf"
    visit = officer.post(f"{url}/visit-requests", json={"due_on": "2022-09-11", "note": "بازدید تأسیس"})
    assert visit.status_code == 201 and visit.get_json()["due_on_jalali"] == "1401/06/20"
    application = db.session.get(Application, body["id"])
    ops.record_visit_result(application.visit_requests[0], passed=True, notes="محل مناسب است", actor=None)
    db.session.commit()
    detail = officer.get(url).get_json()
    assert detail["state"] == "under_review" and detail["visit_requests"][0]["passed"] is True
    blocking = [c["code"] for c in detail["checks"] if c["blocking"] and c["code"] != "payment"]
    assert blocking == [], blocking
    assert (
        officer.post(f"{url}/transitions", json={"to_state": "ready_for_wg"}).get_json()["state"]
        == "ready_for_wg"
    )

    session = officer.post("/wg-sessions", json={"held_on": "۱۴۰۱/۰۶/۲۲", "place": "اداره کل"})
    assert session.status_code == 201 and session.get_json()["held_on"] == "2022-09-13"
    session_url = f"/wg-sessions/{session.get_json()['id']}"
    attendee = {"full_name": "مجتبی صارمی", "title": "سرپرست", "organisation": "اداره کل ارتباطات"}
    assert officer.post(f"{session_url}/attendees", json=attendee).status_code == 201
    agenda = officer.post(f"{session_url}/agenda", json={"application_id": body["id"]})
    assert agenda.status_code == 201
    item = agenda.get_json()["items"][0]
    decided = officer.post(
        f"{session_url}/agenda/{item['id']}/decision",
        json={"decision": "approved", "reasons": "شرایط احراز شد"},
    )
    assert decided.get_json()["items"][0]["decision"] == "approved"
    assert officer.post(f"{session_url}/close").get_json()["closed"] is True

    unpaid = officer.post(f"{url}/licence")
    assert unpaid.status_code == 409 and "پرداخت حق امتیاز" in unpaid.get_json()["error"]["message"]
    fee = officer.get(url).get_json()["fee"]
    assert fee == {
        "tier": "village",
        "tier_label": "روستا",
        "due": 5_840_000,
        "paid": 0,
        "outstanding": 5_840_000,
    }
    payment = {
        "amount_rials": 5_840_000,
        "receipt_number": "A-1",
        "bank": "بانک ملی",
        "paid_on": "1401/06/25",
    }
    assert officer.post(f"{url}/payments", json=payment).status_code == 201
    issued = officer.post(f"{url}/licence")
    assert issued.status_code == 201, issued.get_data(as_text=True)
    licence = issued.get_json()
    assert licence["status"] == "active" and licence["application_number"] == body["number"]
    assert licence["holder"]["id"] == applicant.id and licence["issued_on_jalali"]
    by_number = officer.get(f"/licences/{licence['number']}")
    assert by_number.status_code == 200 and by_number.get_json()["id"] == licence["id"]
    assert officer.get(url).get_json()["licences"] == [licence["number"]]


def test_a_company_applies_for_a_counter_office_through_the_api(officer, ready, db):
    county, director = ready
    company = factories.make_company("شرکت پیشخوان مهر", director=director)
    manager, deputy = factories.make_person("رضا", "امیری"), factories.make_person("لیلا", "سپهوند")
    db.session.commit()
    body = new_application(
        county,
        director,
        office_kind="counter_office",
        applicant_national_id=None,
        applicant_company_national_id=company.national_id,
        manager_national_id=manager.national_id,
        deputy_national_id=deputy.national_id,
    )
    response = officer.post("/applications", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    made = response.get_json()
    assert made["applicant_company"]["national_id"] == company.national_id
    assert made["applicant"]["id"] == director.id
    checks = {c["code"]: c for c in made["checks"]}
    assert checks["holder_type"]["passed"] and checks["holder_type"]["rule_class"] == "statutory"
    assert checks["applicant_degree"]["passed"] and "مدیرعامل" in checks["applicant_degree"]["detail"]
    natural = officer.post(
        "/applications", json=new_application(county, manager, office_kind="counter_office")
    )
    refused = {c["code"]: c for c in natural.get_json()["checks"]}["holder_type"]
    assert not refused["passed"] and not refused["overridable"]


def test_an_application_lists_and_filters(officer, ready, db):
    county, applicant = ready
    officer.post("/applications", json=new_application(county, applicant))
    licence = factories.make_licence()
    db.session.commit()
    renewal = officer.post(
        "/applications",
        json={"kind": "renewal", "licence_number": licence.number, "received_on": str(today_tehran())},
    )
    assert renewal.status_code == 201, renewal.get_data(as_text=True)
    assert renewal.get_json()["applicant"]["id"] == licence.holder_id
    viewer = officer
    assert assert_page(viewer.get("/applications").get_json(), total=2)
    assert (
        assert_page(viewer.get("/applications?kind=renewal").get_json(), total=1)[0]["licence_number"]
        == licence.number
    )
    assert assert_page(viewer.get("/applications?q=محمدی").get_json(), total=1)[0]["kind"] == "new"
    assert assert_page(viewer.get("/applications?state=closed").get_json(), total=0) == []


@pytest.mark.parametrize("kind", ["renewal", "address_change"])
def test_only_the_holder_asks_for_a_renewal_or_an_address_change_by_api(officer, db, kind):
    licence = factories.make_licence()
    stranger = factories.make_person("رضا", "کرمی")
    db.session.commit()
    body = {"kind": kind, "licence_number": licence.number, "received_on": "1401/06/01"}
    if kind == "address_change":
        body.update(address="میدان شقایق، پلاک ۳", lat=33.49, lon=48.36)
    refused = officer.post("/applications", json={**body, "applicant_national_id": stranger.national_id})
    assert_json_error(refused, 422, field="applicant_national_id")
    assert db.session.scalar(select(Application)) is None
    holder = officer.post("/applications", json={**body, "applicant_national_id": licence.holder.national_id})
    assert holder.status_code == 201 and holder.get_json()["applicant"]["id"] == licence.holder_id


def test_a_transfer_and_an_address_change_act_on_a_licence(officer, db):
    licence = factories.make_licence()
    transferee = factories.make_person("رضا", "کرمی")
    db.session.commit()
    transfer = officer.post(
        "/applications",
        json={
            "kind": "transfer",
            "licence_number": licence.number,
            "applicant_national_id": transferee.national_id,
        },
    )
    assert transfer.status_code == 201 and transfer.get_json()["applicant"]["id"] == transferee.id
    move = {"kind": "address_change", "licence_number": licence.number, "lat": 33.49, "lon": 48.36}
    assert_json_error(officer.post("/applications", json=move), 422, field="address")
    again = officer.post("/applications", json={**move, "address": "میدان شقایق، پلاک ۳"})
    assert_json_error(again, 422, field="licence_number")  # one open application per licence


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "upgrade"}, "kind"),
        ({"lat": None, "lon": None}, "lat"),
        ({"lat": 10.0}, "lat"),
        ({"office_kind": "atm"}, "office_kind"),
        ({"office_name": ""}, "office_name"),
        ({"applicant_national_id": "0012345679"}, "applicant_national_id"),
        ({"received_on": "1401/13/01"}, "received_on"),
        ({"premises_m2": -5}, "premises_m2"),
        ({"kind": "renewal", "licence_number": "15-P-1300-99999"}, "licence_number"),
    ],
)
def test_a_bad_application_is_a_422_naming_the_field(officer, ready, db, changes, field):
    county, applicant = ready
    assert_json_error(
        officer.post("/applications", json=new_application(county, applicant, **changes)), 422, field=field
    )
    assert db.session.scalar(select(Application)) is None


def test_a_step_the_workflow_forbids_is_a_409_and_decisions_are_not_steps(officer, ready, db):
    county, applicant = ready
    body = officer.post("/applications", json=new_application(county, applicant)).get_json()
    url = f"/applications/{body['id']}/transitions"
    assert_json_error(officer.post(url, json={"to_state": "ready_for_wg"}), 409, "conflict")
    assert_json_error(officer.post(url, json={"to_state": "approved"}), 422, "validation", field="to_state")
    assert_json_error(officer.post(url, json={"to_state": "closed"}), 422, field="note")
    assert_json_error(officer.post(f"/applications/{body['id']}/licence"), 409, "conflict")
    assert_json_error(officer.post("/applications/999999/transitions", json={"to_state": "closed"}), 404)


def test_documents_are_checked_by_their_content(officer, ready, db):
    county, applicant = ready
    body = officer.post("/applications", json=new_application(county, applicant)).get_json()
    type_id = body["checklist"][0]["document_type_id"]
    assert_json_error(upload(officer, body["id"], type_id, b"MZ not a pdf", "x.pdf"), 422, field="file")
    assert_json_error(
        upload(officer, body["id"], 999999, factories.pdf_bytes()), 422, field="document_type_id"
    )
    no_file = officer.call(
        "POST",
        f"/applications/{body['id']}/documents",
        data={"document_type_id": str(type_id)},
        content_type="multipart/form-data",
    )
    assert_json_error(no_file, 422, field="file")
    as_json = officer.post(f"/applications/{body['id']}/documents", json={"document_type_id": type_id})
    assert_json_error(as_json, 415, "content_type")


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.COMMITTEE_SECRETARY, Role.COMMITTEE_MEMBER])
def test_licensing_is_refused_to_roles_outside_it(caller, db, role):
    licence = factories.make_licence()
    db.session.commit()
    someone = caller(role)
    assert_json_error(someone.get("/applications"), 403)
    assert_json_error(someone.get(f"/licences/{licence.number}"), 403)
    assert_json_error(someone.get("/wg-sessions"), 403)


def test_the_viewer_reads_but_does_not_act(caller, ready, db):
    county, applicant = ready
    application = ops.create_application(
        "new",
        applicant=applicant,
        actor=None,
        office_name="دفتر",
        county_id=county.id,
        locality="خرم‌آباد",
        address="نشانی",
        lat=33.48,
        lon=48.35,
        received_on=date(2022, 8, 23),
    )
    db.session.commit()
    viewer = caller(Role.VIEWER)
    read = viewer.get(f"/applications/{application.id}").get_json()
    assert read["applicant"]["full_name"] == applicant.full_name
    assert read["applicant"]["national_id"] is None  # personal data, as on the screens
    officer_view = caller(Role.LICENSING).get(f"/applications/{application.id}").get_json()
    assert officer_view["applicant"]["national_id"] == applicant.national_id
    assert_json_error(viewer.post("/applications", json=new_application(county, applicant)), 403)
    assert_json_error(
        viewer.post(f"/applications/{application.id}/transitions", json={"to_state": "under_review"}), 403
    )
    assert_json_error(viewer.post("/wg-sessions", json={"held_on": "1401/06/22"}), 403)


def test_licences_are_listed_and_found_by_number_in_any_digits(caller, db):
    licence = factories.make_licence()
    other = factories.make_licence(SiteKind.RURAL_ICT_OFFICE)
    db.session.commit()
    viewer = caller(Role.VIEWER)
    assert assert_page(viewer.get("/licences").get_json(), total=2)
    assert assert_page(viewer.get("/licences?q=-R-").get_json(), total=1)[0]["number"] == other.number
    assert assert_page(viewer.get("/licences?status=revoked").get_json(), total=0) == []
    persian = licence.number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    body = viewer.get(f"/licences/{persian}").get_json()
    assert body["number"] == licence.number and body["issued_on"] == "2022-09-16"
    assert body["issued_on_jalali"] == "1401/06/25" and body["office_kind"] == "counter_office"
    assert_json_error(viewer.get("/licences/15-P-1300-00000"), 404)
    assert_json_error(viewer.get("/licences?expiring=maybe"), 422, field="expiring")


def test_a_working_group_session_refuses_what_its_rules_refuse(officer, ready, db):
    session = officer.post("/wg-sessions", json={"held_on": "2022-09-13"}).get_json()
    url = f"/wg-sessions/{session['id']}"
    assert_json_error(officer.post(f"{url}/close"), 409, "conflict")  # empty agenda
    assert_json_error(
        officer.post(f"{url}/agenda", json={"application_id": 999999}), 422, field="application_id"
    )
    assert_json_error(officer.post(f"{url}/attendees", json={"full_name": "x"}), 422, field="organisation")
    assert_json_error(
        officer.post(f"{url}/agenda/999999/decision", json={"decision": "approved", "reasons": "x"}), 404
    )
    assert_json_error(
        officer.post(f"{url}/agenda/1/decision", json={"decision": "licence_issued", "reasons": "x"}), 422
    )
    assert_json_error(officer.post("/wg-sessions", json={}), 422, field="held_on")
    listed = assert_page(officer.get("/wg-sessions").get_json(), total=1)
    assert listed[0]["held_on_jalali"] == "1401/06/22"
