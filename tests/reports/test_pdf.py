"""The annual report as a real PDF, read back with poppler and rendered to PNG for a person to look
at (test-artifacts/pdf/annual-report-1401-*.png).

pdftotext wraps runs in bidi marks, drops ZWNJ and splits lam-alef; both sides are normalised the
same way before comparing (as in tests/committees/test_pdf.py).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from core.persian import normalize_for_search
from reports.charts import Series, bar_rows, column_chart
from reports.operations import Period
from reports.pdf import annual_report_html, annual_report_pdf
from tests.reports.builders import build_1401
from tests.tools import require_tools

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"
_BIDI_MARKS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def _norm(text: str) -> str:
    """Compare without spaces too: pdftotext moves a space across a run of digits."""
    return normalize_for_search(text.translate(_BIDI_MARKS).replace("لا", "ال")).replace(" ", "")


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=120).stdout


@pytest.fixture
def poppler():
    require_tools("pdftotext", "pdftoppm", "pdffonts", package="poppler-utils")


def test_annual_report_pdf_has_the_summary_tables_and_charts(app, db, poppler):
    build_1401()
    db.session.commit()
    with app.test_request_context("/"):
        content = annual_report_pdf(Period.jalali_year(1401))
    assert content.startswith(b"%PDF-")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "annual-report-1401.pdf"
    pdf.write_bytes(content)
    text = _norm(_run("pdftotext", str(pdf), "-"))
    for phrase in (
        "گزارش عملکرد دفاتر پیشخوان خدمات دولت و ICT روستایی",
        "در سال ۱۴۰۱ تعداد ۱ مجوز جدید دفاتر پیشخوان خدمات دولت",
        "تعداد ۷ بازدید به عمل آمده است",
        "۷ جلسه کارگروه و ۴ جلسه کمیته تخلفات",
        "محل‌های فعال در پایان سال ۱۴۰۱",
        "پروانه‌های صادر یا تمدیدشده در ده سال اخیر",
        "بازدیدها در هر ماه",
        "پرونده‌های تخلف به تفکیک نوع تخلف",
        "تعطیلی دفتر در ساعات کاری بدون مجوز",
        "فروردین",
        "اسفند",
        "خرم‌آباد",
        "بروجرد",
        "صفحه ۱ از",
    ):
        assert _norm(phrase) in text, phrase
    assert "V02" in text.upper()
    fonts = _run("pdffonts", str(pdf))
    assert "Vazirmatn" in fonts
    pages = int(
        next(line.split()[-1] for line in _run("pdfinfo", str(pdf)).splitlines() if line.startswith("Pages"))
    )
    assert 2 <= pages <= 6
    for old in ARTIFACTS.glob("annual-report-1401-*.png"):
        old.unlink()
    _run("pdftoppm", "-png", "-r", "70", str(pdf), str(ARTIFACTS / "annual-report-1401"))
    pngs = sorted(ARTIFACTS.glob("annual-report-1401-*.png"))
    assert len(pngs) == pages and all(p.stat().st_size > 10_000 for p in pngs)


def test_the_pdf_charts_are_svg_with_words_outside_it(app, db):
    build_1401()
    with app.test_request_context("/"):
        html = annual_report_html(Period.jalali_year(1401))
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 2
    assert html.count('class="bar"') == 10  # one bar per violation type of the catalogue
    assert "<script" not in html
    # Month names are HTML (Persian shaping); inside the SVG only digits and shapes.
    for svg in html.split("<svg")[1:]:
        inside = svg.split("</svg>")[0]
        assert "فروردین" not in inside and "صدور" not in inside


def test_column_chart_scale_and_right_to_left_order():
    chart = column_chart(["فروردین", "اردیبهشت"], [Series("بازدید", [3, 7], "#000")])
    svg = str(chart.svg)
    assert ">۸<" in svg and ">۲<" in svg  # a whole-number grid: 0, 2, 4, 6, 8
    first, second = [float(x) for x in re.findall(r"<rect x=\"([\d.]+)\"", svg)]
    assert first > second  # Farvardin on the right
    assert chart.legend == []  # one series: no legend
    rows = bar_rows([("V01", 2), ("V02", 0)])
    assert 'width="100.00"' in str(rows[0].svg) and 'width="0.00"' in str(rows[1].svg)


def test_pdf_route(client, login_as, db):
    from core.security import Role

    login_as(Role.VIEWER)
    response = client.get("/reports/annual.pdf?start=1401-01-01&end=1401-06-31")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert 'filename="annual-report-1401-01-01-1401-06-31.pdf"' in response.headers["Content-Disposition"]
