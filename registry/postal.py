"""Postal codes (کد پستی) by the national post's format: ten digits; the first five (the
distribution area) use no 0 or 2, the fifth not 5 either, the last five no 2; and no run of
four equal digits at the start (so 0000000000 or 1111111111 is refused).

The rule is the pattern published with the post company's code structure and used by the
common validators, e.g. ^(?!(\\d)\\1{3})[13-9]{4}[1346-9][013-9]{5}$.
"""

from __future__ import annotations

import re

from core.persian import digits_only

_PATTERN = re.compile(r"(?!(\d)\1{3})[13-9]{4}[1346-9][013-9]{5}")


def valid_postal_code(code: str | None) -> bool:
    """Whether a ten-digit Iranian postal code has the national post's format."""
    return bool(_PATTERN.fullmatch(digits_only(code)))


def postal_code_problem(code: str | None) -> str | None:
    """A Persian message for a malformed postal code, or None when it is well formed."""
    digits = digits_only(code)
    if len(digits) != 10:
        return "کد پستی باید ۱۰ رقم باشد."
    if not valid_postal_code(digits):
        return (
            "کد پستی معتبر نیست: پنج رقم نخست صفر و ۲ ندارد، رقم پنجم ۵ نیست، پنج رقم دوم ۲ ندارد "
            "و با چهار رقم یکسان آغاز نمی‌شود."
        )
    return None
