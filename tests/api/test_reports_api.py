"""GET /api/v1/reports/annual: the figures of reports.operations.annual_report for a Jalali year
or any period (ISO or Jalali bounds), with the keys issue 7 names."""

from __future__ import annotations

from datetime import date

import pytest

from core.clock import today_tehran
from core.persian import jalali
from core.security import Role
from registry.models import SiteKind
from tests import factories
from tests.api.conftest import assert_json_error

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

KINDS = {"counter_office", "rural_ict_office", "atm", "bank_kiosk"}
APPLICATION_KINDS = {"new", "transfer", "renewal", "address_change"}


def test_the_annual_report_has_the_figures_of_the_year(caller, db):
    factories.make_licence(issued_on=date(2022, 9, 16), established_on=date(2022, 9, 16))
    factories.make_site(SiteKind.ATM, established_on=date(2021, 1, 1))
    db.session.commit()
    response = caller(Role.VIEWER).get("/reports/annual?year=1401")
    assert response.status_code == 200, response.get_data(as_text=True)
    report = response.get_json()
    for key in (
        "year",
        "sites_active",
        "licences_issued",
        "visits",
        "working_group_sessions",
        "committee_sessions",
        "cases_by_violation",
        "rulings_by_penalty",
    ):
        assert key in report, key
    assert report["year"] == 1401
    assert report["start"] == "2022-03-21" and report["end"] == "2023-03-20"
    assert report["start_jalali"] == "1401/01/01" and report["end_jalali"] == "1401/12/29"
    assert set(report["sites_active"]) == KINDS and set(report["visits"]["by_site_kind"]) == KINDS
    assert report["sites_active"]["counter_office"] == 1 and report["sites_active"]["atm"] == 1
    assert set(report["licences_issued"]) == {"counter_office", "rural_ict_office"}
    assert set(report["licences_issued"]["counter_office"]) == APPLICATION_KINDS
    assert report["visits"]["total"] == 0


def test_a_period_is_given_by_iso_or_jalali_bounds(caller, db):
    viewer = caller(Role.ADMIN)
    iso = viewer.get("/reports/annual?start=2022-03-21&end=2022-09-22").get_json()
    jalali_bounds = viewer.get("/reports/annual?start=۱۴۰۱/۰۱/۰۱&end=1401/06/31").get_json()
    assert iso["start"] == jalali_bounds["start"] == "2022-03-21"
    assert iso["end"] == jalali_bounds["end"] == "2022-09-22" and iso["year"] is None
    whole_year = viewer.get("/reports/annual?start=1401/01/01&end=1401/12/29").get_json()
    assert whole_year["year"] == 1401
    this_year = viewer.get("/reports/annual").get_json()
    assert this_year["year"] == jalali(today_tehran()).year


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year=1200", "year"),
        ("year=abc", "year"),
        ("year=1401&start=2022-03-21&end=2022-04-01", "year"),
        ("start=2022-03-21", "end"),
        ("end=2022-03-21", "start"),
        ("start=2022-04-01&end=2022-03-21", "end"),
        ("start=2000-01-01&end=2020-01-01", "end"),
        ("start=1401/12/30&end=1402/01/01", "start"),
    ],
)
def test_a_bad_period_is_a_422_naming_the_parameter(caller, query, field):
    assert_json_error(caller(Role.VIEWER).get(f"/reports/annual?{query}"), 422, field=field)


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.COMMITTEE_MEMBER])
def test_the_report_follows_the_report_screens_roles(caller, role):
    assert_json_error(caller(role).get("/reports/annual?year=1401"), 403)
