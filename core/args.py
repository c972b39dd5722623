"""Reading numbers and list filters from the query string (and from hidden form fields): one parser.

A number is ASCII, Persian (۰-۹) or Arabic-Indic (٠-٩) digits only — not "²", "①" or "١٢٣٤" in
any other script that str.isdigit() would accept — and within range; anything else is treated as
absent (a filter is dropped, the page is the first), never a 500.
"""

from __future__ import annotations

import re
from enum import Enum

from flask import request
from werkzeug.routing import IntegerConverter

# Primary keys are 32-bit integers on PostgreSQL: larger numbers cannot name a row.
MAX_ID = 2**31 - 1
MAX_PAGE = 1_000_000

_DIGITS = re.compile("[0-9\u06f0-\u06f9\u0660-\u0669]{1,12}")
_TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def parse_int(value: object, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """The whole number written in value (ASCII, Persian or Arabic-Indic digits), if within range."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if minimum <= value <= maximum else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text.translate(_TO_ASCII))
    return number if minimum <= number <= maximum else None


def int_arg(name: str, *, maximum: int = MAX_ID) -> int | None:
    """A positive integer argument, or None when absent or not a sensible number."""
    return parse_int(request.args.get(name, ""), maximum=maximum)


def page_arg() -> int:
    """The page number (1 when absent or nonsense)."""
    return int_arg("page", maximum=MAX_PAGE) or 1


def enum_arg(name: str, enum_cls: type[Enum]) -> str | None:
    """An argument that must be one of an enum's values, else None."""
    value = request.args.get(name) or None
    return value if value in {m.value for m in enum_cls} else None


class RowIdConverter(IntegerConverter):
    """The <int:…> path converter, bounded to the ids a row can have: a larger number is a 404."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID, **kw):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, **kw)


def coerce_id(value: object) -> int:
    """WTForms' coerce for id choices: like int(), but only our digits and within a row id's range."""
    number = parse_int(value, minimum=0)
    if number is None:
        raise ValueError("not a row id")
    return number
