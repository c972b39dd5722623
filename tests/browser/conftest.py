"""Browser-test fixtures: the app served on 127.0.0.1 in a thread, headless Chromium through
Playwright (Debian's /usr/bin/chromium, never a downloaded one), pages at tablet and desktop size,
and logging in through the real login form.

Every test under tests/browser gets the `browser` marker. Without Chromium the tests are skipped,
except under CI=true where a missing Chromium is a failure.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from core.security import Role
from tests import factories

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS = {
    "phone": {"width": 390, "height": 844},  # citizens on the public pages
    "tablet": {"width": 800, "height": 1280},
    "desktop": {"width": 1366, "height": 900},
}
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder `browser` (this hook sees the whole session's items)."""
    for item in items:
        if _HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


# ---------------------------------------------------------------- the live server


class _InFlight:
    """WSGI middleware counting requests the app is still answering, so a test can wait for quiet.

    The autouse `db` fixture replaces the SQLite file between tests; no request may be holding
    a connection when it does. Flask pops the app context (and so removes the session and
    returns its connection) before its WSGI call returns, so the count ends there and not when
    the body is sent: werkzeug skips the body's close() when the client has reset the
    connection, which would leave a body-based count stuck.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.count += 1
        try:
            return self.wsgi_app(environ, start_response)
        finally:
            with self.lock:
                self.count -= 1


@dataclass
class LiveServer:
    url: str
    in_flight: _InFlight

    def wait_until_idle(self, timeout: float = 10.0) -> None:
        """Block until no request is being answered (a test's last click may still be running)."""
        deadline = time.monotonic() + timeout
        while self.in_flight.count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.in_flight.count} request(s) still running after {timeout}s")
            time.sleep(0.01)


@pytest.fixture(scope="session")
def live_server(app):
    """The session's app on http://127.0.0.1:<free port>, answered by a daemon thread."""
    in_flight = _InFlight(app)
    server = make_server("127.0.0.1", 0, in_flight, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    live = LiveServer(url=f"http://127.0.0.1:{server.server_port}", in_flight=in_flight)
    yield live
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# ---------------------------------------------------------------- Chromium


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium, launched once per session."""
    if not Path(CHROMIUM).exists():
        reason = (
            f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package "
            "(make system-deps-test); never `playwright install`"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}. CI=true: the browser tests may not be skipped.", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageFactory:
    """new_page("tablet" | "desktop") → a Page in a fresh context (own cookies), base_url set."""

    browser: object
    server: LiveServer
    contexts: list = field(default_factory=list)
    _console: dict = field(default_factory=dict)

    def __call__(self, viewport: str = "tablet", *, logged_in_as=None, **context_options):
        """A page at that size; logged_in_as=another page shares its cookies (no second login);
        other keywords go to Browser.new_context."""
        storage = logged_in_as.context.storage_state() if logged_in_as is not None else None
        context = self.browser.new_context(
            viewport=VIEWPORTS[viewport],
            base_url=self.server.url,
            locale="fa-IR",
            timezone_id="Asia/Tehran",
            storage_state=storage,
            **context_options,
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        messages: list[str] = []

        def on_console(message):
            if message.type == "error":
                where = message.location.get("url") or page.url
                messages.append(f"{message.text} [{where}]")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: messages.append(f"uncaught: {exc} [{page.url}]"))
        self._console[id(page)] = messages
        return page

    def console_errors(self, page) -> list[str]:
        """Console errors and uncaught exceptions seen by the page since the last clear
        (CSP refusals and failed loads show up here), each with the URL it came from."""
        return list(self._console[id(page)])

    def clear_console(self, page) -> None:
        self._console[id(page)].clear()

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()


@pytest.fixture
def new_page(chromium, live_server, db):
    factory = PageFactory(chromium, live_server)
    yield factory
    factory.close()
    live_server.wait_until_idle()


@pytest.fixture
def page(new_page):
    """A page at tablet size (800×1280), the inspectors' device."""
    return new_page("tablet")


@pytest.fixture
def desktop_page(new_page):
    """A page at desktop size (1366×900)."""
    return new_page("desktop")


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="session")
def screenshot():
    """screenshot(page, "name") → the saved PNG's path under test-artifacts/screenshots/."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def _take(page, name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return _take


def _log_in_through_form(page, username: str, password: str = factories.DEFAULT_PASSWORD) -> None:
    """Log in through the login form and wait until it has let us through."""
    page.goto("/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="ورود", exact=True).click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture
def log_in():
    """log_in(page, username, password=DEFAULT_PASSWORD) through the login form."""
    return _log_in_through_form


@pytest.fixture
def log_in_as(db):
    """log_in_as(page, role, username=None): create the user, commit, log in through the form.

    The commit matters: the server thread sees only committed rows, and on SQLite an open
    transaction in the test holds the write lock (BEGIN IMMEDIATE) and would block the login.
    """

    def _log_in(page, role: Role | str, username: str | None = None) -> str:
        user = factories.make_user(role=Role(role), username=username)
        name = user.username
        db.session.commit()
        _log_in_through_form(page, name)
        return name

    return _log_in
