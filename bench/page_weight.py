"""The visit form's weight on the tablet: what a first and a repeat load move over the network.

An inspector's tablet (headless Chromium, 800×1280) opens the visit form of an assignment in a
fresh browser context (empty cache; the session cookie comes from a login in another context), waits
until the form is ready and the service worker has cached what it keeps offline, then opens the same
form again. Two logs are kept for each load:

- Chromium's network log of the page (DevTools protocol): requests not answered from the memory
  or disk cache or by the service worker's cache, and their encoded (compressed) bytes;
- the server's log: every request that reached it (the page's and the service worker's own,
  e.g. its install-time caching) and the bytes of each answer as sent (headers and body).

The targets (issue 15): first load ≤ 300 KB and ≤ 12 requests, repeat load ≤ 20 KB and ≤ 3 requests.
Bytes are what reached the server in all (so the service worker's install-time caching of the desk,
the offline data and the QR scanner counts too). Requests are the page's own network requests; on a
repeat load the service worker answers the page, so there they are every request the server saw.

    .venv/bin/python -m bench.page_weight          (prints the table; exit status 1 if not met)

From another script: `from bench.page_weight import measure_visit_form; report = measure_visit_form()`
gives a PageWeight with `.lines()` (the printed table) and `.met` (bool).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"]
PASSWORD = "bench-password-1"
FIRST_MAX_BYTES, FIRST_MAX_REQUESTS = 300 * 1024, 12
REPEAT_MAX_BYTES, REPEAT_MAX_REQUESTS = 20 * 1024, 3


@dataclass
class Load:
    name: str
    server_requests: list[tuple[str, int]] = field(default_factory=list)  # (path, bytes sent)
    browser_requests: list[tuple[str, int]] = field(default_factory=list)

    @property
    def server_bytes(self) -> int:
        return sum(size for _path, size in self.server_requests)

    @property
    def browser_bytes(self) -> int:
        return sum(size for _path, size in self.browser_requests)

    @property
    def counted_requests(self) -> int:
        """The page's own requests to the network; when the service worker answers the page
        (a repeat load), every request that reached the server."""
        return len(self.browser_requests) if self.browser_requests else len(self.server_requests)


@dataclass
class PageWeight:
    first: Load
    repeat: Load

    def _met(self, load: Load, max_bytes: int, max_requests: int) -> bool:
        return load.server_bytes <= max_bytes and load.counted_requests <= max_requests

    @property
    def met(self) -> bool:
        return self._met(self.first, FIRST_MAX_BYTES, FIRST_MAX_REQUESTS) and self._met(
            self.repeat, REPEAT_MAX_BYTES, REPEAT_MAX_REQUESTS
        )

    def lines(self, detail: bool = False) -> list[str]:
        out = ["Visit form on the tablet (800×1280, headless Chromium)"]
        for load, max_bytes, max_requests in (
            (self.first, FIRST_MAX_BYTES, FIRST_MAX_REQUESTS),
            (self.repeat, REPEAT_MAX_BYTES, REPEAT_MAX_REQUESTS),
        ):
            verdict = "met" if self._met(load, max_bytes, max_requests) else "NOT met"
            out.append(
                f"  {load.name:12} {load.server_bytes / 1024:6.1f} KB (target ≤ {max_bytes // 1024} KB), "
                f"{load.counted_requests:2} requests (≤ {max_requests}) — {verdict}"
            )
            out.append(
                f"  {'':12} page's network log: {load.browser_bytes / 1024:.1f} KB "
                f"in {len(load.browser_requests)}; "
                f"server: {len(load.server_requests)} requests (with the service worker's offline caching)"
            )
            if detail:
                out += [f"      {size / 1024:7.1f} KB  {path}" for path, size in load.server_requests]
        return out


class _Recorder:
    """WSGI middleware: each request's path and the bytes of its answer (headers and body)."""

    def __init__(self, app):
        self.app = app
        self.log: list[tuple[str, int]] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "") + (
            "?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""
        )
        header_bytes = [0]

        def recording_start(status, headers, exc_info=None):
            header_bytes[0] = len(status) + 11 + sum(len(k) + len(v) + 4 for k, v in headers) + 2
            return start_response(status, headers, exc_info)

        body = 0
        for chunk in self.app(environ, recording_start):
            body += len(chunk)
            yield chunk
        with self.lock:
            self.log.append((path, header_bytes[0] + body))


def _seed(app) -> tuple[str, int]:
    from flask_migrate import upgrade

    from accounts.operations import create_user
    from core.clock import today_tehran
    from core.extensions import db
    from core.security import Role
    from inspections import operations as ops
    from tests import factories

    with app.app_context():
        upgrade()
        inspector = create_user(
            "bench-inspector", full_name="بازرس سنجش", role=Role.INSPECTOR, password=PASSWORD
        )
        site = factories.make_site(name="دفتر پیشخوان سنجش", lat=33.4878, lon=48.3558)
        assignment = ops.assign_visit(
            inspector=inspector, planned_on=today_tehran(), purpose="performance", site=site, actor=None
        )
        db.session.commit()
        return inspector.username, assignment.id


def _browser_log(page) -> list[tuple[str, int]]:
    """Chromium's network log of the page: requests that went to the network, encoded bytes."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls: dict[str, str] = {}
    cached: set[str] = set()
    log: list[tuple[str, int]] = []

    def on_response(event):
        response = event["response"]
        urls[event["requestId"]] = response["url"]
        if (
            response.get("fromDiskCache")
            or response.get("fromServiceWorker")
            or response.get("fromPrefetchCache")
        ):
            cached.add(event["requestId"])

    def on_finished(event):
        rid = event["requestId"]
        if rid in urls and rid not in cached and event.get("encodedDataLength", 0) > 0:
            log.append((urls[rid], int(event["encodedDataLength"])))

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    cdp.on("Network.loadingFinished", on_finished)
    return log


def measure_visit_form() -> PageWeight:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    instance = Path(tempfile.mkdtemp(prefix="pishkhan-page-weight-"))
    os.environ["PISHKHAN_INSTANCE_DIR"] = str(instance)
    from config import TestingConfig
    from core.app import create_app

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'bench.sqlite3'}")
    username, assignment_id = _seed(app)
    recorder = _Recorder(app.wsgi_app)
    app.wsgi_app = recorder
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    form = f"/inspections/visits/new?assignment={assignment_id}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            options = {"viewport": {"width": 800, "height": 1280}, "base_url": base, "locale": "fa-IR"}
            login = browser.new_context(**options)
            page = login.new_page()
            page.goto("/login")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            cookies = login.storage_state()
            login.close()

            context = browser.new_context(storage_state=cookies, **options)
            page = context.new_page()
            loads = []
            for name in ("first load", "repeat load"):
                load = Load(name)
                browser_log = _browser_log(page)
                start = len(recorder.log)
                page.goto(form)
                page.wait_for_selector("#visit-app[data-ready='1']")
                page.wait_for_selector("#visit-app[data-sw-state='ready']")
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(1500)  # the service worker's caching, in the background
                load.server_requests = list(recorder.log[start:])
                load.browser_requests = list(browser_log)
                loads.append(load)
            browser.close()
    finally:
        server.shutdown()
    return PageWeight(*loads)


def main() -> int:
    report = measure_visit_form()
    print("\n".join(report.lines(detail="-v" in sys.argv)))
    return 0 if report.met else 1


if __name__ == "__main__":
    sys.exit(main())
