"""The user account."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from core.db import Base, TimestampMixin
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
        "password_hash": "گذرواژه",
        "is_active_account": "فعال",
        "locked_until": "قفل تا",
    }
    __audit_exclude__ = ("last_login_at", "failed_logins", "full_name_norm")
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
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]

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
