"""The annual report against a year built through the operations: every figure, the per-county
table, the drill-downs (the records listed are exactly the figure), the period boundaries (the last
day of Esfand, leap years, Tehran's midnight), the summary paragraph and the chart series."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.clock import today_tehran
from core.errors import DomainError
from core.extensions import db
from core.persian import jalali_year_bounds
from licensing import operations as lic_ops
from licensing.models import ApplicationKind
from registry.models import SiteKind
from reports import operations as ops
from tests import factories
from tests.reports.builders import EXPECTED_1401, EXPECTED_COUNTIES_1401, build_1401, j

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

REQUIRED_KEYS = {
    "year",
    "sites_active",
    "licences_issued",
    "visits",
    "working_group_sessions",
    "committee_sessions",
    "cases_by_violation",
    "rulings_by_penalty",
}


@pytest.fixture
def year_1401(db):
    built = build_1401()
    db.session.commit()
    return built


def test_every_figure_of_1401_matches_what_was_built(year_1401):
    report = ops.annual_report(1401)
    assert report.keys() >= REQUIRED_KEYS
    for key, expected in EXPECTED_1401.items():
        assert report[key] == expected, key
    assert (report["start"], report["end"]) == ("2022-03-21", "2023-03-20")
    assert (report["start_jalali"], report["end_jalali"]) == ("1401/01/01", "1401/12/29")


def test_the_report_of_a_period_is_the_report_of_its_year_when_it_is_one(year_1401):
    by_year = ops.annual_report(1401)
    by_range = ops.annual_report(ops.Period.between(date(2022, 3, 21), date(2023, 3, 20)))
    assert by_range == by_year


def test_a_site_suspended_mid_year_is_not_active_at_its_end_one_restored_is(year_1401):
    c3, c4 = year_1401.sites["c3"], year_1401.sites["c4"]
    end = ops.Period.jalali_year(1401)
    active = {row[0].id for row in db.session.execute(ops.figure_rows("sites_active", end))}
    assert c3.id not in active  # suspended on 1 Shahrivar for a year
    assert c4.id in active  # suspended 1–30 Khordad, then back in force
    # ...and in the middle of its suspension c4 was not active.
    khordad = ops.Period(j(1401, 3, 1), j(1401, 3, 15))
    assert c4.id not in {row[0].id for row in db.session.execute(ops.figure_rows("sites_active", khordad))}


def test_a_licence_issued_on_the_last_day_of_esfand_belongs_to_that_year(year_1401):
    n2 = year_1401.licences["n2"]
    assert n2.issued_on == date(2023, 3, 20) == jalali_year_bounds(1401)[1]
    rows_1401 = db.session.execute(ops.figure_rows("licences_issued", ops.Period.jalali_year(1401))).all()
    rows_1402 = db.session.execute(ops.figure_rows("licences_issued", ops.Period.jalali_year(1402))).all()
    assert n2.id in {r[0].id for r in rows_1401}
    assert n2.id not in {r[0].id for r in rows_1402}
    # n3 was approved in Esfand 1401 and issued on 1 Farvardin 1402.
    assert year_1401.licences["n3"].id in {r[0].id for r in rows_1402}


def test_a_leap_year_ends_on_30_esfand(db, frozen_at):
    frozen_at("2025-06-01T08:00:00+00:00")  # the story is told from after 1403, whenever the suite runs
    assert jalali_year_bounds(1403) == (date(2024, 3, 20), date(2025, 3, 20))
    assert ops.Period.jalali_year(1404).start == date(2025, 3, 21)
    factories.make_county()
    application = lic_ops.create_application(
        ApplicationKind.NEW,
        **factories.company_applicant(),
        premises_m2=60,
        premises_owned=True,
        actor=None,
        office_kind=SiteKind.COUNTER_OFFICE,
        office_name="دفتر پیشخوان سی‌ام اسفند",
        county_id=factories.make_county().id,
        locality="خرم‌آباد",
        address="خیابان شریعتی، پلاک ۳",
        lat=33.49,
        lon=48.36,
        received_on=date(2025, 1, 10),
    )
    factories.approve(application, held_on=date(2025, 3, 1))
    licence = lic_ops.issue_licence(application, actor=None, issued_on=date(2025, 3, 20))  # 1403/12/30
    assert ops.annual_report(1403)["licences_issued"]["counter_office"]["new"] == 1
    assert ops.annual_report(1403)["sites_active"]["counter_office"] == 1
    assert ops.annual_report(1404)["licences_issued"]["counter_office"]["new"] == 0
    assert licence.site.established_on == date(2025, 3, 20)


def test_per_county(year_1401):
    rows = {row["county"]: row for row in ops.annual_report(1401)["per_county"]}
    assert set(rows) == set(EXPECTED_COUNTIES_1401)
    for county, (active, issued, visits, cases) in EXPECTED_COUNTIES_1401.items():
        row = rows[county]
        assert (row["sites_active"], row["licences_issued"], row["visits"], row["cases"]) == (
            active,
            issued,
            visits,
            cases,
        ), county


def _every_breakdown(report: dict) -> list[tuple[str, dict, int]]:
    """(figure, filters, the figure's value) for every number the report page shows."""
    cells = [("sites_active", {"site_kind": k}, n) for k, n in report["sites_active"].items()]
    for office, kinds in report["licences_issued"].items():
        cells += [
            ("licences_issued", {"office_kind": office, "application_kind": k}, n) for k, n in kinds.items()
        ]
    cells.append(("visits", {}, report["visits"]["total"]))
    cells += [("visits", {"site_kind": k}, n) for k, n in report["visits"]["by_site_kind"].items()]
    cells += [("visits", {"purpose": p}, n) for p, n in report["visits"]["by_purpose"].items()]
    cells.append(("wg_sessions", {}, report["working_group_sessions"]))
    cells += [("wg_decisions", {"decision": d}, n) for d, n in report["working_group_decisions"].items()]
    cells.append(("committee_sessions", {}, report["committee_sessions"]))
    cells.append(("cases", {}, report["cases_opened"]))
    cells += [("cases_by_violation", {"violation": c}, n) for c, n in report["cases_by_violation"].items()]
    cells += [("rulings", {"penalty": p}, n) for p, n in report["rulings_by_penalty"].items()]
    for row in report["per_county"]:
        county = row["county_id"]
        cells += [
            ("sites_active", {"site_kind": k, "county": county}, n) for k, n in row["sites_active"].items()
        ]
        cells.append(("licences_issued", {"county": county}, row["licences_issued"]))
        cells.append(("visits", {"county": county}, row["visits"]))
        cells.append(("cases", {"county": county}, row["cases"]))
    return cells


def test_every_figure_lists_exactly_the_records_it_counts(year_1401):
    period = ops.Period.jalali_year(1401)
    report = ops.annual_report(period)
    cells = _every_breakdown(report)
    assert len(cells) > 50
    for key, filters, figure in cells:
        rows = db.session.execute(ops.figure_rows(key, period, filters)).all()
        assert len(rows) == figure == ops.count_by(key, period, **filters), (key, filters)


def test_drill_down_lists_the_right_records(year_1401):
    period = ops.Period.jalali_year(1401)
    y = year_1401

    def ids(key, **filters):
        return {row[0].id for row in db.session.execute(ops.figure_rows(key, period, filters))}

    assert ids("licences_issued", application_kind="transfer") == {y.licences["c2 transferred"].id}
    assert ids("licences_issued", application_kind="renewal") == {y.licences["c1"].id}
    assert ids("licences_issued", application_kind="address_change") == {y.licences["r1 moved"].id}
    assert ids("licences_issued", application_kind="new") == {y.licences["n1"].id, y.licences["n2"].id}
    assert ids("visits", site_kind="rural_ict_office") == {y.visits["v5 new site"].id}
    assert ids("visits", purpose="atm_kiosk") == {y.visits["v3"].id, y.visits["v6"].id}
    assert y.visits["before"].id not in ids("visits") and y.visits["after"].id not in ids("visits")
    assert ids("rulings", penalty="suspension") == {y.rulings["k1"].id, y.rulings["k2"].id}
    assert ids("cases_by_violation", violation="V02") == {y.cases["k1"].id, y.cases["k4"].id}
    assert ids("sites_active", site_kind="atm") == {y.sites["a1"].id}


def test_visit_days_are_tehran_days(year_1401):
    assert year_1401.visits["v6"].visited_on == date(2023, 3, 20)  # 20:00 UTC = 23:30 in Tehran
    assert year_1401.visits["after"].visited_on == date(2023, 3, 21)  # 21:00 UTC = 00:30 next day


def test_breakdown_values_are_checked_in_persian(db):
    figure = ops.figure("visits")
    assert ops.parse_filters(figure, {"purpose": "health", "other": "x"}) == {"purpose": "health"}
    with pytest.raises(DomainError, match="هدف بازدید معتبر نیست"):
        ops.parse_filters(figure, {"purpose": "picnic"})
    with pytest.raises(DomainError, match="شهرستان یافت نشد"):
        ops.parse_filters(figure, {"county": "999"})
    with pytest.raises(DomainError, match="نوع دفتر"):
        ops.parse_filters(ops.figure("licences_issued"), {"office_kind": "atm"})
    with pytest.raises(DomainError, match="وجود ندارد"):
        ops.figure("everything")


def test_periods(db):
    assert ops.Period.jalali_year(1401).title == "سال ۱۴۰۱"
    assert ops.Period.jalali_year(1401).args() == {"year": "1401"}
    half = ops.Period(j(1401, 1, 1), j(1401, 6, 31))
    assert half.year is None and half.args() == {"start": "1401-01-01", "end": "1401-06-31"}
    assert half.title == "۱ فروردین ۱۴۰۱ تا ۳۱ شهریور ۱۴۰۱"
    with pytest.raises(DomainError, match="پیش از تاریخ آغاز"):
        ops.Period(date(2023, 1, 2), date(2023, 1, 1))
    with pytest.raises(DomainError, match="۱۳۰۰"):
        ops.Period.jalali_year(1200)
    months = ops.month_buckets(ops.Period.jalali_year(1403))
    assert [m.label for m in months][::11] == ["فروردین", "اسفند"]
    assert (
        months[-1].period.end == date(2025, 3, 20)
        and (months[-1].period.end - months[-1].period.start).days == 29
    )
    spanning = ops.month_buckets(ops.Period(j(1401, 12, 10), j(1402, 1, 5)))
    assert [m.label for m in spanning] == ["اسفند ۱۴۰۱", "فروردین ۱۴۰۲"]
    assert spanning[0].period.start == j(1401, 12, 10) and spanning[1].period.end == j(1402, 1, 5)


@pytest.mark.parametrize(
    "now",
    [
        "2024-10-01T07:00:00+00:00",  # 1403/07/10, mid-year
        "2025-03-15T21:00:00+00:00",  # 1403/12/26 00:30 in Tehran: next week is in 1404
    ],
)
def test_sessions_not_yet_held_are_not_counted(db, frozen_at, now):
    from committees import operations as committee_ops

    frozen_at(now)
    today = today_tehran()
    lic_ops.schedule_session(today + timedelta(days=7), place=None, actor=None)
    lic_ops.schedule_session(today, place=None, actor=None)
    committee_ops.schedule_session(today + timedelta(days=3), place=None, actor=None)
    year = ops.Period.jalali_year(ops.current_year())
    assert year == ops.Period.jalali_year(1403)
    report = ops.annual_report(year)
    assert (report["working_group_sessions"], report["committee_sessions"]) == (1, 0)


def test_summary_reads_like_the_announcement(year_1401):
    period = ops.Period.jalali_year(1401)
    text = ops.summary(ops.annual_report(period), period)
    assert text.startswith(
        "در سال ۱۴۰۱ تعداد ۱ مجوز جدید دفاتر پیشخوان خدمات دولت و تعداد ۱ مجوز جدید دفاتر ICT روستایی "
        "صادر شده است"
    )
    assert "۱ انتقال، ۱ تمدید و ۱ تغییر نشانی پروانه" in text
    assert "تعداد ۷ بازدید به عمل آمده است" in text
    assert "کنترل عملکرد، رعایت شیوه‌نامه‌های بهداشتی، تأسیس و یا رسیدگی به شکایات" in text
    assert "۷ جلسه کارگروه و ۴ جلسه کمیته تخلفات دفاتر پیشخوان برگزار شده است" in text
    assert "۴ پرونده تخلف تشکیل و ۴ رأی" in text
    assert text.endswith(
        "در پایان سال ۱۴۰۱ تعداد ۴ دفتر پیشخوان خدمات دولت و ۲ دفتر ICT روستایی در استان لرستان در حال "
        "ارائه خدمات الکترونیک به ارباب‌رجوع بوده‌اند."
    )


def test_summary_of_an_empty_period(db):
    period = ops.Period(date(2030, 1, 1), date(2030, 1, 31))
    text = ops.summary(ops.annual_report(period), period)
    assert text.startswith("از ۱۲ دی ۱۴۰۸ تا ۱۲ بهمن ۱۴۰۸ مجوز جدیدی")
    assert "جلسه‌ای از کارگروه و کمیته تخلفات برگزار نشده است" in text
    assert "در پایان روز ۱۲ بهمن ۱۴۰۸ تعداد ۰ دفتر پیشخوان" in text


def test_chart_series_add_up_to_the_figures(year_1401):
    period = ops.Period.jalali_year(1401)
    months = ops.visits_per_month(period)
    assert len(months) == 12 and sum(m["count"] for m in months) == 7
    assert months[0]["count"] == 1 and months[-1]["count"] == 1  # 1 Farvardin, 29 Esfand
    years = ops.licences_per_year(1401, count=3)
    assert years["years"] == ["۱۳۹۹", "۱۴۰۰", "۱۴۰۱"]
    assert [years["by_kind"][k][2] for k in ("new", "transfer", "renewal", "address_change")] == [2, 1, 1, 1]
    # c3 (2019-06-01), r1 (2019-09-01) and c4 (2019-07-01) were licensed in 1398; c2 in 1399.
    assert years["by_kind"]["new"][0] == 1


def test_month_figures_for_the_dashboard(db):
    from tests.inspections import helpers as h

    today = today_tehran()
    month = ops.month_of(today)
    inspector = h.make_inspector()
    site = factories.make_site(lat=h.SITE_POINT[0], lon=h.SITE_POINT[1], established_on=date(2020, 1, 1))
    factories.make_site(name="دفتر دیگر", established_on=date(2020, 1, 1))
    from datetime import UTC, datetime

    from inspections import operations as inspection_ops

    started = datetime(today.year, today.month, today.day, 6, 30, tzinfo=UTC) - timedelta(hours=12)
    inspection_ops.submit_visit(h.visit_payload(site, started=started), actor=inspector)
    figures = ops.month_figures(today)
    assert figures.month.start == month.start and figures.done.end == today
    visited_this_month = started.date() >= month.start
    assert figures.visits_done == (1 if visited_this_month else 0)
    assert figures.sites_due == 1  # the other office, never visited
    assert figures.year_figures["visits"] == (1 if started.date() >= figures.year.start else 0)


def test_map_markers_are_compact_and_filtered(db):
    county = factories.make_county(center_lat=33.4878, center_lon=48.3558)
    factories.make_site(county=county)
    factories.make_site(kind=SiteKind.ATM, county=county)
    factories.make_site(county=county, lat=None, lon=None)
    data = ops.map_markers()
    assert data["fields"] == ["id", "lat", "lon", "kind", "status"]
    assert len(data["sites"]) == 2
    _id, lat, lon, kind, status = data["sites"][0]
    assert data["kinds"][kind] == "counter_office" and data["statuses"][status] == "active"
    assert (lat, lon) == (33.4878, 48.3558)
    assert data["counties"] == [["خرم‌آباد", 33.4878, 48.3558]]
    assert len(ops.map_markers(kind=SiteKind.ATM)["sites"]) == 1
    assert ops.map_markers(county_id=county.id + 1) == {**data, "sites": [], "counties": []}


def test_figures_come_from_aggregate_queries(year_1401):
    """The report issues a handful of GROUP BY queries, whatever the number of records."""
    from sqlalchemy import event

    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        ops.annual_report(1401)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert 0 < len(selects) <= 15
    # sites, licences, visits, cases (each by county too), decisions, violations, rulings
    assert sum("GROUP BY" in s for s in selects) == 7
    assert sum("FROM visits" in s for s in selects) == 1  # a year's visits are read once


def test_cases_by_violation_keeps_retired_types_that_were_used(year_1401):
    from committees.models import ViolationType

    v03 = db.session.scalar(select(ViolationType).where(ViolationType.code == "V03"))
    v04 = db.session.scalar(select(ViolationType).where(ViolationType.code == "V04"))
    v03.active = v04.active = False
    db.session.flush()
    assert "V03" not in ops.annual_report(1401)["cases_by_violation"]  # retired, unused in 1401
    assert ops.annual_report(1400)["cases_by_violation"]["V03"] == 1  # retired, used by k5 in 1400
