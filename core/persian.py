"""Jalali dates, Persian digits and the normalisation that lets search see through spelling.

Thin wrappers over jdatetime and persiantools; no Flask import.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

import jdatetime
from persiantools import characters, digits

from core.clock import TEHRAN, as_utc

ZWNJ = "\u200c"
# Zero-width and direction marks that real Persian text carries and search must ignore.
_INVISIBLES = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2066\u2067\u2068\u2069\ufeff"))
# Arabic diacritics (harakat), superscript alef and tatweel: never part of a match.
_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_SPACES = re.compile(r"\s+")
# For search only: letters that are correct Persian (رأی، خانۀ) but often typed without hamza.
_SEARCH_FOLD = str.maketrans({"ئ": "ی", "ۀ": "ه", "ة": "ه", "أ": "ا", "إ": "ا", "ٱ": "ا", "آ": "ا", "ؤ": "و"})

JALALI_MONTHS = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)


class JalaliDateError(ValueError):
    """A date string that is not a valid Jalali date; its message is Persian."""


def to_latin_digits(text: str) -> str:
    """Turn Persian and Arabic-Indic digits into ASCII digits."""
    return digits.fa_to_en(digits.ar_to_fa(text))


def to_persian_digits(value: object) -> str:
    """Show a value with Persian digits (and the Persian decimal separator)."""
    if value is None:
        return ""
    text = str(value)
    return digits.en_to_fa(digits.ar_to_fa(text))


def format_number(value: int | float | None) -> str:
    """Format a number with Persian digits and the Persian thousands separator."""
    if value is None:
        return ""
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return to_persian_digits(text.replace(",", "٬").replace(".", "٫"))


def isolate_code(value: object) -> str:
    """A code such as 1401-0001 or 15-P-1401-00001 in Persian digits, kept left to right.

    Inside a Persian sentence the hyphens would otherwise flip it (۰۰۰۱-۱۴۰۱); Unicode isolates
    work in HTML, <title>, flash messages and PDFs alike.
    """
    return f"\u2066{to_persian_digits(value)}\u2069"


def format_coordinate(value: float | None) -> str:
    """A latitude or longitude with five decimals, Persian digits and decimal separator."""
    if value is None:
        return ""
    return to_persian_digits(f"{value:.5f}".replace(".", "٫"))


def format_filesize(size: int | None) -> str:
    """A file size in بایت / کیلوبایت / مگابایت with Persian digits."""
    if size is None:
        return ""
    if size < 1024:
        return f"{to_persian_digits(size)} بایت"
    if size < 1024 * 1024:
        return f"{format_number(round(size / 1024, 1))} کیلوبایت"
    return f"{format_number(round(size / (1024 * 1024), 1))} مگابایت"


def clean_text(text: str | None) -> str:
    """Canonical form for storing user input: Persian letters, ASCII digits, single spaces.

    ZWNJ is kept (it is correct Persian); only stray marks around it are removed. Directional
    overrides and embeddings (U+202A–U+202E) are removed (see core.inbound).
    """
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    text = characters.ar_to_fa(text)
    text = to_latin_digits(text)
    text = text.replace("\u200b", "").replace("\ufeff", "")
    text = re.sub("[\u202a-\u202e]", "", text)  # directional overrides: a name reads as it is
    text = re.sub(f"\\s*{ZWNJ}+\\s*", ZWNJ, text)
    return _SPACES.sub(" ", text).strip()


def normalize_for_search(text: str | None) -> str:
    """Fold spelling variants so that search and uniqueness checks see one form.

    ي/ی, ك/ک and the other look-alikes become one letter, all digits ASCII, ZWNJ and marks
    removed, runs of space folded, Latin letters lower-cased.
    """
    if not text:
        return ""
    text = clean_text(text).translate(_INVISIBLES)
    text = _MARKS.sub("", text).translate(_SEARCH_FOLD)
    return _SPACES.sub(" ", text).strip().casefold()


def search_terms(query: str | None) -> list[str]:
    """Split a search query into normalised words; each must match."""
    return [t for t in normalize_for_search(query).split(" ") if t]


def digits_only(text: str | None) -> str:
    """Keep only the digits of a string, any script, as ASCII."""
    return re.sub(r"\D", "", to_latin_digits(text or ""))


# ---------------------------------------------------------------- Jalali dates

_DATE_RE = re.compile(r"^\s*(\d{3,4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*$")


def parse_jalali(text: str | None) -> date:
    """Parse '1401/6/25', '۱۴۰۱/۰۶/۲۵' or '1401-06-25' into a Gregorian date.

    Raises JalaliDateError with a Persian message for anything that is not a real Jalali day.
    """
    raw = to_latin_digits(clean_text(text))
    match = _DATE_RE.match(raw)
    if not match:
        raise JalaliDateError("تاریخ را به شکل سال/ماه/روز وارد کنید؛ مثلاً ۱۴۰۱/۰۶/۲۵.")
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        raise JalaliDateError("ماه باید عددی از ۱ تا ۱۲ باشد.")
    if year < 1300 or year > 1500:
        raise JalaliDateError("سال باید بین ۱۳۰۰ و ۱۵۰۰ باشد.")
    month_days = jdatetime.j_days_in_month[month - 1]
    if month == 12 and jdatetime.date(year, 1, 1).isleap():
        month_days = 30
    if not 1 <= day <= month_days:
        if month == 12 and day == 30:
            raise JalaliDateError(f"سال {to_persian_digits(year)} کبیسه نیست و اسفند آن ۲۹ روز دارد.")
        raise JalaliDateError(f"{JALALI_MONTHS[month - 1]} {to_persian_digits(month_days)} روز دارد.")
    return jdatetime.date(year, month, day).togregorian()


def jalali(value: date | datetime | None) -> jdatetime.date | None:
    """Return the Jalali date of a Gregorian date (a UTC datetime is read in Tehran time)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = local_datetime(value).date()
    return jdatetime.date.fromgregorian(date=value)


def format_jalali(value: date | datetime | None, *, persian_digits: bool = True) -> str:
    """Format a date as 1401/06/25 (Persian digits by default)."""
    jd = jalali(value)
    if jd is None:
        return ""
    text = f"{jd.year:04d}/{jd.month:02d}/{jd.day:02d}"
    return to_persian_digits(text) if persian_digits else text


def format_jalali_long(value: date | datetime | None) -> str:
    """Format a date as '۲۵ شهریور ۱۴۰۱'."""
    jd = jalali(value)
    if jd is None:
        return ""
    return to_persian_digits(f"{jd.day} {JALALI_MONTHS[jd.month - 1]} {jd.year}")


def local_datetime(value: datetime) -> datetime:
    """Read a stored (UTC, possibly naive) datetime in Tehran time."""
    return as_utc(value).astimezone(TEHRAN)


def format_jalali_datetime(value: datetime | None) -> str:
    """Format a UTC datetime as Tehran-time '۱۴۰۱/۰۶/۲۵ ۰۹:۱۴'."""
    if value is None:
        return ""
    local = local_datetime(value)
    return f"{format_jalali(local.date())} {to_persian_digits(local.strftime('%H:%M'))}"


def jalali_year_bounds(year: int) -> tuple[date, date]:
    """First and last Gregorian day of a Jalali year (1 Farvardin to the last day of Esfand)."""
    first = jdatetime.date(year, 1, 1).togregorian()
    last_day = 30 if jdatetime.date(year, 1, 1).isleap() else 29
    return first, jdatetime.date(year, 12, last_day).togregorian()


# ---------------------------------------------------------------- Persian alphabetical order

# The Persian alphabet in dictionary order; آ sorts with ا, and look-alike Arabic letters are
# folded by normalize_for_search before the key is taken.
PERSIAN_ALPHABET = "اآبپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
_ORDER = {ch: i for i, ch in enumerate(PERSIAN_ALPHABET)}
_ORDER["آ"] = _ORDER["ا"]


def persian_sort_key(text: str | None) -> tuple:
    """A key that sorts strings in Persian alphabetical order (پ after ب, گ after ک, ...)."""
    folded = normalize_for_search(text)
    # Space first, then digits and Latin letters, then the Persian alphabet (as ICU's fa does).
    return tuple(
        (-1, 0) if ch.isspace() else (1, _ORDER[ch]) if ch in _ORDER else (0, ord(ch)) for ch in folded
    )


def persian_collation(left: str | None, right: str | None) -> int:
    """Compare two strings in Persian order (for SQLite's create_collation)."""
    a, b = persian_sort_key(left), persian_sort_key(right)
    return (a > b) - (a < b)
