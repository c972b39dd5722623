"""An officer takes a company's application for an urban counter office from received to an issued
licence in the browser: the managing director's, manager's and deputy's degrees are checked, the fee
is paid, the certificate names the company; the QR code printed on the licence opens the public
page, which says valid, and after revocation, revoked."""

from __future__ import annotations

import shutil
import subprocess

from playwright.sync_api import expect
from sqlalchemy import select

from core.security import Role
from licensing import operations as ops
from licensing.models import Licence
from tests import factories
from tests.browser.conftest import SCREENSHOT_DIR
from tests.tools import require_tools


def _submit(page, text: str) -> None:
    page.get_by_role("button", name=text, exact=True).first.click()
    page.wait_for_load_state()


def test_officer_issues_a_licence_and_its_qr_verifies(db, new_page, log_in_as, screenshot, tmp_path):
    require_tools("pdftoppm", package="poppler-utils")
    require_tools("zbarimg", package="zbar-tools")
    county = factories.make_county("کوهدشت", population=2_000_000)
    director = factories.make_person("نیلوفر", "بهرامی", education="master")
    company = factories.make_company("شرکت خدمات پیشخوان ستاره زاگرس", director=director)
    manager = factories.make_person("بابک", "قنبری", education="bachelor")
    deputy = factories.make_person("مینا", "رشیدی", education="bachelor")
    county_id, national_id = county.id, director.national_id
    ids = (company.national_id, manager.national_id, deputy.national_id)
    db.session.commit()

    page = new_page("tablet")
    log_in_as(page, Role.LICENSING)
    page.goto("/applications/new?kind=new")
    page.select_option("#office_kind", "counter_office")
    page.fill("#applicant_company_national_id", ids[0])
    page.fill("#manager_national_id", ids[1])
    page.fill("#deputy_national_id", ids[2])
    page.fill("#received_on", "۱۴۰۱/۰۶/۱۰")
    page.fill("#office_name", "دفتر پیشخوان خدمات دولت ستاره")
    page.select_option("#county_id", str(county_id))
    page.fill("#locality", "کوهدشت")
    page.fill("#address", "کوهدشت، خیابان امام خمینی، پلاک ۴۵")
    page.fill("#postal_code", "۶۸۸۱۷۱۳۳۴۵")
    page.fill("#lat", "33.5351")
    page.fill("#lon", "47.6089")
    page.fill("#premises_m2", "۶۵")
    page.fill("#lease_ends_on", "۱۴۰۷/۰۱/۱۵")
    screenshot(page, "licensing-new-application-tablet")
    _submit(page, "ثبت درخواست")
    expect(page.locator("h1")).to_contain_text("صدور پروانه")

    _submit(page, "آغاز بررسی")
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(factories.pdf_bytes())
    options = page.locator("select[name=document_type_id] option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    for value in options:
        page.select_option("select[name=document_type_id]", value)
        page.set_input_files("input[type=file]", str(pdf))
        _submit(page, "بارگذاری")
        expect(page.locator(".alert-success")).to_contain_text("بارگذاری شد")
    _submit(page, "درخواست بازدید محل")
    expect(page.locator("h1")).to_contain_text("در انتظار بازدید محل")
    page.locator("input[name=passed][value=yes]").check()
    page.fill("textarea[name=notes]", "محل با سند و نقشه تطبیق دارد")
    _submit(page, "ثبت نتیجه")
    expect(page.locator("#checks")).to_contain_text("پرداخت حق امتیاز")  # paid after the decision
    degree = page.locator("#checks li", has_text="مدرک تحصیلی")
    expect(degree).to_contain_text("مدیرعامل (نیلوفر بهرامی): کارشناسی ارشد")
    expect(degree).to_contain_text("جانشین مدیر (مینا رشیدی): کارشناسی")
    expect(degree).to_contain_text("برقرار")
    expect(page.locator("#checks li", has_text="نوع متقاضی")).to_contain_text("شخص حقوقی")
    screenshot(page, "licensing-application-checks-tablet")
    _submit(page, "آماده طرح در کارگروه")
    expect(page.locator("h1")).to_contain_text("آماده طرح در کارگروه")

    page.goto("/wg-sessions/new")
    page.fill("#held_on", "1401/06/22")
    page.fill("#place", "سالن جلسات اداره کل")
    _submit(page, "ثبت")
    _submit(page, "افزودن به دستور")
    page.fill("input[name=full_name]", "مجتبی صارمی")
    page.fill("input[name=title]", "رئیس کارگروه")
    page.fill("input[name=organisation]", "اداره کل ارتباطات و فناوری اطلاعات")
    _submit(page, "ثبت حاضر")
    page.select_option("select[name=decision]", "approved")
    page.fill("textarea[name=reasons]", "همه شرایط احراز شد")
    _submit(page, "ثبت تصمیم")
    expect(page.locator(".list-group").first).to_contain_text("تصویب شده")
    page.once("dialog", lambda dialog: dialog.accept())
    _submit(page, "بستن جلسه")
    expect(page.locator("h1")).to_contain_text("بسته")
    screenshot(page, "licensing-session-closed-tablet")

    page.goto(page.locator(".list-group a").first.get_attribute("href"))
    expect(page.locator("#fee")).to_contain_text("۱۷۵٬۲۰۰٬۰۰۰")  # Kuhdasht: a city over 50,000 people
    page.fill("input[name=receipt_number]", "۴۴۰۱۲۳")
    page.fill("input[name=bank]", "بانک ملی ایران")
    _submit(page, "ثبت پرداخت")
    expect(page.locator(".alert-success")).to_contain_text("پرداخت ثبت شد")
    screenshot(page, "licensing-fee-paid-tablet")
    _submit(page, "صدور پروانه")
    expect(page.locator("h1")).to_contain_text("پروانه")
    screenshot(page, "licensing-licence-tablet")

    pdf_url = page.get_by_role("link", name="چاپ پروانه (PDF)").get_attribute("href")
    response = page.request.get(pdf_url)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    (tmp_path / "licence.pdf").write_bytes(response.body())
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "110",
            "-singlefile",
            str(tmp_path / "licence.pdf"),
            str(tmp_path / "licence"),
        ],
        check=True,
        timeout=60,
    )
    shutil.copy(tmp_path / "licence.png", SCREENSHOT_DIR / "licensing-licence-pdf-company.png")
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "licence.pdf"), "-"], capture_output=True, text=True, timeout=60
    ).stdout
    assert "ستاره" in text and "زاگرس" in text and "بهرامی" in text  # the company and its CEO
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", str(tmp_path / "licence.png")], capture_output=True, text=True, timeout=60
    ).stdout.split()
    assert len(decoded) == 1 and "/verify/" in decoded[0]

    public = new_page("tablet")  # a citizen's phone: no login
    public.goto(decoded[0])
    expect(public.locator("body")).to_contain_text("معتبر")
    expect(public.locator("body")).not_to_contain_text(national_id)
    screenshot(public, "licensing-verify-valid-tablet")

    licence = db.session.scalar(select(Licence))
    ops.revoke_licence(licence, reason="فعالیت در نشانی غیرمجاز", actor=None)
    db.session.commit()
    public.reload()
    expect(public.locator("body")).to_contain_text("لغو شده")
    screenshot(public, "licensing-verify-revoked-tablet")
