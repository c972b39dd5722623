"""Business rules for API tokens: issuing one to a user, revoking it, recognising it on a call.

A token is "pishkhan_" followed by 43 random URL-safe characters (256 bits). Only its SHA-256 is
stored, so a copy of the database does not hand out working tokens; the secret is shown once.
Tokens expire after security.api_token_lifetime_days, stop working when their user is disabled,
and can be revoked by their user or an admin. Getting a token with a username and password goes
through accounts.operations.authenticate, so the login throttling applies to it too.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from accounts.models import ApiToken, User
from core.audit import Actor, acting_as
from core.clock import as_utc, utcnow
from core.errors import DomainError
from core.extensions import db
from core.persian import clean_text, to_persian_digits
from core.security import ALL_ROLES, Role
from core.settings import get_setting

TOKEN_PREFIX = "pishkhan_"  # nosec B105  # the public prefix every token shows
NAME_MAX = 100
# last_used_at is a hint for the user ("used 3 days ago"), not a log: written at most this often.
LAST_USED_RESOLUTION = timedelta(minutes=5)
# Every account may hold tokens for itself; the admin sees and revokes everyone's.
OWN_TOKENS = tuple(ALL_ROLES)


def can_revoke_token(user, token) -> bool:
    """A token's own user, or an admin."""
    return getattr(user, "role", None) == Role.ADMIN or token.user_id == getattr(user, "id", None)


def can_see_all_tokens(user) -> bool:
    return getattr(user, "role", None) == Role.ADMIN


def hash_secret(secret: str) -> str:
    """The stored form of a token: the hex SHA-256 of its secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass
class IssuedToken:
    token: ApiToken
    secret: str


def active_tokens(user: User, now: datetime | None = None) -> Select:
    """The user's tokens that are neither revoked nor expired."""
    now = now or utcnow()
    return select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now
    )


def issue_token(user: User, *, name: str | None, actor, address: str | None = None) -> IssuedToken:
    """Make a token for an active user; the secret is returned here once and never stored."""
    if not user.is_active:
        raise DomainError("این حساب غیرفعال است و توکن نمی‌گیرد.")
    name = clean_text(name) or "API"
    if len(name) > NAME_MAX:
        raise DomainError(f"نام توکن حداکثر {to_persian_digits(NAME_MAX)} نویسه است.", field="name")
    now = utcnow()
    limit = get_setting("security.api_max_tokens_per_user")
    count = db.session.scalar(select(func.count()).select_from(active_tokens(user, now).subquery()))
    if count >= limit:
        raise DomainError(
            f"این حساب {to_persian_digits(count)} توکن فعال دارد (حداکثر {to_persian_digits(limit)})؛ "
            "نخست توکنی را که لازم نیست باطل کنید."
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        token_hash=hash_secret(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        created_at=now,
        expires_at=now + timedelta(days=get_setting("security.api_token_lifetime_days")),
    )
    db.session.add(token)
    if actor is not None and getattr(actor, "id", None) is not None:
        # A token request comes in anonymously: the audit names the user who just logged in.
        with acting_as(Actor(actor.id, actor.username, str(actor.role), address)):
            db.session.flush()
    else:
        db.session.flush()
    return IssuedToken(token, secret)


def revoke_token(token: ApiToken, *, actor) -> ApiToken:
    """Revoke a token: calls with it are refused from now on."""
    if token.revoked_at is not None:
        raise DomainError("این توکن پیش‌تر باطل شده است.")
    token.revoked_at = utcnow()
    token.revoked_by_id = getattr(actor, "id", None)
    db.session.flush()
    return token


def authenticate_token(secret: str) -> ApiToken | None:
    """The token a call presents, if it is ours, not revoked, not expired and its user is active."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(
        select(ApiToken).options(joinedload(ApiToken.user)).where(ApiToken.token_hash == hash_secret(secret))
    )
    now = utcnow()
    if token is None or not token.is_active_at(now) or not token.user.is_active:
        return None
    return token


def needs_touch(token: ApiToken, now: datetime | None = None) -> bool:
    """Whether last_used_at is stale enough to be written again."""
    last = as_utc(token.last_used_at)
    return last is None or (now or utcnow()) - last >= LAST_USED_RESOLUTION


def touch_token(token: ApiToken) -> None:
    """Note that the token was just used (not audited: it is not a change of the record)."""
    token.last_used_at = utcnow()
    db.session.flush()


def tokens_query(*, user: User | None = None, active_only: bool = False) -> Select:
    """Tokens newest first: one user's, or everyone's (for the admin)."""
    stmt = select(ApiToken).options(joinedload(ApiToken.user)).order_by(ApiToken.id.desc())
    if user is not None:
        stmt = stmt.where(ApiToken.user_id == user.id)
    if active_only:
        now = utcnow()
        stmt = stmt.where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
    return stmt
