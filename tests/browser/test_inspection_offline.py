"""The inspector's tablet with no network: the visit form is opened online, the network goes, the
visit is filled (GPS, answers, a photo) and saved into the outbox, the page is reloaded while still
offline (the service worker serves it, the outbox survives), the network returns and the visit
reaches the server exactly once, complete with its photo."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from core.clock import today_tehran
from core.security import Role
from inspections import operations as ops
from inspections.models import Visit, VisitPhoto
from registry.models import SiteKind
from tests import factories

SITE = (33.487800, 48.355800)
# Where the tablet says it is: about 40 m from the registered location.
TABLET = {"latitude": 33.488100, "longitude": 48.356100, "accuracy": 14}


def _photo_png() -> bytes:
    """A 2400×1800 PNG: bigger than the 1600 px the tablet shrinks photos to."""
    buffer = io.BytesIO()
    image = Image.new("RGB", (2400, 1800), (30, 110, 60))
    for x in range(0, 2400, 200):
        image.paste((240, 200, 40), (x, 0, x + 100, 1800))
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _seed(db):
    inspector = factories.make_user(
        role=Role.INSPECTOR, username="inspector-tablet", full_name="علیرضا حسنوند"
    )
    site = factories.make_site(
        name="دفتر پیشخوان کوثر", lat=SITE[0], lon=SITE[1], address="خیابان شریعتی، کوچه ۱۲، پلاک ۳"
    )
    assignment = ops.assign_visit(
        inspector=inspector, planned_on=today_tehran(), purpose="performance", site=site, actor=None
    )
    kiosk = factories.make_site(
        kind=SiteKind.BANK_KIOSK, name="باجه بانک ملی میدان کیو", lat=SITE[0] + 0.004, lon=SITE[1]
    )
    ops.assign_visit(
        inspector=inspector, planned_on=today_tehran(), purpose="atm_kiosk", site=kiosk, actor=None
    )
    db.session.flush()
    ids = inspector.username, assignment.id
    # Commit last and read nothing after it: on SQLite a read would begin a transaction that
    # holds the write lock the server needs.
    db.session.commit()
    return ids


def _record_requests(app, monkeypatch) -> list[str]:
    """The paths the live server is asked for, in order."""
    paths: list[str] = []
    inner = app.wsgi_app

    def recording(environ, start_response):
        paths.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    monkeypatch.setattr(app, "wsgi_app", recording)
    return paths


def _visible_errors(new_page, page) -> list[str]:
    """Console errors other than the refused connections that going offline causes."""
    return [
        e
        for e in new_page.console_errors(page)
        if "ERR_INTERNET_DISCONNECTED" not in e and "Failed to fetch" not in e
    ]


def test_a_visit_made_offline_reaches_the_server_once(
    new_page, log_in, live_server, db, screenshot, app, monkeypatch
):
    reached = _record_requests(app, monkeypatch)
    username, assignment_id = _seed(db)
    page = new_page("tablet", geolocation=TABLET, permissions=["geolocation"])
    log_in(page, username)
    form_url = f"/inspections/visits/new?assignment={assignment_id}"
    page.goto(form_url)
    app = page.locator("#visit-app")
    expect(app).to_have_attribute("data-ready", "1")
    expect(app).to_have_attribute("data-sw-state", "ready")  # the service worker is active
    expect(page.locator(".tablet-bar [data-offline-ready]")).to_be_visible()
    expect(app).to_have_attribute("data-gps", "1")
    expect(page.locator("[data-target-name]")).to_have_text("دفتر پیشخوان کوثر")
    expect(page.locator("[data-gps-status]")).to_contain_text("دقت ۱۴ متر")
    screenshot(page, "inspection-form-empty")
    uuid = app.get_attribute("data-visit-uuid")
    assert re.fullmatch(r"[0-9a-f-]{36}", uuid)

    page.context.set_offline(True)
    online_until = len(reached)
    expect(page.locator("[data-net-status]").first).to_have_text("بدون اتصال")

    items = page.locator("[data-item]")
    for index in range(items.count()):
        item = items.nth(index)
        text = item.locator(".item-text").inner_text()
        if item.locator(".choice-group").count():
            answer = "خیر" if "تابلوی تعرفه" in text else "بله"
            item.locator("label.choice-btn", has_text=re.compile(f"^{answer}$")).click()
        elif item.locator("input.number-input").count():
            item.locator("input.number-input").fill("۲")
        elif item.locator("[data-photo-input]").count():
            item.locator("[data-photo-input]").set_input_files(
                files=[{"name": "front.png", "mimeType": "image/png", "buffer": _photo_png()}]
            )
            expect(item.locator(".photo-thumb img")).to_have_count(1)
    tariff = items.filter(has_text="تابلوی تعرفه")
    tariff.locator("textarea[data-note-for]").fill("تابلوی تعرفه نصب نشده است")
    page.locator("#person_met").fill("مریم احمدی")
    page.locator("#person_met_role").fill("متصدی")
    page.locator("#notes").fill("بازدید بدون اتصال اینترنت")
    screenshot(page, "inspection-form-filled")

    page.get_by_role("button", name="ذخیره بازدید").click()
    expect(page.locator("[data-saved]")).to_be_visible()
    expect(page.locator("[data-outbox-count]").first).to_have_text("۱")
    waiting = page.locator(f'.outbox-item[data-uuid="{uuid}"]')
    expect(waiting).to_contain_text("در انتظار ارسال")
    screenshot(page, "inspection-outbox-waiting")
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    db.session.rollback()

    # Still offline: the service worker answers the reload, IndexedDB still holds the visit.
    page.reload()
    expect(app).to_have_attribute("data-ready", "1")
    expect(page.locator("[data-target-name]")).to_have_text("دفتر پیشخوان کوثر")
    expect(page.locator(f'.outbox-item[data-uuid="{uuid}"]')).to_have_count(1)
    expect(page.locator("[data-outbox-count]").first).to_have_text("۱")
    expect(page.locator("[data-earlier]")).to_contain_text("در صف ارسال است")
    assert app.get_attribute("data-visit-uuid") != uuid  # a new visit would get a new UUID
    screenshot(page, "inspection-offline-reload")
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    db.session.rollback()

    # Offline, the desk and a form never opened before still open: the form finds the kiosk and
    # its checklist in the cached offline data.
    page.goto("/inspections/")
    expect(page.locator("#assigned-title")).to_be_visible()
    page.get_by_role("link", name="شروع بازدید").nth(1).click()
    expect(app).to_have_attribute("data-ready", "1")
    expect(page.locator("[data-target-name]")).to_have_text("باجه بانک ملی میدان کیو")
    expect(page.locator("[data-checklist-title]")).to_contain_text("بازدید باجه بانکی")
    expect(page.locator("[data-item]").first).to_contain_text("باجه در ساعات اعلام‌شده باز است")

    # Nothing reached the server while offline: the reload came from the service worker's cache.
    assert reached[online_until:] == []
    page.context.set_offline(False)
    expect(page.locator("[data-outbox-count]").first).to_have_text("۰", timeout=20_000)
    expect(page.locator("[data-outbox-list]").first).to_contain_text("چیزی در صف نیست")
    screenshot(page, "inspection-after-sync")
    live_server.wait_until_idle()

    visits = db.session.scalars(select(Visit)).all()
    assert [v.uuid for v in visits] == [uuid]
    visit = visits[0]
    assert visit.complete and visit.inspector.username == username
    assert visit.assignment_id == assignment_id and visit.assignment.state.value == "done"
    assert 30 < visit.distance_m < 60 and not visit.flagged and visit.accuracy_m == 14
    assert visit.person_met == "مریم احمدی" and visit.notes == "بازدید بدون اتصال اینترنت"
    failed = [a for a in visit.answers if a.failed]
    assert [(a.item.violation_type.code, a.note) for a in failed] == [("V07", "تابلوی تعرفه نصب نشده است")]
    photo = db.session.scalar(select(VisitPhoto))
    assert photo.content_type == "image/jpeg"
    with Image.open(ops.photo_path(photo)) as stored:
        assert max(stored.size) == 1600  # shrunk on the tablet before upload
    db.session.rollback()

    # Pressing «ارسال اکنون» again sends nothing twice.
    page.get_by_role("button", name="ارسال اکنون").click()
    expect(page.locator("[data-outbox-status]").first).to_have_text("صف خالی است.")
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
    db.session.rollback()
    assert _visible_errors(new_page, page) == []


def test_the_desk_and_a_visit_page_on_the_tablet(new_page, log_in, live_server, db, screenshot):
    """The desk lists today's assignment; a visit with a failed item is referred to the committee
    from its page; the pages load without console or CSP errors."""
    from accounts.models import User
    from committees.models import Case
    from tests.inspections import helpers as h

    username, assignment_id = _seed(db)
    inspector = db.session.scalar(select(User).where(User.username == username))
    site = factories.make_site(name="دفتر پیشخوان امید", lat=SITE[0] + 0.01, lon=SITE[1])
    content = h.image_bytes(size=(480, 360))
    visit, _ = ops.submit_visit(
        h.visit_payload(site, photos=[content], fail=("V07",), point=(SITE[0] + 0.028, SITE[1])),
        actor=inspector,
    )
    ops.store_photo(visit, h.sha(content), content, actor=inspector)
    db.session.flush()
    visit_url = f"/inspections/visits/{visit.uuid}"
    db.session.commit()

    page = new_page("tablet")
    log_in(page, username)
    page.goto("/inspections/")
    expect(page.locator("#assigned-title")).to_be_visible()
    expect(page.get_by_role("link", name="شروع بازدید").first).to_have_attribute(
        "href", f"/inspections/visits/new?assignment={assignment_id}"
    )
    expect(page.locator("#inspector-desk")).to_have_attribute("data-sw-state", "ready")
    screenshot(page, "inspection-desk")
    page.goto("/inspections/route?start_lat=33.48&start_lon=48.35")
    expect(page.locator("table")).to_contain_text("دفتر پیشخوان کوثر")
    expect(page.locator("body")).to_contain_text("کیلومتر")
    screenshot(page, "inspection-route")
    page.goto("/inspections/due")
    expect(page.locator("table")).to_contain_text("هرگز")
    screenshot(page, "inspection-due")

    page.goto(visit_url)
    expect(page.locator(".flag-list").first).to_contain_text("دور از محل")
    expect(page.locator(".visit-photos img")).to_have_count(1)
    screenshot(page, "inspection-visit-detail")
    page.get_by_role("button", name="ارجاع به کمیته تخلفات").click()
    expect(page.locator(".alert-success").first).to_contain_text("در کمیته تخلفات تشکیل شد")
    live_server.wait_until_idle()
    case = db.session.scalar(select(Case))
    assert case.visit_uuid == visit.uuid and {e.kind for e in case.evidence} == {"visit", "photo"}
    db.session.rollback()
    assert new_page.console_errors(page) == []


def test_a_conflict_and_a_refusal_stay_in_the_outbox_with_the_servers_message(
    new_page, log_in, live_server, db, screenshot
):
    """409 (same UUID, other content) and 422 are shown to the inspector, never dropped silently;
    the inspector removes them deliberately."""
    from accounts.models import User
    from tests.inspections import helpers as h

    username, _assignment_id = _seed(db)
    inspector = db.session.scalar(select(User).where(User.username == username))
    site = factories.make_site(name="دفتر پیشخوان امید", lat=SITE[0], lon=SITE[1])
    stored = h.visit_payload(site)
    ops.submit_visit(stored, actor=inspector)
    db.session.commit()
    conflicting = {**stored, "notes": "نسخه دیگری از همان بازدید"}
    invalid = {**stored, "uuid": "2b1f7a66-95c4-4b8e-9d3f-3f0c2f5d1c11", "site_id": 999999}

    page = new_page("tablet")
    log_in(page, username)
    page.goto("/inspections/")
    expect(page.locator("#inspector-desk")).to_have_attribute("data-sw-state", "ready")
    page.evaluate(
        "([a, b]) => Promise.all([PishkhanOutbox.add(a, [], 'بازدید تکراری'),"
        " PishkhanOutbox.add(b, [], 'بازدید نادرست')])",
        [conflicting, invalid],
    )
    conflict = page.locator(f'.outbox-item[data-uuid="{stored["uuid"]}"]')
    refused = page.locator(f'.outbox-item[data-uuid="{invalid["uuid"]}"]')
    page.get_by_role("button", name="ارسال اکنون").click()
    expect(conflict).to_have_attribute("data-state", "conflict", timeout=15_000)
    expect(conflict).to_contain_text("تعارض — نیازمند بررسی")
    expect(conflict).to_contain_text("با محتوای دیگری ثبت شده است")
    expect(refused).to_have_attribute("data-state", "refused", timeout=15_000)
    expect(refused).to_contain_text("محل بازدید در سامانه یافت نشد")
    expect(page.locator("[data-outbox-count]").first).to_have_text("۲")
    screenshot(page, "inspection-outbox-conflict")
    live_server.wait_until_idle()
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
    assert db.session.scalar(select(Visit.notes)) == "بازدید عادی"
    db.session.rollback()

    page.once("dialog", lambda dialog: dialog.accept())
    conflict.get_by_role("button", name="حذف از صف").click()
    expect(conflict).to_have_count(0)
    expect(page.locator("[data-outbox-count]").first).to_have_text("۱")


def test_a_visit_with_text_the_server_refuses_is_kept_corrected_and_sent_again(
    new_page, log_in, live_server, db, screenshot
):
    """A 422 (here a lone surrogate in the notes, which the server refuses at its text boundary) is
    not retried as it is: the visit stays with the server's message, the inspector corrects the
    text in the outbox and sends it again."""
    from tests.inspections import helpers as h

    username, _assignment_id = _seed(db)
    site = factories.make_site(name="دفتر پیشخوان امید", lat=SITE[0], lon=SITE[1])
    payload = h.visit_payload(site)
    db.session.commit()  # no transaction of the test's stays open while the server writes

    page = new_page("tablet")
    log_in(page, username)
    page.goto("/inspections/")
    expect(page.locator("#inspector-desk")).to_have_attribute("data-sw-state", "ready")
    page.evaluate(
        "(p) => { p.notes = 'یادداشت ' + String.fromCharCode(0xD800) + ' پایان';"
        " return PishkhanOutbox.add(p, [], 'بازدید با متن نادرست'); }",
        payload,
    )
    item = page.locator(f'.outbox-item[data-uuid="{payload["uuid"]}"]')
    expect(item).to_have_attribute("data-state", "refused", timeout=15_000)
    expect(item).to_contain_text("نویسه‌ای نامعتبر")
    box = item.locator('textarea[data-path="notes"]')
    expect(box).to_have_value("یادداشت  پایان")
    screenshot(page, "inspection-outbox-bad-text")
    live_server.wait_until_idle()
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    db.session.rollback()

    box.fill("یادداشت درست")
    item.get_by_role("button", name="ذخیره اصلاح و ارسال دوباره").click()
    expect(page.locator("[data-outbox-count]").first).to_have_text("۰", timeout=20_000)
    live_server.wait_until_idle()
    assert db.session.scalar(select(Visit.notes)) == "یادداشت درست"
    db.session.rollback()
    # The browser logs the refused request itself; nothing else may go wrong.
    assert [e for e in new_page.console_errors(page) if "status of 422" not in e] == []
