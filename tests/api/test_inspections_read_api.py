"""Visits read back and referred through the API; the outbox itself is tested with a bearer token
too (test_inspections_api.py drives it with the session, as the tablet does)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from committees.models import Case
from core.security import Role
from inspections import operations as ops
from inspections.models import Visit
from tests import factories
from tests.api.conftest import ApiCaller, assert_json_error, assert_page
from tests.inspections import helpers as h

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock


@pytest.fixture
def site(db):
    site = factories.make_site(name="دفتر پیشخوان کوثر", lat=h.SITE_POINT[0], lon=h.SITE_POINT[1])
    db.session.commit()
    return site


def stored_visit(db, site, inspector, **kwargs) -> Visit:
    content = h.image_bytes()
    visit, _ = ops.submit_visit(h.visit_payload(site, photos=[content], **kwargs), actor=inspector)
    ops.store_photo(visit, h.sha(content), content, actor=inspector)
    db.session.commit()
    return visit


def test_the_outbox_works_with_a_token_too(caller, site, db):
    inspector = caller(Role.INSPECTOR)
    content = h.image_bytes()
    payload = h.visit_payload(site, photos=[content])
    assert inspector.post("/inspections", json=payload).status_code == 201
    assert inspector.post("/inspections", json=payload).status_code == 200
    assert_json_error(inspector.post("/inspections", json={**payload, "notes": "دیگر"}), 409, "uuid_conflict")
    photo = inspector.call(
        "PUT",
        f"/inspections/{payload['uuid']}/photos/{h.sha(content)}",
        data=content,
        content_type="image/jpeg",
    )
    assert photo.status_code == 201 and photo.get_json()["visit_complete"] is True
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
    assert_json_error(caller(Role.VIEWER).post("/inspections", json=payload), 403)


def test_an_inspector_lists_and_reads_only_their_own_visits(caller, site, db):
    me, other = caller(Role.INSPECTOR), caller(Role.INSPECTOR)
    mine = stored_visit(db, site, me.user, point=h.FAR_POINT)
    theirs = stored_visit(db, site, other.user)
    items = assert_page(me.get("/inspections").get_json(), total=1)
    assert items[0]["uuid"] == mine.uuid and items[0]["flags"]["too_far"] is True
    assert items[0]["visited_on_jalali"] == "1401/06/25" and items[0]["started_at"] == "2022-09-16T06:30:00Z"
    assert items[0]["started_at_jalali"] == "1401/06/25 11:00"  # Tehran time (+04:30 in 1401)
    assert_json_error(me.get(f"/inspections/{theirs.uuid}"), 403)
    detail = me.get(f"/inspections/{mine.uuid}").get_json()
    assert detail["site"]["id"] == site.id and detail["answers"] and detail["photos"][0]["arrived"] is True
    assert detail["cases"] == []
    assert_json_error(me.get("/inspections/00000000-0000-4000-8000-000000000000"), 404)
    assert_json_error(me.get("/inspections/not-a-uuid"), 404)


def test_other_readers_see_every_visit_with_filters(caller, site, db):
    inspector = h.make_inspector()
    far = stored_visit(db, site, inspector, point=h.FAR_POINT)
    stored_visit(db, site, inspector, purpose="health")
    viewer = caller(Role.VIEWER)
    assert assert_page(viewer.get("/inspections").get_json(), total=2)
    assert assert_page(viewer.get("/inspections?flagged=true").get_json(), total=1)[0]["uuid"] == far.uuid
    assert assert_page(viewer.get("/inspections?purpose=health").get_json(), total=1)
    assert assert_page(
        viewer.get(f"/inspections?inspector_id={inspector.id}&site_id={site.id}").get_json(), total=2
    )
    assert viewer.get(f"/inspections/{far.uuid}").status_code == 200
    assert_json_error(viewer.get("/inspections?purpose=party"), 422, field="purpose")


def test_a_visit_is_referred_to_the_committee_once(caller, site, db):
    me = caller(Role.INSPECTOR)
    visit = stored_visit(db, site, me.user, fail=("V07", "V01"))
    v07 = next(a.id for a in ops.referable_answers(visit) if a.item.violation_type.code == "V07")
    assert_json_error(caller(Role.VIEWER).post(f"/inspections/{visit.uuid}/referral", json={}), 403)
    assert_json_error(caller(Role.INSPECTOR).post(f"/inspections/{visit.uuid}/referral", json={}), 403)
    assert_json_error(
        me.post(f"/inspections/{visit.uuid}/referral", json={"answer_ids": ["one"]}),
        422,
        field="answer_ids[0]",
    )
    response = me.post(
        f"/inspections/{visit.uuid}/referral", json={"answer_ids": [v07], "summary": "فقط تابلو"}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    case = db.session.scalar(select(Case))
    assert response.get_json() == {"case_id": case.id, "case_number": case.number}
    assert [v.violation_type.code for v in case.violations] == ["V07"]
    assert me.get(f"/inspections/{visit.uuid}").get_json()["cases"] == [case.number]
    secretary = caller(Role.COMMITTEE_SECRETARY)
    assert_json_error(secretary.post(f"/inspections/{visit.uuid}/referral", json={}), 409, "conflict")


def test_anonymous_callers_cannot_read_visits(anonymous, site):
    assert_json_error(anonymous.get("/inspections"), 401)
    assert isinstance(anonymous, ApiCaller)
