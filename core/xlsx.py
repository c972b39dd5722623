"""Excel (.xlsx) workbooks with Persian headers and right-to-left sheets (openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.persian import format_jalali, format_jalali_datetime

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]


def _cell(value: object) -> object:
    # Dates are shown as Jalali text (Latin digits, so Excel can still sort them).
    if isinstance(value, datetime):
        return format_jalali_datetime(value)
    if isinstance(value, date):
        return format_jalali(value, persian_digits=False)
    if hasattr(value, "label"):
        return value.label
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        # A cell that starts like a formula is data, not code (CSV/Excel injection).
        return "'" + value
    return value


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """Build an .xlsx with one right-to-left sheet per table, bold frozen Persian headers."""
    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    for sheet in sheets:
        ws = workbook.create_sheet(title=sheet.title[:31])
        ws.sheet_view.rightToLeft = True
        ws.append(list(sheet.headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        widths = [len(str(h)) for h in sheet.headers]
        for row in sheet.rows:
            values = [_cell(v) for v in row]
            ws.append(values)
            for i, value in enumerate(values):
                widths[i] = max(widths[i], min(len(str(value or "")), 60))
        for i, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = width + 3
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> Response:
    """Send a workbook as a download."""
    return Response(
        workbook_bytes(sheets),
        mimetype=XLSX_MIME,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def wants_xlsx() -> bool:
    """A list view was asked for its Excel export (?format=xlsx), with its current filters."""
    from flask import request

    return request.args.get("format") == "xlsx"
