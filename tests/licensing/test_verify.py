"""The public verification page the licence's QR code points at: no login, a clear verdict for
today, and nothing personal beyond the holder's name."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
import segno

from core.clock import today_tehran
from core.persian import format_jalali, to_persian_digits
from licensing import operations as ops
from licensing import signing
from licensing.models import LicenceStatus
from licensing.pdf import licence_html, licence_pdf, signed_verify_url, verify_url
from tests import factories
from tests.tools import require_tools

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

BASE_URL = "https://pishkhan.example.ir"


def _licence(**kwargs):
    holder = factories.make_person("سارا", "محمدی", mobile="09161234567")
    return factories.make_licence(holder=holder, issued_on=kwargs.pop("issued_on", today_tehran()), **kwargs)


def _page(client, licence, db):
    db.session.commit()
    response = client.get(f"/verify/{licence.verify_token}")
    return response, response.get_data(as_text=True)


def _verdict(html: str) -> str:
    """The text of the big verdict line."""
    start = html.index('class="display-5')
    return html[html.index(">", start) + 1 : html.index("</div>", start)]


def test_active_licence_is_shown_valid_without_login(client, db):
    licence = _licence()
    response, html = _page(client, licence, db)
    assert response.status_code == 200
    assert "معتبر" in _verdict(html) and 'data-valid="yes"' in html
    assert to_persian_digits(licence.number) in html
    assert to_persian_digits(licence.office_name) in html
    assert licence.office_kind.label in html
    assert licence.site.county.name in html and licence.site.locality in html
    assert format_jalali(licence.issued_on) in html and format_jalali(licence.expires_on) in html
    assert "سارا محمدی" in html
    assert "خروج" not in html  # the staff navigation is not shown to the public
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_page_shows_no_national_id_mobile_or_reasons(client, db):
    licence = _licence()
    ops.suspend_licence(
        licence,
        until=today_tehran() + timedelta(days=30),
        reason="تخلف شماره ۷: دریافت وجه اضافه از مراجعه‌کننده",
        actor=None,
    )
    _response, html = _page(client, licence, db)
    holder = licence.holder
    for secret in (holder.national_id, holder.mobile):
        assert secret not in html
        assert to_persian_digits(secret) not in html
    assert "دریافت وجه" not in html  # the reason for a suspension is not public


def test_revoked_licence_says_so(client, db):
    licence = _licence()
    ops.revoke_licence(licence, reason="تخلف مکرر", actor=None)
    response, html = _page(client, licence, db)
    assert response.status_code == 200
    assert "لغو شده" in _verdict(html) and 'data-valid="no"' in html
    assert "معتبر" not in _verdict(html)


def test_suspended_licence_shows_until_when(client, db):
    licence = _licence()
    until = today_tehran() + timedelta(days=20)
    ops.suspend_licence(licence, until=until, reason="تخلف", actor=None)
    _response, html = _page(client, licence, db)
    verdict = _verdict(html)
    assert "تعلیق" in verdict and format_jalali(until) in verdict


def test_expired_licence_says_expired_even_before_the_nightly_job(client, db):
    licence = _licence(issued_on=date(2015, 3, 1))
    assert licence.status == LicenceStatus.ACTIVE and licence.expires_on < today_tehran()
    _response, html = _page(client, licence, db)
    assert "منقضی" in _verdict(html)
    assert format_jalali(licence.expires_on) in html

    ops.expire_licences()
    assert licence.status == LicenceStatus.EXPIRED
    _response, html = _page(client, licence, db)
    assert "منقضی" in _verdict(html)


def test_superseded_licence_points_to_a_new_one(client, db):
    licence = _licence()
    licence.status = LicenceStatus.SUPERSEDED
    licence.status_reason = "انتقال به علی رضایی"
    _response, html = _page(client, licence, db)
    assert "جایگزین شده با پروانه جدید" in _verdict(html)
    assert "علی رضایی" not in html


def test_unknown_or_malformed_token_is_a_persian_404(client, db):
    for token in ("A" * 24, "x", "../../etc/passwd", "%27%20OR%201=1--"):
        response = client.get(f"/verify/{token}")
        assert response.status_code == 404, token
        html = response.get_data(as_text=True)
        assert "یافت نشد" in html
        assert 'lang="fa"' in html and 'dir="rtl"' in html


def test_logged_in_staff_see_the_same_verdict(client, db, login_as):
    login_as("viewer")
    licence = _licence()
    _response, html = _page(client, licence, db)
    assert "معتبر" in _verdict(html)


# ---------------------------------------------------------------- the QR code on the certificate


def test_certificate_qr_encodes_the_verification_url(app, client, db, frozen_at):
    frozen_at("2022-09-20T06:00:00+00:00")
    licence = _licence()
    with app.test_request_context("/", base_url=BASE_URL):
        url = verify_url(licence)
        signed_url = signed_verify_url(licence)
        html = licence_html(licence)
    assert url == f"{BASE_URL}/verify/{licence.verify_token}"
    # The QR carries the same URL with the signed payload a tablet checks offline.
    assert signed_url.startswith(url + "?q=")
    # The printed URL under the QR code, and the QR itself: the same SVG segno makes for that URL.
    head, token = url.rsplit("/", 1)
    assert f"<span>{head}/</span><span>{token}</span>" in html
    expected_svg = segno.make(signed_url, error="m").svg_inline(
        scale=1, omitsize=True, dark="#000", light="#fff"
    )
    assert expected_svg in html
    # And the URL leads to this licence's verification page.
    db.session.commit()
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200
    assert to_persian_digits(licence.number) in response.get_data(as_text=True)


def test_public_base_url_overrides_the_request_host(app, db, monkeypatch):
    licence = _licence()
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://verify.example.ir/")
    with app.test_request_context("/", base_url="http://10.0.0.5:8000"):
        assert verify_url(licence) == f"https://verify.example.ir/verify/{licence.verify_token}"
    with app.app_context():  # also outside a request (batch printing)
        assert verify_url(licence).startswith("https://verify.example.ir/verify/")


def test_printed_qr_decodes_to_the_verification_url(app, db, tmp_path):
    require_tools("pdftoppm", package="poppler-utils")
    require_tools("zbarimg", package="zbar-tools")
    licence = _licence()
    with app.test_request_context("/", base_url=BASE_URL):
        (tmp_path / "licence.pdf").write_bytes(licence_pdf(licence))
        url = verify_url(licence)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "100",
            "-singlefile",
            str(tmp_path / "licence.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=60,
    )
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", str(tmp_path / "page.png")],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.split()
    # The verification URL with the signed payload, readable from the printed page, and genuine.
    assert len(decoded) == 1 and decoded[0].startswith(url + "?q=")
    with app.test_request_context("/"):
        assert signing.read_signed(decoded[0].split("?q=")[1]).number == licence.number
