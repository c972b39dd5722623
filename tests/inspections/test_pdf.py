"""The visit report PDF, read back with poppler: Persian text, Jalali dates, the GPS check, the
failed items, the photos embedded and the signature lines.

pdftotext drops ZWNJ and splits lam-alef; both sides are normalised the same way before comparing.
Without poppler-utils these tests skip locally and fail in CI (CI=true).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from flask import render_template

from core.pdf import PdfFetchRefused
from core.persian import normalize_for_search
from inspections import operations as ops
from inspections.pdf import report_context, visit_report_pdf
from tests import factories
from tests.inspections import helpers as h
from tests.tools import require_tools

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

_BIDI_MARKS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


@pytest.fixture
def poppler():
    require_tools("pdftotext", "pdfimages", "pdffonts", package="poppler-utils")


def _run(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


def _norm(text: str) -> str:
    return normalize_for_search(text.translate(_BIDI_MARKS).replace("لا", "ال"))


@pytest.fixture
def visit(app, db):
    inspector = h.make_inspector(full_name="علیرضا حسنوند")
    site = factories.make_site(name="دفتر پیشخوان کوثر", lat=h.SITE_POINT[0], lon=h.SITE_POINT[1])
    photos = [
        h.image_bytes(size=(320, 240), color=(180, 40, 40)),
        h.image_bytes("png", size=(240, 320), color=(20, 90, 160)),
    ]
    visit, _ = ops.submit_visit(
        h.visit_payload(site, point=h.FAR_POINT, accuracy=30, photos=photos, fail=("V07", "V01")),
        actor=inspector,
    )
    for content in photos:
        ops.store_photo(visit, h.sha(content), content, actor=inspector)
    ops.refer_to_committee(visit, actor=inspector)
    db.session.commit()
    return visit


def test_the_visit_report_reads_back_in_persian_with_photos(visit, poppler):
    content = visit_report_pdf(visit)
    assert content.startswith(b"%PDF-")
    # Kept for a person to look at (pdftoppm -png -r 70 test-artifacts/pdf/visit-report.pdf).
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"
    artifacts.mkdir(parents=True, exist_ok=True)
    pdf = artifacts / "visit-report.pdf"
    pdf.write_bytes(content)
    text = _norm(_run("pdftotext", str(pdf), "-"))
    expected = [
        "گزارش بازدید بازرسی",
        "اداره کل ارتباطات و فناوری اطلاعات استان لرستان",
        "دفتر پیشخوان کوثر",
        "کنترل عملکرد",
        "علیرضا حسنوند",
        "مریم احمدی",
        "۱۴۰۱/۰۶/۲۵",  # the visit day, Jalali
        "دور از محل ثبت‌شده",  # the flag
        "تابلوی تعرفه خدمات در دید مراجعان نصب است",
        "V07",
        "V01",
        "۲ مورد نامطلوب",
        "عکس نمای بیرونی دفتر و تابلوی سردر",
        "امضا",
        "بازرس",
        "شخص حاضر در محل",
        "نسخه ۱",
        "ارجاع به کمیته تخلفات",
    ]
    # pdftotext loses some spaces where Persian meets digits: compare without them.
    squeezed = text.replace(" ", "")
    for phrase in expected:
        assert _norm(phrase).replace(" ", "") in squeezed, phrase
    distance = round(visit.distance_m)
    assert f"{distance:,}".replace(",", "") in text.replace(",", "").replace("٬", "")
    images = _run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    assert len(images) == 2
    assert "Vazirmatn" in _run("pdffonts", str(pdf))


def test_the_report_fetches_only_static_files_and_its_own_photos(visit, app, tmp_path):
    from core import pdf as core_pdf

    html = render_template("pdf/visit_report.html", **report_context(visit))
    assert "/uploads/inspections/" in html
    fallback = core_pdf._get_resources().fetcher
    stranger = tmp_path / "secret.jpg"
    stranger.write_bytes(h.image_bytes())
    allowed = {ops.photo_path(p).resolve(): "image/jpeg" for p in visit.photos}
    fetcher = core_pdf._with_extra_files(allowed, fallback)
    photo = next(iter(allowed))
    assert fetcher.fetch(photo.as_uri()).read() == photo.read_bytes()
    with pytest.raises(PdfFetchRefused):
        fetcher.fetch(stranger.as_uri())
    with pytest.raises(PdfFetchRefused):
        fetcher.fetch("https://example.com/x.png")
