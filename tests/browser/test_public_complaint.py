"""A citizen on a phone finds the nearest licensed office, complains about it with a photo and
follows the complaint by its code; the committee's secretary turns it into a case."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from PIL import Image
from playwright.sync_api import expect

from core.clock import today_tehran
from core.persian import format_jalali, to_persian_digits
from core.security import Role
from licensing import operations as lic_ops
from public.models import Complaint, ComplaintState
from tests import factories

HERE = {"latitude": 33.4872, "longitude": 48.3552}  # a street in Khorramabad


def _offices(db):
    issued = today_tehran() - timedelta(days=300)
    near = factories.make_licence(name="دفتر پیشخوان کوثر", lat=33.4880, lon=48.3560, issued_on=issued)
    factories.make_licence(name="دفتر پیشخوان سپیده", lat=33.5100, lon=48.3900, issued_on=issued)
    suspended = factories.make_licence(name="دفتر پیشخوان معلق", lat=33.4873, lon=48.3553, issued_on=issued)
    lic_ops.suspend_licence(
        suspended, until=today_tehran() + timedelta(days=20), reason="حکم کمیته", actor=None
    )
    code = near.site.code
    db.session.commit()
    return code


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_citizen_complains_and_the_secretary_refers_it(db, new_page, log_in_as, screenshot):
    near_code = _offices(db)
    phone = new_page("phone", geolocation=HERE, permissions=["geolocation"])
    phone.goto("/offices")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    phone.get_by_role("button", name="نزدیک‌ترین به من").click()
    phone.wait_for_url(re.compile(r"lat=33\.487"))
    cards = phone.locator(".office-card")
    expect(cards.first).to_contain_text("دفتر پیشخوان کوثر")
    expect(phone.locator("#office-list")).not_to_contain_text("معلق")
    assert "کیلومتر" in cards.first.locator(".distance").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    expect(phone.locator("#finder-map")).to_have_attribute("data-ready", "yes")
    screenshot(phone, "public-finder-phone")

    cards.first.get_by_role("link", name="دفتر پیشخوان کوثر").click()
    phone.get_by_role("link", name="ثبت شکایت از این دفتر").click()
    expect(phone.locator("#office_code")).to_have_value(to_persian_digits(near_code))
    phone.locator("#happened_on").fill(to_persian_digits(format_jalali(today_tehran() - timedelta(days=1))))
    phone.locator("#description").fill("متصدی بیش از تعرفه پول گرفت و رسید نداد.")
    phone.locator("#complainant_mobile").fill("۰۹۱۲۳۴۵۶۷۸۹")
    phone.locator("#photo").set_input_files(
        {"name": "receipt.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    )
    question = phone.locator("label[for=challenge_answer]").inner_text()
    a, b = (int("".join(str("۰۱۲۳۴۵۶۷۸۹".index(d)) for d in n)) for n in re.findall(r"[۰-۹]+", question))
    phone.locator("#challenge_answer").fill(to_persian_digits(str(a + b)))
    screenshot(phone, "public-complaint-form-phone")
    phone.get_by_role("button", name="ثبت شکایت").click()
    code = phone.locator(".tracking-code").inner_text()
    screenshot(phone, "public-complaint-filed-phone")

    phone.get_by_role("link", name="پیگیری این شکایت").click()
    expect(phone.locator("#complaint-status .status")).to_have_text(
        "شکایت شما دریافت شده و در نوبت بررسی است."
    )
    screenshot(phone, "public-complaint-track-phone")
    db.session.expire_all()
    complaint = db.session.query(Complaint).one()
    assert complaint.tracking_code == code.strip()  # Latin letters and digits, left to right
    assert complaint.photo_key and complaint.complainant_mobile == "09123456789"
    v02 = str(factories.violation_type("V02").id)
    db.session.rollback()  # end the test's read: the server writes next (SQLite has one writer)

    desk = new_page("desktop")
    log_in_as(desk, Role.COMMITTEE_SECRETARY)
    desk.goto("/complaints")
    desk.get_by_role("link", name=code.strip()).click()
    expect(desk.locator(".contact")).to_contain_text("۰۹۱۲۳۴۵۶۷۸۹")
    desk.locator("#refer-violation_type_ids").select_option(v02)
    desk.get_by_role("button", name="تشکیل پرونده تخلف").click()
    expect(desk.locator(".state")).to_have_text("ارجاع به کمیته تخلفات")
    screenshot(desk, "public-complaint-referred-desktop")
    desk.get_by_role("link", name="دیدن پرونده").click()
    expect(desk.locator("body")).to_contain_text("شکایت مردمی")
    screenshot(desk, "public-complaint-case-desktop")

    phone.reload()
    expect(phone.locator("#complaint-status .status")).to_have_text(ComplaintState.REFERRED.public_label)
    assert new_page.console_errors(phone) == [] and new_page.console_errors(desk) == []
