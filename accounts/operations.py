"""Business rules for accounts: creating users, passwords, login throttling."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from accounts.models import ApiToken, User
from core.audit import Actor, log_event
from core.clock import as_utc, utcnow
from core.errors import DomainError
from core.extensions import db
from core.persian import normalize_for_search
from core.security import Role
from core.settings import get_setting


def check_password_policy(password: str) -> None:
    """Refuse a password shorter than the configured minimum."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password or "") < minimum:
        raise DomainError(f"گذرواژه باید دست‌کم {minimum} نویسه باشد.", field="password")


def create_user(
    username: str,
    *,
    full_name: str,
    role: Role | str,
    password: str,
    organisation: str | None = None,
    mobile: str | None = None,
    actor: object = None,
) -> User:
    """Create an account; usernames are unique regardless of case."""
    username = (username or "").strip().lower()
    if not username:
        raise DomainError("نام کاربری را وارد کنید.", field="username")
    if db.session.scalar(select(func.count()).where(User.username == username)):
        raise DomainError("این نام کاربری پیش‌تر ثبت شده است.", field="username")
    try:
        role = Role(role)
    except ValueError as exc:
        raise DomainError("نقش انتخاب‌شده معتبر نیست.", field="role") from exc
    check_password_policy(password)
    user = User(username=username, role=role, organisation=organisation or None, mobile=mobile or None)
    user.set_full_name(full_name or username)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(
    user: User,
    *,
    full_name: str,
    role: Role | str,
    organisation: str | None,
    mobile: str | None,
    active: bool,
    actor: User,
) -> User:
    """Change an account's details; an admin cannot take away their own admin role."""
    role = Role(role)
    if user.id == actor.id and (role != Role.ADMIN or not active):
        raise DomainError("نمی‌توانید نقش مدیر یا فعال بودن حساب خودتان را بردارید.", field="role")
    user.set_full_name(full_name)
    user.role = role
    user.organisation = organisation or None
    user.mobile = mobile or None
    user.is_active_account = active
    if active:
        user.failed_logins = 0
        user.locked_until = None
    db.session.flush()
    return user


def change_password(user: User, new_password: str, *, actor: User) -> None:
    """Set a new password after checking the policy; the user's API tokens stop working too
    (a password changed because it leaked should not leave a token behind)."""
    check_password_policy(new_password)
    user.set_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
    now = utcnow()
    for token in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
        token.revoked_by_id = getattr(actor, "id", None)
    db.session.flush()


@dataclass
class LoginResult:
    user: User | None
    message: str | None = None


def authenticate(username: str, password: str, *, address: str | None) -> LoginResult:
    """Check a login; after too many failures the account is locked for a while."""
    generic = "نام کاربری یا گذرواژه نادرست است."
    username = (username or "").strip().lower()
    user = db.session.scalar(select(User).where(User.username == username))
    now = utcnow()
    anonymous = Actor(None, username or "?", "anonymous", address)
    if user is None:
        log_event(
            db.session,
            "login_failed",
            object_type="users",
            object_id=None,
            after={"username": username},
            actor=anonymous,
        )
        return LoginResult(None, generic)
    locked = as_utc(user.locked_until)
    if locked and locked > now:
        log_event(
            db.session,
            "login_refused_locked",
            object_type="users",
            object_id=user.id,
            actor=anonymous,
        )
        return LoginResult(
            None,
            "به دلیل تلاش‌های ناموفق پیاپی، این حساب موقتاً قفل است. چند دقیقه بعد دوباره تلاش کنید.",
        )
    if not user.is_active_account:
        return LoginResult(None, "این حساب غیرفعال است.")
    if not user.check_password(password or ""):
        user.failed_logins += 1
        if user.failed_logins >= get_setting("security.login_max_failures"):
            user.locked_until = now + timedelta(minutes=get_setting("security.login_lockout_minutes"))
            user.failed_logins = 0
        log_event(db.session, "login_failed", object_type="users", object_id=user.id, actor=anonymous)
        db.session.flush()
        return LoginResult(None, generic)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    log_event(
        db.session,
        "login",
        object_type="users",
        object_id=user.id,
        actor=Actor(user.id, user.username, str(user.role), address),
    )
    db.session.flush()
    return LoginResult(user)


def lockout_seconds(username: str) -> int:
    """How long the account stays locked by failed logins, in whole seconds (0: not locked)."""
    user = db.session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    locked = as_utc(user.locked_until) if user is not None else None
    if locked is None:
        return 0
    return max(0, math.ceil((locked - utcnow()).total_seconds()))


def search_users(query: str | None):
    """Users whose name or username matches every word of the query."""
    stmt = select(User)
    for term in normalize_for_search(query).split():
        stmt = stmt.where(
            User.full_name_norm.contains(term, autoescape=True)
            | User.username.contains(term, autoescape=True)
        )
    return stmt.order_by(User.username)
