"""The printed letter: a real PDF on the letterhead, read back with poppler and rendered to PNG."""

from __future__ import annotations

import subprocess

import pytest

from core.persian import normalize_for_search, to_persian_digits
from letters import operations as ops
from letters.pdf import letter_pdf
from tests import factories
from tests.tools import require_tools

BASE_URL = "https://pishkhan.example.ir"
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def _norm(text: str) -> str:
    return normalize_for_search(text.translate(_BIDI).replace("لا", "ال"))


@pytest.fixture(autouse=True)
def plain_tokens(monkeypatch):
    """Verification tokens without '-' or '_', which pdftotext and the normalising may change."""
    import itertools

    from letters.operations import register

    counter = itertools.count(1)
    monkeypatch.setattr(
        register.secrets, "token_urlsafe", lambda n=18: f"Tok{next(counter):04d}abcdefghijklmnopqrs"[:24]
    )


@pytest.fixture
def poppler():
    require_tools("pdftotext", "pdftoppm", "pdffonts", package="poppler-utils")


def test_the_letter_prints_with_number_date_recipient_signer_and_verification(app, poppler, tmp_path):
    letter = ops.write_letter(
        {
            "recipient_name": "آقای علی رضایی",
            "recipient_company": "شرکت خدمات پیشخوان کوثر",
            "recipient_organisation": None,
            "subject": "اعلام نقص مدارک درخواست 1404-00012",
            "body": "با سلام،\nمدارک زیر هنوز به پرونده افزوده نشده است:\n- گواهی عدم سوءپیشینه",
            "signer_name": "مجتبی صارمی",
            "signer_title": "مدیرکل",
        },
        actor=None,
    )
    ops.add_attachment(letter, "mark.pdf", factories.pdf_bytes(), actor=None)
    with app.test_request_context("/", base_url=BASE_URL):
        content = letter_pdf(letter)
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(content)
    text = _norm(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    )
    for expected in (
        "اداره کل ارتباطات و فناوری اطلاعات استان",
        "آقای علی رضایی",
        "شرکت خدمات پیشخوان کوثر",
        "گواهی عدم سوءپیشینه",
        "مجتبی صارمی",
        "پیوست",
    ):
        assert _norm(expected) in text, expected
    # pdftotext reads the number's slashes in visual order; its digits are all there.
    assert to_persian_digits(f"{letter.year}") in text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert f"{BASE_URL}/letters/verify/{letter.verify_token}".lower() in text.replace("\n", "")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Vazirmatn" in fonts
    subprocess.run(
        ["pdftoppm", "-png", "-r", "90", "-singlefile", str(pdf), str(tmp_path / "page")], check=True
    )
    assert (tmp_path / "page.png").stat().st_size > 10_000
    if shot_dir := __import__("os").environ.get("LETTER_PNG_DIR"):
        __import__("shutil").copy(tmp_path / "page.png", f"{shot_dir}/letter.png")


def test_a_ruling_notice_prints_with_the_appeal_right(app, poppler, tmp_path):
    holder = factories.make_person("رضا", "کرمی")
    licence = factories.make_licence(holder=holder, name="دفتر پیشخوان کوثر")
    ruling = factories.make_ruling(
        factories.make_ready_case(licence.site), penalty="suspension", suspension_days=7
    )
    [notice] = ops.letters_about("ruling", ruling.id)
    with app.test_request_context("/", base_url=BASE_URL):
        content = letter_pdf(notice)
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(content)
    text = _norm(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    )
    expected_texts = ("ابلاغ رأی", "رضا کرمی", "دفتر پیشخوان کوثر", "حق اعتراض", "روز کاری", "تعلیق")
    for expected in expected_texts:
        assert _norm(expected) in text, expected
    subprocess.run(
        ["pdftoppm", "-png", "-r", "90", "-singlefile", str(pdf), str(tmp_path / "notice")], check=True
    )
    assert (tmp_path / "notice.png").stat().st_size > 10_000
    if shot_dir := __import__("os").environ.get("LETTER_PNG_DIR"):
        __import__("shutil").copy(tmp_path / "notice.png", f"{shot_dir}/ruling-notice.png")
