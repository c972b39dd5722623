"""The import file: its columns (and the headers and values they accept), reading .csv and .xlsx
files into a Table, and the template to fill in."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from core.persian import (
    clean_text,
    normalize_for_search,
)
from registry.models import (
    LocalityType,
    SiteKind,
    SiteStatus,
)
from registry.reference import BANKS

IMPORT_REASON = "ورود از فایل"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Persian header the template writes
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("code", "کد", ("code", "site_code", "کد محل"), required=True),
    Column("kind", "نوع", ("kind", "type", "نوع محل"), required=True),
    Column("name", "نام", ("name", "نام محل"), required=True),
    Column("province", "استان", ("province",)),
    Column("county", "شهرستان", ("county",), required=True),
    Column("locality", "شهر یا روستا", ("locality", "نام شهر یا روستا"), required=True),
    Column("locality_type", "نوع آبادی", ("locality_type",)),
    Column("address", "نشانی", ("address", "آدرس"), required=True),
    Column("postal_code", "کد پستی", ("postal_code", "postcode")),
    Column("phone", "تلفن", ("phone", "شماره تلفن")),
    Column("lat", "عرض جغرافیایی", ("lat", "latitude")),
    Column("lon", "طول جغرافیایی", ("lon", "lng", "longitude")),
    Column("status", "وضعیت", ("status",)),
    Column("established_on", "تاریخ آغاز فعالیت", ("established_on", "آغاز فعالیت")),
    Column("operator_national_id", "کد ملی متصدی", ("operator_national_id",)),
    Column("operator_first_name", "نام متصدی", ("operator_first_name",)),
    Column("operator_last_name", "نام خانوادگی متصدی", ("operator_last_name",)),
    Column("bank", "بانک", ("bank",)),
    Column("terminal_id", "شماره پایانه", ("terminal_id", "terminal")),
    Column("host_code", "کد دفتر میزبان", ("host_code", "host_site_code")),
    Column("notes", "یادداشت", ("notes",)),
)
HEADERS = {c.key: c.header for c in COLUMNS}

# Where a DomainError's field (a model attribute) sits in the file.
_FIELD_COLUMNS = {
    "county_id": "county",
    "host_site_id": "host_code",
    "operator_id": "operator_national_id",
    "national_id": "operator_national_id",
    "first_name": "operator_first_name",
    "last_name": "operator_last_name",
}


def _key(text: object) -> str:
    """Fold a header or a value so that spelling, digits, spaces and punctuation do not matter."""
    folded = normalize_for_search(str(text or ""))
    return "".join(ch for ch in folded if ch not in " _-()*:.")


_HEADER_KEYS = {_key(name): c.key for c in COLUMNS for name in (c.header, c.key, *c.aliases)}


def _lookup(*pairs: tuple[Iterable[str], Any]) -> dict[str, Any]:
    return {_key(word): value for words, value in pairs for word in words}


_KINDS = _lookup(
    (("دفتر پیشخوان", "پیشخوان", "پیشخوان دولت"), SiteKind.COUNTER_OFFICE),
    (("دفتر ICT", "ICT روستایی", "دفتر فناوری اطلاعات روستایی", "ICT"), SiteKind.RURAL_ICT_OFFICE),
    (("خودپرداز", "دستگاه خودپرداز", "ATM"), SiteKind.ATM),
    (("باجه", "kiosk"), SiteKind.BANK_KIOSK),
    *(((k.label, k.value), k) for k in SiteKind),
)
_LOCALITY_TYPES = _lookup(*(((t.label, t.value), t) for t in LocalityType))
_STATUSES = _lookup(
    (("معلق", "تعلیق شده"), SiteStatus.SUSPENDED),
    (("لغو",), SiteStatus.REVOKED),
    (("تعطیل شده",), SiteStatus.CLOSED),
    *(((s.label, s.value), s) for s in SiteStatus),
)
_BANKS = _lookup(*(((b, b.removeprefix("بانک ")), b) for b in BANKS))


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, missing columns); Persian message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RowError(NamedTuple):
    line: int
    reason: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    operators_created: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"errors {len(self.errors)}"
        )


@dataclass
class Table:
    """A header and the data rows, each with its line number in the spreadsheet."""

    header: list[Any]
    rows: list[tuple[int, Sequence[Any]]]
    name: str = ""


# ---------------------------------------------------------------- reading files


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return clean_text(str(value))


def read_table(source: str | Path | Table | Iterable[Sequence[Any]]) -> Table:
    """Read a .csv or .xlsx file (or rows whose first is the header) into a Table."""
    if isinstance(source, Table):
        return source
    if isinstance(source, str | Path):
        path = Path(source)
        suffix = path.suffix.lower()
        if suffix in (".csv", ".txt"):
            lines = _read_csv(path)
        elif suffix in (".xlsx", ".xlsm"):
            lines = _read_xlsx(path)
        elif suffix == ".xls":
            raise ImportFileError(
                "قالب قدیمی xls پشتیبانی نمی‌شود؛ فایل را در اکسل با قالب xlsx یا «CSV UTF-8» ذخیره کنید."
            )
        else:
            raise ImportFileError("فقط فایل‌های CSV و اکسل (xlsx) پذیرفته می‌شوند.")
        name = path.name
    else:
        lines, name = list(source), ""
    numbered = [(n, row) for n, row in enumerate(lines, start=1) if _has_values(row)]
    if not numbered:
        raise ImportFileError("فایل خالی است؛ سطر نخست باید سرستون‌ها باشد.")
    (_, header), *rows = numbered
    return Table(list(header), rows, name)


def _has_values(row: Sequence[Any]) -> bool:
    return any(_text(cell) for cell in row)


def _read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    try:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
            text = raw.decode("utf-16")
        else:
            text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "فایل با کدگذاری UTF-8 ذخیره نشده است؛ در اکسل هنگام ذخیره «CSV UTF-8» را برگزینید."
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError("فایل CSV خوانا نیست (ساختار آن خراب است).") from exc


def _read_xlsx(path: Path) -> list[tuple[Any, ...]]:
    # openpyxl warns about parts of a workbook it would drop when *saving* (data validation,
    # conditional formatting, a missing default style). We only read cell values, so those
    # warnings say nothing about our data; they are ignored here and only here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise ImportFileError("فایل اکسل خوانده نشد؛ آن را با قالب xlsx دوباره ذخیره کنید.") from exc
        try:
            sheet = workbook.worksheets[0]
            # Some programs write a wrong used range; read what is really there.
            sheet.reset_dimensions()
            return list(sheet.iter_rows(values_only=True))
        finally:
            workbook.close()


def write_template(path: str | Path) -> Path:
    """Write an empty .xlsx or .csv file with the Persian column headers."""
    path = Path(path)
    headers = [c.header for c in COLUMNS]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        # The BOM makes Excel open the file as UTF-8.
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerow(headers)
    elif suffix == ".xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "محل‌ها"
        sheet.sheet_view.rightToLeft = True
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            # Codes, IDs and dates are text: Excel must not drop leading zeros or reformat them.
            sheet.column_dimensions[cell.column_letter].width = max(12, len(cell.value) + 4)
            sheet.column_dimensions[cell.column_letter].number_format = "@"
        sheet.freeze_panes = "A2"
        workbook.save(path)
    else:
        raise ImportFileError("نام فایل نمونه باید به .xlsx یا .csv پایان یابد.")
    return path
