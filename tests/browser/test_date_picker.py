"""The Jalali date picker on a date field, at tablet and desktop size: picking a day fills the
field in Persian digits and the form takes it; typing a date in Latin digits still works."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from core.clock import today_tehran
from core.persian import jalali, parse_jalali, to_persian_digits
from core.security import Role
from letters.models import Letter


def _write(page, subject: str) -> None:
    page.get_by_label("گیرنده (شخص یا سمت)").fill("مدیر امور شعب")
    page.get_by_label("موضوع").fill(subject)
    page.get_by_label("متن", exact=True).fill("با سلام")
    page.get_by_role("button", name="ثبت نامه").click()
    expect(page.locator(".alert-success")).to_contain_text("ثبت شد")


def test_pick_a_date_and_type_one(db, new_page, log_in_as, screenshot):
    today = jalali(today_tehran())
    first_of_month = f"{today.year:04d}/{today.month:02d}/01"  # the picker writes Latin digits
    for size in ("tablet", "desktop"):
        page = new_page(size)
        log_in_as(page, Role.LICENSING)
        page.goto("/letters/new")
        field = page.get_by_label("تاریخ نامه")
        expect(field).to_have_value(to_persian_digits(f"{today.year:04d}/{today.month:02d}/{today.day:02d}"))
        field.click()  # today's date, shown in Persian digits, opens the picker on this month
        picker = page.locator("jdp-container")
        expect(picker).to_be_visible()
        expect(picker.locator(".jdp-month")).to_be_visible()
        screenshot(page, f"date-picker-{size}", full_page=False)
        picker.locator(".jdp-day:not(.not-in-month)").first.click()
        expect(field).to_have_value(first_of_month)
        _write(page, f"برگزیده با تقویم {size}")
        letter = db.session.scalar(select(Letter).where(Letter.subject == f"برگزیده با تقویم {size}"))
        assert letter.letter_date == parse_jalali(first_of_month)
        db.session.rollback()  # the server writes next: hold no SQLite lock here

    # Typing works too, in Latin or Persian digits; the picker then opens on the typed month.
    page.goto("/letters/new")
    field = page.get_by_label("تاریخ نامه")
    field.fill("")
    field.fill("۱۴۰۴/۰۱/۰۵")
    expect(page.locator("jdp-container")).to_be_hidden()  # typing closes the picker
    _write(page, "تاریخ تایپ‌شده")
    letter = db.session.scalar(select(Letter).where(Letter.subject == "تاریخ تایپ‌شده"))
    assert letter.letter_date == date(2025, 3, 25)  # 5 Farvardin 1404
