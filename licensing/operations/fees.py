"""Fees: the issuance royalty (حق امتیاز) by the locality's tier, the renewal fee as its ratio, and
the payments recorded against an application. Money is integer rials."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from core.clock import today_tehran
from core.db import actor_id
from core.errors import DomainError
from core.extensions import db
from core.persian import clean_text, digits_only, to_persian_digits
from core.settings import get_setting
from licensing.models import Application, ApplicationKind, Payment
from licensing.operations.rules import CheckResult
from registry.localities import locality_key
from registry.models import LocalityType

TIER_LABELS = {
    "metropolis": "کلان‌شهر",
    "provincial_capital": "مرکز استان",
    "large_city": "شهر بیش از ۵۰ هزار نفر",
    "city": "سایر شهرها",
    "village": "روستا",
}


def _rials(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def royalty_tier(locality: str | None, locality_type: LocalityType | None) -> str:
    """The royalty tier of a locality: village, or a city by the lists in the settings."""
    if locality_type == LocalityType.VILLAGE:
        return "village"
    key = locality_key(locality)
    for tier, setting in (
        ("metropolis", "fees.metropolises"),
        ("provincial_capital", "fees.provincial_capitals"),
        ("large_city", "fees.large_cities"),
    ):
        if key in {locality_key(name) for name in get_setting(setting)}:
            return tier
    return "city"


def _place(application: Application) -> tuple[str | None, LocalityType | None]:
    if application.kind == ApplicationKind.NEW:
        return application.locality, application.locality_type
    site = application.licence.site
    return site.locality, site.locality_type


def issuance_royalty(application: Application) -> int:
    """This year's issuance royalty for the application's locality, in rials."""
    tier = royalty_tier(*_place(application))
    base = Decimal(get_setting(f"fees.royalty_rials.{tier}"))
    return _rials(base * Decimal(str(get_setting("fees.index_factor"))))


def fee_due(application: Application) -> int:
    """The fee to pay before the licence is acted on: the royalty for a new licence, its ratio
    for a renewal; other requests carry none."""
    if application.kind == ApplicationKind.NEW:
        return issuance_royalty(application)
    if application.kind == ApplicationKind.RENEWAL:
        ratio = Decimal(str(get_setting("licence.renewal_fee_ratio")))
        return _rials(ratio * issuance_royalty(application))
    return 0


def fee_summary(application: Application) -> dict:
    """What is due, on which tier, and what has been paid (for the application's page and API)."""
    due = fee_due(application)
    paid = paid_rials(application)
    return {
        "tier": royalty_tier(*_place(application)),
        "tier_label": TIER_LABELS[royalty_tier(*_place(application))],
        "due": due,
        "paid": paid,
        "outstanding": max(due - paid, 0),
    }


def paid_rials(application: Application) -> int:
    return sum(p.amount_rials for p in application.payments)


def record_payment(
    application: Application,
    *,
    amount_rials: int | str,
    receipt_number: str,
    bank: str,
    paid_on: date,
    actor,
) -> Payment:
    """Record a fee paid for the application (the bank's receipt)."""
    if not application.state.is_open:
        raise DomainError("این درخواست بسته است و پرداختی برای آن ثبت نمی‌شود.")
    amount_text = digits_only(str(amount_rials))
    if not amount_text or int(amount_text) <= 0:
        raise DomainError("مبلغ پرداخت را به ریال وارد کنید.", field="amount_rials")
    receipt_number = clean_text(receipt_number)
    bank = clean_text(bank)
    if not receipt_number:
        raise DomainError("شماره رسید را وارد کنید.", field="receipt_number")
    if not bank:
        raise DomainError("نام بانک را وارد کنید.", field="bank")
    if paid_on > today_tehran():
        raise DomainError("تاریخ پرداخت نمی‌تواند پس از امروز باشد.", field="paid_on")
    if paid_on < application.received_on:
        raise DomainError("تاریخ پرداخت پیش از تاریخ دریافت درخواست است.", field="paid_on")
    used = db.session.scalar(
        select(Payment.id).where(Payment.bank == bank, Payment.receipt_number == receipt_number)
    )
    if used is not None:
        raise DomainError("این رسید پیش‌تر ثبت شده است.", field="receipt_number")
    payment = Payment(
        application=application,
        amount_rials=int(amount_text),
        receipt_number=receipt_number,
        bank=bank,
        paid_on=paid_on,
        recorded_by_id=actor_id(actor),
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def money(rials: int) -> str:
    """Rials with thousands separators in Persian digits."""
    return to_persian_digits(f"{rials:,}").replace(",", "٬")


def payment_check(application: Application) -> CheckResult:
    fee = fee_summary(application)
    return CheckResult(
        "payment",
        "پرداخت حق امتیاز",
        fee["outstanding"] == 0,
        f"حق امتیاز ({fee['tier_label']}): {money(fee['due'])} ریال؛ پرداخت‌شده: {money(fee['paid'])} ریال.",
    )
