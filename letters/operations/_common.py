"""What the letters' operations share: text limits, address checks, the letterhead's name and the
fields every template sees."""

from __future__ import annotations

from datetime import date
from typing import Any

from core.errors import DomainError
from core.persian import clean_text, digits_only, format_jalali
from core.settings import get_setting

LIMITS = {"name": 200, "subject": 300, "text": 20000, "email": 200, "address": 2000}


def directorate_name() -> str:
    """The directorate as the letterhead names it (the setting, with the province)."""
    from registry.operations import province_name

    name = clean_text(get_setting("letters.directorate_name"))
    province = province_name()
    return f"{name} {province}" if province and province not in name else name


def base_context(number: str, day: date, recipient_name: str, signer: str) -> dict[str, Any]:
    """The fields every letter's template may use."""
    return {
        "number": number,
        "date": format_jalali(day),
        "recipient": recipient_name,
        "directorate": directorate_name(),
        "signer": signer,
    }


def valid_email(value: str | None, field: str = "recipient_email") -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or " " in value or len(value) > LIMITS["email"]:
        raise DomainError("نشانی رایانامه معتبر نیست.", field=field)
    return value


def valid_mobile(value: str | None, field: str = "recipient_mobile") -> str | None:
    value = digits_only(value or "")
    if not value:
        return None
    if len(value) != 11 or not value.startswith("09"):
        raise DomainError("شماره همراه باید ۱۱ رقم و با ۰۹ آغاز شود.", field=field)
    return value
