"""A field day without signal: the offline data that stays fresh (the inspector's counties, licence
status, open cases, last visit; 304 when nothing changed), the licence QR's signed payload checked
offline and online, and the tablet's clock checked against the server's and the GPS fix's."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from core.clock import today_tehran
from core.errors import DomainError
from core.security import Role
from core.settings import set_setting
from inspections import operations as ops
from licensing import operations as lic_ops
from licensing import signing
from registry import operations as registry_ops
from tests import factories
from tests.inspections import helpers as h

NOW = datetime(2022, 9, 20, 6, 0, tzinfo=UTC)


@pytest.fixture
def site(db):
    site = factories.make_site(name="دفتر پیشخوان کوثر", lat=h.SITE_POINT[0], lon=h.SITE_POINT[1])
    db.session.commit()
    return site


def _inspector():
    return h.make_inspector()


# ---------------------------------------------------------------- the offline data


def test_the_bundle_holds_every_site_of_the_inspectors_counties(app, db):
    home, other = factories.make_county("خرم‌آباد"), factories.make_county("بروجرد")
    licence = factories.make_licence(county=home, name="دفتر پیشخوان نور")
    visited = factories.make_site(county=home, name="دفتر پیشخوان فجر")
    elsewhere = factories.make_site(county=other, name="دفتر پیشخوان دور")
    factories.make_case(visited)
    me = h.client_for(app, Role.INSPECTOR)
    registry_ops.set_user_counties(me.user, [home.id], actor=None)
    ops.submit_visit(h.visit_payload(visited), actor=me.user)
    db.session.commit()

    data = me.get("/inspections/offline.json").get_json()
    sites = {s["name"]: s for s in data["sites"]}
    assert set(sites) == {"دفتر پیشخوان نور", "دفتر پیشخوان فجر"} and elsewhere.name not in sites
    assert data["area"] == ["خرم‌آباد"]
    assert sites["دفتر پیشخوان نور"]["licence"]["status"] == "active"
    assert sites["دفتر پیشخوان نور"]["licence"]["number"] == licence.number
    assert sites["دفتر پیشخوان فجر"]["licence"] is None
    assert sites["دفتر پیشخوان فجر"]["open_cases"] == 1 and sites["دفتر پیشخوان نور"]["open_cases"] == 0
    assert sites["دفتر پیشخوان فجر"]["last_visit"] == "۱۴۰۱/۰۶/۲۵"
    assert [entry["number"] for entry in data["licences"]] == [licence.number]
    assert data["public_key"] == signing.public_key_b64()


def test_a_repeat_when_nothing_changed_is_a_304_and_a_suspension_changes_the_etag(app, db, frozen_at):
    frozen_at(NOW)
    licence = factories.make_licence()
    me = h.client_for(app, Role.INSPECTOR)
    registry_ops.set_user_counties(me.user, [licence.site.county_id], actor=None)
    db.session.commit()
    first = me.get("/inspections/offline.json")
    etag = first.headers["ETag"].strip('"')
    again = me.get("/inspections/offline.json", headers={"If-None-Match": f'"{etag}"'})
    assert again.status_code == 304 and len(again.get_data()) == 0
    assert again.headers["X-Server-Time"].startswith("2022-09-20T06:00")

    lic_ops.suspend_licence(licence, until=date(2022, 12, 1), reason="رأی کمیته", actor=None)
    db.session.commit()
    changed = me.get("/inspections/offline.json", headers={"If-None-Match": f'"{etag}"'})
    assert changed.status_code == 200 and changed.headers["ETag"].strip('"') != etag
    assert changed.get_json()["licences"][0]["status"] == "suspended"


def test_an_assignment_made_after_the_last_refresh_is_in_the_next_one(app, db, site):
    me = h.client_for(app, Role.INSPECTOR)
    etag = me.get("/inspections/offline.json").headers["ETag"]
    assignment = ops.assign_visit(
        inspector=me.user, planned_on=today_tehran(), purpose="performance", site=site, actor=None
    )
    db.session.commit()
    fresh = me.get("/inspections/offline.json", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert [a["id"] for a in fresh.get_json()["assignments"]] == [assignment.id]
    assert fresh.get_json()["sites"][0]["assigned"] is True


def test_an_unknown_county_is_refused(app, db):
    inspector = h.make_inspector()
    with pytest.raises(DomainError):
        registry_ops.set_user_counties(inspector, [999_999], actor=None)


# ---------------------------------------------------------------- the licence QR


def _tampered(signed: str) -> str:
    """One character of the payload changed (the status «a» of active becomes «b»…)."""
    body, signature = signed.split(".")
    index = len(body) // 2
    swapped = "A" if body[index] != "A" else "B"
    return body[:index] + swapped + body[index + 1 :] + "." + signature


def test_the_qr_payload_is_signed_and_a_changed_character_is_not_genuine(app, db, frozen_at):
    frozen_at(NOW)
    licence = factories.make_licence()
    signed = signing.sign_licence(licence)
    payload = signing.read_signed(signed)
    assert payload is not None and payload.number == licence.number and payload.status == "active"
    assert payload.site_code == licence.site.code and payload.holder == licence.holder.full_name
    assert payload.expires_on == licence.expires_on and payload.signed_at == NOW.replace(tzinfo=UTC)
    assert licence.holder.national_id not in signing._unb64(signed.split(".")[0]).decode()
    assert signing.read_signed(_tampered(signed)) is None
    assert signing.read_signed(signed + "x") is None and signing.read_signed("not-a-payload") is None


def test_verify_online_reports_a_tampered_qr_as_not_genuine(app, db, client):
    licence = factories.make_licence()
    db.session.commit()
    signed = signing.sign_licence(licence)
    genuine = client.get(f"/verify/{licence.verify_token}?q={signed}").get_data(as_text=True)
    assert 'data-valid="yes"' in genuine and "کد QR اصل نیست" not in genuine
    forged = client.get(f"/verify/{licence.verify_token}?q={_tampered(signed)}").get_data(as_text=True)
    assert 'data-valid="forged"' in forged and "کد QR اصل نیست" in forged
    # Another licence's genuine payload on this licence's link is not this licence's QR either.
    other = factories.make_licence()
    db.session.commit()
    swapped = client.get(f"/verify/{licence.verify_token}?q={signing.sign_licence(other)}")
    assert "کد QR اصل نیست" in swapped.get_data(as_text=True)
    # The link typed from the certificate (no payload) still works.
    plain = client.get(f"/verify/{licence.verify_token}").get_data(as_text=True)
    assert 'data-valid="yes"' in plain


def test_the_printed_qr_carries_the_signed_payload(app, db):
    from licensing.pdf import signed_verify_url

    licence = factories.make_licence()
    with app.test_request_context("/"):
        url = signed_verify_url(licence)
    assert url.split("?q=")[0].endswith(f"/verify/{licence.verify_token}")
    assert signing.read_signed(url.split("?q=")[1]).number == licence.number


# ---------------------------------------------------------------- the tablet's clock


def _stored(site, inspector, *, started, device_time=None, fix_at=None):
    payload = h.visit_payload(site, started=started)
    if fix_at is not None:
        payload["gps"]["fix_at"] = fix_at.isoformat()
    visit, _ = ops.submit_visit(payload, actor=inspector, device_time=device_time)
    return visit


def test_a_tablet_three_days_behind_is_flagged_and_the_day_corrected(app, db, site, frozen_at):
    frozen_at(NOW)
    behind = timedelta(days=3)
    visit = _stored(
        site, h.make_inspector(), started=NOW - behind - timedelta(hours=1), device_time=NOW - behind
    )
    assert visit.flag_clock is True
    assert visit.clock_skew_s == -3 * 86400
    assert visit.device_sent_at == NOW - behind and visit.received_at == NOW
    # The visit happened an hour before it was sent, on the true clock: 20 Sep (Tehran), not 17 Sep.
    assert visit.visited_on == date(2022, 9, 20)


def test_a_tablet_two_hours_ahead_is_flagged(app, db, site, frozen_at):
    frozen_at(NOW)
    ahead = timedelta(hours=2)
    visit = _stored(
        site, h.make_inspector(), started=NOW + ahead - timedelta(hours=3), device_time=NOW + ahead
    )
    assert visit.flag_clock is True and visit.clock_skew_s == 2 * 3600
    assert visit.visited_on == (NOW - timedelta(hours=3)).date()


def test_a_small_skew_within_the_setting_is_not_flagged(app, db, site, frozen_at):
    frozen_at(NOW)
    visit = _stored(
        site, h.make_inspector(), started=NOW - timedelta(hours=1), device_time=NOW + timedelta(minutes=4)
    )
    assert visit.flag_clock is False and visit.clock_skew_s == 240
    set_setting("inspection.max_clock_skew_min", 2)
    stricter = _stored(
        site, h.make_inspector(), started=NOW - timedelta(hours=1), device_time=NOW + timedelta(minutes=4)
    )
    assert stricter.flag_clock is True


def test_the_gps_fix_time_against_the_device_clock(app, db, site, frozen_at):
    frozen_at(NOW)
    started = NOW - timedelta(days=2)
    # Sent later from a tablet whose clock is right: but at the visit the device said 2 days
    # earlier than the satellites did (the clock was put right in between).
    satellites = started + timedelta(days=1)
    visit = _stored(site, h.make_inspector(), started=started, device_time=NOW, fix_at=satellites)
    assert visit.flag_clock is True
    assert visit.gps_skew_s == -(timedelta(days=1) - timedelta(minutes=40)).total_seconds()
    agreeing = _stored(site, h.make_inspector(), started=started, device_time=NOW)
    assert agreeing.flag_clock is False and agreeing.gps_skew_s == 0


def test_the_api_takes_the_device_time_from_its_header(app, db, site, frozen_at):
    frozen_at(NOW)
    me = h.client_for(app, Role.INSPECTOR)
    payload = h.visit_payload(site, started=NOW - timedelta(days=3, hours=1))
    response = me.post(
        "/api/v1/inspections",
        json=payload,
        headers={"X-Device-Time": (NOW - timedelta(days=3)).isoformat(), "Accept": "application/json"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["flags"]["clock"] is True
    visit = ops.find_visit(payload["uuid"])
    assert visit.clock_skew_s == -3 * 86400 and visit.visited_on == date(2022, 9, 20)


def test_the_admin_sets_an_inspectors_counties_and_only_the_admin(app, db):
    home, other = factories.make_county("خرم‌آباد"), factories.make_county("بروجرد")
    inspector = h.make_inspector(full_name="علیرضا حسنوند")
    db.session.commit()
    admin = h.client_for(app, Role.ADMIN)
    assert f"/inspections/inspectors/{inspector.id}/area" in admin.get("/admin/users").get_data(as_text=True)
    url = f"/inspections/inspectors/{inspector.id}/area"
    form = admin.get(url).get_data(as_text=True)
    assert "شهرستان‌های حوزه کار" in form and "بروجرد" in form
    response = admin.post(url, data={"counties": [str(home.id), str(other.id)]})
    assert response.status_code == 302
    assert {c.name for c in registry_ops.counties_of(inspector.id)} == {"خرم‌آباد", "بروجرد"}
    bad = admin.post(url, data={"counties": ["999999"]})
    assert bad.status_code == 200 and "is-invalid" in bad.get_data(as_text=True)
    me = h.client_for(app, Role.INSPECTOR)
    assert me.post(url, data={"counties": [str(home.id)]}).status_code == 403
    assert admin.get(f"/inspections/inspectors/{admin.user.id}/area").status_code == 404


# ---------------------------------------------------------------- the route


def test_the_route_has_a_map_and_a_geo_link_per_stop(app, db, site):
    me = h.client_for(app, Role.INSPECTOR)
    ops.assign_visit(
        inspector=me.user, planned_on=today_tehran(), purpose="performance", site=site, actor=None
    )
    db.session.commit()
    page = me.get("/inspections/route?start_lat=33.48&start_lon=48.35").get_data(as_text=True)
    assert 'id="route-map"' in page and 'id="route-data"' in page
    point = f"{h.SITE_POINT[0]},{h.SITE_POINT[1]}"
    assert f'href="geo:{point}?q={point}(' in page and "مسیریابی" in page
    assert "vendor/leaflet/leaflet.js?v=" in page


# ---------------------------------------------------------------- evidence you can follow


def test_a_case_links_to_its_visit_and_report_and_lists_evidence_by_description(app, db, site):
    import re

    inspector = _inspector()
    content = h.image_bytes()
    visit, _ = ops.submit_visit(h.visit_payload(site, photos=[content], fail=("V07",)), actor=inspector)
    ops.store_photo(visit, h.sha(content), content, actor=inspector)
    case = ops.refer_to_committee(visit, actor=inspector)
    db.session.commit()
    admin = h.client_for(app, Role.ADMIN)
    page = admin.get(f"/committees/cases/{case.id}").get_data(as_text=True)
    assert f'href="/inspections/visits/{visit.uuid}"' in page
    assert f'href="/inspections/visits/{visit.uuid}/report.pdf"' in page
    photo = next(e for e in case.evidence if e.kind == "photo")
    assert re.search(rf'href="/committees/evidence/{photo.id}[^"]*">{re.escape(photo.description)}</a>', page)
    # Hashes only in the details lines, in Latin digits; never Persian digits inside hex.
    refs = re.findall(r"data-evidence-ref>([^<]*)<", page)
    assert any(h.sha(content) in ref for ref in refs) and any(visit.uuid in ref for ref in refs)
    assert not re.search(r"[0-9a-f]*[۰-۹][0-9a-f]*[a-f][0-9a-f]*", " ".join(refs))
    listed = re.findall(r'data-evidence="(\w+)"', page)
    assert set(listed) == {"visit", "photo"}


# ---------------------------------------------------------------- a session for the field day


def test_remember_me_keeps_the_tablet_signed_in_for_the_setting(app, db, frozen_at):
    from email.utils import parsedate_to_datetime

    frozen_at(NOW)
    inspector = h.make_inspector()
    db.session.commit()
    form = {"username": inspector.username, "password": factories.DEFAULT_PASSWORD}

    # Each client through UserClient: the test's app context must not keep the last user in g.
    plain = h.UserClient(app.test_client()).post("/login", data=form)
    assert plain.status_code == 302
    assert not [c for c in plain.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]

    remembered = h.UserClient(app.test_client()).post("/login", data={**form, "remember": "y"})
    cookie = next(c for c in remembered.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert expires == NOW + timedelta(hours=14)
    assert "HttpOnly" in cookie

    set_setting("inspection.max_clock_skew_min", 10)  # other settings untouched
    set_setting("security.remember_me_hours", 10)
    db.session.commit()
    shorter = h.UserClient(app.test_client()).post("/login", data={**form, "remember": "y"})
    cookie = next(c for c in shorter.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    assert parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1)) == NOW + timedelta(hours=10)

    # The browser restarts: no session cookie, only the remember-me cookie; still signed in.
    restarted = h.UserClient(app.test_client())
    restarted.set_cookie("remember_token", cookie.split(";")[0].split("=", 1)[1])
    assert restarted.get("/inspections/session.json").status_code == 200
    # Revocable: "sign out everywhere" (the user's page, the admin's) raises the session
    # generation that the remember cookie carries; the cookie no longer signs anyone in.
    inspector.end_sessions()
    db.session.commit()
    again = h.UserClient(app.test_client())
    again.set_cookie("remember_token", cookie.split(";")[0].split("=", 1)[1])
    assert again.get("/inspections/session.json", headers={"Accept": "application/json"}).status_code == 401


def test_the_outbox_offers_a_sign_in_button(app, db):
    me = h.client_for(app, Role.INSPECTOR)
    desk = me.get("/inspections/").get_data(as_text=True)
    assert "data-outbox-login hidden" in desk and 'href="/login?next=/inspections/"' in desk
