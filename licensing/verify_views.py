"""The public licence verification page (the QR code's target): no login needed.

It answers one question for anyone holding a printed licence: is this licence in force today?
It shows what is printed on the certificate except the holder's national ID, and nothing else
personal (no mobile, no reasons for a revocation or suspension).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, make_response, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.clock import today_tehran
from core.extensions import db
from core.persian import format_jalali
from core.security import public
from licensing import signing
from licensing.models import Licence, LicenceStatus
from registry.models import Site

bp = Blueprint("verify", __name__)

# secrets.token_urlsafe(18) gives 24 such characters; anything else cannot be a token.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,40}$")


@dataclass(frozen=True)
class Verdict:
    valid: bool
    label: str
    detail: str
    tone: str  # a Bootstrap colour: success, danger, warning


def licence_verdict(licence: Licence, today: date) -> Verdict:
    """Whether the licence is in force on that day, and if not, why, in Persian."""
    if licence.is_valid_on(today):
        return Verdict(True, "معتبر", f"این پروانه در تاریخ {format_jalali(today)} معتبر است.", "success")
    status = licence.status
    if status == LicenceStatus.REVOKED:
        return Verdict(False, "لغو شده", "این پروانه لغو شده است و اعتبار ندارد.", "danger")
    if status == LicenceStatus.SUPERSEDED:
        return Verdict(
            False,
            "جایگزین شده با پروانه جدید",
            "به جای این پروانه پروانه جدیدی صادر شده است؛ این نسخه دیگر اعتبار ندارد.",
            "danger",
        )
    if status == LicenceStatus.SUSPENDED:
        until = licence.suspended_until
        return Verdict(
            False,
            f"تعلیق تا {format_jalali(until)}" if until else "تعلیق",
            "فعالیت این دفتر به حکم مرجع رسیدگی به تخلفات تعلیق شده است و در این مدت پروانه اعتبار ندارد.",
            "warning",
        )
    if status == LicenceStatus.EXPIRED or licence.expires_on < today:
        return Verdict(
            False,
            "منقضی",
            f"مدت اعتبار این پروانه در {format_jalali(licence.expires_on)} به پایان رسیده است.",
            "danger",
        )
    if licence.issued_on > today:
        return Verdict(
            False,
            "هنوز معتبر نشده",
            f"اعتبار این پروانه از {format_jalali(licence.issued_on)} آغاز می‌شود.",
            "warning",
        )
    return Verdict(False, "نامعتبر", "این پروانه اکنون اعتبار ندارد.", "danger")


def _find(token: str) -> Licence | None:
    if not TOKEN_RE.match(token):
        return None
    return db.session.scalar(
        select(Licence)
        .where(Licence.verify_token == token)
        .options(joinedload(Licence.site).joinedload(Site.county), joinedload(Licence.holder))
    )


FORGED = Verdict(
    False,
    "کد QR اصل نیست",
    "امضای اطلاعات این کد QR با امضای اداره کل ارتباطات و فناوری اطلاعات نمی‌خواند: کد دست‌کاری یا جعل شده است."
    " موضوع را به اداره کل ارتباطات و فناوری اطلاعات استان اطلاع دهید.",
    "danger",
)


def qr_genuine(licence: Licence, signed: str | None) -> bool:
    """Whether the QR's signed payload (?q=) is ours and names this licence. A link without it
    (typed from the certificate, or printed before QR signing) is judged by its token alone."""
    if signed is None:
        return True
    payload = signing.read_signed(signed)
    return payload is not None and payload.number == licence.number


@bp.get("/verify/<token>")
@public
def licence(token: str):
    found = _find(token)
    today = today_tehran()
    if found is not None and not qr_genuine(found, request.args.get("q")):
        body = render_template("licensing/verify.html", licence=None, verdict=FORGED, today=today)
        response = make_response(body, 200)
    elif found is None:
        body = render_template("licensing/verify.html", licence=None, verdict=None, today=today)
        response = make_response(body, 404)
    else:
        response = make_response(
            render_template(
                "licensing/verify.html",
                licence=found,
                verdict=licence_verdict(found, today),
                today=today,
                site=found.site,
                province=found.site.county.province.name,
            )
        )
    # The verdict changes from one day to the next, and the page is for people, not crawlers.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
