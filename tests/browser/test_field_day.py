"""A field day without signal, on the 800×1280 tablet: a visit assigned after the tablet last synced
is made offline because opening the desk online refreshed the offline data (no visit form opened);
a site found by search on the device is visited offline; a licence QR (read from an image) printed
while the licence was active shows «تعلیق» because the offline status list knows of the
suspension; a tampered QR is reported not genuine; back online, exactly one row per visit."""

from __future__ import annotations

import io
import re
from datetime import date

import segno
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from core.clock import today_tehran
from core.security import Role
from inspections import operations as ops
from inspections.models import Visit
from licensing import operations as lic_ops
from licensing.models import Licence
from licensing.pdf import signed_verify_url
from registry import operations as registry_ops
from tests import factories

SITE = (33.487800, 48.355800)
TABLET = {"latitude": 33.488100, "longitude": 48.356100, "accuracy": 14}


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 110, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def _qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def _fill_visit(page) -> None:
    """Answer every item «بله», fill numbers and photos, name the person met."""
    items = page.locator("[data-item]")
    for index in range(items.count()):
        item = items.nth(index)
        if item.locator(".choice-group").count():
            item.locator("label.choice-btn", has_text=re.compile("^بله$")).click()
        elif item.locator("input.number-input").count():
            item.locator("input.number-input").fill("۲")
        elif item.locator("[data-photo-input]").count():
            item.locator("[data-photo-input]").set_input_files(
                files=[{"name": "front.png", "mimeType": "image/png", "buffer": _photo()}]
            )
            expect(item.locator(".photo-thumb img")).to_have_count(1)
    page.locator("#person_met").fill("مریم احمدی")
    page.locator("#person_met_role").fill("متصدی")


def _seed(db):
    inspector = factories.make_user(
        role=Role.INSPECTOR, username="inspector-field", full_name="علیرضا حسنوند"
    )
    home = factories.make_county("خرم‌آباد")
    registry_ops.set_user_counties(inspector, [home.id], actor=None)
    early = factories.make_site(name="دفتر پیشخوان کوثر", county=home, lat=SITE[0], lon=SITE[1])
    ops.assign_visit(
        inspector=inspector, planned_on=today_tehran(), purpose="performance", site=early, actor=None
    )
    factories.make_site(
        name="دفتر پیشخوان باران",
        county=home,
        lat=SITE[0] + 0.0002,
        lon=SITE[1],
        address="میدان شقایق، پلاک ۷",
    )
    licence = factories.make_licence(county=home, name="دفتر پیشخوان نسیم", issued_on=today_tehran())
    db.session.flush()
    ids = inspector.username, licence.id
    db.session.commit()
    return ids


def test_a_field_day_without_signal(new_page, log_in, live_server, db, screenshot, app):
    username, licence_id = _seed(db)
    page = new_page("tablet", geolocation=TABLET, permissions=["geolocation"])
    log_in(page, username)

    # The tablet syncs in the morning: the desk online, nothing else.
    page.goto("/inspections/")
    desk = page.locator("#inspector-desk")
    expect(desk).to_have_attribute("data-sw-state", "ready")
    expect(desk).to_have_attribute("data-desk-ready", "yes")
    expect(page.locator("[data-bundle-counts]")).to_contain_text("۱ مأموریت")
    live_server.wait_until_idle()

    # Later the office assigns another visit and the licence's office is suspended; its QR was
    # printed (signed) while it was active.
    from accounts.models import User

    inspector = db.session.scalar(select(User).where(User.username == username))
    late_site = factories.make_site(
        name="دفتر پیشخوان ستاره",
        county=registry_ops.counties_of(inspector.id)[0],
        lat=SITE[0],
        lon=SITE[1] + 0.0002,
    )
    late = ops.assign_visit(
        inspector=inspector, planned_on=today_tehran(), purpose="performance", site=late_site, actor=None
    )
    licence = db.session.get(Licence, licence_id)
    with app.test_request_context("/", base_url=live_server.url):
        qr_text = signed_verify_url(licence)
    lic_ops.suspend_licence(licence, until=date(2099, 1, 1), reason="رأی کمیته تخلفات", actor=None)
    late_id = late.id
    db.session.commit()

    # Opening the desk online refreshes the offline data; no visit form is opened.
    page.goto("/inspections/")
    expect(desk).to_have_attribute("data-bundle-state", "fresh")
    expect(page.locator("[data-bundle-counts]")).to_contain_text("۲ مأموریت")
    expect(page.locator("[data-bundle-status]")).to_contain_text("آخرین به‌روزرسانی")
    screenshot(page, "field-desk-online")
    live_server.wait_until_idle()

    page.context.set_offline(True)
    page.goto("/inspections/")
    expect(desk).to_have_attribute("data-bundle-state", "cached")
    page.locator(f'a[href="/inspections/visits/new?assignment={late_id}"]').click()
    form = page.locator("#visit-app")
    expect(form).to_have_attribute("data-ready", "1")
    expect(page.locator("[data-target-name]")).to_have_text("دفتر پیشخوان ستاره")
    _fill_visit(page)
    page.get_by_role("button", name="ذخیره بازدید").click()
    expect(page.locator("[data-saved]")).to_be_visible()
    first_uuid = form.get_attribute("data-visit-uuid")

    # A site found by search on the device.
    page.goto("/inspections/")
    page.locator("[data-site-search]").fill("باران")
    result = page.locator("[data-site-results] li", has_text="دفتر پیشخوان باران")
    expect(result).to_contain_text("بدون پروانه")
    screenshot(page, "field-desk-offline-search")
    result.get_by_role("link", name="شروع بازدید").click()
    expect(form).to_have_attribute("data-ready", "1")
    expect(page.locator("[data-target-name]")).to_have_text("دفتر پیشخوان باران")
    _fill_visit(page)
    page.get_by_role("button", name="ذخیره بازدید").click()
    expect(page.locator("[data-saved]")).to_be_visible()
    second_uuid = form.get_attribute("data-visit-uuid")
    expect(page.locator("[data-outbox-count]").first).to_have_text("۲")

    # The licence QR from a photo: genuine, but suspended since it was printed.
    page.goto("/inspections/")
    page.locator("[data-qr-file]").set_input_files(
        files=[{"name": "qr.png", "mimeType": "image/png", "buffer": _qr_png(qr_text)}]
    )
    verdict = page.locator("[data-licence-result]")
    expect(verdict).to_have_attribute("data-verdict", "suspended", timeout=20_000)
    expect(verdict).to_contain_text("تعلیق")
    expect(verdict).to_contain_text("امضای کد QR معتبر است")
    expect(verdict).to_contain_text("در زمان چاپ کد: معتبر")
    screenshot(page, "field-licence-suspended")

    # One character of the payload changed: not genuine, offline too.
    body, signature = qr_text.split("?q=")[1].split(".")
    middle = len(body) // 2
    tampered = body[:middle] + ("A" if body[middle] != "A" else "B") + body[middle + 1 :]
    page.locator("[data-qr-file]").set_input_files(
        files=[
            {
                "name": "qr2.png",
                "mimeType": "image/png",
                "buffer": _qr_png(qr_text.split("?q=")[0] + "?q=" + tampered + "." + signature),
            }
        ]
    )
    expect(verdict).to_have_attribute("data-verdict", "forged", timeout=20_000)
    expect(verdict).to_contain_text("کد QR اصل نیست")
    # The number typed by hand.
    page.locator("[data-licence-form] input[name=number]").fill(licence.number)
    page.locator("[data-licence-form] button").click()
    expect(verdict).to_have_attribute("data-verdict", "suspended")
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    db.session.rollback()

    page.context.set_offline(False)
    expect(page.locator("[data-outbox-count]").first).to_have_text("۰", timeout=30_000)
    live_server.wait_until_idle()
    rows = db.session.execute(select(Visit.uuid, func.count()).group_by(Visit.uuid)).all()
    assert sorted(rows) == sorted([(first_uuid, 1), (second_uuid, 1)])
    visits = {v.uuid: v for v in db.session.scalars(select(Visit))}
    assert (
        visits[first_uuid].assignment_id == late_id and visits[first_uuid].site.name == "دفتر پیشخوان ستاره"
    )
    assert visits[second_uuid].site.name == "دفتر پیشخوان باران"
    assert not visits[first_uuid].flag_clock and visits[first_uuid].device_sent_at is not None
    db.session.rollback()
    screenshot(page, "field-after-sync")
