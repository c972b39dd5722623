"""An officer loads existing licences from an .xlsx holding two bad rows on the import screen at 1366 px:
the upload's progress and the rows checked show, the two bad lines are named in Persian, the good
rows arrive."""

from __future__ import annotations

from openpyxl import Workbook
from playwright.sync_api import expect
from sqlalchemy import func, select

from core.security import Role
from licensing.importer import COLUMNS
from licensing.models import Licence
from tests import factories
from tests.history.test_licence_import import _rows


def test_the_import_screen_shows_progress_and_line_numbered_errors(
    db, new_page, log_in_as, screenshot, tmp_path
):
    for code in ("S1", "S2", "S3", "S4", "S5"):
        factories.make_site(code=code)
    book = Workbook()
    sheet = book.active
    sheet.append([c.header for c in COLUMNS])
    for row in _rows():
        sheet.append([row.get(c.key, "") for c in COLUMNS])
    path = tmp_path / "licences.xlsx"
    book.save(path)
    db.session.commit()

    page = new_page("desktop")
    log_in_as(page, Role.LICENSING)
    page.goto("/licences")
    page.get_by_role("link", name="ورود پروانه‌های موجود از فایل").click()
    expect(page.get_by_role("heading", name="ورود پروانه‌های موجود از فایل")).to_be_visible()
    screenshot(page, "licence-import-empty-1366")
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="بارگذاری و ورود").click()
    errors = page.locator("#import-errors")
    expect(errors).to_be_visible()
    expect(page.locator("#import-result")).to_contain_text("۶ از ۶")
    expect(errors.locator("tbody tr")).to_have_count(2)
    expect(errors.locator("tbody tr").nth(0)).to_contain_text("۶")
    expect(errors.locator("tbody tr").nth(0)).to_contain_text("کد ملی ده‌رقمی نیست")
    expect(errors.locator("tbody tr").nth(1)).to_contain_text("۷")
    expect(errors.locator("tbody tr").nth(1)).to_contain_text("«NOPE»")
    assert page.locator("#import-progress").evaluate("bar => bar.value") == 100
    screenshot(page, "licence-import-errors-1366")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Licence)) == 4
