"""Reading list filters from the query string: bad values are ignored, never a 500."""

from __future__ import annotations

from enum import Enum

from flask import request

# Primary keys are 32-bit integers on PostgreSQL: larger numbers cannot name a row.
MAX_ID = 2**31 - 1


def int_arg(name: str, *, maximum: int = MAX_ID) -> int | None:
    """A positive integer argument, or None when absent or not a sensible number."""
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and 0 < int(value) <= maximum else None


def page_arg() -> int:
    """The page number (1 when absent or nonsense)."""
    return int_arg("page", maximum=1_000_000) or 1


def enum_arg(name: str, enum_cls: type[Enum]) -> str | None:
    """An argument that must be one of an enum's values, else None."""
    value = request.args.get(name) or None
    return value if value in {m.value for m in enum_cls} else None
