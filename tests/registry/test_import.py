"""Importing the existing registry from CSV and Excel: registry.importer and its command."""

from __future__ import annotations

import csv
import re
import zipfile
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from core.audit import Actor, AuditEvent
from core.extensions import db as _db
from core.persian import parse_jalali
from registry.importer import COLUMNS, ImportFileError, import_registry, read_table
from registry.models import LocalityType, Person, Site, SiteKind, SiteStatus, SiteStatusChange
from tests import factories

ACTOR = Actor(None, "import:test.csv", "system")
HEADER = [
    "کد",
    "نوع",
    "نام",
    "شهرستان",
    "شهر یا روستا",
    "نشانی",
    "کد پستی",
    "تلفن",
    "عرض جغرافیایی",
    "طول جغرافیایی",
    "تاریخ آغاز فعالیت",
    "کد ملی متصدی",
    "نام متصدی",
    "نام خانوادگی متصدی",
    "بانک",
    "شماره پایانه",
    "کد دفتر میزبان",
]
NID_A = factories.national_id(501)
NID_B = factories.national_id(502)
NID_LEADING_ZERO = "0499370899"  # valid; Excel drops its leading zero when stored as a number


def office(code, **values):
    row = {
        "کد": code,
        "نوع": "دفتر پیشخوان خدمات دولت",
        "نام": f"دفتر پیشخوان {code}",
        "شهرستان": "خرم‌آباد",
        "شهر یا روستا": "خرم‌آباد",
        "نشانی": "خیابان امام، پلاک ۵",
        "کد پستی": "6813714567",
        "تلفن": "06633221100",
        "عرض جغرافیایی": "33.4878",
        "طول جغرافیایی": "48.3558",
        "تاریخ آغاز فعالیت": "1398/02/15",
        "کد ملی متصدی": NID_A,
        "نام متصدی": "مریم",
        "نام خانوادگی متصدی": "احمدی",
    }
    row.update(values)
    return [row.get(h, "") for h in HEADER]


def device(code, terminal, **values):
    values = {
        "نوع": "خودپرداز",
        "نام": f"خودپرداز {code}",
        "بانک": "بانک ملی ایران",
        "شماره پایانه": terminal,
        "کد ملی متصدی": "",
        "نام متصدی": "",
        "نام خانوادگی متصدی": "",
        **values,
    }
    return office(code, **values)


GOOD_ROWS = [
    office("15100001"),
    office("15100002", **{"نام": "دفتر پیشخوان کوثر"}),  # same operator as the first
    office(
        "15200001",
        **{
            "نوع": "دفتر ICT روستایی",
            "شهر یا روستا": "چغلوندی",
            "کد ملی متصدی": NID_B,
            "نام متصدی": "رضا",
            "نام خانوادگی متصدی": "کریمی",
            "تاریخ آغاز فعالیت": "1401/06/25",
        },
    ),
    device("ATM-0001", "12345678", **{"کد دفتر میزبان": "15100001"}),
    device("KIOSK-0001", "87654321", **{"نوع": "باجه بانکی", "بانک": "ملت"}),
]


def write_csv(path, rows, header=HEADER, encoding="utf-8-sig", delimiter=","):
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)  # Excel style: CRLF line endings
        writer.writerow(header)
        writer.writerows(rows)
    return path


def counts():
    return {
        model.__name__: _db.session.scalar(select(func.count()).select_from(model))
        for model in (Site, Person, SiteStatusChange, AuditEvent)
    }


@pytest.fixture
def county(db):
    county = factories.make_county("خرم‌آباد")
    db.session.commit()
    return county


def site(code) -> Site | None:
    return _db.session.scalar(select(Site).where(Site.code == code))


# ---------------------------------------------------------------- good files


def test_good_csv_imports_sites_and_operators(county, tmp_path):
    path = write_csv(tmp_path / "registry.csv", GOOD_ROWS)
    before = counts()
    ticks = []

    report = import_registry(path, actor=ACTOR, progress=ticks.append)

    assert (report.created, report.updated, report.unchanged, report.errors) == (5, 0, 0, [])
    assert report.operators_created == 2
    assert ticks == [1] * 5
    after = counts()
    assert after["Site"] - before["Site"] == 5
    assert after["Person"] - before["Person"] == 2

    first = site("15100001")
    assert first.kind == SiteKind.COUNTER_OFFICE
    assert first.county_id == county.id
    assert first.locality_type == LocalityType.CITY
    assert first.postal_code == "6813714567"
    assert (first.lat, first.lon) == (33.4878, 48.3558)
    assert first.established_on == parse_jalali("1398/02/15") == date(2019, 5, 5)
    assert first.status == SiteStatus.ACTIVE
    assert first.operator.national_id == NID_A
    assert first.operator.full_name == "مریم احمدی"
    assert site("15100002").operator_id == first.operator_id  # operator reused, not duplicated

    rural = site("15200001")
    assert rural.kind == SiteKind.RURAL_ICT_OFFICE
    assert rural.locality_type == LocalityType.VILLAGE
    assert rural.operator.national_id == NID_B

    atm = site("ATM-0001")
    assert (atm.kind, atm.bank, atm.terminal_id) == (SiteKind.ATM, "بانک ملی ایران", "12345678")
    assert atm.host_site_id == first.id
    assert atm.operator_id is None
    kiosk = site("KIOSK-0001")
    assert (kiosk.kind, kiosk.bank) == (SiteKind.BANK_KIOSK, "بانک ملت")

    events = _db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "sites")).all()
    assert len(events) == 5
    assert {(e.action, e.actor_name, e.reason) for e in events} == {
        ("create", "import:test.csv", "ورود از فایل")
    }


def test_same_file_twice_changes_nothing(county, tmp_path):
    path = write_csv(tmp_path / "registry.csv", GOOD_ROWS)
    import_registry(path, actor=ACTOR)
    _db.session.commit()
    before = counts()
    versions = {s.code: s.version for s in _db.session.scalars(select(Site))}

    report = import_registry(path, actor=ACTOR)
    _db.session.commit()

    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, 5, [])
    assert report.operators_created == 0
    assert counts() == before
    assert {s.code: s.version for s in _db.session.scalars(select(Site))} == versions


def test_changed_row_on_reimport_is_updated(county, tmp_path):
    import_registry(write_csv(tmp_path / "v1.csv", GOOD_ROWS), actor=ACTOR)
    _db.session.commit()
    before = counts()
    changed = [*GOOD_ROWS]
    changed[1] = office("15100002", **{"نام": "دفتر پیشخوان کوثر نو", "کد ملی متصدی": NID_B})
    # The status column is empty on every row: statuses stay as they are.
    path = write_csv(tmp_path / "v2.csv", changed, header=[*HEADER, "وضعیت"])

    report = import_registry(path, actor=ACTOR)

    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 1, 4, [])
    updated = site("15100002")
    assert updated.name == "دفتر پیشخوان کوثر نو"
    assert updated.operator.national_id == NID_B
    assert updated.status == SiteStatus.ACTIVE
    assert counts()["AuditEvent"] == before["AuditEvent"] + 1
    event = _db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.object_id) == ("update", str(updated.id))
    assert event.after["name"] == "دفتر پیشخوان کوثر نو"


def test_status_column_creates_and_changes_status(county, tmp_path):
    header = [*HEADER, "وضعیت"]
    path = write_csv(tmp_path / "a.csv", [[*office("15100001"), "تعلیق"]], header=header)
    report = import_registry(path, actor=ACTOR)
    assert report.created == 1
    assert site("15100001").status == SiteStatus.SUSPENDED

    path = write_csv(tmp_path / "b.csv", [[*office("15100001"), "active"]], header=header)
    report = import_registry(path, actor=ACTOR)

    assert (report.updated, report.errors) == (1, [])
    assert site("15100001").status == SiteStatus.ACTIVE
    last = _db.session.scalars(select(SiteStatusChange).order_by(SiteStatusChange.id.desc())).first()
    assert (last.status, last.reason) == (SiteStatus.ACTIVE, "ورود از فایل")


# ---------------------------------------------------------------- bad rows


def test_bad_rows_are_reported_by_line_and_good_rows_still_imported(county, tmp_path):
    nid_of_bad_row = factories.national_id(777)
    rows = [
        office("15100001"),  # line 2
        office("15100003", **{"شهرستان": "کوهدشت"}),  # line 3
        office("15100004", **{"کد ملی متصدی": "1234567890"}),  # line 4
        office(
            "15100005",
            **{
                "تاریخ آغاز فعالیت": "1401/12/30",  # line 5
                "کد ملی متصدی": nid_of_bad_row,
            },
        ),
        device("ATM-0001", "12345678"),  # line 6
        device("ATM-0002", "12345678"),  # line 7
        office("15100006", **{"نام": ""}),  # line 8
        office("15100007", **{"نوع": "دفتر پست"}),  # line 9
        office("15100001"),  # line 10
        office("15100008", **{"عرض جغرافیایی": "سی و سه"}),  # line 11
        office("15100009"),  # line 12
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    before = counts()

    report = import_registry(path, actor=ACTOR)

    reasons = dict(report.errors)
    assert sorted(reasons) == [3, 4, 5, 7, 8, 9, 10, 11]
    assert reasons[3] == "شهرستان: «کوهدشت» در سامانه ثبت نشده است."
    assert reasons[4] == "کد ملی متصدی: کد ملی معتبر نیست."
    assert reasons[5] == "تاریخ آغاز فعالیت: سال ۱۴۰۱ کبیسه نیست و اسفند آن ۲۹ روز دارد."
    assert reasons[7] == "شماره پایانه: این شماره پایانه برای این بانک پیش‌تر ثبت شده است."
    assert reasons[8] == "نام: این فیلد اجباری است."
    assert reasons[9].startswith("نوع: «دفتر پست» شناخته نشد؛")
    assert "دفتر پیشخوان خدمات دولت" in reasons[9]
    assert reasons[10] == "کد: این کد در سطر ۲ هم آمده است."
    assert reasons[11] == "عرض جغرافیایی: «سی و سه» عدد نیست."

    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert {s.code for s in _db.session.scalars(select(Site))} == {
        "15100001",
        "ATM-0001",
        "15100009",
    }
    # The bad row's operator was rolled back with its row, audit events included.
    assert _db.session.scalar(select(Person).where(Person.national_id == nid_of_bad_row)) is None
    after = counts()
    assert after["Person"] == before["Person"] + 1
    assert after["Site"] == before["Site"] + 3
    people_events = _db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.object_type == "people")
    )
    assert people_events == 1


def test_unknown_bank_and_host_are_row_errors(county, tmp_path):
    rows = [
        device("ATM-0001", "111", **{"بانک": "بانک ناموجود"}),
        device("ATM-0002", "222", **{"کد دفتر میزبان": "99999999"}),
    ]
    report = import_registry(write_csv(tmp_path / "d.csv", rows), actor=ACTOR)

    reasons = dict(report.errors)
    assert reasons[2].startswith("بانک: «بانک ناموجود» شناخته نشد")
    assert reasons[3].startswith("کد دفتر میزبان: دفتری با کد «99999999» ثبت نشده است")
    assert report.created == 0


def test_missing_required_column_refuses_the_whole_file(county, tmp_path):
    header = [h for h in HEADER if h != "شهرستان"]
    rows = [[v for h, v in zip(HEADER, office("15100001"), strict=True) if h != "شهرستان"]]
    path = write_csv(tmp_path / "no-county.csv", rows, header=header)

    with pytest.raises(ImportFileError) as err:
        import_registry(path, actor=ACTOR)

    assert "«شهرستان»" in err.value.message
    assert site("15100001") is None


def test_file_that_is_not_utf8_is_refused_in_persian(county, tmp_path):
    # What Excel writes for "CSV (Comma delimited)" on a Persian Windows: Windows-1256.
    arabic = str.maketrans("یک", "يك")
    row = [v.translate(arabic) for v in office("1", **{"نشانی": "امام"})]
    path = write_csv(
        tmp_path / "cp1256.csv",
        [row],
        header=[h.translate(arabic) for h in HEADER],
        encoding="cp1256",
    )
    with pytest.raises(ImportFileError, match="UTF-8"):
        import_registry(path, actor=ACTOR)


def test_xls_is_refused_in_persian(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ImportFileError, match="xlsx"):
        read_table(path)


# ---------------------------------------------------------------- formats and spellings


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ","),
        ("utf-8-sig", ","),
        ("utf-8-sig", ";"),
        ("utf-16", "\t"),
    ],
)
def test_csv_with_or_without_bom_and_excel_delimiters(county, tmp_path, encoding, delimiter):
    path = write_csv(tmp_path / "r.csv", GOOD_ROWS[:2], encoding=encoding, delimiter=delimiter)
    report = import_registry(path, actor=ACTOR)
    assert (report.created, report.errors, report.ignored_columns) == (2, [], [])


def test_xlsx_with_persian_headers_imports(county, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    # Numbers as Excel stores them: postal code and national ID as numbers, coordinates as floats.
    sheet.append(
        [
            "15100001",
            "دفتر پیشخوان خدمات دولت",
            "دفتر پیشخوان نور",
            "خرم‌آباد",
            "خرم‌آباد",
            "خیابان امام",
            6813714567,
            None,
            33.4878,
            48.3558,
            "1401/06/25",
            int(NID_LEADING_ZERO),
            "مریم",
            "احمدی",
        ]
    )
    sheet.append([])  # an empty line is skipped but still counted
    sheet.append(
        [
            "ATM-0001",
            "خودپرداز",
            "خودپرداز بازار",
            "خرم‌آباد",
            "خرم‌آباد",
            "بازار",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "بانک سپه",
            12345678,
            15100001,
        ]
    )
    sheet.append(["15100002", "دفتر پیشخوان خدمات دولت", "", "خرم‌آباد", "خرم‌آباد", "بازار"])
    workbook.create_sheet("دوم").append(["not", "read"])
    path = tmp_path / "registry.xlsx"
    workbook.save(path)

    report = import_registry(path, actor=ACTOR)

    assert (report.created, report.errors) == (2, [(5, "نام: این فیلد اجباری است.")])
    first = site("15100001")
    assert first.postal_code == "6813714567"
    assert first.operator.national_id == NID_LEADING_ZERO
    assert first.established_on == parse_jalali("1401/06/25")
    atm = site("ATM-0001")
    assert (atm.bank, atm.terminal_id, atm.host_site_id) == ("بانک سپه", "12345678", first.id)


def test_xlsx_from_other_programs_reads_without_openpyxl_warnings(county, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(office("15100001"))
    workbook.save(tmp_path / "plain.xlsx")
    # Many generators write a stylesheet without named styles; openpyxl then warns that it
    # would add its default one when saving. We only read values, so the warning is irrelevant.
    path = tmp_path / "foreign.xlsx"
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/styles.xml":
                data = re.sub(rb"<cellStyles .*?</cellStyles>", b"", data)
            dst.writestr(item, data)
    with pytest.warns(UserWarning, match="no default style"):
        openpyxl.load_workbook(path, read_only=True).close()

    report = import_registry(path, actor=ACTOR)  # warnings are errors in this suite

    assert (report.created, report.errors) == (1, [])


def test_arabic_letters_zwnj_and_digit_forms_in_headers_and_values(county, tmp_path):
    arabic_header = [h.replace("ی", "ي").replace("ک", "ك") for h in HEADER]
    arabic_header[HEADER.index("نام خانوادگی متصدی")] = "نام خانوادگي\u200cمتصدي"
    arabic_header[HEADER.index("شهر یا روستا")] = "  شهر  يا روستا "
    row = [
        "١٥١٠٠٠٠١",
        "دفتر پيشخوان خدمات دولت",
        "دفتر پيشخوان كوثر",
        "خرم آباد",
        "خرم\u200cآباد",
        "خيابان امام",
        "۶۸۱۳۷۱۴۵۶۷",
        "",
        "۳۳٫۴۸۷۸",
        "٤٨.٣٥٥٨",
        "۱۴۰۱/۰۶/۲۵",
        "".join("۰۱۲۳۴۵۶۷۸۹"[int(d)] for d in NID_A),
        "مريم",
        "احمدي",
        "",
        "",
        "",
    ]
    path = write_csv(tmp_path / "arabic.csv", [row], header=arabic_header)

    report = import_registry(path, actor=ACTOR)

    assert (report.errors, report.created, report.ignored_columns) == ([], 1, [])
    imported = site("15100001")
    assert imported.name == "دفتر پیشخوان کوثر"
    assert imported.county_id == county.id
    assert imported.postal_code == "6813714567"
    assert (imported.lat, imported.lon) == (33.4878, 48.3558)
    assert imported.established_on == parse_jalali("1401/06/25")
    assert imported.operator.national_id == NID_A
    assert imported.operator.full_name == "مریم احمدی"

    # The same row in Latin digits and Persian letters (English headers) is the same site.
    english = [
        "code",
        "kind",
        "name",
        "county",
        "locality",
        "address",
        "postal_code",
        "phone",
        "lat",
        "lon",
        "established_on",
        "operator_national_id",
        "operator_first_name",
        "operator_last_name",
        "bank",
        "terminal_id",
        "host_code",
    ]
    latin = office(
        "15100001",
        **{
            "نام": "دفتر پیشخوان کوثر",
            "نشانی": "خیابان امام",
            "تلفن": "",
            "تاریخ آغاز فعالیت": "1401/06/25",
            "نوع": "counter_office",
        },
    )
    report = import_registry(write_csv(tmp_path / "latin.csv", [latin], header=english), actor=ACTOR)
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, 1, [])


def test_unknown_columns_are_listed_and_ignored(county):
    rows = [[*HEADER, "ستون اضافه"], [*office("15100001"), "هرچه"]]
    report = import_registry(rows, actor=ACTOR)
    assert (report.created, report.ignored_columns) == (1, ["ستون اضافه"])


# ---------------------------------------------------------------- the command


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["registry", *args])


def test_cli_prints_summary_and_exits_1_on_errors_but_keeps_good_rows(app, county, tmp_path):
    rows = [office("15100001"), office("15100002", **{"شهرستان": "ناکجا"}), office("15100003")]
    path = write_csv(tmp_path / "mixed.csv", rows)

    result = _cli(app, "import", str(path))

    assert result.exit_code == 1, result.output
    assert "line 3: شهرستان: «ناکجا» در سامانه ثبت نشده است." in result.output
    assert "created 2, updated 0, unchanged 0, errors 1" in result.output
    assert "ایجاد 2، به‌روزرسانی 0، بدون تغییر 0، خطا 1" in result.output
    assert "Traceback" not in result.output
    _db.session.rollback()
    assert {s.code for s in _db.session.scalars(select(Site))} == {"15100001", "15100003"}
    events = _db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "sites"))
    assert {e.actor_name for e in events} == {"import:mixed.csv"}


def test_cli_second_run_reports_unchanged_and_exits_0(app, county, tmp_path):
    path = write_csv(tmp_path / "registry.csv", GOOD_ROWS)
    assert _cli(app, "import", str(path)).exit_code == 0
    before = counts()
    _db.session.rollback()

    result = _cli(app, "import", str(path))

    assert result.exit_code == 0, result.output
    assert "created 0, updated 0, unchanged 5, errors 0" in result.output
    assert counts() == before


def test_cli_dry_run_writes_nothing(app, county, tmp_path):
    before = counts()
    _db.session.rollback()
    path = write_csv(tmp_path / "registry.csv", GOOD_ROWS)

    result = _cli(app, "import", "--dry-run", str(path))

    assert result.exit_code == 0, result.output
    assert "created 5, updated 0, unchanged 0, errors 0" in result.output
    assert "dry run: nothing was saved" in result.output
    assert counts() == before


def test_cli_file_error_is_a_clean_message(app, county, tmp_path):
    path = write_csv(tmp_path / "x.csv", [["1"]], header=["کد"])
    result = _cli(app, "import", str(path))
    assert result.exit_code == 1
    assert "«شهرستان»" in result.output
    assert "Traceback" not in result.output


def test_cli_help_explains_columns_and_what_is_saved(app):
    result = _cli(app, "import", "--help")
    assert result.exit_code == 0
    for text in ("--dry-run", "کد ملی متصدی", "status 1", "ARE SAVED", "1401/06/25"):
        assert text in result.output


@pytest.mark.parametrize("name", ["template.xlsx", "template.csv"])
def test_template_has_the_headers_and_imports_as_empty(app, county, tmp_path, name):
    path = tmp_path / name
    result = _cli(app, "template", str(path))
    assert result.exit_code == 0, result.output

    table = read_table(path)
    assert [h for h in table.header if h] == [c.header for c in COLUMNS]
    assert table.rows == []
    assert _cli(app, "template", str(path)).exit_code == 1  # no silent overwrite
    result = _cli(app, "import", str(path))
    assert result.exit_code == 0, result.output
    assert "created 0, updated 0, unchanged 0, errors 0" in result.output


def test_no_two_columns_share_a_header_spelling():
    from registry.importer import _HEADER_KEYS, _key

    names = [_key(n) for c in COLUMNS for n in {c.header, c.key, *c.aliases}]
    assert len(names) == len(set(names)) == len(_HEADER_KEYS)
