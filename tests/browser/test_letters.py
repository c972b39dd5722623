"""The letter register and a letter in a real browser, at tablet (800×1280) and desktop (1366)
size: the secretary finds the ruling's notice whose SMS failed, records its delivery in person,
and the ruling is served; the pages are RTL, Persian-digited and fit the screen."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from committees.models import Ruling
from core.calendar import add_working_days
from core.clock import today_tehran
from core.persian import format_jalali
from core.security import Role
from letters import operations as letter_ops
from letters.models import DeliveryStatus, LetterKind
from tests import factories
from tests.browser.test_committee_session import LATIN_DIGITS_IN_TEXT, NO_SIDEWAYS_SCROLL


def _seed(db):
    holder = factories.make_person("رضا", "کرمی", mobile="09351112233")
    licence = factories.make_licence(holder=holder, name="دفتر پیشخوان کوثر", issued_on=date(2021, 1, 1))
    ruling = factories.make_ruling(factories.make_ready_case(licence.site), held_on=date(2022, 10, 1))
    [notice] = letter_ops.letters_about("ruling", ruling.id)
    failed = notice.deliveries[0]
    failed.status, failed.attempts = DeliveryStatus.FAILED, 5
    failed.last_error = "SMS gateway refused: HTTP 500"
    letter_ops.write_letter(
        {
            "recipient_name": "مدیر امور شعب",
            "recipient_organisation": "بانک ملی ایران، مدیریت استان لرستان",
            "subject": "پیگیری ۳ خودپرداز خارج از سرویس",
            "body": "با سلام،\nخواهشمند است دستور فرمایید خودپردازهای خارج از سرویس راه‌اندازی شوند.",
            "recipient_email": "shoab@bmi.example.ir",
        },
        actor=None,
    )
    db.session.commit()
    return {"ruling": ruling.id, "notice": notice.id, "number": notice.number}


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.documentElement.scrollWidth")
    assert page.evaluate(LATIN_DIGITS_IN_TEXT) == []


def test_the_register_and_a_letter_on_a_tablet_and_a_desktop(db, page, new_page, log_in_as, screenshot):
    ids = _seed(db)
    log_in_as(page, Role.COMMITTEE_SECRETARY)
    page.goto("/letters/")
    expect(page.locator("h1")).to_have_text("دفتر نامه‌های صادره")
    rows = page.locator("table.letter-register tbody tr")
    expect(rows).to_have_count(3)  # the summons, the ruling notice, a hand letter
    _fits(page)
    screenshot(page, "letters-register-tablet")

    page.get_by_label("وضعیت ارسال").select_option("failed")
    page.get_by_role("button", name="نمایش").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("ابلاغ رأی")
    expect(rows.first).to_contain_text("پیامک: ناموفق")
    rows.first.get_by_role("link").click()

    expect(page.locator(".alert-danger")).to_contain_text("ارسال این نامه ناموفق بوده است")
    expect(page.locator(".letter-body")).to_contain_text("ظرف ۲۰ روز کاری از تاریخ ابلاغ")
    _fits(page)
    screenshot(page, "letters-letter-failed-tablet")

    page.get_by_label("روش تحویل").select_option("in_person")
    today = today_tehran()
    page.get_by_label("تاریخ تحویل به گیرنده").fill(format_jalali(today))
    page.get_by_label("توضیح (نام تحویل‌گیرنده، شماره مرسوله)").fill("تحویل به متصدی دفتر")
    page.get_by_role("button", name="ثبت تحویل").click()
    expect(page.locator(".alert-success")).to_contain_text("تحویل نامه ثبت شد.")
    expect(page.locator(".letter-fields")).to_contain_text(format_jalali(today))
    _fits(page)
    screenshot(page, "letters-letter-served-tablet")

    db.session.expire_all()
    ruling = db.session.get(Ruling, ids["ruling"])
    assert ruling.served_on == today
    assert ruling.appeal_deadline == add_working_days(today, 20)

    desktop = new_page("desktop", logged_in_as=page)
    desktop.goto("/letters/")
    expect(desktop.locator("table.letter-register tbody tr")).to_have_count(3)
    _fits(desktop)
    screenshot(desktop, "letters-register-desktop")
    desktop.goto(f"/letters/{ids['notice']}")
    _fits(desktop)
    screenshot(desktop, "letters-letter-desktop")
    assert LetterKind.RULING_NOTICE.label in desktop.content()
