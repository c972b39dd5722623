"""The text boundary (core.inbound): NUL and lone surrogates are refused with a Persian message
wherever they come in (JSON bodies, forms, query strings, file names) — never a 500 — and the
directional overrides are removed from names and file names."""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import func, select

from core.persian import clean_text
from core.security import Role
from inspections.models import Visit
from licensing import operations as licensing_ops
from registry.models import Person
from tests import factories
from tests.inspections import helpers as h

PERSIAN = re.compile("[\u0600-\u06ff]")
RLO = "\u202e"


@pytest.fixture
def site(db):
    site = factories.make_site(lat=h.SITE_POINT[0], lon=h.SITE_POINT[1])
    db.session.commit()
    return site


def post_raw(client, payload: dict):
    # ensure_ascii keeps "\ud800" as the escape a tablet's JSON.stringify would send
    return client.post("/api/v1/inspections", data=json.dumps(payload), content_type="application/json")


@pytest.mark.parametrize("bad", ["\ud800", "\udfff tail", "a\u0000b"])
def test_a_visit_with_a_lone_surrogate_or_nul_is_refused_with_a_persian_422(client, login_as, site, db, bad):
    login_as(Role.INSPECTOR)
    payload = h.visit_payload(site)
    response = post_raw(client, {**payload, "notes": f"یادداشت {bad}"})
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "validation" and PERSIAN.search(error["message"])
    assert "notes" in error["fields"] and "notes" in error["message"]
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    corrected = post_raw(client, {**payload, "notes": "یادداشت درست"})
    assert corrected.status_code == 201  # the inspector corrects the visit and sends it again


def test_a_bad_text_deep_in_the_answers_names_its_place(client, login_as, site):
    login_as(Role.INSPECTOR)
    payload = h.visit_payload(site)
    payload["answers"][0]["note"] = "\x00"
    error = post_raw(client, payload).get_json()["error"]
    assert list(error["fields"]) == ["answers[0].note"]


def test_login_with_nul_is_a_persian_400_not_a_server_error(client):
    response = client.post("/login", data={"username": "a\x00b", "password": "x"})
    assert response.status_code == 400
    assert "نویسه" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["/sites", "/people", "/applications", "/licences", "/committees/cases", "/admin/users"]
)
def test_a_nul_in_a_list_search_is_a_400(client, login_as, url):
    login_as(Role.ADMIN)
    response = client.get(url, query_string={"q": "ab\x00"})
    assert response.status_code == 400, url
    assert "نویسه" in response.get_data(as_text=True)


def test_a_nul_in_an_api_query_is_a_json_422(client, login_as):
    login_as(Role.ADMIN)
    response = client.get("/api/v1/sites", query_string={"q": "\x00"})
    assert response.status_code == 422 and response.get_json()["error"]["fields"] == {
        "q": response.get_json()["error"]["message"]
    }


def test_clean_text_removes_directional_overrides_but_keeps_isolates():
    assert clean_text(f"علی{RLO}گ\u202dپ\u202a\u202b\u202c") == "علیگپ"
    assert clean_text("\u2068A-1\u2069") == "\u2068A-1\u2069"


def test_a_person_name_loses_its_overrides(client, login_as, db):
    login_as(Role.LICENSING)
    response = client.post(
        "/people/new",
        data={"national_id": factories.national_id(), "first_name": f"{RLO}زهرا", "last_name": "کرمی\u202d"},
    )
    assert response.status_code == 302
    person = db.session.scalar(select(Person))
    assert (person.first_name, person.last_name) == ("زهرا", "کرمی")


def test_an_uploaded_file_name_loses_its_overrides(client, login_as, db):
    login_as(Role.LICENSING)
    licence = factories.make_licence()
    application = licensing_ops.create_application(
        "renewal", applicant=licence.holder, licence=licence, actor=None
    )
    db.session.commit()
    doc_type = licensing_ops.document_checklist(application)[0][0]
    response = client.post(
        f"/applications/{application.id}/documents",
        data={
            "document_type_id": str(doc_type.id),
            "file": (io.BytesIO(factories.pdf_bytes()), f"{RLO}fdp.exe.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert [d.filename for d in application.documents] == ["fdp.exe.pdf"]


def test_a_nul_in_a_path_is_refused_before_any_query(client, login_as):
    assert client.get("/verify/abc%00def").status_code == 400
    login_as(Role.ADMIN)
    assert client.get("/inspections/visits/abc%00").status_code == 400
    assert client.get("/api/v1/inspections/abc%00").status_code == 422
