"""The columns of each drill-down list (the records behind a figure), for the page and for Excel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import url_for
from flask_sqlalchemy.pagination import SelectPagination

from core.persian import format_jalali, format_number, isolate_code, to_persian_digits
from core.security import can_reach
from licensing.models import ApplicationKind


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]
    # (endpoint, url arguments) of the record's own page; shown as a link when the user may open it.
    link: Callable[[Any], tuple[str, dict] | None] | None = None
    code: bool = False  # a number such as 1401-0001, kept left to right
    latin: bool = False  # a code with Latin letters (V02) keeps Latin digits: «V۰۲» reads «۷۰۲»


@dataclass(frozen=True)
class Cell:
    text: str
    url: str | None = None
    code: bool = False


def _site_kind(visit) -> Any:
    if visit.site is not None:
        return visit.site.kind
    application = visit.visit_request.application if visit.visit_request else None
    return application.office_kind if application else None


def _visit_county(visit) -> str | None:
    if visit.site is not None:
        return visit.site.county.name
    application = visit.visit_request.application if visit.visit_request else None
    return application.county.name if application and application.county else None


def _site(row):
    return ("registry.site_detail", {"site_id": row[0].id})


SITE_COLUMNS = (
    Column("نام", lambda r: r[0].name, _site),
    Column("کد", lambda r: r[0].code, code=True),
    Column("نوع", lambda r: r[0].kind),
    Column("شهرستان", lambda r: r[0].county.name),
    Column("شهر یا روستا", lambda r: r[0].locality),
    Column("وضعیت امروز", lambda r: r[0].status),
)
CASE_COLUMNS = (
    Column(
        "شماره پرونده",
        lambda r: r[0].number,
        lambda r: ("committees.case_detail", {"case_id": r[0].id}),
        True,
    ),
    Column("تاریخ تشکیل", lambda r: r[0].opened_on),
    Column("دفتر", lambda r: r[0].site.name, lambda r: ("registry.site_detail", {"site_id": r[0].site_id})),
    Column("شهرستان", lambda r: r[0].site.county.name),
    Column("منشأ", lambda r: r[0].source),
    Column("وضعیت", lambda r: r[0].state),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "sites_active": SITE_COLUMNS,
    "sites_due": SITE_COLUMNS,
    "licences_issued": (
        Column(
            "شماره پروانه",
            lambda r: r[0].number,
            lambda r: ("licensing.licence_detail", {"licence_id": r[0].id}),
            True,
        ),
        Column("نوع درخواست", lambda r: ApplicationKind(r.application_kind)),
        Column("تاریخ", lambda r: r.day),
        Column("نوع دفتر", lambda r: r[0].office_kind),
        Column(
            "دفتر", lambda r: r[0].office_name, lambda r: ("registry.site_detail", {"site_id": r[0].site_id})
        ),
        Column("دارنده", lambda r: r[0].holder.full_name),
        Column("شهرستان", lambda r: r[0].site.county.name),
        Column("وضعیت امروز", lambda r: r[0].status),
    ),
    "visits": (
        Column(
            "تاریخ بازدید",
            lambda r: r[0].visited_on,
            lambda r: ("inspections.visit_detail", {"uuid": r[0].uuid}),
        ),
        Column("هدف", lambda r: r[0].purpose),
        Column(
            "محل",
            lambda r: r[0].place_name,
            lambda r: ("registry.site_detail", {"site_id": r[0].site_id}) if r[0].site_id else None,
        ),
        Column("نوع محل", lambda r: _site_kind(r[0])),
        Column("شهرستان", lambda r: _visit_county(r[0])),
        Column("بازرس", lambda r: r[0].inspector.full_name),
    ),
    "wg_sessions": (
        Column(
            "شماره جلسه",
            lambda r: r[0].number,
            lambda r: ("licensing.session_detail", {"session_id": r[0].id}),
            True,
        ),
        Column("تاریخ", lambda r: r[0].held_on),
        Column("محل", lambda r: r[0].place),
        Column("بندهای دستور جلسه", lambda r: len(r[0].items)),
    ),
    "wg_decisions": (
        Column(
            "جلسه",
            lambda r: r[0].session.number,
            lambda r: ("licensing.session_detail", {"session_id": r[0].session_id}),
            True,
        ),
        Column("تاریخ", lambda r: r[0].session.held_on),
        Column(
            "درخواست",
            lambda r: r[0].application.number,
            lambda r: ("licensing.application_detail", {"application_id": r[0].application_id}),
            True,
        ),
        Column("نوع درخواست", lambda r: r[0].application.kind),
        Column("متقاضی", lambda r: r[0].application.applicant.full_name),
        Column("تصمیم", lambda r: r[0].decision),
    ),
    "committee_sessions": (
        Column(
            "شماره جلسه",
            lambda r: r[0].number,
            lambda r: ("committees.session_detail", {"session_id": r[0].id}),
            True,
        ),
        Column("تاریخ", lambda r: r[0].held_on),
        Column("محل", lambda r: r[0].place),
        Column("پرونده‌های دستور جلسه", lambda r: len(r[0].agenda)),
    ),
    "cases": CASE_COLUMNS,
    "cases_by_violation": (
        *CASE_COLUMNS[:2],
        Column("تخلف", lambda r: r.violation, latin=True),
        *CASE_COLUMNS[2:],
    ),
    "rulings": (
        Column(
            "شماره رأی",
            lambda r: r[0].number,
            lambda r: ("committees.ruling_detail", {"ruling_id": r[0].id}),
            True,
        ),
        Column("تاریخ رأی", lambda r: r[0].ruled_on),
        Column(
            "پرونده",
            lambda r: r[0].case.number,
            lambda r: ("committees.case_detail", {"case_id": r[0].case_id}),
            True,
        ),
        Column("دفتر", lambda r: r[0].case.site.name),
        Column("مجازات", lambda r: r[0].penalty_text),
        Column("وضعیت", lambda r: r[0].state),
    ),
}


def _text(value: Any, column: Column) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return format_jalali(value)
    if hasattr(value, "label"):
        return value.label
    if isinstance(value, int):
        return format_number(value)
    if column.latin:
        return str(value)
    return isolate_code(value) if column.code else to_persian_digits(value)


def cells(key: str, row) -> list[Cell]:
    """A row of the page's table: Persian text, and a link where the user may follow it."""
    out = []
    for column in COLUMNS[key]:
        target = column.link(row) if column.link else None
        url = url_for(target[0], **target[1]) if target and can_reach(target[0]) else None
        out.append(Cell(_text(column.value(row), column), url, column.code))
    return out


def xlsx_row(key: str, row) -> list[Any]:
    """The same row for Excel (dates, enums and numbers are formatted by core.xlsx)."""
    return [column.value(row) for column in COLUMNS[key]]


def headers(key: str) -> list[str]:
    return [column.header for column in COLUMNS[key]]


class RowPagination(SelectPagination):
    """A page of whole result rows (record and its extra columns), not just the first column."""

    def _query_items(self) -> list:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())
