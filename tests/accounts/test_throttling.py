"""Login throttling, stored in the database: per account from one address, per address across
accounts, per account from everywhere (above the per-address limit, so that one address cannot
close an account for the others). Unknown user, wrong password, closed login and disabled account
get the same answer in about the same time."""

from __future__ import annotations

import statistics
import time

import pytest

from accounts.models import LoginAttempt
from core.settings import set_setting
from tests import factories
from tests.conftest import DEFAULT_PASSWORD

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

# Addresses from the documentation ranges (RFC 5737): only the WSGI environ sees them.
ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.20"
ANOTHER = "198.51.100.21"


def login(app, username, password, address):
    client = app.test_client()
    return client.post(
        "/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def token(app, username, password, address):
    client = app.test_client()
    return client.post(
        "/api/v1/tokens",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def user(db):
    user = factories.make_user()
    db.session.commit()
    return user


def test_the_account_closes_for_the_address_that_failed_and_stays_open_for_others(app, db, user):
    set_setting("security.login_max_failures", 3)
    db.session.commit()
    for _ in range(3):
        assert login(app, user.username, "wrong-password", ATTACKER).status_code == 200
    assert login(app, user.username, DEFAULT_PASSWORD, ATTACKER).status_code == 200  # closed here
    assert login(app, user.username, DEFAULT_PASSWORD, OFFICE).status_code == 302  # not there


def test_one_address_is_closed_after_failures_across_different_usernames(app, db, user):
    set_setting("security.login_max_failures_per_address", 6)
    db.session.commit()
    for n in range(6):
        login(app, f"guess{n}", "wrong-password", ATTACKER)
    assert login(app, user.username, DEFAULT_PASSWORD, ATTACKER).status_code == 200  # closed
    assert login(app, user.username, DEFAULT_PASSWORD, OFFICE).status_code == 302


def test_one_address_cannot_close_an_account_for_everyone(app, db, user):
    """The per-account limit is above the per-address one: the attacker's address closes first."""
    for _ in range(60):
        login(app, user.username, "wrong-password", ATTACKER)
    assert login(app, user.username, DEFAULT_PASSWORD, ATTACKER).status_code == 200
    assert login(app, user.username, DEFAULT_PASSWORD, OFFICE).status_code == 302


def test_failures_from_many_addresses_close_the_account_for_everyone(app, db, user):
    set_setting("security.login_max_failures_per_account", 4)
    db.session.commit()
    for n in range(4):
        login(app, user.username, "wrong-password", f"203.0.113.{n + 10}")
    assert login(app, user.username, DEFAULT_PASSWORD, OFFICE).status_code == 200


def test_failures_age_out_of_the_window(app, db, user, frozen_at):
    set_setting("security.login_max_failures", 2)
    db.session.commit()
    frozen_at("2026-01-10T08:00:00+00:00")
    for _ in range(2):
        login(app, user.username, "wrong-password", OFFICE)
    assert login(app, user.username, DEFAULT_PASSWORD, OFFICE).status_code == 200
    frozen_at("2026-01-10T08:16:00+00:00")  # the 15-minute window has passed
    assert login(app, user.username, DEFAULT_PASSWORD, OFFICE).status_code == 302


def test_a_success_forgets_that_address_failures_for_the_account(app, db, user):
    set_setting("security.login_max_failures", 3)
    db.session.commit()
    for _ in range(2):
        login(app, user.username, "wrong-password", OFFICE)
    assert login(app, user.username, DEFAULT_PASSWORD, OFFICE).status_code == 302
    assert db.session.query(LoginAttempt).count() == 0


def test_the_throttle_is_shared_by_every_worker_through_the_database(app, db, user):
    set_setting("security.login_max_failures", 2)
    db.session.commit()
    for _ in range(2):
        login(app, user.username, "wrong-password", OFFICE)
    rows = db.session.query(LoginAttempt).all()
    assert [(r.username, r.address) for r in rows] == [(user.username, OFFICE)] * 2


def _answer(response):
    skip = ("date", "set-cookie", "content-length")  # the length follows the echoed username
    headers = {k: v for k, v in response.headers.items() if k.lower() not in skip}
    body = response.get_data(as_text=True)
    return response.status_code, body, tuple(sorted(headers.items()))


def test_unknown_wrong_closed_and_disabled_get_identical_answers(app, db, user):
    set_setting("security.login_max_failures", 2)
    disabled = factories.make_user(username="disabled1")
    disabled.is_active_account = False
    db.session.commit()
    wrong = login(app, user.username, "wrong-password", OFFICE)
    login(app, user.username, "wrong-password", OFFICE)
    closed = login(app, user.username, DEFAULT_PASSWORD, OFFICE)
    unknown = login(app, "nobody-here", "wrong-password", ANOTHER)
    off = login(app, disabled.username, DEFAULT_PASSWORD, ANOTHER)
    answers = [_answer(r) for r in (wrong, closed, unknown, off)]
    # The form echoes the typed username back; everything else must be the same.
    normalised = {
        (status, body.replace(name, "USER"), headers)
        for (status, body, headers), name in zip(
            answers, [user.username, user.username, "nobody-here", disabled.username], strict=True
        )
    }
    assert len(normalised) == 1
    assert "نام کاربری یا گذرواژه نادرست است" in answers[0][1]


def test_the_api_answers_unknown_wrong_and_closed_alike(app, db, user):
    set_setting("security.login_max_failures", 2)
    db.session.commit()
    wrong = [token(app, user.username, "wrong-password", OFFICE) for _ in range(2)]
    closed = token(app, user.username, DEFAULT_PASSWORD, OFFICE)
    unknown = token(app, "nobody-here", "x", OFFICE)
    answers = {
        (r.status_code, r.get_data(as_text=True), r.headers.get("Retry-After"))
        for r in (*wrong, closed, unknown)
    }
    assert len(answers) == 1 and next(iter(answers))[0] == 401


def _median_seconds(app, username, password, address, rounds=7) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        login(app, username, password, address)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_unknown_wrong_and_closed_take_about_the_same_time(app, db, user):
    """The password hash runs in every case (a dummy hash for an unknown user), with the real
    production method here so that the hash dominates as it does in production."""
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:200000"
    try:
        slow = factories.make_user(username="slowhash1")
        set_setting("security.login_max_failures", 3)
        db.session.commit()
        login(app, "warm-up", "x", ANOTHER)
        wrong = _median_seconds(app, slow.username, "wrong-password", OFFICE, rounds=3)
        closed = _median_seconds(app, slow.username, DEFAULT_PASSWORD, OFFICE)  # closed after 3 failures
        unknown = _median_seconds(app, "nobody-here", "wrong-password", "198.51.100.99")
    finally:
        app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    fastest, slowest = min(wrong, closed, unknown), max(wrong, closed, unknown)
    assert slowest / fastest < 2, (wrong, closed, unknown)
