"""The violations committee through the API: a case from complaint to ruling, the hearing (quorum,
votes, recusal, a member's own vote), the ruling's service, fine and appeal; who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts import tokens as token_ops
from committees import operations as committee_ops
from committees.models import Case, CaseState, Ruling, RulingState
from core.clock import today_tehran
from core.security import Role
from licensing.models import LicenceStatus
from tests import factories
from tests.api.conftest import ApiCaller, assert_json_error, assert_page

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock


@pytest.fixture
def secretary(caller):
    return caller(Role.COMMITTEE_SECRETARY)


@pytest.fixture
def office(db):
    licence = factories.make_licence(code="66123456")
    db.session.commit()
    return licence.site


def case_body(**changes) -> dict:
    return {
        "office_code": "66123456",
        "source": "complaint",
        "complainant": "شهروند",
        "violation_type_ids": [factories.violation_type("V02").id],
        "offence_on": "1401/06/10",
        "opened_on": "2022-09-05",
        "summary": "دفتر در ساعت اداری بسته بود.",
        **changes,
    }


def test_a_case_goes_from_complaint_to_ready(secretary, office, db):
    response = secretary.post("/cases", json=case_body())
    assert response.status_code == 201, response.get_data(as_text=True)
    case = response.get_json()
    assert (
        case["state"] == "open"
        and case["offence_on"] == "2022-09-01"
        and case["opened_on_jalali"] == "1401/06/14"
    )
    assert case["site"]["id"] == office.id and case["licence_number"]
    assert case["violations"][0]["code"] == "V02" and case["suggestions"][0]["penalty"]
    url = f"/cases/{case['id']}"
    asked = secretary.post(f"{url}/defence-request", json={"requested_on": "2022-09-06"})
    assert (
        asked.get_json()["state"] == "awaiting_defence"
        # Ten working days: not Fridays 9 and 16 September, nor Arbaeen (Saturday 17 September).
        and asked.get_json()["defence_deadline"] == "2022-09-19"
    )
    defended = secretary.post(
        f"{url}/defence", json={"defence_on": "1401/06/17", "defence_text": "متصدی بیمار بود."}
    )
    assert defended.status_code == 200 and defended.get_json()["defence_on"] == "2022-09-08"
    ready = secretary.post(f"{url}/ready")
    assert ready.get_json()["state"] == "ready"
    assert_json_error(secretary.post(f"{url}/ready"), 409, "conflict")
    closed = secretary.post(f"{url}/close", json={"reason": "شاکی شکایت خود را پس گرفت."})
    assert closed.get_json()["state"] == "closed"
    items = assert_page(secretary.get("/cases?state=closed").get_json(), total=1)
    assert items[0]["number"] == case["number"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"office_code": "00000000"}, "office_code"),
        ({"violation_type_ids": []}, "violation_type_ids"),
        ({"violation_type_ids": [999999]}, "violation_type_ids"),
        ({"violation_type_ids": "V02"}, "violation_type_ids"),
        ({"source": "inspection"}, "source"),
        ({"complainant": None}, "complainant"),
        ({"offence_on": "2022-09-30"}, "offence_on"),
        ({"summary": ""}, "summary"),
    ],
)
def test_a_bad_case_is_a_422_naming_the_field(secretary, office, db, changes, field):
    assert_json_error(secretary.post("/cases", json=case_body(**changes)), 422, field=field)
    assert db.session.scalar(select(Case)) is None


def test_a_case_action_checks_its_input_and_state(secretary, office, db):
    case = factories.make_case(office)
    db.session.commit()
    url = f"/cases/{case.id}"
    assert_json_error(secretary.post(f"{url}/defence-request", json={}), 422, field="requested_on")
    assert_json_error(secretary.post(f"{url}/defence-request", json={"requested_on": "2999-01-01"}), 422)
    assert_json_error(
        secretary.post(f"{url}/defence", json={"defence_on": "2022-09-08", "defence_text": "x"}), 409
    )
    assert_json_error(secretary.post(f"{url}/close", json={"reason": ""}), 422, field="reason")
    assert_json_error(secretary.post("/cases/999999/ready"), 404)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.LICENSING, Role.COMMITTEE_MEMBER, Role.INSPECTOR])
def test_only_the_secretary_and_the_admin_run_cases(caller, office, db, role):
    case = factories.make_case(office)
    db.session.commit()
    someone = caller(role)
    assert_json_error(someone.post("/cases", json=case_body()), 403)
    assert_json_error(someone.post(f"/cases/{case.id}/ready"), 403)
    if role == Role.INSPECTOR:
        assert_json_error(someone.get(f"/cases/{case.id}"), 403)
    else:
        assert someone.get(f"/cases/{case.id}").status_code == 200


def test_a_hearing_through_the_api_ends_in_a_ruling_that_acts_on_the_licence(
    app, caller, secretary, office, db
):
    members = factories.make_committee(3)
    member_user = factories.make_user(role=Role.COMMITTEE_MEMBER)
    committee_ops.save_member(
        members[2],
        {
            "full_name": members[2].full_name,
            "organisation": members[2].organisation,
            "user_id": member_user.id,
        },
        actor=None,
    )
    case = factories.make_ready_case(office)
    db.session.commit()
    created = secretary.post("/committee-sessions", json={"held_on": "1401/06/30", "place": "سالن جلسات"})
    assert created.status_code == 201 and created.get_json()["held_on"] == "2022-09-21"
    url = f"/committee-sessions/{created.get_json()['id']}"
    assert secretary.post(f"{url}/agenda", json={"case_id": case.id}).status_code == 201
    attendance = secretary.put(f"{url}/attendance", json={"member_ids": [m.id for m in members]})
    assert attendance.status_code == 200 and attendance.get_json()["quorum"]["ok"] is True
    hearing = f"{url}/cases/{case.id}"
    votes = secretary.post(
        f"{hearing}/votes", json={"votes": [{"member_id": members[0].id, "choice": "for"}]}
    )
    assert votes.get_json()["agenda"][0]["tally"]["for"] == 1
    assert_json_error(secretary.post(f"{hearing}/ruling", json=factories.ruling_data()), 409, "conflict")

    me = caller(Role.COMMITTEE_MEMBER)
    assert_json_error(me.post(f"{hearing}/my-vote", json={"choice": "for"}), 403, "not_a_member")
    own = ApiCaller(
        app.test_client(), member_user, token_ops.issue_token(member_user, name="t", actor=None).secret
    )
    db.session.commit()
    assert own.post(f"{hearing}/my-vote", json={"choice": "for"}).get_json()["agenda"][0]["tally"]["for"] == 2
    assert_json_error(own.post(f"{hearing}/my-vote", json={"choice": "maybe"}), 422, field="choice")

    ruling = secretary.post(
        f"{hearing}/ruling", json=factories.ruling_data(penalty="suspension", suspension_days=10)
    )
    assert ruling.status_code == 201, ruling.get_data(as_text=True)
    body = ruling.get_json()
    assert (
        body["state"] == "issued"
        and body["ruled_on_jalali"] == "1401/06/30"
        and body["suspension_days"] == 10
    )
    assert secretary.post(f"{url}/close").get_json()["closed"] is True
    detail = secretary.get(url).get_json()
    assert detail["agenda"][0]["ruling"]["number"] == body["number"]
    assert [a["id"] for a in detail["attendance"]] == [m.id for m in members]

    served = secretary.post(f"/rulings/{body['id']}/service", json={"served_on": "1401/07/01"})
    assert served.status_code == 200 and served.get_json()["suspension_until"] == "2022-10-02"
    licence = committee_ops.current_licence(office)
    assert licence.status == LicenceStatus.SUSPENDED
    appeal = secretary.post(
        f"/rulings/{body['id']}/appeals", json={"filed_on": "2022-09-25", "grounds": "تعلیق سنگین است."}
    )
    assert appeal.status_code == 201 and appeal.get_json()["state"] == "under_appeal"
    appeal_id = appeal.get_json()["appeals"][0]["id"]
    decided = secretary.post(
        f"/rulings/{body['id']}/appeals/{appeal_id}/decision",
        json={
            "outcome": "replaced",
            "decided_on": "2022-09-28",
            "decision_reasoning": "تذکر کتبی کافی است.",
            "replacement": factories.ruling_data(),
        },
    )
    assert decided.status_code == 200, decided.get_data(as_text=True)
    assert (
        decided.get_json()["penalty"] == "written_warning" and decided.get_json()["replaces_id"] == body["id"]
    )
    assert db.session.get(Ruling, body["id"]).state == RulingState.REPLACED
    assert db.session.get(Case, case.id).state == CaseState.CLOSED
    rulings = assert_page(secretary.get(f"/rulings?case_id={case.id}").get_json(), total=2)
    assert {r["state"] for r in rulings} == {"replaced", "final"}


def test_a_hearing_refuses_what_its_rules_refuse(secretary, office, db):
    members = factories.make_committee(3)
    case = factories.make_ready_case(office)
    other = factories.make_case(factories.make_licence().site)
    db.session.commit()
    created = secretary.post("/committee-sessions", json={"held_on": "2022-09-21"}).get_json()
    url = f"/committee-sessions/{created['id']}"
    assert_json_error(secretary.post(f"{url}/agenda", json={"case_id": other.id}), 409)  # not ready
    assert_json_error(secretary.post(f"{url}/agenda", json={"case_id": 999999}), 422, field="case_id")
    secretary.post(f"{url}/agenda", json={"case_id": case.id})
    hearing = f"{url}/cases/{case.id}"
    absent = {"votes": [{"member_id": members[0].id, "choice": "for"}]}
    assert_json_error(secretary.post(f"{hearing}/votes", json=absent), 422, field="member_id")
    assert_json_error(
        secretary.put(f"{url}/attendance", json={"member_ids": [999999]}), 422, field="member_ids"
    )
    secretary.put(f"{url}/attendance", json={"member_ids": [m.id for m in members]})
    assert_json_error(secretary.post(f"{hearing}/votes", json={"votes": []}), 422, field="votes")
    assert_json_error(
        secretary.post(f"{hearing}/votes", json={"votes": [{"member_id": 999999, "choice": "for"}]}), 422
    )
    recusal = secretary.post(
        f"{hearing}/recusals", json={"member_id": members[0].id, "reason": "خویشاوندی با متصدی"}
    )
    assert (
        recusal.status_code == 201
        and recusal.get_json()["agenda"][0]["recusals"][0]["member_id"] == members[0].id
    )
    assert_json_error(
        secretary.post(f"{hearing}/votes", json={"votes": [{"member_id": members[0].id, "choice": "for"}]}),
        422,
    )
    assert_json_error(
        secretary.post(f"{url}/cases/{other.id}/votes", json={"votes": []}), 404
    )  # not on agenda
    assert_json_error(secretary.post(f"{url}/cases/{other.id}/ruling", json=factories.ruling_data()), 404)
    assert_json_error(secretary.post(f"{url}/corrections", json={"text": "اصلاح"}), 409)  # still open
    bad = factories.ruling_data(penalty="fine", fine_amount=10**14)
    assert_json_error(secretary.post(f"{hearing}/ruling", json=bad), 422, field="fine_amount")


def test_rulings_are_served_fined_and_paid(secretary, office, db):
    ruling = factories.make_ruling(factories.make_ready_case(office), penalty="fine", fine_amount=20_000_000)
    db.session.commit()
    url = f"/rulings/{ruling.id}"
    assert_json_error(secretary.post(f"{url}/fine-payment", json={"paid_on": "2022-10-01"}), 409)
    served_on = ruling.ruled_on + timedelta(days=1)
    assert secretary.post(f"{url}/service", json={"served_on": served_on.isoformat()}).status_code == 200
    assert_json_error(secretary.post(f"{url}/service", json={"served_on": served_on.isoformat()}), 409)
    paid = secretary.post(
        f"{url}/fine-payment", json={"paid_on": (served_on + timedelta(days=2)).isoformat()}
    )
    assert paid.get_json()["fine_status"] == "paid" and paid.get_json()["fine_amount"] == 20_000_000
    assert_json_error(
        secretary.post(f"{url}/appeals", json={"filed_on": "2030-01-01", "grounds": "x"}),
        422,
        field="filed_on",
    )
    assert_json_error(
        secretary.post(
            f"{url}/appeals/999999/decision",
            json={
                "outcome": "confirmed",
                "decided_on": today_tehran().isoformat(),
                "decision_reasoning": "x",
            },
        ),
        404,
    )
    assert secretary.get(url).get_json()["penalty_text"].startswith("جریمه نقدی")


def test_who_reads_sessions_rulings_and_the_catalogue(caller, office, db):
    ruling = factories.make_ruling(factories.make_ready_case(office))
    db.session.commit()
    officer = caller(Role.LICENSING)
    assert officer.get(f"/rulings/{ruling.id}").status_code == 200
    assert_json_error(officer.get("/committee-sessions"), 403)
    assert_json_error(officer.get(f"/committee-sessions/{ruling.session_id}"), 403)
    member = caller(Role.COMMITTEE_MEMBER)
    assert assert_page(member.get("/committee-sessions").get_json(), total=1)
    assert_json_error(member.get("/committee-members"), 403)
    assert_json_error(member.post(f"/rulings/{ruling.id}/service", json={"served_on": "2022-10-01"}), 403)
    codes = [t["code"] for t in assert_page(member.get("/violation-types?per_page=100").get_json())]
    assert "V02" in codes
    secretary = caller(Role.COMMITTEE_SECRETARY)
    assert assert_page(secretary.get("/committee-members").get_json(), total=3)
    assert_json_error(secretary.get("/rulings?penalty=death"), 422, field="penalty")
