"""The report screens: who may open them, every figure on the page linking to a list of exactly
that many records, Persian messages for bad periods and filters (never a 500), the Excel export,
the map's CSP and markers, and this month's panel on the dashboard."""

from __future__ import annotations

import html
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from core.persian import to_latin_digits
from core.security import CONTENT_SECURITY_POLICY, Role
from core.settings import set_setting
from registry.models import SiteKind
from tests import factories
from tests.reports.builders import EXPECTED_1401, build_1401

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

FIGURE_LINK = re.compile(r'<a class="figure-link" href="([^"]+)">([^<]+)</a>')


def _number(text: str) -> int:
    return int(to_latin_digits(text).replace("٬", "").strip())


def _total(response) -> int:
    match = re.search(r'id="record-count" data-total="(\d+)"', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:500]
    return int(match.group(1))


@pytest.fixture
def year_1401(db):
    built = build_1401()
    db.session.commit()
    return built


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 200),
        (Role.VIEWER, 200),
        (Role.LICENSING, 200),
        (Role.COMMITTEE_SECRETARY, 200),
        (Role.INSPECTOR, 403),
        (Role.COMMITTEE_MEMBER, 403),
    ],
)
def test_who_may_open_the_report(client, login_as, role, status):
    login_as(role)
    assert client.get("/reports/annual?year=1401").status_code == status
    if status == 403:
        assert client.get("/reports/annual.pdf?year=1401").status_code == 403
        assert client.get("/reports/records?figure=visits&year=1401").status_code == 403
    assert client.get("/reports/map").status_code == 200  # every staff role reads the map


def test_every_figure_on_the_page_opens_a_list_of_exactly_that_many_records(client, login_as, year_1401):
    login_as(Role.VIEWER)
    page = client.get("/reports/annual?year=1401").get_data(as_text=True)
    assert "در سال ۱۴۰۱ تعداد ۱ مجوز جدید دفاتر پیشخوان خدمات دولت" in page
    links = [(html.unescape(href), _number(text)) for href, text in FIGURE_LINK.findall(page)]
    assert len(links) > 40
    figures = {re.search(r"figure=(\w+)", href).group(1) for href, _ in links}
    assert figures == {
        "sites_active",
        "licences_issued",
        "visits",
        "wg_sessions",
        "wg_decisions",
        "committee_sessions",
        "cases",
        "cases_by_violation",
        "rulings",
    }
    for href, figure in links:
        response = client.get(href)
        assert response.status_code == 200, href
        assert _total(response) == figure, href


def test_the_records_page_shows_the_records_with_links(client, login_as, year_1401):
    login_as(Role.ADMIN)
    response = client.get(
        "/reports/records?figure=licences_issued&year=1401&office_kind=counter_office&application_kind=transfer"
    )
    text = response.get_data(as_text=True)
    assert _total(response) == 1
    licence = year_1401.licences["c2 transferred"]
    assert f"/licences/{licence.id}" in text and "انتقال" in text and "کیوان رحیمی" in text
    assert "نوع دفتر" in text and "دفتر پیشخوان خدمات دولت" in text
    sheet = load_workbook(
        io.BytesIO(
            client.get(
                "/reports/records?figure=licences_issued&year=1401&office_kind=counter_office"
                "&application_kind=transfer&format=xlsx"
            ).data
        )
    ).active
    assert sheet.sheet_view.rightToLeft
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[2]) for r in rows] == [(licence.number, "انتقال", "1401/07/01")]


def test_a_figure_opens_only_for_roles_that_may_read_its_records(client, login_as, year_1401):
    login_as(Role.LICENSING)
    page = client.get("/reports/annual?year=1401").get_data(as_text=True)
    assert "figure=committee_sessions" not in page and "figure=licences_issued" in page
    assert client.get("/reports/records?figure=committee_sessions&year=1401").status_code == 403
    assert client.get("/reports/records?figure=licences_issued&year=1401").status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year=abc", "سال را به شکل چهاررقمی"),
        ("year=۹۹", "سال را به شکل چهاررقمی"),
        ("start=1401-01-01", "هر دو تاریخ آغاز و پایان"),
        ("start=1401/13/01&end=1401/12/01", "ماه باید عددی از ۱ تا ۱۲ باشد"),
        ("start=1401/12/30&end=1402/01/10", "سال ۱۴۰۱ کبیسه نیست"),
        ("start=1402-01-10&end=1401-01-01", "تاریخ پایان نباید پیش از تاریخ آغاز باشد"),
        ("start=x&end=y", "تاریخ را به شکل سال/ماه/روز"),
        ("start=1380-01-01&end=1401-01-01", "بازه گزارش حداکثر ده سال است"),
    ],
)
def test_bad_periods_get_a_persian_message(client, login_as, query, message):
    login_as(Role.VIEWER)
    for url in (
        f"/reports/annual?{query}",
        f"/reports/annual.pdf?{query}",
        f"/reports/records?figure=visits&{query}",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert message in response.get_data(as_text=True), url


def test_leap_day_and_persian_digits_are_accepted(client, login_as):
    login_as(Role.VIEWER)
    response = client.get("/reports/annual?start=۱۴۰۳/۱۲/۳۰&end=۱۴۰۴/۰۱/۱۰")
    assert response.status_code == 200
    assert "۳۰ اسفند ۱۴۰۳ تا ۱۰ فروردین ۱۴۰۴" in response.get_data(as_text=True)
    assert "سال ۱۴۰۱" in client.get("/reports/annual?year=۱۴۰۱").get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("figure=nothing", 404, "این رقم در گزارش وجود ندارد"),
        ("", 404, "این رقم در گزارش وجود ندارد"),
        ("figure=visits&purpose=picnic", 400, "هدف بازدید معتبر نیست"),
        ("figure=visits&county=abc", 400, "شهرستان یافت نشد"),
        ("figure=rulings&penalty=death", 400, "مجازات معتبر نیست"),
        ("figure=cases_by_violation&violation=V99", 400, "نوع تخلف در فهرست تخلفات نیست"),
    ],
)
def test_bad_drill_down_arguments_get_a_persian_message(client, login_as, query, status, message):
    login_as(Role.VIEWER)
    response = client.get(f"/reports/records?year=1401&{query}")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_huge_numbers_in_the_query_string_are_no_server_error(client, login_as):
    login_as(Role.VIEWER)
    assert client.get("/reports/records?figure=visits&year=1401&county=" + "9" * 40).status_code == 400
    assert client.get("/reports/records?figure=visits&year=1401&page=" + "9" * 40).status_code == 200
    assert client.get("/reports/map/sites.json?county=" + "9" * 40).json["sites"] == []
    assert client.get("/reports/annual?year=" + "9" * 40).status_code == 400


def test_excel_export_has_a_sheet_per_table_with_the_figures(client, login_as, year_1401):
    login_as(Role.VIEWER)
    response = client.get("/reports/annual?year=1401&format=xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert 'filename="annual-report-1401.xlsx"' in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "خلاصه",
        "محل‌های فعال",
        "پروانه‌ها",
        "بازدید بر حسب نوع محل",
        "بازدید بر حسب هدف",
        "بازدید ماهانه",
        "کارگروه",
        "کمیته تخلفات",
        "تخلفات",
        "آرا",
        "شهرستان‌ها",
    ]
    assert all(sheet.sheet_view.rightToLeft for sheet in book.worksheets)

    def table(name):
        rows = list(book[name].iter_rows(values_only=True))
        return rows[0], {row[0]: row[1:] for row in rows[1:]}

    summary = table("خلاصه")[1]
    assert summary["دوره"] == ("سال ۱۴۰۱",) and summary["از تاریخ"] == ("1401/01/01",)
    assert summary["خلاصه گزارش"][0].startswith("در سال ۱۴۰۱ تعداد ۱ مجوز جدید")
    headers, active = table("محل‌های فعال")
    assert headers == ("نوع محل", "تعداد فعال در پایان دوره")
    assert active == {
        "دفتر پیشخوان خدمات دولت": (4,),
        "دفتر ICT روستایی": (2,),
        "دستگاه خودپرداز (ATM)": (1,),
        "باجه بانکی": (1,),
        "جمع": (8,),
    }
    headers, licences = table("پروانه‌ها")
    assert headers == ("نوع درخواست", "دفاتر پیشخوان خدمات دولت", "دفاتر ICT روستایی", "جمع")
    assert licences == {
        "صدور پروانه": (1, 1, 2),
        "انتقال": (1, 0, 1),
        "تمدید": (1, 0, 1),
        "تغییر نشانی": (0, 1, 1),
        "جمع": (3, 2, 5),
    }
    purposes = table("بازدید بر حسب هدف")[1]
    assert purposes["کنترل عملکرد"] == (2,) and purposes["بازدید خودپرداز / باجه"] == (2,)
    assert purposes["جمع"] == (EXPECTED_1401["visits"]["total"],)
    months = table("بازدید ماهانه")[1]
    assert len(months) == 12 and months["فروردین"] == (1,) and sum(v[0] for v in months.values()) == 7
    assert table("کارگروه")[1] == {
        "جلسات کارگروه": (7,),
        "تصمیم: تصویب شده": (6,),
        "تصمیم: رد شده": (1,),
        "تصمیم: مسکوت (تعویق)": (1,),
    }
    assert table("کمیته تخلفات")[1] == {"جلسات کمیته تخلفات": (4,), "پرونده‌های تشکیل‌شده": (4,)}
    violations = table("تخلفات")[1]
    assert violations["V02"] == ("تعطیلی دفتر در ساعات کاری بدون مجوز", 2)
    assert table("آرا")[1]["تعلیق پروانه"] == (2,) and table("آرا")[1]["جمع"] == (4,)
    headers, counties = table("شهرستان‌ها")
    assert headers[0] == "شهرستان" and headers[-1] == "پرونده‌های تخلف"
    assert counties["خرم‌آباد"] == (4, 0, 1, 0, 3, 4, 2)
    assert counties["بروجرد"] == (0, 2, 0, 1, 2, 3, 2)


def test_the_map_page_keeps_the_strict_csp_without_a_tile_server(client, login_as):
    login_as(Role.INSPECTOR)
    response = client.get("/reports/map")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    text = response.get_data(as_text=True)
    assert 'data-tile-url=""' in text and "vendor/leaflet/leaflet.js" in text
    assert "نقشه پایه تنظیم نشده است" in text


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://tiles.ostan.local:8080/{z}/{x}/{y}.png", "http://tiles.ostan.local:8080"),
        ("https://{s}.tile.example.ir/{z}/{x}/{y}.png", "https://*.tile.example.ir"),
    ],
)
def test_a_tile_server_is_allowed_on_the_map_page_only(client, login_as, db, url, origin):
    set_setting("reports.map_tile_url", url)
    set_setting("reports.map_tile_attribution", "نقشه استانداری")
    login_as(Role.VIEWER)
    response = client.get("/reports/map")
    csp = response.headers["Content-Security-Policy"]
    assert f"img-src 'self' data: blob: {origin};" in csp
    assert "script-src 'self';" in csp and "style-src 'self';" in csp
    text = response.get_data(as_text=True)
    assert f'data-tile-url="{html.escape(url)}"' in text and 'data-attribution="نقشه استانداری"' in text
    assert client.get("/reports/annual").headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "url", ["-", "javascript:alert(1)", "http://tiles.local/tile.png", "ftp://x/{z}/{x}/{y}"]
)
def test_an_unusable_tile_setting_means_no_tiles(client, login_as, db, url):
    set_setting("reports.map_tile_url", url)
    login_as(Role.VIEWER)
    response = client.get("/reports/map")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert 'data-tile-url=""' in response.get_data(as_text=True)


def test_map_markers_and_popups(client, login_as, db):
    login_as(Role.COMMITTEE_MEMBER)
    county = factories.make_county(center_lat=33.4878, center_lon=48.3558)
    office = factories.make_site(name="دفتر پیشخوان کوثر", county=county)
    factories.make_site(kind=SiteKind.ATM, county=county)
    db.session.commit()
    data = client.get("/reports/map/sites.json").json
    assert len(data["sites"]) == 2
    assert len(client.get("/reports/map/sites.json?kind=atm").json["sites"]) == 1
    assert len(client.get("/reports/map/sites.json?status=closed").json["sites"]) == 0
    assert len(client.get("/reports/map/sites.json?kind=bogus").json["sites"]) == 2  # ignored
    popup = client.get(f"/reports/map/sites/{office.id}.json").json
    assert popup["name"] == "دفتر پیشخوان کوثر" and popup["url"] == f"/sites/{office.id}"
    assert popup["kind"] == "دفتر پیشخوان خدمات دولت" and popup["status"] == "فعال"
    missing = client.get("/reports/map/sites/999999.json")
    assert missing.status_code == 404 and missing.json["error"]["message"] == "محل یافت نشد."
    assert client.get(f"/reports/map/sites/{10**30}.json").status_code == 404  # no row id: routing


def test_the_dashboard_shows_this_month_with_links(client, login_as, db):
    login_as(Role.VIEWER)
    factories.make_site(established_on=date(2020, 1, 1))
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "این ماه و امسال" in page
    due = re.search(r'id="month-due" href="([^"]+)">([^<]+)<', page)
    assert _number(due.group(2)) == 1
    assert _total(client.get(html.unescape(due.group(1)))) == 1
    assert re.search(r'id="month-visits" href="[^"]*figure=visits', page)


def test_the_inspector_dashboard_has_no_report_panel(client, login_as):
    login_as(Role.INSPECTOR)
    assert "این ماه و امسال" not in client.get("/").get_data(as_text=True)
