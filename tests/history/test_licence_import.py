"""Existing licences from a file (issue 13, item 3): each with its renewals, transfer and status as
terms dated as they happened; bad rows named by line in Persian, good rows kept; a re-import changes
nothing; a dry run saves nothing; imported serials are never given out again."""

import csv
from datetime import date

from licensing import operations as ops
from licensing.importer import COLUMNS
from licensing.models import Licence, LicenceStatus, TermKind
from registry.models import SiteStatus
from tests import factories

NOW = "2026-11-29T08:00:00+00:00"


def _write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([c.header for c in COLUMNS])
        for row in rows:
            writer.writerow([row.get(c.key, "") for c in COLUMNS])
    return path


def _rows():
    a, b, c, d = (factories.national_id() for _ in range(4))
    return [
        {
            "number": "15-P-1398-00012",
            "kind": "دفتر پیشخوان",
            "site_code": "S1",
            "holder_national_id": a,
            "holder_first_name": "مریم",
            "holder_last_name": "کریمی",
            "issued_on": "1398/02/15",
            "expires_on": "1403/02/15",
        },
        {
            "number": "15-P-1390-00003",
            "kind": "پیشخوان",
            "site_code": "S2",
            "holder_national_id": b,
            "holder_first_name": "رضا",
            "holder_last_name": "امیری",
            "issued_on": "1390/05/01",
            "expires_on": "1405/05/01",
            "renewals": "1395/03/01، 1400/02/20",
        },
        {
            "number": "15-P-1399-00007",
            "kind": "پیشخوان",
            "site_code": "S3",
            "holder_national_id": c,
            "holder_first_name": "نرگس",
            "holder_last_name": "حسینی",
            "issued_on": "1399/01/20",
            "expires_on": "1404/01/20",
            "transferred_on": "1401/08/01",
            "previous_national_id": d,
            "previous_first_name": "حسن",
            "previous_last_name": "نوری",
        },
        {
            "number": "15-P-1400-00002",
            "kind": "پیشخوان",
            "site_code": "S4",
            "holder_national_id": d,
            "issued_on": "1400/03/01",
            "expires_on": "1405/03/01",
            "status": "تعلیق",
            "status_on": "1405/08/01",
            "suspended_until": "1405/10/01",
        },
        {
            "number": "15-P-1400-00009",
            "kind": "پیشخوان",
            "site_code": "S5",
            "holder_national_id": "123",
            "issued_on": "1400/03/01",
            "expires_on": "1405/03/01",
        },
        {
            "number": "15-P-1400-00010",
            "kind": "پیشخوان",
            "site_code": "NOPE",
            "holder_national_id": a,
            "issued_on": "1400/03/01",
            "expires_on": "1405/03/01",
        },
    ]


def test_licences_arrive_with_their_history_and_bad_rows_are_named_by_line(app, db, frozen_at, tmp_path):
    frozen_at(NOW)
    for code in ("S1", "S2", "S3", "S4", "S5"):
        factories.make_site(code=code)
    db.session.commit()
    path = _write(tmp_path / "licences.csv", _rows())
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["licensing", "import", str(path), "--dry-run"])
    assert "created 4" in dry.output and db.session.query(Licence).count() == 0

    result = runner.invoke(args=["licensing", "import", str(path)])
    assert result.exit_code == 1
    assert "line 6: کد ملی دارنده: «123» کد ملی ده‌رقمی نیست." in result.output
    assert "line 7: کد محل: محلی با کد «NOPE» در دفتر ثبت نیست" in result.output
    assert "created 4, updated 0, unchanged 0, errors 2" in result.output

    plain = ops.find_licence("15-P-1398-00012")
    assert plain.status == LicenceStatus.ACTIVE and plain.expires_on == date(2024, 5, 4)
    renewed = ops.find_licence("15-P-1390-00003")
    kinds = [(t.kind, t.effective_on) for t in renewed.terms]
    assert kinds == [
        (TermKind.ISSUE, date(2011, 7, 23)),
        (TermKind.RENEWAL, date(2016, 5, 21)),
        (TermKind.RENEWAL, date(2021, 5, 10)),
    ]
    assert [t.valid_to for t in renewed.terms] == [date(2016, 7, 23), date(2021, 7, 23), date(2026, 7, 23)]
    assert renewed.renewed_on == date(2021, 5, 10) and renewed.expires_on == date(2026, 7, 23)
    moved = ops.find_licence("15-P-1399-00007")
    transfer = moved.terms[-1]
    assert transfer.kind == TermKind.TRANSFER and transfer.effective_on == date(2022, 10, 23)
    assert transfer.from_holder.last_name == "نوری" and transfer.to_holder.last_name == "حسینی"
    assert moved.terms[0].to_holder.last_name == "نوری" and moved.site.operator == moved.holder
    suspended = ops.find_licence("15-P-1400-00002")
    assert suspended.status == LicenceStatus.SUSPENDED and suspended.suspended_until == date(2026, 12, 22)
    assert suspended.site.status == SiteStatus.SUSPENDED
    assert ops.cache_disagreements() == []

    again = runner.invoke(args=["licensing", "import", str(path)])
    assert "created 0, updated 0, unchanged 4, errors 2" in again.output
    assert db.session.query(Licence).count() == 4

    # An imported serial is never given again: 1398's next licence is 00013.
    assert ops.next_licence_number(plain.office_kind, date(2019, 6, 1), "15") == "15-P-1398-00013"


def test_the_template_has_the_persian_headers(app, tmp_path):
    from openpyxl import load_workbook

    result = app.test_cli_runner().invoke(args=["licensing", "template", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 0
    header = [cell.value for cell in load_workbook(tmp_path / "t.xlsx").active[1]]
    assert header[:4] == ["شماره پروانه", "نوع دفتر", "کد محل", "کد ملی دارنده"]
