"""Tokens: getting one with a password (and the login lockout), using it, its expiry and revocation,
CSRF for session callers only, and the admin's view of everyone's tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from accounts import tokens as ops
from accounts.models import ApiToken
from core.audit import AuditEvent
from core.security import Role
from core.settings import set_setting
from tests import factories
from tests.api.conftest import ApiCaller, assert_json_error, assert_page

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

PASSWORD = factories.DEFAULT_PASSWORD


@pytest.fixture
def officer(db):
    user = factories.make_user(role=Role.LICENSING, username="officer")
    db.session.commit()
    return user


def ask_token(anonymous, username="officer", password=PASSWORD, **extra):
    return anonymous.post("/tokens", json={"username": username, "password": password, **extra})


# ---------------------------------------------------------------- getting a token


def test_a_password_gets_a_token_that_works(anonymous, officer, app, db):
    response = ask_token(anonymous, name="اسکریپت گزارش")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    secret = body["token"]
    assert secret.startswith("pishkhan_") and len(secret) > 40
    assert body["token_type"] == "Bearer"
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert timedelta(days=89) < expires - datetime.now(UTC) <= timedelta(days=90)
    assert len(body["expires_at_jalali"]) == 16  # 1405/09/02 12:30, Tehran time
    assert body["details"]["name"] == "اسکریپت گزارش"
    assert body["details"]["user"]["username"] == "officer"

    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash == ops.hash_secret(secret) and secret not in (stored.token_hash, stored.prefix)
    assert secret.startswith(stored.prefix)

    me = ApiCaller(app.test_client(), token=secret)
    assert me.get("/applications").status_code == 200
    assert me.get("/sites").status_code == 200
    assert_json_error(me.get("/people/1"), 404)


def test_token_creation_is_audited_as_the_user(anonymous, officer, db):
    assert ask_token(anonymous).status_code == 201
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "api_tokens"))
    assert event.action == "create" and event.actor_name == "officer"
    assert event.after["token_hash"] == "***"


def test_the_token_lifetime_is_a_setting(anonymous, officer, db):
    set_setting("security.api_token_lifetime_days", 7)
    db.session.commit()
    body = ask_token(anonymous).get_json()
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert timedelta(days=6) < expires - datetime.now(UTC) <= timedelta(days=7)


def test_a_wrong_password_is_a_401_and_counts_towards_the_throttle(anonymous, officer, db):
    from accounts.models import LoginAttempt

    assert_json_error(ask_token(anonymous, password="wrong-password"), 401, "invalid_credentials")
    assert db.session.scalar(select(LoginAttempt.username)) == officer.username
    assert_json_error(ask_token(anonymous, username="nobody"), 401, "invalid_credentials")


def test_after_too_many_failures_even_the_right_password_gets_the_same_401(anonymous, officer, db):
    set_setting("security.login_max_failures", 3)
    db.session.commit()
    wrong = [ask_token(anonymous, password="wrong-password") for _ in range(3)]
    closed = ask_token(anonymous)
    unknown = ask_token(anonymous, username="nobody")
    answers = {
        (r.status_code, r.get_json()["error"]["message"], "Retry-After" in r.headers)
        for r in [*wrong, closed, unknown]
    }
    assert len(answers) == 1 and answers.pop()[0] == 401
    assert db.session.scalar(select(ApiToken)) is None


def test_a_disabled_account_gets_no_token(anonymous, officer, db):
    officer.is_active_account = False
    db.session.commit()
    assert_json_error(ask_token(anonymous), 401, "invalid_credentials")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "officer"}, "password"),
        ({"password": PASSWORD}, "username"),
        ({"username": "officer", "password": PASSWORD, "role": "admin"}, "role"),
        ({"username": ["officer"], "password": PASSWORD}, "username"),
        ({"username": "officer\x00", "password": PASSWORD}, "username"),
        ({"username": "officer", "password": PASSWORD, "name": "ن" * 101}, "name"),
    ],
)
def test_a_bad_token_request_is_a_422_naming_the_field(anonymous, officer, body, field):
    assert_json_error(anonymous.post("/tokens", json=body), 422, "validation", field=field)


def test_a_token_request_must_be_json(anonymous, officer):
    response = anonymous.post(
        "/tokens", data="username=officer", content_type="application/x-www-form-urlencoded"
    )
    assert_json_error(response, 415, "content_type")
    assert_json_error(anonymous.post("/tokens", data="{", content_type="application/json"), 400, "bad_json")


def test_the_number_of_tokens_per_user_is_limited(anonymous, officer, db):
    set_setting("security.api_max_tokens_per_user", 2)
    db.session.commit()
    assert ask_token(anonymous).status_code == 201
    assert ask_token(anonymous).status_code == 201
    assert_json_error(ask_token(anonymous), 409, "conflict")


# ---------------------------------------------------------------- using a token


def test_a_missing_or_unknown_token_is_a_json_401(anonymous, app):
    assert_json_error(anonymous.get("/sites"), 401)
    for header in ("Bearer pishkhan_not-a-real-token", "Bearer ", "Basic b2ZmaWNlcjp4", "pishkhan_x"):
        response = anonymous.get("/sites", headers={"Authorization": header})
        assert_json_error(response, 401, "invalid_token")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused(caller, db):
    me = caller(Role.VIEWER)
    token = db.session.scalar(select(ApiToken))
    token.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    assert_json_error(me.get("/sites"), 401, "invalid_token")


def test_the_token_of_a_disabled_user_is_refused(caller, db):
    me = caller(Role.VIEWER)
    me.user.is_active_account = False
    db.session.commit()
    assert_json_error(me.get("/sites"), 401, "invalid_token")


def test_a_new_password_revokes_the_tokens(caller, db):
    from accounts import operations as account_ops

    me = caller(Role.VIEWER)
    assert me.get("/sites").status_code == 200
    account_ops.change_password(me.user, "a-fresh-long-password", actor=me.user)
    db.session.commit()
    assert_json_error(me.get("/sites"), 401, "invalid_token")


def test_last_use_is_noted_without_an_audit_event(caller, db):
    me = caller(Role.VIEWER)
    before = db.session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    assert me.get("/sites").status_code == 200
    token = db.session.scalar(select(ApiToken))
    db.session.refresh(token)
    assert token.last_used_at is not None
    after = db.session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    assert after == before


def test_a_token_needs_no_csrf_token_but_the_session_does(app, caller, login_as, client, monkeypatch):
    login_as(Role.ADMIN)
    session = ApiCaller(client)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    me = caller(Role.ADMIN)
    person = {"national_id": factories.national_id(), "first_name": "زهرا", "last_name": "کرمی"}
    assert me.post("/people", json=person).status_code == 201
    other = {**person, "national_id": factories.national_id()}
    assert_json_error(session.post("/people", json=other), 400, "csrf")


def test_the_bearer_token_not_the_session_says_who_calls(app, caller, login_as, client):
    login_as(Role.VIEWER)
    viewer_session = ApiCaller(client)
    assert_json_error(viewer_session.post("/people", json={}), 403)
    admin = caller(Role.ADMIN)
    with_both = ApiCaller(client, token=admin.token)
    assert_json_error(with_both.post("/people", json={}), 422, "validation")


# ---------------------------------------------------------------- listing and revoking


def test_a_user_lists_and_revokes_their_own_tokens(caller, db):
    me = caller(Role.INSPECTOR)
    second = ops.issue_token(me.user, name="دوم", actor=None)
    db.session.commit()
    items = assert_page(me.get("/tokens").get_json(), total=2)
    assert {t["name"] for t in items} == {"test", "دوم"} and all(t["active"] for t in items)
    response = me.delete(f"/tokens/{second.token.id}")
    assert response.status_code == 200
    assert response.get_json()["active"] is False and response.get_json()["revoked_at_jalali"]
    assert_json_error(me.delete(f"/tokens/{second.token.id}"), 409, "conflict")
    assert assert_page(me.get("/tokens?active=true").get_json(), total=1)[0]["name"] == "test"
    assert_json_error(ApiCaller(me.client, token=second.secret).get("/sites"), 401, "invalid_token")


def test_a_user_cannot_see_or_revoke_anothers_tokens(caller, db):
    me, other = caller(Role.INSPECTOR), caller(Role.VIEWER)
    theirs = db.session.scalar(select(ApiToken).where(ApiToken.user_id == other.user.id))
    assert_json_error(me.delete(f"/tokens/{theirs.id}"), 403)
    assert_json_error(me.get(f"/tokens?user_id={other.user.id}"), 403)
    assert_json_error(me.get("/tokens?all=true"), 403)
    assert_json_error(me.delete("/tokens/999999"), 404)
    assert other.get("/sites").status_code == 200


def test_an_admin_lists_and_revokes_anyones_tokens(caller, db):
    admin, other = caller(Role.ADMIN), caller(Role.INSPECTOR)
    assert assert_page(admin.get("/tokens?all=true").get_json(), total=2)
    theirs = assert_page(admin.get(f"/tokens?user_id={other.user.id}").get_json(), total=1)[0]
    assert theirs["user"]["id"] == other.user.id
    revoked = admin.delete(f"/tokens/{theirs['id']}")
    assert revoked.status_code == 200
    assert_json_error(other.get("/sites"), 401, "invalid_token")
    token = db.session.get(ApiToken, theirs["id"])
    assert token.revoked_by_id == admin.user.id
    assert_json_error(admin.get("/tokens?user_id=424242"), 422, "validation", field="user_id")


def test_the_cli_prints_a_token_for_scripts(app, db):
    factories.make_user(role=Role.VIEWER, username="bi-office")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["api", "token", "bi-office", "--name", "BI"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert ApiCaller(app.test_client(), token=secret).get("/sites").status_code == 200
    assert app.test_cli_runner().invoke(args=["api", "token", "nobody"]).exit_code != 0
