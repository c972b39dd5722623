"""Reports in a real browser at tablet size: the dashboard, a dashboard number followed to its
list, the annual report with its Chart.js charts, and the Leaflet map with and without a
reachable tile server — all under the strict CSP."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from core.persian import to_latin_digits, to_persian_digits
from core.security import Role
from core.settings import set_setting
from registry.models import SiteKind, SiteStatus
from tests.reports.builders import build_1401


def _number(text: str) -> int:
    return int(to_latin_digits(text).replace("٬", "").strip())


def _csp_errors(new_page, page) -> list[str]:
    return [m for m in new_page.console_errors(page) if "Content Security Policy" in m]


def _seed(db) -> dict:
    """The 1401 records, committed; returns plain facts about the sites (the test must touch no
    row after the commit: on SQLite its open transaction would lock the server out)."""
    year = build_1401()
    db.session.flush()
    sites = {
        name: {"id": s.id, "name": s.name, "kind": s.kind, "lat": s.lat, "lon": s.lon}
        for name, s in year.sites.items()
    }
    db.session.commit()
    return sites


def test_dashboard_number_opens_its_list_on_a_tablet(db, page, new_page, log_in_as, screenshot):
    _seed(db)
    log_in_as(page, Role.VIEWER)
    new_page.clear_console(page)
    page.goto("/")
    page.evaluate("document.fonts.ready")
    panel = page.get_by_role("region", name=re.compile("این ماه و امسال"))
    expect(panel).to_be_visible()
    screenshot(page, "reports-dashboard-tablet")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 800, f"horizontal scroll at 800px: scrollWidth={scroll_width}"

    # The registry's count of active counter offices, followed to the site list.
    sites = page.get_by_role("region", name=re.compile("وضعیت امروز"))
    first = sites.locator(".stat-card a").first
    shown = _number(first.inner_text())
    first.click()
    page.wait_for_url(re.compile(r"/sites\?.*status=active"))
    expect(page.locator("table tbody tr")).to_have_count(shown)

    # This month's "sites due by the end of the month", followed to the records behind it.
    page.goto("/")
    due = page.locator("#month-due")
    shown = _number(due.inner_text())
    assert shown > 0
    due.click()
    page.wait_for_url(re.compile(r"/reports/records\?figure=sites_due"))
    assert int(page.locator("#record-count").get_attribute("data-total")) == shown
    expect(page.locator("table.records tbody tr")).to_have_count(shown)
    screenshot(page, "reports-records-sites-due-tablet")
    assert new_page.console_errors(page) == []


def test_annual_report_with_charts_on_a_tablet(db, page, new_page, log_in_as, screenshot):
    _seed(db)
    log_in_as(page, Role.VIEWER)
    new_page.clear_console(page)
    page.goto("/reports/annual?year=1401")
    expect(page.get_by_role("heading", level=1)).to_contain_text("گزارش عملکرد — سال ۱۴۰۱")
    expect(page.locator(".report-summary")).to_contain_text("در سال ۱۴۰۱ تعداد ۱ مجوز جدید")
    for chart in ("visits-per-month", "licences-per-year", "cases-by-violation"):
        expect(page.locator(f"#chart-{chart}")).to_have_attribute("data-rendered", "1")
    page.evaluate("document.fonts.ready")
    screenshot(page, "reports-annual-tablet")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 800, f"horizontal scroll at 800px: scrollWidth={scroll_width}"

    # A figure opens the records it counts: the transfers of counter offices.
    transfers = '[href*="application_kind=transfer"][href*="office_kind=counter_office"]'
    cell = page.locator(f"a.figure-link{transfers}")
    assert _number(cell.inner_text()) == 1
    cell.click()
    page.wait_for_url(re.compile(r"/reports/records\?"))
    expect(page.locator("table.records tbody tr")).to_have_count(1)
    expect(page.locator("table.records")).to_contain_text("انتقال")
    assert new_page.console_errors(page) == []


def test_map_on_a_tablet_without_tiles(db, page, new_page, log_in_as, screenshot):
    sites = _seed(db)
    log_in_as(page, Role.INSPECTOR)
    new_page.clear_console(page)
    page.goto("/reports/map")
    box = page.locator("#site-map")
    expect(box).to_have_attribute("data-ready", "1")
    located = sum(1 for s in sites.values() if s["lat"] is not None)
    assert int(box.get_attribute("data-markers")) == located
    expect(page.locator(".county-label", has_text="بروجرد")).to_be_visible()
    screenshot(page, "reports-map-tablet")

    # Filter: only ATMs, in the page and in its URL.
    page.locator('select[name="kind"]').select_option("atm")
    expect(page.locator("#map-status")).to_contain_text("۲ محل")
    assert "kind=atm" in page.url

    # A marker opens a popup that links to its site.
    page.locator('select[name="kind"]').select_option("")
    expect(box).to_have_attribute("data-markers", str(located))
    site = sites["c3"]
    x, y = page.evaluate(
        """([lat, lon]) => {
            const map = document.getElementById('site-map').siteMap;
            map.setView([lat, lon], 16, {animate: false});  // close enough that neighbours part
            const p = map.latLngToContainerPoint([lat, lon]);
            const r = map.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }""",
        [site["lat"], site["lon"]],
    )
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(to_persian_digits(site["name"]))
    expect(popup).to_contain_text(SiteStatus.SUSPENDED.label)
    page.wait_for_timeout(400)  # the popup fades in
    screenshot(page, "reports-map-popup-tablet", full_page=False)
    popup.get_by_role("link", name="مشاهده پرونده محل").click()
    page.wait_for_url(f"**/sites/{site['id']}")
    assert new_page.console_errors(page) == []


def test_map_keeps_working_when_the_tile_server_is_unreachable(db, page, new_page, log_in_as, screenshot):
    sites = _seed(db)
    set_setting("reports.map_tile_url", "http://127.0.0.1:9/{z}/{x}/{y}.png")  # nothing listens there
    db.session.commit()
    log_in_as(page, Role.VIEWER)
    new_page.clear_console(page)
    response = page.goto("/reports/map?kind=counter_office")
    assert "img-src 'self' data: blob: http://127.0.0.1:9;" in response.headers["content-security-policy"]
    box = page.locator("#site-map")
    expect(box).to_have_attribute("data-ready", "1")
    offices = [s for s in sites.values() if s["kind"] == SiteKind.COUNTER_OFFICE and s["lat"] is not None]
    assert int(box.get_attribute("data-markers")) == len(offices)
    expect(page.locator("#tile-notice")).to_be_visible()
    screenshot(page, "reports-map-tiles-unreachable-tablet")
    # The tiles fail to load (refused), but nothing is blocked by the CSP.
    assert _csp_errors(new_page, page) == []
