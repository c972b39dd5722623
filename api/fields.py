"""Marshmallow fields and the base schema of the API: Persian error messages, Jalali dates.

Input fields refuse what the database would choke on (NUL characters, lone surrogates, integers
beyond 32 bits, text longer than its column), so that bad input is a 422 and never a 500. Every
date is written as ISO-8601 with a Jalali companion (``issued_on`` and ``issued_on_jalali``) and
read in either form.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import marshmallow as ma
from marshmallow import fields, validate

from core.args import MAX_ID
from core.clock import as_utc
from core.geo import IRAN_LAT, IRAN_LON
from core.persian import (
    JalaliDateError,
    format_jalali,
    format_number,
    local_datetime,
    parse_jalali,
    to_latin_digits,
    to_persian_digits,
)

REQUIRED = "این فیلد اجباری است."
_BASE_MESSAGES = {
    "required": REQUIRED,
    "null": "این فیلد نمی‌تواند خالی (null) باشد.",
    "validator_failed": "مقدار این فیلد معتبر نیست.",
}
# NUL is refused by PostgreSQL; lone surrogates cannot be encoded; other C0 controls (but tab and
# line breaks) are never part of real text.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


class Schema(ma.Schema):
    """The base of every API schema: Persian messages for unknown keys and wrong input types."""

    error_messages = {
        "unknown": "این فیلد شناخته‌شده نیست.",
        "type": "داده باید یک شیء JSON باشد.",
    }


def length(maximum: int, minimum: int | None = None) -> validate.Length:
    """A length limit with a Persian message."""
    if minimum:
        message = f"طول این فیلد باید از {format_number(minimum)} تا {format_number(maximum)} نویسه باشد."
    else:
        message = f"این فیلد حداکثر {format_number(maximum)} نویسه است."
    return validate.Length(min=minimum, max=maximum, error=message)


def between(minimum: float, maximum: float, message: str | None = None) -> validate.Range:
    """A numeric range with a Persian message."""
    message = message or (f"مقدار باید از {to_persian_digits(minimum)} تا {to_persian_digits(maximum)} باشد.")
    return validate.Range(min=minimum, max=maximum, error=message)


class Str(fields.String):
    """Text: any Unicode text without control characters, at most max_length characters."""

    default_error_messages = {
        **_BASE_MESSAGES,
        "invalid": "این فیلد باید متن باشد.",
        "invalid_utf8": "متن باید UTF-8 معتبر باشد.",
        "control": "متن نویسه‌های کنترلی (مانند NUL) دارد که پذیرفته نیست.",
    }

    def __init__(self, *, max_length: int | None = None, min_length: int | None = None, **kwargs):
        validators = list(kwargs.pop("validate", None) or [])
        if max_length is not None:
            validators.insert(0, length(max_length, min_length))
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if _FORBIDDEN.search(text):
            raise self.make_error("control")
        return text


class Int(fields.Integer):
    """A whole number; by default an id (1 … 2³¹−1). JSON bodies get strict=True (no "1" strings)."""

    default_error_messages = {
        **_BASE_MESSAGES,
        "invalid": "این فیلد باید عدد صحیح باشد.",
        "too_large": "عدد بیش از اندازه بزرگ است.",
    }

    def __init__(self, *, minimum: int = 1, maximum: int = MAX_ID, **kwargs):
        validators = list(kwargs.pop("validate", None) or [])
        validators.insert(0, between(minimum, maximum))
        kwargs.setdefault("strict", True)
        super().__init__(validate=validators, **kwargs)


class QueryInt(Int):
    """A whole number in a query string (given as text)."""

    def __init__(self, **kwargs):
        super().__init__(strict=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = to_latin_digits(value).strip()
            if not re.fullmatch(r"[+-]?\d{1,12}", value):
                raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Float(fields.Float):
    """A finite decimal number."""

    default_error_messages = {
        **_BASE_MESSAGES,
        "invalid": "این فیلد باید عدد باشد.",
        "too_large": "عدد بیش از اندازه بزرگ است.",
        "special": "مقدار NaN یا بی‌نهایت پذیرفته نیست.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_nan", False)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool | str):  # JSON numbers only, as the tablet's API
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class QueryFloat(fields.Float):
    """A finite number in a query string (any digits, '.' or the Persian decimal separator)."""

    default_error_messages = Float.default_error_messages

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_nan", False)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = to_latin_digits(value).replace("٫", ".").strip()
            if len(value) > 40:
                raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class GeoPoint(fields.String):
    """A point as "LAT,LON" in decimal degrees (?near=33.4878,48.3558)."""

    default_error_messages = {
        **_BASE_MESSAGES,
        "invalid": "نقطه را به شکل «عرض,طول» بنویسید؛ مثلاً 33.4878,48.3558.",
        "range": "عرض جغرافیایی باید از ۹۰- تا ۹۰ و طول از ۱۸۰- تا ۱۸۰ باشد.",
    }

    def __init__(self, **kwargs):
        metadata = {"example": "33.4878,48.3558", "pattern": r"^-?\d+(\.\d+)?,-?\d+(\.\d+)?$"}
        super().__init__(metadata={**metadata, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) > 60:
            raise self.make_error("invalid")
        parts = to_latin_digits(value).replace("٫", ".").replace("،", ",").split(",")
        try:
            lat, lon = (float(p) for p in parts)
        except ValueError as exc:
            raise self.make_error("invalid") from exc
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise self.make_error("invalid")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise self.make_error("range")
        return lat, lon


class Bool(fields.Boolean):
    default_error_messages = {**_BASE_MESSAGES, "invalid": "این فیلد باید true یا false باشد."}


class Enum(fields.Enum):
    """One of a StrEnum's values."""

    default_error_messages = {
        **_BASE_MESSAGES,
        "unknown": "مقدار باید یکی از این‌ها باشد: {choices}.",
    }

    def __init__(self, enum, **kwargs):
        super().__init__(enum, by_value=True, **kwargs)


class Choice(Str):
    """One of a fixed list of strings (a subset of an enum's values)."""

    def __init__(self, choices, **kwargs):
        values = [getattr(c, "value", c) for c in choices]
        validators = [
            validate.OneOf(values, error="مقدار باید یکی از این‌ها باشد: " + "، ".join(values) + ".")
        ]
        super().__init__(validate=validators, **kwargs)


class List(fields.List):
    default_error_messages = {**_BASE_MESSAGES, "invalid": "این فیلد باید فهرست (آرایه) باشد."}

    def __init__(self, inner, *, max_items: int = 100, **kwargs):
        validators = list(kwargs.pop("validate", None) or [])
        validators.insert(
            0,
            validate.Length(max=max_items, error=f"این فهرست حداکثر {format_number(max_items)} مورد دارد."),
        )
        super().__init__(inner, validate=validators, **kwargs)


class Nested(fields.Nested):
    default_error_messages = {**_BASE_MESSAGES, "type": "این فیلد باید یک شیء JSON باشد."}


# ---------------------------------------------------------------- dates

_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*$")


def parse_date(text: str) -> date:
    """A date written ISO-8601 (2022-09-16) or Jalali (1401/06/25, ۱۴۰۱/۰۶/۲۵); Persian message
    in the ValueError otherwise. Years before 1700 are Jalali."""
    raw = to_latin_digits(text or "")
    match = _DATE_RE.match(raw)
    if match and int(match.group(1)) >= 1700:
        year, month, day = (int(g) for g in match.groups())
        if not 1900 <= year <= 2200:
            raise JalaliDateError("سال میلادی باید بین ۱۹۰۰ و ۲۲۰۰ باشد.")
        try:
            return date(year, month, day)
        except ValueError as exc:
            raise JalaliDateError("تاریخ میلادی معتبر نیست.") from exc
    return parse_jalali(raw)


class DateIn(fields.Date):
    """A date given as ISO-8601 (2022-09-16) or Jalali (1401/06/25, any digits)."""

    default_error_messages = {
        **_BASE_MESSAGES,
        "invalid": "تاریخ را به شکل 2022-09-16 (میلادی) یا ۱۴۰۱/۰۶/۲۵ (شمسی) بنویسید.",
        "format": "تاریخ معتبر نیست.",
    }

    def __init__(self, **kwargs):
        metadata = {
            "description": "تاریخ میلادی ISO-8601 (2022-09-16) یا شمسی (1401/06/25)",
            "example": "2022-09-16",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) > 40:
            raise self.make_error("invalid")
        try:
            return parse_date(value)
        except JalaliDateError as exc:
            raise ma.ValidationError(str(exc)) from exc


class JalaliOf(fields.String):
    """The Jalali companion of a date attribute, e.g. issued_on_jalali = JalaliOf("issued_on")."""

    def __init__(self, attribute: str, **kwargs):
        metadata = {"description": "همان تاریخ به تقویم شمسی", "example": "1401/06/25"}
        kwargs.setdefault("allow_none", True)
        super().__init__(attribute=attribute, dump_only=True, metadata=metadata, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if isinstance(value, datetime):
            local = local_datetime(value)
            return f"{format_jalali(local.date(), persian_digits=False)} {local:%H:%M}"
        return format_jalali(value, persian_digits=False)


class UtcDateTime(fields.DateTime):
    """A moment in UTC, written ISO-8601 with its offset (stored datetimes may come back naive)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return as_utc(value).isoformat().replace("+00:00", "Z")


class Label(fields.String):
    """The Persian label of an enum attribute: kind_label = Label("kind")."""

    def __init__(self, attribute: str, **kwargs):
        kwargs.setdefault("allow_none", True)
        super().__init__(
            attribute=attribute, dump_only=True, metadata={"description": "برچسب فارسی"}, **kwargs
        )

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.label


def latitude(**kwargs) -> Float:
    """A latitude inside Iran (a coordinate outside it is a typing mistake, as on the forms)."""
    return Float(
        validate=[between(*IRAN_LAT, "عرض جغرافیایی باید در محدوده ایران باشد.")],
        metadata={"example": 33.4878},
        **kwargs,
    )


def longitude(**kwargs) -> Float:
    """A longitude inside Iran."""
    return Float(
        validate=[between(*IRAN_LON, "طول جغرافیایی باید در محدوده ایران باشد.")],
        metadata={"example": 48.3558},
        **kwargs,
    )


class Mobile(Str):
    """A mobile number 09xxxxxxxxx (also accepted with +98 or 0098, any digits), stored as 11 digits."""

    default_error_messages = {
        **Str.default_error_messages,
        "mobile": "شماره همراه باید ۱۱ رقم و با ۰۹ آغاز شود.",
    }

    def __init__(self, **kwargs):
        super().__init__(metadata={"example": "09161234567", "maxLength": 20}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > 20:
            raise self.make_error("mobile")
        number = re.sub(r"[\s\-+]", "", to_latin_digits(text))
        if number.startswith("0098"):
            number = "0" + number[4:]
        elif number.startswith("98") and len(number) == 12:
            number = "0" + number[2:]
        if not number:
            return None
        if not re.fullmatch("09[0-9]{9}", number):
            raise self.make_error("mobile")
        return number
