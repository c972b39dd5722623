"""The wording of letters: the admin's templates (sandboxed Jinja) or the defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select

from core.errors import DomainError
from core.extensions import db
from core.persian import to_persian_digits
from letters.models import LetterKind, LetterTemplate
from letters.operations._common import LIMITS
from letters.wording import DEFAULT_SMS, DEFAULTS, allowed_fields

_env = SandboxedEnvironment(autoescape=False, keep_trailing_newline=False)


@dataclass
class Wording:
    subject: str
    body: str
    sms_text: str


def wording_for(kind: LetterKind) -> Wording:
    """The admin's wording of a kind of letter, else the default."""
    row = db.session.scalar(select(LetterTemplate).where(LetterTemplate.kind == kind))
    if row is not None:
        return Wording(row.subject, row.body, row.sms_text)
    subject, body = DEFAULTS[kind]
    return Wording(subject, body, DEFAULT_SMS)


def check_template(text: str, kind: LetterKind, field_name: str) -> None:
    try:
        parsed = _env.parse(text)
    except TemplateSyntaxError as exc:
        line = to_persian_digits(exc.lineno)
        raise DomainError(f"قالب در سطر {line} نادرست است: {exc.message}", field=field_name) from exc
    unknown = sorted(meta.find_undeclared_variables(parsed) - set(allowed_fields(kind)))
    if unknown:
        raise DomainError("این نام‌ها در فیلدهای این نوع نامه نیستند: " + "، ".join(unknown), field=field_name)


def render_text(text: str, context: dict[str, Any]) -> str:
    """Render an admin's template in the sandbox; a failure is a Persian error, never a 500."""
    try:
        return _env.from_string(text).render(**context).strip()
    except Exception as exc:  # the sandbox refuses unsafe access with SecurityError, and so on
        raise DomainError(f"قالب نامه اجرا نشد: {exc}") from exc


def save_template(kind: LetterKind | str, data: dict[str, str], *, actor) -> LetterTemplate:
    """Store the admin's wording of a kind of letter after checking it parses and uses known fields."""
    kind = LetterKind(kind)
    if kind == LetterKind.HANDWRITTEN:
        raise DomainError("نامه دستی قالب ندارد.")
    values = {}
    for key, limit in (("subject", LIMITS["subject"]), ("body", LIMITS["text"]), ("sms_text", 1000)):
        text = (data.get(key) or "").strip()
        if not text:
            raise DomainError("این بخش قالب را بنویسید.", field=key)
        if len(text) > limit:
            raise DomainError("متن بیش از اندازه بلند است.", field=key)
        check_template(text, kind, key)
        values[key] = text
    row = db.session.scalar(select(LetterTemplate).where(LetterTemplate.kind == kind))
    if row is None:
        row = LetterTemplate(kind=kind, **values)
        db.session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    db.session.flush()
    return row


def reset_template(kind: LetterKind | str, *, actor) -> None:
    """Go back to the default wording."""
    row = db.session.scalar(select(LetterTemplate).where(LetterTemplate.kind == LetterKind(kind)))
    if row is not None:
        db.session.delete(row)
        db.session.flush()
