"""What a signed-in user is shown stays out of caches (Cache-Control: no-store), and the access
rules of issue 17: who prints a licence (it carries the holder's national ID), which visits a
committee member reads, whose route an inspector reads."""

from __future__ import annotations

import pytest

from core.security import Role
from inspections import operations as inspection_ops
from tests import factories
from tests.inspections import helpers as h

# The access table for the licence certificate (PDF with the holder's national ID): printed by
# those who issue licences; the viewer oversees licences on screen, and the other roles have no
# duty that needs the certificate.
LICENCE_PDF_ACCESS = {
    Role.ADMIN: 200,
    Role.LICENSING: 200,
    Role.VIEWER: 403,
    Role.INSPECTOR: 403,
    Role.COMMITTEE_SECRETARY: 403,
    Role.COMMITTEE_MEMBER: 403,
}


@pytest.fixture
def licence(db):
    licence = factories.make_licence()
    db.session.commit()
    return licence


@pytest.fixture
def visit(db):
    site = factories.make_site(lat=h.SITE_POINT[0], lon=h.SITE_POINT[1])
    inspector = factories.make_user(role=Role.INSPECTOR)
    db.session.commit()
    content = h.image_bytes()
    visit, _ = inspection_ops.submit_visit(
        h.visit_payload(site, photos=[content], fail=("V07",)), actor=inspector
    )
    inspection_ops.store_photo(visit, h.sha(content), content, actor=inspector)
    db.session.commit()
    return visit


def test_signed_in_answers_are_not_stored_by_any_cache(app, db, licence, visit):
    admin = h.client_for(app, Role.ADMIN)
    person = licence.holder
    urls = [
        "/",
        "/people",
        f"/people/{person.id}",
        f"/licences/{licence.id}",
        f"/licences/{licence.id}/pdf",
        "/inspections/visits?format=xlsx",
        "/committees/cases?format=xlsx",
        f"/inspections/visits/{visit.uuid}/photos/{visit.photos[0].sha256}",
        "/api/v1/sites",
        "/no-such-page",
    ]
    for url in urls:
        response = admin.get(url)
        response.close()
        assert response.headers.get("Cache-Control") == "no-store", (url, response.status_code)


def test_static_files_and_public_pages_keep_their_caching(app, client):
    static = client.get("/static/js/app.js")
    static.close()
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
    login = client.get("/login")
    assert "no-store" not in login.headers.get("Cache-Control", "")


@pytest.mark.parametrize(("role", "status"), LICENCE_PDF_ACCESS.items())
def test_the_licence_pdf_follows_the_access_table(app, db, licence, role, status):
    reader = h.client_for(app, role)
    response = reader.get(f"/licences/{licence.id}/pdf")
    response.close()
    assert response.status_code == status


def test_the_viewer_reads_the_licence_page_without_the_print_button(app, db, licence):
    viewer = h.client_for(app, Role.VIEWER)
    page = viewer.get(f"/licences/{licence.id}")
    assert page.status_code == 200
    assert f"/licences/{licence.id}/pdf" not in page.get_data(as_text=True)
    officer = h.client_for(app, Role.LICENSING)
    assert f"/licences/{licence.id}/pdf" in officer.get(f"/licences/{licence.id}").get_data(as_text=True)


def test_a_committee_member_reads_only_visits_that_are_evidence_in_a_case(app, db, visit):
    member = h.client_for(app, Role.COMMITTEE_MEMBER)
    other = inspection_ops.submit_visit(h.visit_payload(visit.site), actor=visit.inspector)[0]
    db.session.commit()
    photo = f"/inspections/visits/{visit.uuid}/photos/{visit.photos[0].sha256}"
    assert member.get(f"/api/v1/inspections/{visit.uuid}").status_code == 403
    assert member.get(photo).status_code == 403
    assert member.get("/api/v1/inspections").get_json()["items"] == []
    inspection_ops.refer_to_committee(visit, actor=visit.inspector)
    db.session.commit()
    assert member.get(f"/api/v1/inspections/{visit.uuid}").status_code == 200
    answer = member.get(photo)
    answer.close()
    assert answer.status_code == 200
    assert [v["uuid"] for v in member.get("/api/v1/inspections").get_json()["items"]] == [visit.uuid]
    assert member.get(f"/inspections/visits/{other.uuid}").status_code == 403
    secretary = h.client_for(app, Role.COMMITTEE_SECRETARY)
    assert secretary.get(f"/inspections/visits/{other.uuid}").status_code == 200


def test_an_inspector_reads_only_their_own_route(app, db):
    me = h.client_for(app, Role.INSPECTOR)
    colleague = h.client_for(app, Role.INSPECTOR)
    assert me.get("/inspections/route").status_code == 200
    assert me.get(f"/inspections/route?inspector_id={me.user.id}").status_code == 200
    assert me.get(f"/inspections/route?inspector_id={colleague.user.id}").status_code == 403
    planner = h.client_for(app, Role.LICENSING)
    assert planner.get(f"/inspections/route?inspector_id={colleague.user.id}").status_code == 200
    assert planner.get("/inspections/route?inspector_id=" + "9" * 23).status_code == 200
