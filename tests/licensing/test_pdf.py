"""The printed licence and the working-group minutes: real PDFs, read back with poppler.

pdftotext gives the text in logical order but wraps runs in bidi embedding marks, drops ZWNJ and
splits lam-alef (اطلاعات → "اطالعات"); both sides are normalised the same way before comparing.
Without poppler-utils these tests skip locally and fail in CI (CI=true).
"""

from __future__ import annotations

import re
import socket
import struct
import subprocess
from datetime import date
from pathlib import Path

import pytest

from core.pdf import PdfFetchRefused, html_to_pdf, static_path_for
from core.persian import format_jalali, normalize_for_search, to_persian_digits
from licensing import operations as ops
from licensing.models import ApplicationKind, ApplicationState, LicenceStatus
from licensing.pdf import licence_pdf, minutes_pdf
from registry.models import SiteKind
from tests import factories
from tests.tools import require_tools

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

BASE_URL = "https://pishkhan.example.ir"
POPPLER = ("pdftotext", "pdftoppm", "pdffonts", "pdfinfo")
_BIDI_MARKS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


@pytest.fixture(autouse=True)
def plain_tokens(monkeypatch):
    """Verification tokens without '-' or '_', which pdftotext may render or break differently;
    the tests read the printed URL back."""
    import itertools

    from licensing.operations import licences as operations

    counter = itertools.count(1)
    monkeypatch.setattr(
        operations.secrets, "token_urlsafe", lambda n=18: f"Tok{next(counter):04d}abcdefghijklmnopqrs"[:24]
    )


@pytest.fixture
def poppler():
    require_tools(*POPPLER, package="poppler-utils")


@pytest.fixture
def in_request(app, db):
    """Render as the download view would: inside a request, so url_for(_external) works."""
    with app.test_request_context("/", base_url=BASE_URL):
        yield


def _run(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


def _plain(text: str) -> str:
    """Extracted text without the bidi marks pdftotext wraps runs in."""
    return text.translate(_BIDI_MARKS)


def _norm(text: str) -> str:
    """Compare the way pdftotext reads: lam-alef split, ZWNJ gone, digits and letters folded."""
    return normalize_for_search(_plain(text).replace("لا", "ال"))


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    assert content.startswith(b"%PDF-")
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _text(pdf: Path) -> str:
    return _run("pdftotext", str(pdf), "-")


def _pages(pdf: Path) -> int:
    line = next(x for x in _run("pdfinfo", str(pdf)).splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def _assert_page_image(pdf: Path, tmp_path: Path) -> None:
    """Page 1 rasterises to an A4-sized PNG with real content on it."""
    _run(
        "pdftoppm",
        "-png",
        "-r",
        "60",
        "-f",
        "1",
        "-l",
        "1",
        "-singlefile",
        str(pdf),
        str(tmp_path / "page"),
    )
    png = (tmp_path / "page.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (abs(width - 496), abs(height - 702)) <= (1, 1), (width, height)  # A4 at 60 dpi
    assert len(png) > 8_000, "the page is nearly blank"


def _assert_vazirmatn_embedded(pdf: Path) -> None:
    rows = [line.split() for line in _run("pdffonts", str(pdf)).splitlines()[2:]]
    vazir = [row for row in rows if "Vazirmatn" in row[0]]
    assert vazir, rows
    # columns: name type... encoding emb sub uni object ID; "emb" is the 5th from the end
    assert all(row[-5] == "yes" for row in vazir), vazir
    assert all("Vazirmatn" in row[0] for row in rows), f"a fallback font was used: {rows}"


# ---------------------------------------------------------------- the licence


def test_licence_pdf_shows_holder_number_and_jalali_dates(tmp_path, poppler, in_request):
    holder = factories.make_person("سارا", "محمدی")
    licence = factories.make_licence(holder=holder, issued_on=date(2022, 9, 16))
    pdf = _write(tmp_path, "licence.pdf", licence_pdf(licence))
    text = _text(pdf)
    plain, norm = _plain(text), _norm(text)

    assert _norm("پروانه فعالیت دفتر پیشخوان خدمات دولت") in norm
    assert _norm("اداره کل ارتباطات و فناوری اطلاعات استان لرستان") in norm
    assert _norm("سارا محمدی") in norm
    # The number is printed with Persian digits, left to right, exactly as stored otherwise.
    printed_number = to_persian_digits(licence.number)
    assert printed_number == "۱۵-P-۱۴۰۱-۰۰۰۰۱"
    assert printed_number in plain
    # The certificate carries the national ID (the public page does not).
    assert to_persian_digits(holder.national_id) in plain
    assert _norm(licence.office_name) in norm
    assert to_persian_digits(licence.site.code) in plain
    assert _norm(f"شهرستان {licence.site.county.name}") in norm
    # Jalali dates with Persian digits, issue before expiry (logical order).
    issued, expires = format_jalali(licence.issued_on), format_jalali(licence.expires_on)
    assert issued == "۱۴۰۱/۰۶/۲۵"
    assert plain.index(issued) < plain.index(expires)
    assert "شهریور" in plain
    assert "2022" not in plain and "1401" not in plain  # no Gregorian dates, no Latin digits
    # The verification URL is printed under the QR code, on two lines: address, then token.
    assert f"{BASE_URL}/verify/\n{licence.verify_token}" in plain
    assert "معتبر نیست" not in plain  # no status banner on an active licence

    assert _pages(pdf) == 1
    _assert_page_image(pdf, tmp_path)
    _assert_vazirmatn_embedded(pdf)


def test_licence_pdf_of_a_rural_ict_office_is_titled_for_it(tmp_path, poppler, in_request):
    licence = factories.make_licence(SiteKind.RURAL_ICT_OFFICE, locality="چغلوندی", locality_type="village")
    text = _norm(_text(_write(tmp_path, "rural.pdf", licence_pdf(licence))))
    assert "ict" in text and _norm("دفتر") in text and _norm("روستایی") in text
    assert _norm("پروانه فعالیت دفتر پیشخوان") not in text
    assert _norm("روستا چغلوندی") in text


def test_licence_pdf_shows_a_suspension(tmp_path, poppler, in_request):
    licence = factories.make_licence()
    ops.suspend_licence(licence, until=date(2023, 1, 10), reason="تخلف", actor=None)
    text = _text(_write(tmp_path, "suspended.pdf", licence_pdf(licence)))
    # pdftotext moves punctuation next to a number: compare the words, then the date.
    assert _norm("وضعیت این پروانه") in _norm(text) and _norm("تعلیق تا") in _norm(text)
    assert format_jalali(date(2023, 1, 10)) == "۱۴۰۱/۱۰/۲۰"
    assert "۱۴۰۱/۱۰/۲۰" in _plain(text)
    assert _norm("این پروانه اکنون معتبر نیست") in _norm(text)


def test_licence_pdf_stays_on_one_page_with_a_long_address_and_history(tmp_path, poppler, in_request):
    previous = factories.make_licence()
    licence = factories.make_licence(address="خیابان امام خمینی، " * 12 + "پلاک ۳")
    licence.previous_licence = previous
    licence.renewed_on = date(2023, 8, 1)
    licence.status = LicenceStatus.REVOKED
    pdf = _write(tmp_path, "long.pdf", licence_pdf(licence))
    text = _plain(_text(pdf))
    assert _pages(pdf) == 1
    assert licence.verify_token in text  # the QR block is not pushed off the page
    assert to_persian_digits(previous.number) in text


# ---------------------------------------------------------------- the minutes


def _ready_application(applicant, **details):
    county = factories.make_county(population=400_000)
    data = {
        "office_name": "دفتر پیشخوان خدمات دولت آفتاب",
        "county_id": county.id,
        "locality": "خرم‌آباد",
        "address": "خیابان ولیعصر، پلاک ۳",
        "lat": 33.4878,
        "lon": 48.3558,
        "received_on": date(2022, 9, 1),
        **details,
    }
    office_kind = data.pop("office_kind", SiteKind.COUNTER_OFFICE)
    company = (
        factories.company_applicant(f"شرکت {applicant.last_name}")
        if office_kind == SiteKind.COUNTER_OFFICE
        else {}
    )
    if company:
        applicant = company["applicant_company"].managing_director
    application = ops.create_application(
        ApplicationKind.NEW,
        applicant=applicant,
        **company,
        actor=None,
        office_kind=office_kind,
        premises_m2=60,
        premises_owned=True,
        **data,
    )
    factories.review(application)
    return application


@pytest.fixture
def decided_session(db):
    """A session with two attendees and two decided items (one approval, one deferral)."""
    first = _ready_application(factories.make_person("سارا", "محمدی"))
    second = _ready_application(
        factories.make_person("رضا", "کاظمی"),
        office_kind=SiteKind.RURAL_ICT_OFFICE,
        office_name="دفتر ICT روستایی چغلوندی",
        locality="چغلوندی",
        lat=33.60,
        lon=48.20,
    )
    session = ops.schedule_session(date(2022, 10, 3), place="سالن جلسات اداره کل", actor=None)
    ops.add_attendee(
        session,
        full_name="مجتبی صارمی",
        title="مدیرکل",
        organisation="اداره کل ارتباطات و فناوری اطلاعات",
        actor=None,
    )
    ops.add_attendee(session, full_name="زهرا کریمی", title="معاون فنی", organisation="استانداری", actor=None)
    item1 = ops.add_to_agenda(session, first, actor=None)
    item2 = ops.add_to_agenda(session, second, actor=None)
    ops.record_decision(item1, ApplicationState.APPROVED, "فاصله و سهمیه رعایت شده است.", actor=None)
    ops.record_decision(item2, ApplicationState.DEFERRED, "گزارش بازدید محل کامل نیست.", actor=None)
    return session


def test_minutes_pdf_lists_attendees_items_and_decisions(tmp_path, poppler, decided_session):
    session = decided_session
    pdf = _write(tmp_path, "minutes.pdf", minutes_pdf(session))
    text = _text(pdf)
    plain, norm = _plain(text), _norm(text)

    assert _norm("صورتجلسه کارگروه استانی") in norm
    assert to_persian_digits(session.number) in plain
    assert format_jalali(session.held_on) == "۱۴۰۱/۰۷/۱۱"
    assert "۱۴۰۱/۰۷/۱۱" in plain
    assert _norm("روز دوشنبه") in norm and "مهر" in plain
    assert _norm("سالن جلسات اداره کل") in norm
    for name, organisation in (
        ("مجتبی صارمی", "اداره کل ارتباطات و فناوری اطلاعات"),
        ("زهرا کریمی", "استانداری"),
    ):
        assert _norm(name) in norm and _norm(organisation) in norm
        assert norm.count(_norm(name)) >= 2  # the attendees table and the signature lines
    for item in session.items:
        application = item.application
        assert to_persian_digits(application.number) in plain
        assert _norm(application.applicant.full_name) in norm
        assert _norm(item.reasons) in norm
    assert _norm(ApplicationKind.NEW.label) in norm
    assert _norm("چغلوندی") in norm
    assert _norm(ApplicationState.APPROVED.label) in norm
    assert _norm("مسکوت") in norm and _norm("تعویق") in norm  # «مسکوت (تعویق)»: parentheses move
    assert plain.index(to_persian_digits(session.items[0].application.number)) < plain.index(
        to_persian_digits(session.items[1].application.number)
    )
    assert _norm("پیش‌نویس") in norm  # the session is still open
    assert re.search(r"صفحه\s+۱\s*از\s+۱", plain)  # Persian page numbers (pdftotext moves a space)

    _assert_page_image(pdf, tmp_path)
    _assert_vazirmatn_embedded(pdf)


def test_minutes_of_a_closed_session_are_not_marked_draft(tmp_path, poppler, decided_session):
    ops.close_session(decided_session, actor=None)
    text = _text(_write(tmp_path, "closed.pdf", minutes_pdf(decided_session)))
    assert _norm("پیش‌نویس") not in _norm(text)


# ---------------------------------------------------------------- what a PDF may load


def test_static_path_for_accepts_only_files_under_static(app):
    static = Path(app.static_folder).resolve()
    font = static / "css" / "pdf.css"
    assert static_path_for(font.as_uri(), static) == font
    assert static_path_for("file:///static/css/pdf.css", static) == font
    for url in (
        "http://127.0.0.1/static/css/pdf.css",
        "https://example.com/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "file:///etc/passwd",
        "file:///static/../../etc/passwd",
        (static / ".." / "config.py").as_uri(),
        "file://evil.example/static/css/pdf.css",
        "ftp://example.com/x",
        (static / "no-such-file.css").as_uri(),
    ):
        assert static_path_for(url, static) is None, url


def test_pdf_rendering_never_reaches_the_network_or_other_files(app, db):
    from core.pdf import _get_resources

    with pytest.raises(PdfFetchRefused):
        _get_resources().fetcher("http://127.0.0.1/x.png")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.setblocking(False)
        port = server.getsockname()[1]
        pdf = html_to_pdf(
            f'<html dir="rtl"><head><link rel="stylesheet" href="http://127.0.0.1:{port}/a.css">'
            f'</head><body><img src="http://127.0.0.1:{port}/b.png"><img src="file:///etc/hostname">'
            f'<p style="background: url(//127.0.0.1:{port}/c.png)">متن آزمایشی</p></body></html>'
        )
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected
    assert pdf.startswith(b"%PDF-")
