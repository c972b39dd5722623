import re

import pytest
from sqlalchemy import select

from accounts import operations as ops
from accounts.models import User
from core.errors import DomainError
from core.security import Role
from tests import factories
from tests.conftest import DEFAULT_PASSWORD


def _login(client, username, password):
    return client.post("/login", data={"username": username, "password": password})


def test_login_logout_round_trip(client, db):
    user = factories.make_user(role=Role.INSPECTOR)
    db.session.commit()
    response = _login(client, user.username, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_shows_persian_message(client, db):
    user = factories.make_user()
    db.session.commit()
    response = _login(client, user.username, "wrong-password")
    assert response.status_code == 200
    assert "نام کاربری یا گذرواژه نادرست است." in response.get_data(as_text=True)


def test_disabled_account_cannot_log_in(client, db):
    user = factories.make_user()
    user.is_active_account = False
    db.session.commit()
    assert _login(client, user.username, DEFAULT_PASSWORD).status_code == 200


def test_password_is_hashed_and_minimum_length_enforced(app, db):
    user = factories.make_user(password="a-long-password")
    assert "a-long-password" not in user.password_hash and user.check_password("a-long-password")
    with pytest.raises(DomainError) as err:
        factories.make_user(password="short")
    assert "دست‌کم" in err.value.message


def test_production_hashes_with_scrypt(app, db):
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    try:
        user = factories.make_user()
    finally:
        app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    assert user.password_hash.startswith("scrypt:")


def test_open_redirect_is_refused(client, db):
    user = factories.make_user()
    db.session.commit()
    response = client.post(
        "/login?next=//evil.example/x",
        data={"username": user.username, "password": DEFAULT_PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_csrf_refused_without_token(client, db, csrf_enabled):
    user = factories.make_user()
    db.session.commit()
    response = _login(client, user.username, DEFAULT_PASSWORD)
    assert response.status_code == 400
    assert "نشست فرم" in response.get_data(as_text=True)


def test_csrf_accepted_with_token(client, db, csrf_enabled):
    user = factories.make_user()
    db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={"username": user.username, "password": DEFAULT_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    # A logged-in form post without the token is refused too.
    assert client.post("/people/new", data={"first_name": "x"}).status_code in (400, 403)


def test_security_headers_and_cookie_flags(client, db):
    user = factories.make_user()
    db.session.commit()
    response = _login(client, user.username, DEFAULT_PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/login")
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_admin_creates_and_edits_a_user(client, login_as, db):
    admin = login_as(Role.ADMIN)
    response = client.post(
        "/admin/users/new",
        data={
            "username": "member9",
            "full_name": "رضا احمدي",
            "role": "committee_member",
            "organisation": "استانداری لرستان",
            "password": "a-long-password",
            "mobile": "۰۹۱۲۳۴۵۶۷۸۹",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "member9"))
    assert user.full_name == "رضا احمدی" and user.mobile == "09123456789"
    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={"username": "member9", "full_name": "رضا احمدی", "role": "viewer", "active": "y"},
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.role == Role.VIEWER
    # An admin cannot demote themselves.
    response = client.post(
        f"/admin/users/{admin.id}/edit",
        data={"username": admin.username, "full_name": "x", "role": "viewer", "active": "y"},
    )
    assert response.status_code == 200
    assert "نمی‌توانید" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"username": "", "full_name": "x", "role": "viewer", "password": "a-long-password"},
            "این فیلد اجباری است.",
        ),
        (
            {"username": "علی", "full_name": "x", "role": "viewer", "password": "a-long-password"},
            "فقط از حروف لاتین",
        ),
        (
            {"username": "ali", "full_name": "x", "role": "emperor", "password": "a-long-password"},
            "انتخاب درستی نیست",
        ),
        ({"username": "ali", "full_name": "x", "role": "viewer", "password": "short"}, "دست‌کم"),
        (
            {
                "username": "ali",
                "full_name": "x" * 300,
                "role": "viewer",
                "password": "a-long-password",
            },
            "طول فیلد",
        ),
    ],
)
def test_bad_user_form_answers_in_persian(client, login_as, db, data, message):
    login_as(Role.ADMIN)
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_duplicate_username_is_refused(db):
    factories.make_user(username="sara")
    with pytest.raises(DomainError):
        factories.make_user(username="SARA")


def test_cli_creates_users(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "ops1",
            "--role",
            "inspector",
            "--password",
            "a-long-password",
            "--full-name",
            "بازرس",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "ops1"))
    assert user.role == Role.INSPECTOR and user.check_password("a-long-password")
    result = runner.invoke(args=["users", "create", "ops2", "--role", "inspector", "--password", "short"])
    assert result.exit_code != 0 and "دست‌کم" in result.output
    result = runner.invoke(
        args=["users", "create", "ops3", "--role", "inspector"],
        input="a-long-password\na-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert ops.authenticate("ops3", "a-long-password", address=None).user is not None


def test_own_password_change(client, login_as, db):
    user = login_as(Role.VIEWER)
    response = client.post(
        "/account/password", data={"password": "another-long-one", "confirm": "another-long-one"}
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.check_password("another-long-one")
    response = client.post("/account/password", data={"password": "x", "confirm": "y"})
    assert "تکرار گذرواژه یکسان نیست." in response.get_data(as_text=True)
