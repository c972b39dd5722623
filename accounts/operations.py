"""Business rules for accounts: creating users, passwords, login throttling, ending sessions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from accounts.models import ApiToken, LoginAttempt, User
from core.audit import Actor, log_event
from core.clock import utcnow
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
    if user.is_active_account and not active:
        user.end_sessions()  # a disabled account is signed out everywhere, and stays so
    user.is_active_account = active
    if active:
        clear_login_failures(user.username)  # an admin's unlock
    db.session.flush()
    return user


def change_password(user: User, new_password: str, *, actor: User) -> None:
    """Set a new password after checking the policy; every session and API token of the user stops
    working (a password changed because it leaked should leave nothing signed in behind)."""
    check_password_policy(new_password)
    user.set_password(new_password)
    user.end_sessions()
    clear_login_failures(user.username)
    _revoke_tokens(user, actor)
    db.session.flush()


def _revoke_tokens(user: User, actor) -> None:
    now = utcnow()
    for token in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
        token.revoked_by_id = getattr(actor, "id", None)


LOGIN_REFUSED = "نام کاربری یا گذرواژه نادرست است. پس از چند تلاش ناموفق، ورود برای چند دقیقه بسته می‌شود."


@dataclass
class LoginResult:
    user: User | None
    message: str | None = None


@cache
def _dummy_hash(method: str) -> str:
    """A hash to check passwords of unknown usernames against, so that they take as long."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _password_matches(user: User | None, password: str) -> bool:
    """Check the password against the user's hash, or a dummy hash of the same kind: equal time."""
    if user is None:
        check_password_hash(_dummy_hash(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")), password)
        return False
    return user.check_password(password)


def _failures(*conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(LoginAttempt).where(*conditions)) or 0


def login_blocked(username: str, address: str) -> bool:
    """Whether failed logins in the window close this login: the account from this address, this
    address for any account, or the account from everywhere (a limit above the per-address one,
    so that one address cannot close an account for the others)."""
    since = utcnow() - timedelta(minutes=get_setting("security.login_lockout_minutes"))
    recent = LoginAttempt.at > since
    return (
        _failures(recent, LoginAttempt.username == username, LoginAttempt.address == address)
        >= get_setting("security.login_max_failures")
        or _failures(recent, LoginAttempt.address == address)
        >= get_setting("security.login_max_failures_per_address")
        or _failures(recent, LoginAttempt.username == username)
        >= get_setting("security.login_max_failures_per_account")
    )


def clear_login_failures(username: str, address: str | None = None) -> None:
    """Forget an account's failed logins (from one address, or from all: an admin's unlock)."""
    stmt = delete(LoginAttempt).where(LoginAttempt.username == username)
    if address is not None:
        stmt = stmt.where(LoginAttempt.address == address)
    db.session.execute(stmt)


def _refusal(user: User | None, *, blocked: bool, matches: bool) -> str | None:
    """Why a login is refused (for the audit log only: the caller is told nothing), or None."""
    if user is None:
        return "unknown"
    if blocked:
        return "blocked"
    if not matches:
        return "password"
    if not user.is_active_account:
        return "inactive"
    return None


def authenticate(username: str, password: str, *, address: str | None) -> LoginResult:
    """Check a login, throttled per account and address (login_blocked).

    An unknown username, a wrong password, a closed login and a disabled account get the same
    answer, after the same work (one password hash, one attempt row, one audit event), so that
    neither the message nor the time tells whether an account exists.
    """
    username = (username or "").strip().lower()[:64]
    address = (address or "?")[:45]
    now = utcnow()
    user = db.session.scalar(select(User).where(User.username == username))
    blocked = login_blocked(username, address)
    matches = _password_matches(user, password or "")
    anonymous = Actor(None, username or "?", "anonymous", address)
    db.session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.at < now - timedelta(minutes=get_setting("security.login_lockout_minutes"))
        )
    )
    reason = _refusal(user, blocked=blocked, matches=matches)
    if reason is not None:
        db.session.add(LoginAttempt(at=now, username=username, address=address))
        log_event(
            db.session,
            "login_failed",
            object_type="users",
            object_id=user.id if user is not None else None,
            after={"username": username, "reason": reason},
            actor=anonymous,
        )
        db.session.flush()
        return LoginResult(None, LOGIN_REFUSED)
    clear_login_failures(username, address)
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


def end_sessions(user: User, *, actor, reason: str) -> None:
    """Sign the user out of every browser at once (logout, sign out everywhere)."""
    user.end_sessions()
    log_event(
        db.session,
        "sessions_ended",
        object_type="users",
        object_id=user.id,
        after={"reason": reason},
        actor=Actor(actor.id, actor.username, str(actor.role), None) if actor is not None else None,
    )
    db.session.flush()


def sign_out_everywhere(user: User, *, actor: User) -> None:
    """End every session of the user and revoke their API tokens: nothing signed in remains."""
    end_sessions(user, actor=actor, reason="sign_out_everywhere")
    _revoke_tokens(user, actor)
    db.session.flush()


def search_users(query: str | None):
    """Users whose name or username matches every word of the query."""
    stmt = select(User)
    for term in normalize_for_search(query).split():
        stmt = stmt.where(
            User.full_name_norm.contains(term, autoescape=True)
            | User.username.contains(term, autoescape=True)
        )
    return stmt.order_by(User.username)
