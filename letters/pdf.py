"""The printed letter: the directorate's letterhead, number, date, attachments line, signer and
a QR code to its public verification page."""

from __future__ import annotations

from flask import current_app, has_request_context, render_template, url_for

from core.pdf import html_to_pdf
from letters.models import Letter
from letters.operations import directorate_name
from licensing.pdf import qr_svg


def verify_url(letter: Letter) -> str:
    """The absolute public verification address the letter's QR code encodes."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base and has_request_context():
        return url_for("letters.verify", token=letter.verify_token, _external=True)
    # Outside a request (the outbox job e-mails the PDF) only PUBLIC_BASE_URL can say where we are.
    path = current_app.url_map.bind("localhost").build("letters.verify", {"token": letter.verify_token})
    return (base or "http://localhost").rstrip("/") + path


def letter_context(letter: Letter) -> dict:
    url = verify_url(letter)
    return {
        "letter": letter,
        "issuer": directorate_name(),
        "verify_url": url,
        "qr": qr_svg(url),
        "paragraphs": [p for p in letter.body.split("\n") if p.strip()],
    }


def letter_html(letter: Letter) -> str:
    return render_template("pdf/letter.html", **letter_context(letter))


def letter_pdf(letter: Letter) -> bytes:
    """The letter as an A4 PDF on the letterhead."""
    return html_to_pdf(letter_html(letter))


def letter_filename(letter: Letter) -> str:
    return f"letter-{letter.year}-{letter.serial}.pdf"
