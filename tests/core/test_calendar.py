"""The working-day calendar: weekly days off, official holidays, announced closures, deadlines."""

from __future__ import annotations

from datetime import date

import pytest

from core import calendar
from core.persian import parse_jalali
from core.settings import set_setting


def j(text: str) -> date:
    return parse_jalali(text)


def test_the_days_around_nowruz_1404_are_what_the_library_says():
    # Wednesday 29 Esfand 1403 = 2025-03-19 (oil nationalisation day) ... Monday 4 Farvardin 1404.
    assert j("1403/12/29") == date(2025, 3, 19) and j("1403/12/29").weekday() == 2
    for day in ("1403/12/29", "1403/12/30", "1404/01/01", "1404/01/02", "1404/01/03", "1404/01/04"):
        assert not calendar.is_working_day(j(day)), day
    # Tuesday 5 Farvardin is a working day; Friday 8 Farvardin is the weekly day off.
    assert calendar.is_working_day(j("1404/01/05"))
    assert not calendar.is_working_day(j("1404/01/08"))
    # Eid al-Fitr (11 and 12 Farvardin 1404) and Nature Day (13 Farvardin) are off.
    for day in ("1404/01/11", "1404/01/12", "1404/01/13"):
        assert not calendar.is_working_day(j(day)), day


def test_twenty_working_days_from_a_service_on_the_wednesday_before_nowruz():
    """Served Wednesday 29 Esfand 1403 (2025-03-19): the appeal window of 20 working days.

    Not counted: Thu 30 Esfand (last day of the year, a holiday), Fri 1 – Mon 4 Farvardin (Nowruz),
    the Fridays 8, 15, 22 and 29 Farvardin, Mon 11 – Wed 13 Farvardin (Eid al-Fitr, Islamic
    Republic Day, Nature Day). Counted, in order:
      1 Tue 5, 2 Wed 6, 3 Thu 7, 4 Sat 9, 5 Sun 10, 6 Thu 14, 7 Sat 16, 8 Sun 17, 9 Mon 18,
      10 Tue 19, 11 Wed 20, 12 Thu 21, 13 Sat 23, 14 Sun 24, 15 Mon 25, 16 Tue 26, 17 Wed 27,
      18 Thu 28, 19 Sat 30, 20 Sun 31 Farvardin 1404.
    So the last day to appeal is Sunday 31 Farvardin 1404 = 2025-04-20; counting calendar days
    it would have been Tuesday 19 Farvardin (2025-04-08).
    """
    served = j("1403/12/29")
    assert calendar.add_working_days(served, 20) == j("1404/01/31") == date(2025, 4, 20)
    assert calendar.deadline_from(served, "committee.appeal_days") == date(2025, 4, 20)
    assert calendar.working_days_between(served, j("1404/01/31")) == 20
    assert calendar.working_days_between(served, j("1404/01/30")) == 19


def test_a_province_with_thursdays_off_counts_further():
    set_setting("calendar.weekly_days_off", ["پنجشنبه", "جمعه"])
    # Thursdays 7, 14, 21 and 28 Farvardin are now off as well: four more days to count.
    assert calendar.add_working_days(j("1403/12/29"), 20) == j("1404/02/06")
    assert not calendar.is_working_day(j("1404/01/07"))


def test_an_announced_closure_and_a_reopened_holiday(db):
    # From Monday 1 Ordibehesht 1404: Tue 2, Wed 3, (Thu 4 is a holiday, Fri 5 off) Sat 6.
    assert calendar.add_working_days(j("1404/02/01"), 3) == j("1404/02/06")
    db.session.add(
        calendar.Holiday(
            day=j("1404/02/02"), name="تعطیلی به سبب آلودگی هوا", source=calendar.HolidaySource.ANNOUNCED
        )
    )
    db.session.flush()
    assert not calendar.is_working_day(j("1404/02/02"))
    # With Tuesday 2 Ordibehesht closed: Wed 3, Sat 6, Sun 7.
    assert calendar.add_working_days(j("1404/02/01"), 3) == j("1404/02/07")


def test_a_loaded_year_is_read_from_the_table_and_a_holiday_can_be_reopened(db):
    added = calendar.load_official_holidays(2025)
    assert any(h.day == date(2025, 3, 21) and "نوروز" in h.name for h in added)
    assert calendar.load_official_holidays(2025) == []  # twice is harmless
    nature_day = next(h for h in added if h.day == j("1404/01/13"))
    nature_day.off = False
    db.session.flush()
    assert calendar.is_working_day(j("1404/01/13"))


def test_calendar_and_working_deadlines_are_data():
    assert calendar.counts_working_days("committee.appeal_days")
    assert calendar.counts_working_days("licensing.deadline_days.new")
    assert calendar.counts_working_days("licensing.inquiry_answer_days")
    assert calendar.counts_working_days("committee.summons_notice_days")
    assert not calendar.counts_working_days("licence.renewal_window_open_days")
    # A calendar-day rule counts every day.
    assert calendar.deadline_from(date(2025, 3, 19), "licence.renewal_window_open_days") == date(2025, 9, 15)


def test_days_left_counts_in_the_rule_unit():
    today = j("1403/12/28")
    assert calendar.days_left(j("1404/01/06"), "committee.appeal_days", today=today) == 2  # 5 and 6 Farvardin
    assert calendar.days_left(j("1404/01/06"), today=today) == 8  # Esfand 1403 has 30 days
    assert calendar.days_left(j("1403/12/27"), "committee.appeal_days", today=today) == -1


@pytest.mark.parametrize("typed", ["پنج شنبه، جمعه", "پنجشنبه,جمعه"])
def test_the_settings_page_takes_day_names_in_any_spelling(client, login_as, typed):
    login_as("admin")
    response = client.post("/admin/settings/calendar.weekly_days_off", data={"value": typed})
    assert response.status_code == 302
    assert calendar.weekly_days_off() == frozenset({3, 4})


def test_the_settings_page_refuses_a_day_that_is_not_a_day(client, login_as):
    login_as("admin")
    response = client.post("/admin/settings/calendar.weekly_days_off", data={"value": "جمعه، تعطیل"})
    assert response.status_code == 200
    assert "«تعطیل» پذیرفته نیست" in response.get_data(as_text=True)


def test_the_holiday_page(client, login_as, db):
    login_as("admin")
    page = client.get("/admin/holidays?year=1404").get_data(as_text=True)
    assert "جشن نوروز" in page and "ثبت در تقویم برای ویرایش" in page
    assert client.post("/admin/holidays/load", data={"year": "1404"}).status_code == 302
    response = client.post(
        "/admin/holidays", data={"day": "۱۴۰۴/۰۲/۰۲", "name": "آلودگی هوا", "year": "1404"}
    )
    assert response.status_code == 302
    assert not calendar.is_working_day(j("1404/02/02"))
    page = client.get("/admin/holidays?year=1404").get_data(as_text=True)
    assert "آلودگی هوا" in page and "ثبت در تقویم برای ویرایش" not in page


@pytest.mark.parametrize("role", ["licensing_officer", "inspector", "committee_secretary", "viewer"])
def test_only_the_admin_edits_the_calendar(client, login_as, role):
    login_as(role)
    assert client.get("/admin/holidays").status_code == 403
    assert client.post("/admin/holidays", data={"day": "1404/02/02", "name": "x"}).status_code == 403
    assert client.post("/admin/holidays/load", data={"year": "1404"}).status_code == 403
