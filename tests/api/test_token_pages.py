"""The "my API tokens" page: a user makes a token (shown once) and revokes it; the admin sees and
revokes everyone's; CSRF on the page's forms as on every screen."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from accounts import tokens as token_ops
from accounts.models import ApiToken
from core.security import Role
from tests import factories
from tests.api.conftest import ApiCaller


def test_a_user_makes_a_token_sees_it_once_and_revokes_it(app, client, login_as, db):
    user = login_as(Role.INSPECTOR)
    page = client.get("/account/api-tokens")
    assert page.status_code == 200 and "توکنی ندارید" in page.get_data(as_text=True)
    made = client.post("/account/api-tokens", data={"name": "تبلت بازرسی ۳"})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    html = made.get_data(as_text=True)
    secret = re.search(r'value="(pishkhan_[^"]+)"', html).group(1)
    assert "دیگر نشان داده نمی‌شود" in html and "تبلت بازرسی 3" in html  # stored with ASCII digits
    assert ApiCaller(app.test_client(), token=secret).get("/inspections").status_code == 200
    again = client.get("/account/api-tokens").get_data(as_text=True)
    assert secret not in again and secret[:15] in again
    token = db.session.scalar(select(ApiToken))
    assert token.user_id == user.id
    revoked = client.post(f"/account/api-tokens/{token.id}/revoke")
    assert revoked.status_code == 302 and revoked.headers["Location"].endswith("/account/api-tokens")
    assert "باطل شده" in client.get("/account/api-tokens").get_data(as_text=True)
    assert ApiCaller(app.test_client(), token=secret).get("/inspections").status_code == 401
    twice = client.post(f"/account/api-tokens/{token.id}/revoke", follow_redirects=True)
    assert "پیش‌تر باطل شده" in twice.get_data(as_text=True)


def test_a_too_long_name_is_refused_on_the_form(client, login_as, db):
    login_as(Role.VIEWER)
    response = client.post("/account/api-tokens", data={"name": "ن" * 101})
    assert response.status_code == 200 and db.session.scalar(select(ApiToken)) is None


def test_a_user_cannot_revoke_anothers_token(client, login_as, db):
    other = factories.make_user(role=Role.VIEWER)
    theirs = token_ops.issue_token(other, name="x", actor=None).token
    db.session.commit()
    login_as(Role.INSPECTOR)
    assert client.post(f"/account/api-tokens/{theirs.id}/revoke").status_code == 403
    assert client.get("/admin/api-tokens").status_code == 403


def test_the_admin_sees_and_revokes_everyones_tokens(client, login_as, db):
    other = factories.make_user(role=Role.INSPECTOR, full_name="فاطمه دالوند")
    theirs = token_ops.issue_token(other, name="تبلت فاطمه", actor=None).token
    db.session.commit()
    login_as(Role.ADMIN)
    page = client.get("/admin/api-tokens").get_data(as_text=True)
    assert "فاطمه دالوند" in page and "تبلت فاطمه" in page
    response = client.post(
        f"/account/api-tokens/{theirs.id}/revoke", data={"next": "/admin/api-tokens?all=1"}
    )
    assert response.headers["Location"].endswith("/admin/api-tokens?all=1")
    assert db.session.get(ApiToken, theirs.id).revoked_by_id is not None
    assert "<td>تبلت فاطمه</td>" not in client.get("/admin/api-tokens").get_data(as_text=True)
    assert "<td>تبلت فاطمه</td>" in client.get("/admin/api-tokens?all=1").get_data(as_text=True)


@pytest.mark.usefixtures("csrf_enabled")
def test_the_token_forms_need_the_csrf_token(app, db):
    user = factories.make_user(role=Role.VIEWER)
    db.session.commit()
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    client.post(
        "/login", data={"username": user.username, "password": factories.DEFAULT_PASSWORD, "csrf_token": csrf}
    )
    assert client.post("/account/api-tokens", data={"name": "x"}).status_code == 400
    assert db.session.scalar(select(ApiToken)) is None
