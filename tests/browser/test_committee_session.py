"""The violations committee in a real browser on a tablet (800×1280): the secretary schedules a
session, builds its agenda from a case ready for hearing, records attendance (an alternate stands
in for a member), a recusal and the votes, records the ruling the ladder suggests, closes the
session and prints the minutes; the pages are RTL, Persian-digited and fit the tablet."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from committees.models import CommitteeSession, PenaltyKind, Ruling
from core.security import Role
from tests import factories

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
LATIN_DIGITS_IN_TEXT = r"""() => {
  // Visible text with Latin digits, outside inputs and LTR codes that are meant to be typed.
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const found = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const skip = 'script, style, option, .ltr, [dir=ltr], code';
    if (/[0-9]/.test(node.textContent) && !node.parentElement.closest(skip))
      found.push(node.textContent.trim());
  }
  return found;
}"""


def _seed(db):
    """A licensed office with a case ready for hearing, its history, and the committee."""
    licence = factories.make_licence(name="دفتر پیشخوان کوثر", issued_on=date(2020, 1, 1))
    members = factories.make_committee(5)
    earlier = factories.make_ready_case(licence.site, offence_on=date(2022, 3, 1))
    factories.make_ruling(earlier, members=members[:3])  # a first offence: a written warning
    case = factories.make_ready_case(
        licence.site, offence_on=date(2022, 9, 1), summary="دفتر در ساعت ۱۰ صبح روز کاری بسته بود."
    )
    alternate = factories.make_committee_member("فرشته بهاروند", "", alternate_for_id=members[1].id)
    ids = {
        "case": case.id,
        "number": case.number,
        "members": [m.full_name for m in members],
        "alternate": alternate.full_name,
        "licence": licence.id,
    }
    db.session.commit()  # the server thread sees committed rows only
    return ids


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.documentElement.scrollWidth")
    assert page.evaluate(LATIN_DIGITS_IN_TEXT) == []


def test_secretary_holds_a_session_on_a_tablet(db, page, new_page, log_in_as, screenshot, live_server):
    seeded = _seed(db)
    log_in_as(page, Role.COMMITTEE_SECRETARY)
    page.on("dialog", lambda dialog: dialog.accept())  # «بستن جلسه» asks to confirm

    page.goto("/committees/sessions/new")
    page.get_by_label("تاریخ جلسه").fill("۱۴۰۱/۰۷/۰۲")
    page.get_by_label("محل جلسه").fill("سالن جلسات اداره کل")
    page.get_by_role("button", name="ثبت", exact=True).click()
    page.wait_for_url(re.compile(r"/committees/sessions/\d+$"))
    expect(page.locator(".alert-success").first).to_contain_text("برنامه‌ریزی شد")

    # The agenda: the case ready for hearing.
    page.get_by_label("پرونده آماده رسیدگی").select_option(str(seeded["case"]))
    page.get_by_role("button", name="افزودن به دستور جلسه").click()
    agenda = page.locator("#agenda")
    expect(agenda).to_contain_text("دفتر پیشخوان کوثر")

    # Attendance: four members, the governorate's seat taken by its alternate.
    present = [seeded["members"][0], seeded["alternate"], *seeded["members"][2:4]]
    for name in present:
        page.locator("#attendance").get_by_label(re.compile(re.escape(name))).check()
    page.get_by_role("button", name="ثبت حاضران").click()
    expect(page.locator("#quorum")).to_contain_text("حد نصاب برقرار است: ۴ عضو حاضر")
    _fits(page)
    screenshot(page, "committee-session-agenda-tablet")

    # The hearing: a recusal, the votes, the ruling.
    agenda.get_by_role("link", name="رسیدگی و رأی‌گیری").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    expect(page.get_by_text("بار ۲: اخطار کتبی با درج در پرونده")).to_be_visible()
    page.get_by_label("عضو", exact=True).select_option(label=seeded["members"][3])
    page.get_by_label("دلیل تعارض منافع").fill("متصدی دفتر خویشاوند اوست.")
    page.get_by_role("button", name="ثبت تعارض منافع").click()
    expect(page.locator("#recusals")).to_contain_text("خویشاوند")
    votes = page.locator("#votes")
    expect(votes.locator(".vote-row")).to_have_count(3)
    for name, choice in zip(present[:3], ["موافق", "موافق", "مخالف"], strict=True):
        votes.locator(".vote-row", has_text=name).get_by_label(choice, exact=True).check()
    screenshot(page, "committee-votes-tablet")
    page.get_by_role("button", name="ثبت آرا").click()
    expect(page.locator("#tally")).to_contain_text("موافق ۲، مخالف ۱")

    ruling = page.locator("#ruling")
    expect(ruling.get_by_label("مجازات")).to_have_value(PenaltyKind.FILED_NOTICE.value)
    ruling.get_by_label("استدلال و دلایل رأی").fill(
        "بسته بودن دفتر با گزارش شاکی و اقرار متصدی احراز شد؛ بار دوم در یک سال است."
    )
    ruling.get_by_role("button", name="ثبت رأی").click()
    expect(ruling).to_contain_text("اخطار کتبی با درج در پرونده")
    _fits(page)
    screenshot(page, "committee-hearing-tablet")

    # Close the session: its records are final, only a correction may follow.
    page.get_by_role("link", name=re.compile("^جلسه ")).first.click()
    page.get_by_role("button", name="بستن جلسه").click()
    expect(page.locator(".alert-success").first).to_contain_text("جلسه بسته شد")
    expect(page.get_by_role("button", name="ثبت حاضران")).to_have_count(0)
    page.get_by_label("متن اصلاحیه").fill("سمت خانم بهاروند معاون مدیرکل است.")
    page.get_by_role("button", name="ثبت اصلاحیه").click()
    expect(page.locator("#corrections")).to_contain_text("معاون مدیرکل")
    _fits(page)
    screenshot(page, "committee-session-closed-tablet")

    minutes = page.request.get(page.url + "/minutes.pdf")
    assert minutes.status == 200 and minutes.body().startswith(b"%PDF")

    # Serving the ruling opens the appeal window.
    page.locator("#agenda").get_by_role("link", name="مشاهده رسیدگی").click()
    page.locator("#ruling").get_by_role("link", name=re.compile("^رأی ")).click()
    page.get_by_label("تاریخ ابلاغ به دفتر").fill("۱۴۰۱/۰۷/۰۹")
    page.get_by_role("button", name="ثبت ابلاغ").click()
    # 20 working days from Saturday 9 Mehr 1401: not the Fridays, nor 13 Mehr (Imam Hasan Askari).
    expect(page.get_by_text("مهلت اعتراض تا ۱۴۰۱/۰۸/۰۳")).to_be_visible()
    _fits(page)
    screenshot(page, "committee-ruling-tablet")
    assert new_page.console_errors(page) == []

    live_server.wait_until_idle()
    db.session.expire_all()
    session = db.session.scalar(select(CommitteeSession).order_by(CommitteeSession.id.desc()))
    assert session.closed and len(session.attendance) == 4 and len(session.votes) == 3
    ruling_row = db.session.scalar(select(Ruling).where(Ruling.session_id == session.id))
    assert ruling_row.penalty == PenaltyKind.FILED_NOTICE and ruling_row.violations_found == ["V02"]
    db.session.rollback()


def test_case_page_shows_the_ladder_and_history_on_a_tablet(db, page, log_in_as, screenshot):
    seeded = _seed(db)
    log_in_as(page, Role.LICENSING)
    page.goto(f"/committees/cases/{seeded['case']}")
    expect(page.locator("#suggestion")).to_contain_text("اخطار کتبی با درج در پرونده")
    expect(page.locator("#earlier")).to_contain_text("تذکر کتبی")
    expect(page.get_by_role("button", name="درخواست دفاعیه از دفتر")).to_have_count(0)
    _fits(page)
    screenshot(page, "committee-case-tablet")
    page.goto("/committees/cases")
    expect(page.locator("table tbody tr")).to_have_count(2)
    _fits(page)
    screenshot(page, "committee-case-list-tablet")


def test_catalogue_members_and_appeal_pages_fit_the_tablet(db, page, log_in_as, screenshot):
    seeded = _seed(db)
    ruling = db.session.scalar(select(Ruling))
    from committees import operations as ops

    ops.serve_ruling(ruling, date(2022, 4, 1), actor=None)
    ops.file_appeal(ruling, filed_on=date(2022, 4, 5), grounds="نخستین بار بود.", actor=None)
    ruling_id = ruling.id
    db.session.commit()
    log_in_as(page, Role.ADMIN)
    page.goto("/committees/violations")
    expect(page.locator("table tbody tr")).to_have_count(10)
    _fits(page)
    screenshot(page, "committee-catalogue-tablet")
    page.get_by_role("link", name="V02").click()
    expect(page.locator(".ladder-step")).to_have_count(6)
    _fits(page)
    screenshot(page, "committee-violation-form-tablet")
    page.goto("/committees/members")
    expect(page.locator("table")).to_contain_text(seeded["alternate"])
    _fits(page)
    screenshot(page, "committee-members-tablet")
    page.goto(f"/committees/rulings/{ruling_id}")
    expect(page.get_by_role("button", name="ثبت تصمیم")).to_be_visible()
    _fits(page)
    screenshot(page, "committee-appeal-tablet")
