"""The committee's minutes (صورتجلسه) as a real PDF, read back with poppler.

pdftotext wraps runs in bidi marks, drops ZWNJ and splits lam-alef; both sides are normalised the
same way before comparing (as in tests/licensing/test_pdf.py).
"""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from committees import operations as ops
from committees.pdf import minutes_pdf
from core.persian import normalize_for_search, to_persian_digits
from tests import factories
from tests.tools import require_tools

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"
_BIDI_MARKS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


@pytest.fixture
def poppler():
    require_tools("pdftotext", "pdftoppm", package="poppler-utils")


def _norm(text: str) -> str:
    """Compare without spaces too: pdftotext moves a space across a run of digits."""
    return normalize_for_search(text.translate(_BIDI_MARKS).replace("لا", "ال")).replace(" ", "")


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout


def _closed_session():
    members = factories.make_committee(5)
    alternate = factories.make_committee_member(
        "فرشته بهاروند", "", alternate_for_id=members[1].id, title="معاون مدیرکل"
    )
    licence = factories.make_licence(issued_on=date(2020, 1, 1))
    case = factories.make_ready_case(licence.site, codes=("V02", "V07"))
    postponed = factories.make_ready_case(factories.make_site(name="دفتر پیشخوان امید"), codes=("V05",))
    present = [members[0], alternate, *members[2:]]
    session = factories.hold_hearing(
        case, present, held_on=date(2022, 10, 5), votes=["for", "for", "for", "against", "abstain"]
    )
    ops.add_to_agenda(session, postponed, actor=None)
    ops.declare_recusal(session, postponed, members[3], "متصدی دفتر خویشاوند اوست.", actor=None)
    ruling = ops.record_ruling(
        case, session, factories.ruling_data("suspension", codes=("V02",), suspension_days=15), actor=None
    )
    ops.close_session(session, actor=None)
    secretary = factories.make_user(factories.Role.COMMITTEE_SECRETARY, full_name="رضا کرمی")
    ops.add_correction(session, "سمت خانم امیری مدیرکل فناوری اطلاعات است.", actor=secretary)
    return session, case, ruling, present


def test_minutes_pdf_lists_members_cases_votes_rulings_and_corrections(app, db, poppler, tmp_path):
    session, case, ruling, present = _closed_session()
    with app.test_request_context("/"):
        content = minutes_pdf(session)
    assert content.startswith(b"%PDF-")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "committee-minutes.pdf"
    pdf.write_bytes(content)
    text = _text(pdf)
    norm = _norm(text)
    assert _norm("صورتجلسه کمیته رسیدگی به تخلفات") in norm
    for member in present:
        assert _norm(member.full_name) in norm, member.full_name
    assert _norm("علی‌البدل نسرین امیری") in norm
    assert to_persian_digits(case.number) in text.translate(_BIDI_MARKS)
    assert to_persian_digits(ruling.number) in text.translate(_BIDI_MARKS)
    assert _norm("تعلیق پروانه به مدت ۱۵ روز") in norm
    assert _norm("رسیدگی به جلسه بعد موکول شد") in norm  # the postponed case
    assert _norm("متصدی دفتر خویشاوند اوست") in norm  # the recusal
    assert _norm("موافق") in norm and _norm("مخالف") in norm and _norm("ممتنع") in norm
    assert _norm("سمت خانم امیری مدیرکل فناوری اطلاعات است") in norm  # the correction
    assert _norm("امضای اعضای حاضر") in norm
    assert _norm("پیش‌نویس") not in norm
    assert "۱۴۰۱/۰۷/۱۳" in text and _norm("چهارشنبه ۱۳ مهر ۱۴۰۱") in norm  # held on, Jalali
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", str(pdf), str(ARTIFACTS / "committee-minutes")],
        check=True,
        timeout=60,
    )
    assert (ARTIFACTS / "committee-minutes-1.png").stat().st_size > 10_000


def test_minutes_of_an_open_session_are_marked_draft(app, db, poppler, tmp_path):
    case = factories.make_ready_case()
    session = factories.hold_hearing(case, factories.make_committee(3))
    with app.test_request_context("/"):
        pdf = tmp_path / "draft.pdf"
        pdf.write_bytes(minutes_pdf(session))
    assert _norm("پیش‌نویس") in _norm(_text(pdf))
