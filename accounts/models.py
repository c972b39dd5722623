"""The user account and its API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.clock import as_utc
from core.db import Base, TimestampMixin, utcnow
from core.persian import normalize_for_search
from core.security import Role


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __label__ = "کاربر"
    __field_labels__ = {
        "username": "نام کاربری",
        "full_name": "نام",
        "role": "نقش",
        "organisation": "سازمان",
        "mobile": "تلفن همراه",
        "password_hash": "گذرواژه",  # nosec B105  # a field label
        "is_active_account": "فعال",
    }
    # session_generation changes on every logout; the events that matter are logged by name.
    __audit_exclude__ = ("last_login_at", "full_name_norm", "session_generation")
    __audit_redact__ = ("password_hash",)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(150))
    full_name_norm: Mapped[str] = mapped_column(String(150), default="")
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])
    )
    # The organisation a committee member or working-group member represents.
    organisation: Mapped[str | None] = mapped_column(String(150))
    mobile: Mapped[str | None] = mapped_column(String(11))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    # Part of every session's (and remember cookie's) user id: raising it ends them all at once
    # (logout, a new password, deactivation, "sign out everywhere"); see get_id and load_user.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    def get_id(self) -> str:  # Flask-Login: what the session keeps
        return f"{self.id}:{self.session_generation}"

    def end_sessions(self) -> None:
        """Sign the account out of every browser: sessions made before this no longer load."""
        self.session_generation = (self.session_generation or 0) + 1

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password (scrypt unless configured otherwise)."""
        from flask import current_app

        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def set_full_name(self, name: str) -> None:
        self.full_name = name
        self.full_name_norm = normalize_for_search(name)

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account cannot log in
        return self.is_active_account

    @property
    def role_label(self) -> str:
        return self.role.label

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginAttempt(Base):
    """A failed login (a success clears its account's failures from that address). Kept in the
    database so that every worker counts the same attempts; rows older than the window go."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(45))

    def __repr__(self) -> str:
        return f"<LoginAttempt {self.username} from {self.address}>"


class ApiToken(Base):
    """A bearer token for the API. Only the SHA-256 of the secret is stored; the secret itself is
    shown once, when the token is made. A token expires, and its user or an admin may revoke it."""

    __tablename__ = "api_tokens"
    __label__ = "توکن API"
    __field_labels__ = {
        "name": "نام",
        "user_id": "کاربر",
        "expires_at": "انقضا",
        "revoked_at": "ابطال",
        "revoked_by_id": "باطل‌کننده",
    }
    __audit_exclude__ = ("last_used_at",)
    __audit_redact__ = ("token_hash",)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, so that a user can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    def is_active_at(self, moment: datetime) -> bool:
        """Neither revoked nor expired at that moment."""
        return self.revoked_at is None and as_utc(self.expires_at) > moment

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix} user={self.user_id}>"
