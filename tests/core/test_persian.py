from datetime import UTC, date, datetime

import pytest

from core.persian import (
    JalaliDateError,
    clean_text,
    format_jalali,
    format_jalali_datetime,
    format_number,
    jalali_year_bounds,
    normalize_for_search,
    parse_jalali,
    persian_sort_key,
    search_terms,
    to_latin_digits,
    to_persian_digits,
)

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock


@pytest.mark.parametrize(
    "text", ["1401/6/25", "۱۴۰۱/۰۶/۲۵", "1401-06-25", "١٤٠١/٠٦/٢٥", " 1401 / 06 / 25 ", "۱۴۰۱-۶-۲۵"]
)
def test_parse_jalali_accepts_every_digit_form_and_separator(text):
    assert parse_jalali(text) == date(2022, 9, 16)


def test_esfand_30_exists_only_in_leap_years():
    assert parse_jalali("1403/12/30") == date(2025, 3, 20)  # 1403 is a leap year
    assert parse_jalali("1399/12/30") == date(2021, 3, 20)  # so is 1399
    with pytest.raises(JalaliDateError) as err:
        parse_jalali("1401/12/31")
    assert "اسفند" in str(err.value)
    with pytest.raises(JalaliDateError) as err:
        parse_jalali("1401/12/30")
    assert "کبیسه نیست" in str(err.value)
    assert parse_jalali("1401/12/29") == date(2023, 3, 20)


@pytest.mark.parametrize(
    "text",
    ["", "1401/13/01", "1401/07/31", "1401/01/32", "abc", "1401/6", "14011/06/25", "0/0/0", None],
)
def test_parse_jalali_refuses_with_persian_message(text):
    with pytest.raises(JalaliDateError) as err:
        parse_jalali(text)
    assert any("\u0600" <= ch <= "\u06ff" for ch in str(err.value))


def test_first_six_months_have_31_days_and_mehr_30():
    assert parse_jalali("1401/06/31") == date(2022, 9, 22)
    assert parse_jalali("1401/07/30") == date(2022, 10, 22)


def test_format_jalali_uses_persian_digits():
    assert format_jalali(date(2022, 9, 16)) == "۱۴۰۱/۰۶/۲۵"
    assert format_jalali(date(2022, 9, 16), persian_digits=False) == "1401/06/25"
    assert format_jalali(None) == ""


def test_datetime_is_shown_in_tehran_time():
    # 21:00 UTC on 16 Sep 2022 is already 17 Sep (26 Shahrivar) in Tehran (+04:30 in summer 1401).
    moment = datetime(2022, 9, 16, 21, 0, tzinfo=UTC)
    assert format_jalali_datetime(moment) == "۱۴۰۱/۰۶/۲۶ ۰۱:۳۰"


def test_year_bounds_follow_leap_years():
    assert jalali_year_bounds(1401) == (date(2022, 3, 21), date(2023, 3, 20))
    assert jalali_year_bounds(1403) == (date(2024, 3, 20), date(2025, 3, 20))


def test_digits_round_trip():
    assert to_latin_digits("۰۱۲۳۴۵۶۷۸۹ ٠١٢٣٤٥٦٧٨٩") == "0123456789 0123456789"
    assert to_persian_digits("Tel 066-3322") == "Tel ۰۶۶-۳۳۲۲"
    assert format_number(1234567) == "۱٬۲۳۴٬۵۶۷"


def test_normalisation_sees_through_letters_zwnj_and_digits():
    persian = "اداره‌کل ارتباطات کرمانشاهی ۱۲"
    arabic = "ادارهكل  ارتباطات كرمانشاهي 12"
    assert normalize_for_search(persian) == normalize_for_search(arabic)
    assert normalize_for_search("علی") == normalize_for_search("علي")
    assert normalize_for_search("بانک") == normalize_for_search("بانك")
    assert normalize_for_search("آب") == normalize_for_search("اب")
    assert search_terms("  دفتر   پيشخوان ") == ["دفتر", "پیشخوان"]


def test_clean_text_keeps_zwnj_but_fixes_letters_and_digits():
    assert clean_text(" مي‌خواهم  ۱۲ ") == "می‌خواهم 12"
    assert clean_text("كد ٣") == "کد 3"


def test_persian_alphabetical_order():
    words = ["گل", "کوه", "ژاله", "زهره", "چمن", "جنگل", "پری", "بهار", "آب", "یاس"]
    expected = ["آب", "بهار", "پری", "جنگل", "چمن", "زهره", "ژاله", "کوه", "گل", "یاس"]
    assert sorted(words, key=persian_sort_key) == expected


def test_clean_text_keeps_correct_hamza_spelling_that_search_folds():
    assert clean_text("رأی کمیته؛ تأسیس") == "رأی کمیته؛ تأسیس"
    assert normalize_for_search("رأی") == normalize_for_search("رای")
    assert normalize_for_search("خانۀ") == normalize_for_search("خانه")


def test_coordinates_and_file_sizes_read_in_persian():
    from core.persian import format_coordinate, format_filesize

    assert format_coordinate(33.4878) == "۳۳٫۴۸۷۸۰"
    assert format_filesize(160) == "۱۶۰ بایت"
    assert format_filesize(2560) == "۲٫۵ کیلوبایت"
    assert format_filesize(5 * 1024 * 1024) == "۵ مگابایت"
