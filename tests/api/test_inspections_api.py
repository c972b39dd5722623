"""POST /api/v1/inspections and PUT /api/v1/inspections/<uuid>/photos/<sha256>, as the tablet's
outbox calls them: statuses, JSON errors with Persian messages for every kind of bad input,
permissions and CSRF."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from core.security import Role
from inspections.models import Visit, VisitPhoto
from tests import factories
from tests.inspections import helpers as h

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

API = "/api/v1/inspections"
PERSIAN = re.compile("[\u0600-\u06ff]")


@pytest.fixture
def inspector(login_as):
    return login_as(Role.INSPECTOR)


@pytest.fixture
def site(db):
    site = factories.make_site(lat=h.SITE_POINT[0], lon=h.SITE_POINT[1])
    db.session.commit()
    return site


def post(client, payload, **kwargs):
    return client.post(
        API, data=json.dumps(payload, ensure_ascii=False), content_type="application/json", **kwargs
    )


def put_photo(client, uuid, content, digest=None, content_type="image/jpeg"):
    return client.put(
        f"{API}/{uuid}/photos/{digest or h.sha(content)}", data=content, content_type=content_type
    )


def assert_json_error(response, status, code=None, field=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert PERSIAN.search(error["message"]), error
    assert isinstance(error["fields"], dict)
    if code:
        assert error["code"] == code
    if field:
        assert field in error["fields"] and PERSIAN.search(error["fields"][field])
    return error


def visit_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Visit))


# ---------------------------------------------------------------- the visit


def test_a_visit_is_stored_then_already_stored_then_a_conflict(client, inspector, site, db):
    payload = h.visit_payload(site)
    created = post(client, payload)
    assert created.status_code == 201
    body = created.get_json()
    assert body["status"] == "stored" and body["uuid"] == payload["uuid"]
    assert body["complete"] is False and body["photos_missing"] == [payload["photos"][0]["sha256"]]
    assert 35 < body["distance_m"] < 50 and body["flags"]["too_far"] is False
    assert created.headers["Location"].endswith(payload["uuid"])

    again = post(client, payload)
    assert again.status_code == 200 and again.get_json()["status"] == "already_stored"

    changed = post(client, {**payload, "notes": "نسخه دیگر"})
    assert_json_error(changed, 409, "uuid_conflict")
    assert visit_count(db) == 1


def test_a_far_visit_is_stored_with_its_flag(client, inspector, site):
    response = post(client, h.visit_payload(site, point=h.FAR_POINT, accuracy=250))
    assert response.status_code == 201
    body = response.get_json()
    assert body["flags"] == {"too_far": True, "poor_fix": True, "no_fix": False, "clock": False}
    assert 1950 < body["distance_m"] < 2050


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"uuid": "123"}, "uuid"),
        ({"uuid": None}, "uuid"),
        ({"site_id": "abc"}, "site_id"),
        ({"site_id": 10**30}, "site_id"),
        ({"site_id": 987654}, "site_id"),
        ({"site_id": None}, "site_id"),
        ({"purpose": ["performance"]}, "purpose"),
        ({"checklist_version_id": "1"}, "checklist_version_id"),
        ({"started_at": 1663309800}, "started_at"),
        ({"saved_at": "2022-13-45T99:00:00"}, "saved_at"),
        ({"gps": {"lat": 200, "lon": 48.3, "accuracy_m": 10}}, "gps.lat"),
        ({"gps": {"lat": "33.4", "lon": 48.3, "accuracy_m": 10}}, "gps.lat"),
        ({"gps": {"lat": 33.4, "lon": -500, "accuracy_m": 10}}, "gps.lon"),
        ({"gps": [33.4, 48.3]}, "gps"),
        ({"gps": {"lat": 33.4, "lon": 48.3, "accuracy_m": "دقیق"}}, "gps.accuracy_m"),
        ({"answers": "yes"}, "answers"),
        ({"answers": [{"item_id": "one"}]}, "answers[0]"),
        ({"photos": [{"sha256": "xyz"}]}, "photos[0]"),
        ({"photos": "none"}, "photos"),
        ({"notes": {"text": "x"}}, "notes"),
        ({"person_met": "ب" * 151}, "person_met"),
        ({"verdict": "maybe"}, "verdict"),
        ({"assignment_id": 424242}, "assignment_id"),
    ],
)
def test_bad_fields_get_a_json_error_naming_the_field(client, inspector, site, db, change, field):
    payload = {**h.visit_payload(site), **change}
    assert_json_error(post(client, payload), 422, field=field)
    assert visit_count(db) == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "bad_json"),
        ('{"uuid": NaN}', "application/json", 400, "bad_json"),
        ('{"lat": 1e999}', "application/json", 400, "bad_json"),
        ("[" * 100_000, "application/json", 400, "bad_json"),
        (b"\xff\xfe\x00", "application/json", 400, "bad_json"),
        ("[]", "application/json", 422, "validation"),
        ('"visit"', "application/json", 422, "validation"),
        ("uuid=1", "application/x-www-form-urlencoded", 415, "content_type"),
        ("", "text/plain", 415, "content_type"),
    ],
)
def test_a_body_that_is_not_a_visit_is_a_json_error(client, inspector, body, content_type, status, code):
    response = client.post(API, data=body, content_type=content_type)
    assert_json_error(response, status, code)


def test_a_huge_body_is_refused_with_413(client, inspector, site):
    payload = h.visit_payload(site, notes="ن" * (1024 * 1024))
    assert_json_error(post(client, payload), 413)


# ---------------------------------------------------------------- photos


def test_a_photo_is_stored_once_and_completes_the_visit(client, inspector, site, db):
    first, second = h.image_bytes("jpeg"), h.image_bytes("png", color=(3, 4, 5))
    payload = h.visit_payload(site, photos=[first, second])
    assert post(client, payload).status_code == 201
    uuid = payload["uuid"]
    response = put_photo(client, uuid, first)
    assert response.status_code == 201
    assert response.get_json()["visit_complete"] is False
    assert response.get_json()["photos_missing"] == [h.sha(second)]
    again = put_photo(client, uuid, first)
    assert again.status_code == 200 and again.get_json()["status"] == "already_stored"
    last = put_photo(client, uuid, second, content_type="image/png")
    assert last.status_code == 201 and last.get_json()["visit_complete"] is True
    assert db.session.scalar(select(func.count()).select_from(VisitPhoto)) == 2
    detail = client.get(f"/inspections/visits/{uuid}/photos/{h.sha(first)}")
    assert detail.status_code == 200 and detail.data == first
    detail.close()
    assert post(client, payload).get_json()["complete"] is True


def test_photo_errors_are_json(client, inspector, site, app):
    content = h.image_bytes()
    payload = h.visit_payload(site, photos=[content])
    post(client, payload)
    uuid = payload["uuid"]
    assert_json_error(put_photo(client, uuid, content + b"!", h.sha(content)), 422, "sha256_mismatch")
    other = h.image_bytes(color=(0, 0, 0))
    assert_json_error(put_photo(client, uuid, other), 422, "photo_not_declared")
    assert_json_error(put_photo(client, uuid, content, "not-a-hash"), 400, "bad_sha256")
    assert_json_error(
        put_photo(client, "00000000-0000-4000-8000-000000000000", content), 404, "visit_not_found"
    )
    assert_json_error(put_photo(client, "nope", content), 404, "visit_not_found")
    assert_json_error(put_photo(client, uuid, b""), 422)
    text = b"plain text, declared as a photo"
    payload2 = h.visit_payload(site, photos=[text])
    post(client, payload2)
    assert_json_error(put_photo(client, payload2["uuid"], text), 415, "photo_type")


def test_a_photo_over_the_limit_is_refused_with_413(client, inspector, site, db):
    from core.settings import set_setting

    set_setting("inspection.photo_max_mb", 0)
    db.session.commit()
    big = h.image_bytes(size=(600, 600))
    payload = h.visit_payload(site, photos=[big])
    post(client, payload)
    assert_json_error(put_photo(client, payload["uuid"], big), 413)


# ---------------------------------------------------------------- who may


def test_anonymous_callers_get_a_json_401(client, site):
    response = post(client, h.visit_payload(site))
    assert_json_error(response, 401)
    assert_json_error(put_photo(client, "00000000-0000-4000-8000-000000000000", b"x"), 401)


@pytest.mark.parametrize(
    "role", [Role.VIEWER, Role.LICENSING, Role.COMMITTEE_SECRETARY, Role.COMMITTEE_MEMBER]
)
def test_other_roles_are_refused_with_a_json_403(client, login_as, site, db, role):
    login_as(role)
    assert_json_error(post(client, h.visit_payload(site)), 403)
    assert visit_count(db) == 0


def test_only_the_visits_inspector_adds_its_photos(app, client, inspector, site):
    content = h.image_bytes()
    payload = h.visit_payload(site, photos=[content])
    post(client, payload)
    other = h.client_for(app, Role.INSPECTOR)
    assert_json_error(put_photo(other, payload["uuid"], content), 403)
    admin = h.client_for(app, Role.ADMIN)
    assert put_photo(admin, payload["uuid"], content).status_code == 201


def test_the_session_needs_the_csrf_header(app, client, inspector, site, csrf_enabled):
    payload = h.visit_payload(site)
    refused = post(client, payload)
    assert_json_error(refused, 400, "csrf")
    page = client.get(f"/inspections/visits/new?site={site.id}").get_data(as_text=True)
    token = re.search(r'data-csrf-token="([^"]+)"', page).group(1)
    assert post(client, payload, headers={"X-CSRFToken": token}).status_code == 201
    fresh = client.get("/inspections/session.json").get_json()["csrf_token"]
    photo = client.put(
        f"{API}/{payload['uuid']}/photos/{payload['photos'][0]['sha256']}",
        data=b"x",
        content_type="image/jpeg",
    )
    assert_json_error(photo, 400, "csrf")
    assert fresh


def test_unknown_api_paths_and_methods_answer_in_json(client, inspector):
    assert_json_error(client.patch(API), 405)  # GET lists visits since the API grew (issue 7)
    assert_json_error(client.get("/api/v1/nothing-here"), 404)
    assert_json_error(client.delete(f"{API}/00000000-0000-4000-8000-000000000000/photos/ab"), 405)
