"""Sessions end when they should, everywhere at once: logout, a new password, deactivation and
"sign out everywhere" (the user's session generation, checked on every request)."""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import select

from accounts import operations as ops
from accounts import tokens as api_ops
from accounts.models import ApiToken
from core.audit import AuditEvent
from core.security import Role
from tests import factories
from tests.conftest import DEFAULT_PASSWORD


@pytest.fixture
def user(db):
    user = factories.make_user(role=Role.INSPECTOR)
    db.session.commit()
    return user


class Browser:
    """A test client whose every request loads its user afresh: the test's app context is shared
    by its requests, and Flask-Login would otherwise keep the first request's user in g."""

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name):
        attribute = getattr(self.client, name)
        if name not in ("get", "post", "open"):
            return attribute

        def call(*args, **kwargs):
            g.pop("_login_user", None)
            try:
                return attribute(*args, **kwargs)
            finally:
                g.pop("_login_user", None)

        return call


def signed_in(app, user):
    client = Browser(app.test_client())
    response = client.post("/login", data={"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    return client


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """A new browser that presents a copied session cookie."""
    thief = Browser(app.test_client())
    thief.set_cookie("session", cookie)
    return thief


def assert_signed_out(client):
    page = client.get("/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    api = client.get("/api/v1/tokens")
    assert api.status_code == 401


def test_a_cookie_replayed_after_logout_is_refused(app, user):
    client = signed_in(app, user)
    copied = cookie_of(client)
    assert replay(app, copied).get("/").status_code == 200  # the copy works while signed in
    assert client.post("/logout").status_code == 302
    assert_signed_out(replay(app, copied))
    assert_signed_out(client)


def test_a_new_password_signs_out_the_other_browsers_but_not_this_one(app, user):
    other = signed_in(app, user)
    me = signed_in(app, user)
    response = me.post(
        "/account/password", data={"password": "a-new-password-1", "confirm": "a-new-password-1"}
    )
    assert response.status_code == 302
    assert_signed_out(other)
    assert me.get("/").status_code == 200


def test_a_password_set_by_the_admin_signs_the_user_out(app, db, user):
    browser = signed_in(app, user)
    ops.change_password(user, "a-new-password-2", actor=None)
    db.session.commit()
    assert_signed_out(browser)


def test_deactivation_signs_out_and_reactivation_does_not_revive_old_sessions(app, db, user):
    admin = factories.make_user(role=Role.ADMIN)
    db.session.commit()
    browser = signed_in(app, user)
    copied = cookie_of(browser)
    fields = dict(full_name=user.full_name, role=user.role, organisation=None, mobile=None)
    ops.update_user(user, **fields, active=False, actor=admin)
    db.session.commit()
    assert_signed_out(browser)
    ops.update_user(user, **fields, active=True, actor=admin)
    db.session.commit()
    assert_signed_out(replay(app, copied))


def test_the_admin_signs_a_user_out_everywhere(app, db, user, login_as, client):
    client = Browser(client)
    browsers = [signed_in(app, user), signed_in(app, user)]
    token = api_ops.issue_token(user, name="تبلت", actor=user)
    db.session.commit()
    login_as(Role.ADMIN)
    page = client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert f"/admin/users/{user.id}/sign-out-everywhere" in page and "خروج از همه دستگاه‌ها" in page
    response = client.post(f"/admin/users/{user.id}/sign-out-everywhere")
    assert response.status_code == 302
    for browser in browsers:
        assert_signed_out(browser)
    assert db.session.get(ApiToken, token.token.id).revoked_at is not None
    assert client.get("/").status_code == 200  # the admin's own session is untouched
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sessions_ended"))
    assert event.object_id == str(user.id) and event.after["reason"] == "sign_out_everywhere"


def test_a_user_signs_themselves_out_everywhere(app, user):
    other = signed_in(app, user)
    me = signed_in(app, user)
    assert "/account/sign-out-everywhere" in me.get("/account/password").get_data(as_text=True)
    response = me.post("/account/sign-out-everywhere")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert_signed_out(other)
    assert_signed_out(me)


def test_only_an_admin_signs_another_user_out(app, db, user, login_as, client):
    login_as(Role.LICENSING)
    assert client.post(f"/admin/users/{user.id}/sign-out-everywhere").status_code == 403


def test_a_session_id_that_is_not_ours_signs_nobody_in(app, user):
    for forged in (str(user.id), f"{user.id}:x", f"{user.id}:{'9' * 30}", "9" * 30 + ":0", "²:0"):
        client = Browser(app.test_client())
        with client.session_transaction() as session:
            session["_user_id"] = forged
            session["_fresh"] = True
        assert client.get("/").status_code == 302, forged
