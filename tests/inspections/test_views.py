"""The inspection screens through HTTP: the tablet pages and their offline support, visit pages and
who may open them, referral, planning, routes and the checklist editor."""

from __future__ import annotations

import json
import re

import pytest
from flask import render_template_string
from sqlalchemy import select

from committees.models import Case
from core.clock import today_tehran
from core.persian import format_jalali
from core.security import Role
from inspections import operations as ops
from inspections.models import Assignment, AssignmentState, ChecklistVersion
from tests import factories
from tests.inspections import helpers as h

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock


@pytest.fixture
def site(db):
    site = factories.make_site(name="دفتر پیشخوان کوثر", lat=h.SITE_POINT[0], lon=h.SITE_POINT[1])
    db.session.commit()
    return site


def _visit(db, site, inspector, **kwargs):
    content = h.image_bytes()
    visit, _ = ops.submit_visit(h.visit_payload(site, photos=[content], **kwargs), actor=inspector)
    ops.store_photo(visit, h.sha(content), content, actor=inspector)
    db.session.commit()
    return visit


# ---------------------------------------------------------------- the tablet pages


def test_the_desk_lists_own_assignments_first_with_a_start_button(app, db, site):
    me = h.client_for(app, Role.INSPECTOR, full_name="علیرضا حسنوند")
    other = h.make_inspector(full_name="فاطمه دالوند")
    second = factories.make_site(name="دفتر دوم")
    ops.assign_visit(inspector=other, planned_on=today_tehran(), purpose="health", site=second, actor=None)
    mine = ops.assign_visit(
        inspector=me.user, planned_on=today_tehran(), purpose="performance", site=site, actor=None
    )
    db.session.commit()
    page = me.get("/inspections/").get_data(as_text=True)
    assert page.index("دفتر پیشخوان کوثر") < page.index("دفتر دوم")
    assert f"/inspections/visits/new?assignment={mine.id}" in page
    assert "صف ارسال این دستگاه" in page and "ارسال اکنون" in page
    assert 'data-sw-url="/sw.js"' in page and 'data-sw-scope="/inspections/"' in page


def test_the_visit_form_carries_its_site_and_the_csrf_token(app, db, site):
    me = h.client_for(app, Role.INSPECTOR)
    assignment = ops.assign_visit(
        inspector=me.user, planned_on=today_tehran(), purpose="performance", site=site, actor=None
    )
    db.session.commit()
    response = me.get(f"/inspections/visits/new?assignment={assignment.id}")
    page = response.get_data(as_text=True)
    context = json.loads(
        re.search(r'<script type="application/json" id="visit-context">(.*?)</script>', page, re.S).group(1)
    )
    assert context["site"]["id"] == site.id and context["purpose"] == "performance"
    assert context["assignment"]["id"] == assignment.id
    assert context["query"] == f"?assignment={assignment.id}"
    assert re.search(r'data-csrf-token="[^"]{20,}"', page)
    assert "inspections-visit.js" in page and "inspections-outbox.js" in page
    assert me.get("/inspections/visits/new?site=999999").status_code == 404
    plain = me.get("/inspections/visits/new")
    assert plain.status_code == 200  # the shell the service worker keeps for offline use


def test_the_service_worker_is_public_javascript_for_the_inspection_pages(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/inspections/"
    script = response.get_data(as_text=True)
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", script).group(1))
    assert {
        "/inspections/",
        "/inspections/visits/new",
        "/inspections/offline.json",
        "/static/js/inspections-outbox.js",
        "/static/js/inspections-visit.js",
        "/static/vendor/vazirmatn/Vazirmatn-Regular.woff2",
    } <= {url.split("?v=")[0] for url in precache}  # static URLs carry their file's fingerprint
    assert re.search(r'const VERSION = "[0-9a-f]{24}"', script)
    assert client.get("/sw.js").get_data(as_text=True) == script


def test_offline_data_and_a_fresh_token_for_the_outbox(app, db, site):
    me = h.client_for(app, Role.INSPECTOR)
    ops.assign_visit(
        inspector=me.user, planned_on=today_tehran(), purpose="performance", site=site, actor=None
    )
    db.session.commit()
    bundle = me.get("/inspections/offline.json")
    assert bundle.headers["Cache-Control"] == "private, no-cache" and bundle.headers["ETag"]
    data = bundle.get_json()
    assert data["user_id"] == me.user.id and data["sites"][0]["name"] == "دفتر پیشخوان کوثر"
    session = me.get("/inspections/session.json").get_json()
    assert session["user_id"] == me.user.id and session["csrf_token"]
    anonymous = h.UserClient(app.test_client()).get(
        "/inspections/session.json", headers={"Accept": "application/json"}
    )
    assert anonymous.status_code == 401 and anonymous.get_json()["error"]["message"]


# ---------------------------------------------------------------- visit pages and who sees them


def test_visit_pages_by_role(app, db, site):
    author = h.client_for(app, Role.INSPECTOR)
    visit = _visit(db, site, author.user, point=h.FAR_POINT, fail=("V07",))
    url = f"/inspections/visits/{visit.uuid}"
    photo = f"{url}/photos/{visit.photos[0].sha256}"
    page = author.get(url).get_data(as_text=True)
    assert "دور از محل" in page and "تابلوی تعرفه" in page and "ارجاع به کمیته تخلفات" in page
    own = author.get(photo)
    assert own.status_code == 200 and own.mimetype == "image/jpeg"
    own.close()
    another_inspector = h.client_for(app, Role.INSPECTOR)
    for target in (url, photo, f"{url}/report.pdf"):
        assert another_inspector.get(target).status_code == 403
    assert visit.uuid not in another_inspector.get("/inspections/visits").get_data(as_text=True)
    for role in (Role.VIEWER, Role.LICENSING, Role.COMMITTEE_SECRETARY, Role.ADMIN):
        reader = h.client_for(app, role)
        assert reader.get(url).status_code == 200, role
        assert visit.uuid in reader.get("/inspections/visits").get_data(as_text=True)
    # A committee member reads a visit and its photos only once it is evidence in a case.
    member = h.client_for(app, Role.COMMITTEE_MEMBER)
    for target in (url, photo, f"{url}/report.pdf"):
        assert member.get(target).status_code == 403, target
    assert visit.uuid not in member.get("/inspections/visits").get_data(as_text=True)
    ops.refer_to_committee(visit, actor=author.user)
    db.session.commit()
    for target in (url, photo):
        answer = member.get(target)
        assert answer.status_code == 200, target
        answer.close()
    assert visit.uuid in member.get("/inspections/visits").get_data(as_text=True)
    licensing = h.client_for(app, Role.LICENSING)
    assert licensing.get("/inspections/visits/new").status_code == 403
    assert licensing.get("/inspections/").status_code == 403
    assert author.get("/inspections/visits/not-a-uuid").status_code == 404


def test_the_list_filters_flagged_and_incomplete_visits(app, db, site):
    me = h.client_for(app, Role.INSPECTOR)
    far = _visit(db, site, me.user, point=h.FAR_POINT)
    near = _visit(db, site, me.user, point=h.NEAR_POINT)
    flagged = me.get("/inspections/visits?flagged=1").get_data(as_text=True)
    assert far.uuid in flagged and near.uuid not in flagged
    ops.submit_visit(h.visit_payload(site), actor=me.user)
    db.session.commit()
    incomplete = me.get("/inspections/visits?incomplete=1").get_data(as_text=True)
    assert far.uuid not in incomplete and "در انتظار عکس" in incomplete


def test_referral_from_the_visit_page(app, db, site):
    author = h.client_for(app, Role.INSPECTOR)
    visit = _visit(db, site, author.user, fail=("V07", "V01"))
    url = f"/inspections/visits/{visit.uuid}"
    answers = {a.item.violation_type.code: a.id for a in ops.referable_answers(visit)}
    viewer = h.client_for(app, Role.VIEWER)
    assert viewer.post(f"{url}/refer", data={"answer_ids": [answers["V07"]]}).status_code == 403
    stranger = h.client_for(app, Role.INSPECTOR)
    assert stranger.post(f"{url}/refer", data={"answer_ids": [answers["V07"]]}).status_code == 403
    empty = author.post(f"{url}/refer", data={}, follow_redirects=True).get_data(as_text=True)
    assert "دست‌کم یک بند" in empty
    response = author.post(
        f"{url}/refer", data={"answer_ids": [answers["V07"]], "summary": ""}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    case = db.session.scalar(select(Case))
    assert case.visit_uuid == visit.uuid and [v.violation_type.code for v in case.violations] == ["V07"]
    assert "در کمیته تخلفات تشکیل شد" in page and "از این بازدید تشکیل شده است" in page
    secretary = h.client_for(app, Role.COMMITTEE_SECRETARY)
    again = secretary.post(
        f"{url}/refer", data={"answer_ids": [answers["V01"]]}, follow_redirects=True
    ).get_data(as_text=True)
    assert "پیش‌تر به کمیته" in again


def test_the_report_pdf_is_served(app, db, site):
    author = h.client_for(app, Role.INSPECTOR)
    visit = _visit(db, site, author.user)
    response = author.get(f"/inspections/visits/{visit.uuid}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert "visit-2022-09-16" in response.headers["Content-Disposition"]


def test_the_site_page_snippet_lists_the_sites_visits(app, db, site):
    author = h.client_for(app, Role.INSPECTOR)
    visit = _visit(db, site, author.user, fail=("V10",))
    snippet = '{% include "inspections/_site_visits.html" %}'
    with app.test_request_context("/"):
        from flask_login import login_user

        viewer = factories.make_user(role=Role.VIEWER)
        login_user(viewer)
        html = render_template_string(snippet, site=site)
    assert visit.uuid in html and "۱۴۰۱/۰۶/۲۵" in html and "۱ مورد نامطلوب" in html


# ---------------------------------------------------------------- planning


def test_a_licensing_officer_plans_a_due_site_and_the_inspector_routes_it(app, db, site):
    inspector = h.make_inspector(full_name="علیرضا حسنوند")
    db.session.commit()
    officer = h.client_for(app, Role.LICENSING)
    due = officer.get("/inspections/due").get_data(as_text=True)
    assert "دفتر پیشخوان کوثر" in due and "هرگز" in due and "برنامه‌ریزی" in due
    day = today_tehran()
    response = officer.post(
        "/inspections/assignments",
        data={
            "inspector_id": inspector.id,
            "planned_on": format_jalali(day),
            "purpose": "performance",
            "site_id": site.id,
            "note": "",
        },
        follow_redirects=True,
    )
    assert "برنامه‌ریزی شد" in response.get_data(as_text=True)
    assignment = db.session.scalar(select(Assignment))
    assert assignment.inspector_id == inspector.id and assignment.planned_on == day
    assert "علیرضا حسنوند" in officer.get("/inspections/due").get_data(as_text=True)

    me = h.UserClient(app.test_client())
    me.post("/login", data={"username": inspector.username, "password": factories.DEFAULT_PASSWORD})
    assert me.post("/inspections/assignments", data={}).status_code == 403
    route = me.get("/inspections/route?start_lat=33.4&start_lon=48.3").get_data(as_text=True)
    assert "دفتر پیشخوان کوثر" in route and "کیلومتر" in route
    listing = me.get("/inspections/assignments").get_data(as_text=True)
    assert 'class="table-primary"' in listing and "شروع بازدید" in listing
    officer.post(f"/inspections/assignments/{assignment.id}/cancel")
    db.session.refresh(assignment)
    assert assignment.state == AssignmentState.CANCELLED


def test_a_request_is_planned_from_the_assignments_page(app, db):
    request = h.new_site_request()
    inspector = h.make_inspector()
    db.session.commit()
    admin = h.client_for(app, Role.ADMIN)
    page = admin.get("/inspections/assignments").get_data(as_text=True)
    assert "بازدید تأسیس" in page
    admin.post(
        "/inspections/assignments",
        data={
            "inspector_id": inspector.id,
            "planned_on": format_jalali(today_tehran()),
            "purpose": "new_site",
            "visit_request_id": request.id,
        },
    )
    assignment = db.session.scalar(select(Assignment))
    assert assignment.visit_request_id == request.id and assignment.site_id is None


def test_planning_refusals_are_flashed(app, db, site):
    officer = h.client_for(app, Role.LICENSING)
    viewer = factories.make_user(role=Role.VIEWER)
    inspector = h.make_inspector()
    db.session.commit()
    cases = [
        ({"inspector_id": viewer.id, "planned_on": "1401/06/25"}, "انتخاب درستی نیست."),
        ({"inspector_id": inspector.id, "planned_on": "1401/06/25"}, "تاریخ برنامه نمی‌تواند گذشته باشد."),
        (
            {
                "inspector_id": inspector.id,
                "planned_on": format_jalali(today_tehran()),
                "purpose": "atm_kiosk",
            },
            "انجام نمی‌شود",
        ),
    ]
    for data, message in cases:
        page = officer.post(
            "/inspections/assignments",
            data={"purpose": "performance", "site_id": site.id, **data},
            follow_redirects=True,
        ).get_data(as_text=True)
        assert message in page
    assert db.session.scalar(select(Assignment)) is None


# ---------------------------------------------------------------- checklists


def _edit_form(version, **overrides):
    data = {}
    for n, item in enumerate(version.items):
        data.update(
            {
                f"items-{n}-text": item.text,
                f"items-{n}-answer_type": item.answer_type.value,
                f"items-{n}-severity": item.severity.value,
                f"items-{n}-violation_type_id": str(item.violation_type_id or 0),
            }
        )
        if item.required:
            data[f"items-{n}-required"] = "y"
    data.update(overrides)
    return data


def test_the_admin_edits_a_checklist_into_a_new_version(app, db):
    checklist = ops.checklist_for("performance", "counter_office")
    v1 = checklist.current_version
    admin = h.client_for(app, Role.ADMIN)
    page = admin.get(f"/inspections/checklists/{checklist.id}/edit").get_data(as_text=True)
    assert "تابلوی تعرفه" in page and "ذخیره نسخه تازه" in page
    n = len(v1.items)
    unchanged = admin.post(f"/inspections/checklists/{checklist.id}/edit", data=_edit_form(v1)).get_data(
        as_text=True
    )
    assert "تغییری نکرده‌اند" in unchanged
    form = _edit_form(
        v1,
        **{
            f"items-{n}-text": "کپسول آتش‌نشانی در دسترس است",
            f"items-{n}-answer_type": "yes_no",
            f"items-{n}-severity": "medium",
            f"items-{n}-violation_type_id": "0",
            "note": "ایمنی",
        },
    )
    form["items-0-text"] = ""  # dropping the first item
    response = admin.post(f"/inspections/checklists/{checklist.id}/edit", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    versions = db.session.scalars(
        select(ChecklistVersion)
        .where(ChecklistVersion.checklist_id == checklist.id)
        .order_by(ChecklistVersion.number)
    ).all()
    assert [v.number for v in versions] == [1, 2]
    assert len(versions[1].items) == n and versions[1].items[-1].text.startswith("کپسول")
    assert versions[1].items[0].text != v1.items[0].text and len(versions[0].items) == n
    old = admin.get(f"/inspections/checklists/{checklist.id}?version=1").get_data(as_text=True)
    assert v1.items[0].text in old
    inspector = h.client_for(app, Role.INSPECTOR)
    assert inspector.get(f"/inspections/checklists/{checklist.id}").status_code == 200
    assert inspector.get(f"/inspections/checklists/{checklist.id}/edit").status_code == 403
    assert inspector.post(f"/inspections/checklists/{checklist.id}/active").status_code == 403


def test_a_second_checklist_for_the_same_purpose_and_kind_is_refused(app, db):
    admin = h.client_for(app, Role.ADMIN)
    page = admin.post(
        "/inspections/checklists/new",
        data={
            "title": "دوباره",
            "purpose": "health",
            "site_kind": "counter_office",
            "items-0-text": "بند",
            "items-0-answer_type": "yes_no",
            "items-0-severity": "low",
            "items-0-violation_type_id": "0",
        },
    ).get_data(as_text=True)
    assert "وجود دارد" in page


def test_a_checklist_can_be_switched_off_and_leaves_the_offline_data(app, db):
    admin = h.client_for(app, Role.ADMIN)
    checklist = ops.checklist_for("complaint", "rural_ict_office")
    admin.post(f"/inspections/checklists/{checklist.id}/active")
    db.session.expire_all()
    assert not checklist.active
    bundle = ops.offline_bundle(admin.user)
    assert len(bundle["checklists"]) == 11


def test_the_dashboard_has_an_inspections_panel(app, db, site):
    me = h.client_for(app, Role.INSPECTOR)
    ops.assign_visit(
        inspector=me.user, planned_on=today_tehran(), purpose="performance", site=site, actor=None
    )
    db.session.commit()
    mine = me.get("/").get_data(as_text=True)
    assert "بازدیدهای من" in mine and "میز بازرس و صف ارسال" in mine
    viewer = h.client_for(app, Role.VIEWER)
    page = viewer.get("/").get_data(as_text=True)
    assert "محل‌های در نوبت بازدید" in page and "مأموریت‌های برنامه‌ریزی‌شده" in page
