"""Temporary booths (باجه موقت): a licensed office serves at an event for a few days with the
working group's leave; the days of each Jalali year are counted against the setting."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.clock import today_tehran
from core.db import actor_id
from core.errors import DomainError
from core.extensions import db
from core.persian import clean_text, format_jalali, jalali_year_bounds, to_persian_digits
from core.settings import get_setting
from licensing.models import Licence, LicenceStatus, TempBooth
from licensing.operations._common import jalali_year


def booth_days_in_year(licence: Licence, year: int) -> int:
    """Days of temporary booths the licence's office has had in a Jalali year."""
    first, last = jalali_year_bounds(year)
    booths = db.session.scalars(
        select(TempBooth).where(
            TempBooth.licence_id == licence.id, TempBooth.starts_on <= last, TempBooth.ends_on >= first
        )
    ).all()
    return sum((min(b.ends_on, last) - max(b.starts_on, first)).days + 1 for b in booths)


def _days_by_year(starts_on: date, ends_on: date) -> dict[int, int]:
    out: dict[int, int] = {}
    day = starts_on
    while day <= ends_on:
        out[jalali_year(day)] = out.get(jalali_year(day), 0) + 1
        day += timedelta(days=1)
    return out


def record_temp_booth(
    licence: Licence,
    *,
    event: str,
    address: str,
    starts_on: date,
    ends_on: date,
    approval_ref: str,
    actor,
    lat: float | None = None,
    lon: float | None = None,
) -> TempBooth:
    """Record a temporary booth the working group allowed; refused past the yearly day limit."""
    if licence.status != LicenceStatus.ACTIVE:
        raise DomainError(f"پروانه «{licence.status.label}» است و باجه موقت نمی‌گیرد.")
    event, address, approval_ref = clean_text(event), clean_text(address), clean_text(approval_ref)
    if not event:
        raise DomainError("مناسبت یا رویداد را بنویسید.", field="event")
    if not address:
        raise DomainError("نشانی باجه را بنویسید.", field="address")
    if not approval_ref:
        raise DomainError("شماره مصوبه کارگروه را وارد کنید.", field="approval_ref")
    if ends_on < starts_on:
        raise DomainError("تاریخ پایان پیش از تاریخ آغاز است.", field="ends_on")
    if ends_on > licence.expires_on:
        raise DomainError("باجه موقت پس از پایان اعتبار پروانه نمی‌ماند.", field="ends_on")
    if starts_on > today_tehran() + timedelta(days=365):
        raise DomainError("باجه موقت بیش از یک سال پیش‌تر ثبت نمی‌شود.", field="starts_on")
    limit = get_setting("relocation.temp_booth_max_days_per_year")
    for year, days in _days_by_year(starts_on, ends_on).items():
        used = booth_days_in_year(licence, year)
        if used + days > limit:
            raise DomainError(
                f"این دفتر در سال {to_persian_digits(year)} تاکنون {to_persian_digits(used)} روز باجه موقت "
                f"داشته است؛ با {to_persian_digits(days)} روز تازه از سقف {to_persian_digits(limit)} روز "
                f"در سال می‌گذرد (از {format_jalali(starts_on)} تا {format_jalali(ends_on)}).",
                field="ends_on",
            )
    booth = TempBooth(
        licence=licence,
        event=event,
        address=address,
        lat=lat,
        lon=lon,
        starts_on=starts_on,
        ends_on=ends_on,
        approval_ref=approval_ref,
        recorded_by_id=actor_id(actor),
    )
    db.session.add(booth)
    db.session.flush()
    return booth
