import io
from datetime import date

import pytest
from openpyxl import load_workbook

from core.security import Role
from core.xlsx import Sheet, workbook_bytes
from registry.models import SiteKind
from tests import factories

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock


def test_workbook_is_rtl_with_persian_headers_and_jalali_dates():
    data = workbook_bytes(
        [Sheet("دفاتر", ("نام", "تاریخ", "نوع"), [("دفتر کوثر", date(2022, 9, 16), SiteKind.ATM)])]
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "دفاتر" and sheet.sheet_view.rightToLeft
    assert [c.value for c in sheet[1]] == ["نام", "تاریخ", "نوع"]
    assert [c.value for c in sheet[2]] == ["دفتر کوثر", "1401/06/25", "دستگاه خودپرداز (ATM)"]


def test_site_list_exports_with_its_current_filters(client, login_as, db):
    login_as(Role.VIEWER)
    county = factories.make_county()
    factories.make_site(name="دفتر پیشخوان کوثر", county=county)
    factories.make_site(name="دفتر پیشخوان امید", county=county)
    factories.make_site(name="خودپرداز کوثر", kind=SiteKind.ATM, county=county)
    db.session.commit()
    response = client.get("/sites?q=كوثر&kind=counter_office&format=xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["دفتر پیشخوان کوثر"]


def test_licence_and_application_lists_export(client, login_as, db):
    from licensing import operations as ops

    login_as(Role.LICENSING)
    licence = factories.make_licence()
    ops.create_application("renewal", applicant=licence.holder, licence=licence, actor=None)
    db.session.commit()
    licences = load_workbook(io.BytesIO(client.get("/licences?format=xlsx").data)).active
    assert next(licences.iter_rows(min_row=2, values_only=True))[0] == licence.number
    inbox = load_workbook(io.BytesIO(client.get("/applications?format=xlsx").data)).active
    assert next(inbox.iter_rows(min_row=2, values_only=True))[1] == "تمدید"
    people = load_workbook(io.BytesIO(client.get("/people?format=xlsx").data)).active
    assert people.max_row == 2


def test_visit_and_case_lists_export(client, login_as, db):
    from sqlalchemy import select

    from committees import operations as committee_ops
    from committees.models import ViolationType

    login_as(Role.ADMIN)
    site = factories.make_site(name="دفتر پیشخوان کوثر")
    violation = db.session.scalars(select(ViolationType).order_by(ViolationType.code)).first()
    committee_ops.open_case(
        site,
        source="manual",
        summary="نصب نکردن تابلو",
        offence_on=date(2022, 9, 1),
        violation_type_ids=[violation.id],
        actor=None,
        opened_on=date(2022, 9, 2),
    )
    db.session.commit()
    cases = load_workbook(io.BytesIO(client.get("/committees/cases?format=xlsx").data)).active
    rows = list(cases.iter_rows(min_row=2, values_only=True))
    assert rows[0][1] == "دفتر پیشخوان کوثر" and rows[0][8] == violation.title
    visits = client.get("/inspections/visits?format=xlsx")
    assert visits.status_code == 200 and load_workbook(io.BytesIO(visits.data)).active.max_row == 1
