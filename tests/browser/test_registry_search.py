"""The registry in a real browser: an inspector on a tablet searches with an Arabic keyboard and
finds the Persian-spelled office; the page is RTL, in Vazirmatn, and fits the tablet; the menu
shows each role only what it may use."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from core.security import Role
from registry.models import SiteKind
from tests import factories

PERSIAN_NAME = "دفتر پیشخوان کوثر"  # Persian ی (U+06CC) and ک (U+06A9), as stored
ARABIC_QUERY = "دفتر پيشخوان كوثر"  # Arabic ي (U+064A) and ك (U+0643), as Arabic keyboards type
OTHER_NAMES = [
    "دفتر پیشخوان امید",
    "دفتر پیشخوان نور کوهدشت",
    "دفتر ICT روستایی کوثرآباد",  # has «دفتر» and «کوثر» but not «پیشخوان»
    "خودپرداز بانک ملی شعبه مرکزی",
]

# Pairs of filter-bar controls whose boxes overlap, and how far the results table scrolls sideways.
LAYOUT_PROBE = """() => {
  const els = [...document.querySelectorAll(
    '.filter-bar input, .filter-bar select, .filter-bar button')];
  const label = e => e.name || e.textContent.trim();
  const boxes = els.map(e => e.getBoundingClientRect());
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (x > 0.5 && y > 0.5) overlaps.push(`${label(els[i])}/${label(els[j])}: ${x}px`);
  }
  const table = document.querySelector('.table-responsive');
  return {overlaps, tableOverflow: table.scrollWidth - table.clientWidth};
}"""


def _seed_registry(db) -> int:
    """A county with the office we look for and its near-misses; returns the office's id."""
    county = factories.make_county()
    site = factories.make_site(name=PERSIAN_NAME, county=county, address="بلوار شهید بهشتی، کوچه ۱۲، پلاک ۳")
    kinds = [
        SiteKind.COUNTER_OFFICE,
        SiteKind.COUNTER_OFFICE,
        SiteKind.RURAL_ICT_OFFICE,
        SiteKind.ATM,
    ]
    for name, kind in zip(OTHER_NAMES, kinds, strict=True):
        factories.make_site(name=name, kind=kind, county=county, locality="کوهدشت")
    site_id = site.id
    db.session.commit()  # the server thread sees committed rows only; touch no row after this
    return site_id


def test_the_query_really_is_arabic_and_the_name_persian():
    assert "\u064a" in ARABIC_QUERY and "\u0643" in ARABIC_QUERY
    assert "\u06cc" not in ARABIC_QUERY and "\u06a9" not in ARABIC_QUERY
    assert "\u06cc" in PERSIAN_NAME and "\u06a9" in PERSIAN_NAME
    assert "\u064a" not in PERSIAN_NAME and "\u0643" not in PERSIAN_NAME


def test_inspector_finds_persian_office_with_arabic_letters_on_a_tablet(
    db, page, new_page, log_in_as, screenshot
):
    site_id = _seed_registry(db)
    log_in_as(page, Role.INSPECTOR)
    new_page.clear_console(page)  # the login page has known faults, tested below

    page.goto("/sites")
    search = page.locator('input[name="q"]')
    search.press_sequentially(ARABIC_QUERY)
    page.get_by_role("button", name="جستجو", exact=True).click()
    page.wait_for_url(re.compile(r"/sites\?.*q="))

    expect(search).to_have_value(ARABIC_QUERY)
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    link = rows.first.get_by_role("link")
    expect(link).to_have_text(PERSIAN_NAME)
    table_text = page.locator("table tbody").inner_text()
    assert all(name not in table_text for name in OTHER_NAMES), table_text
    screenshot(page, "registry-search-results-tablet")

    link.click()
    page.wait_for_url(f"**/sites/{site_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(PERSIAN_NAME)
    screenshot(page, "site-detail-tablet")

    desktop = new_page("desktop", logged_in_as=page)
    desktop.goto("/")
    expect(desktop.get_by_role("heading", level=1)).to_contain_text("پیشخوان من")
    screenshot(desktop, "dashboard-desktop")

    assert new_page.console_errors(page) == []
    assert new_page.console_errors(desktop) == []


def test_sites_page_is_rtl_in_vazirmatn_and_fits_the_tablet(db, page, log_in_as, screenshot):
    _seed_registry(db)
    log_in_as(page, Role.INSPECTOR)
    page.goto("/sites")
    page.evaluate("document.fonts.ready")
    screenshot(page, "registry-list-tablet")

    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "fa"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert body_font.split(",")[0].strip().strip("\"'") == "Vazirmatn", body_font
    # fonts.check() alone is true for a family the page never declared; ask for the loaded faces.
    assert page.evaluate("document.fonts.check('16px Vazirmatn')")
    loaded = page.evaluate("""() => [...document.fonts]
        .filter(f => f.family.replace(/["']/g, '') === 'Vazirmatn' && f.status === 'loaded')
        .map(f => f.weight)""")
    assert {"400", "700"} <= set(loaded), loaded
    fetched = page.evaluate("""() => performance.getEntriesByType('resource')
        .map(e => new URL(e.name).pathname).filter(p => p.endsWith('.woff2'))""")
    assert "/static/vendor/vazirmatn/Vazirmatn-Regular.woff2" in fetched, fetched

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 800, f"horizontal scroll at 800px: scrollWidth={scroll_width}"


def test_sites_list_controls_and_table_fit_the_tablet(db, page, log_in_as):
    _seed_registry(db)
    log_in_as(page, Role.INSPECTOR)
    page.goto("/sites")
    page.evaluate("document.fonts.ready")
    layout = page.evaluate(LAYOUT_PROBE)
    assert layout["overlaps"] == []
    assert layout["tableOverflow"] <= 0


def test_navigation_shows_each_role_only_what_it_may_use(db, new_page, log_in_as, screenshot):
    inspector = new_page("desktop")
    log_in_as(inspector, Role.INSPECTOR)
    nav = inspector.locator("#mainnav")
    expect(nav.get_by_role("link", name="دفاتر و پایانه‌ها", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="پیشخوان من", exact=True)).to_be_visible()
    for hidden in ("کاربران", "تنظیمات مقررات", "رویدادنگاری"):
        expect(nav.get_by_role("link", name=hidden, exact=True)).to_have_count(0)
    # What the menu hides, the server refuses.
    response = inspector.goto("/admin/users")
    assert response.status == 403
    screenshot(inspector, "forbidden-desktop")

    admin = new_page("desktop")
    log_in_as(admin, Role.ADMIN)
    admin.locator("#mainnav").get_by_role("button", name="مدیریت سامانه").click()
    users_link = admin.locator("#mainnav").get_by_role("link", name="کاربران", exact=True)
    expect(users_link).to_be_visible()
    users_link.click()
    admin.wait_for_url("**/admin/users")
    expect(admin.get_by_role("heading", level=1)).to_be_visible()

    # On the tablet the menu folds behind the toggler and opens on a tap.
    tablet = new_page("tablet", logged_in_as=inspector)
    tablet.goto("/")
    menu = tablet.locator("#mainnav")
    expect(menu).to_be_hidden()
    tablet.locator(".navbar-toggler").click()
    expect(menu).to_have_class(re.compile(r"\bshow\b"))  # Bootstrap sets it when the slide ends
    expect(menu.get_by_role("link", name="دفاتر و پایانه‌ها", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="کاربران", exact=True)).to_have_count(0)
    screenshot(tablet, "navigation-open-tablet", full_page=False)


def test_login_page_breaks_no_content_security_policy(page, new_page, screenshot):
    page.goto("/login")
    card = page.locator(".card").first
    expect(card).to_be_visible()
    screenshot(page, "login-tablet")
    csp = [m for m in new_page.console_errors(page) if "Content Security Policy" in m]
    assert csp == []
    assert card.bounding_box()["width"] <= 28 * 16 + 1
