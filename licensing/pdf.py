"""The printed licence (پروانه فعالیت) and the working-group session minutes (صورتجلسه کارگروه)."""

from __future__ import annotations

from datetime import date

import segno
from flask import current_app, render_template, url_for
from markupsafe import Markup
from sqlalchemy import select

from core.extensions import db
from core.pdf import html_to_pdf
from licensing import signing
from licensing.models import (
    AgendaItem,
    Application,
    ApplicationState,
    Licence,
    LicenceStatus,
    WorkingGroupSession,
)
from registry.operations import province_name

# date.weekday(): Monday is 0.
WEEKDAYS = ("دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه")


def issuer_name(province_name: str | None) -> str:
    """The issuing body: the province's directorate-general of ICT."""
    return "اداره کل ارتباطات و فناوری اطلاعات" + (f" استان {province_name}" if province_name else "")


def verify_url(licence: Licence) -> str:
    """The absolute public verification URL that the licence's QR code encodes.

    PUBLIC_BASE_URL (e.g. https://pishkhan.example.ir), when configured, wins over the address
    the request came in on, so that a certificate printed from an internal address still carries
    a link the public can open.
    """
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        path = current_app.url_map.bind("localhost").build("verify.licence", {"token": licence.verify_token})
        return base.rstrip("/") + path
    return url_for("verify.licence", token=licence.verify_token, _external=True)


def signed_verify_url(licence: Licence) -> str:
    """The QR's content: the verification URL with the signed payload a tablet checks offline."""
    return verify_url(licence) + "?q=" + signing.sign_licence(licence)


def qr_svg(data: str) -> Markup:
    """An inline SVG QR code (error correction M) that scales to its box."""
    qr = segno.make(data, error="m")
    # segno draws only the QR modules as paths (no text), so there is nothing to escape.
    return Markup(qr.svg_inline(scale=1, omitsize=True, dark="#000", light="#fff"))  # nosec B704


def _approval(licence: Licence) -> AgendaItem | None:
    if licence.application_id is None:
        return None
    return db.session.scalar(
        select(AgendaItem)
        .where(
            AgendaItem.application_id == licence.application_id,
            AgendaItem.decision == ApplicationState.APPROVED,
        )
        .order_by(AgendaItem.id.desc())
    )


def licence_context(licence: Licence) -> dict:
    site = licence.site
    province = site.county.province.name if site and site.county else None
    url = verify_url(licence)
    return {
        "licence": licence,
        "site": site,
        "holder": licence.holder,
        "title": f"پروانه فعالیت {licence.office_kind.label}",
        "province": province,
        "issuer": issuer_name(province),
        "verify_url": url,
        "qr": qr_svg(signed_verify_url(licence)),
        "approval": _approval(licence),
        "active": licence.status == LicenceStatus.ACTIVE,
    }


def licence_html(licence: Licence) -> str:
    """The certificate as HTML (what the PDF is made from)."""
    return render_template("pdf/licence.html", **licence_context(licence))


def licence_pdf(licence: Licence) -> bytes:
    """The A4 certificate of a licence, with a QR code to its public verification page."""
    return html_to_pdf(licence_html(licence))


# ---------------------------------------------------------------- working-group minutes


def _application_province(application: Application) -> str | None:
    county = application.county or (application.site.county if application.site else None)
    return county.province.name if county else None


def _session_province(session: WorkingGroupSession) -> str | None:
    for item in session.items:
        name = _application_province(item.application)
        if name:
            return name
    return province_name()


def agenda_row(item: AgendaItem) -> dict:
    """One line of the minutes' agenda table."""
    application = item.application
    licence = application.licence
    office = application.office_name or (licence.office_name if licence else "")
    return {
        "position": item.position,
        "number": application.number,
        "kind": application.kind.label,
        "applicant": application.applicant.full_name,
        "office": office,
        "licence_number": licence.number if licence else None,
        "decision": item.decision.label if item.decision else "بدون تصمیم",
        "decided": item.decision is not None,
        "approved": item.decision == ApplicationState.APPROVED,
        "reasons": item.reasons or "",
    }


def weekday_name(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def minutes_context(session: WorkingGroupSession) -> dict:
    province = _session_province(session)
    return {
        "session": session,
        "province": province,
        "issuer": issuer_name(province),
        "weekday": weekday_name(session.held_on),
        "attendees": list(session.attendees),
        "rows": [agenda_row(i) for i in session.items],
    }


def minutes_html(session: WorkingGroupSession) -> str:
    """The session minutes as HTML (what the PDF is made from)."""
    return render_template("pdf/minutes.html", **minutes_context(session))


def minutes_pdf(session: WorkingGroupSession) -> bytes:
    """صورتجلسه: attendees, each agenda item with its decision and reasons, signature lines."""
    return html_to_pdf(minutes_html(session))
