"""The annual report: GET /api/v1/reports/annual?year=1401 (or ?start=&end=, ISO or Jalali).

The figures come from reports.operations.annual_report, the same function as the report's
screens and exports; this module only reads the period and adds the Jalali bounds.
"""

from __future__ import annotations

from flask import jsonify
from marshmallow import ValidationError, fields, validates_schema

from api import bp
from api.fields import DateIn, QueryInt, Schema
from core.security import allow
from reports.operations import Period, annual_report, current_year
from reports.permissions import VIEW_REPORTS

TAG = ["reports"]
MAX_DAYS = 3660


def _counts(description: str | None = None) -> fields.Dict:
    metadata = {"description": description} if description else {}
    return fields.Dict(keys=fields.String(), values=fields.Integer(), required=True, metadata=metadata)


class SiteKindCounts(Schema):
    """One count per site kind: always the four keys."""

    counter_office = fields.Integer(required=True)
    rural_ict_office = fields.Integer(required=True)
    atm = fields.Integer(required=True)
    bank_kiosk = fields.Integer(required=True)


class ApplicationKindCounts(Schema):
    new = fields.Integer(required=True)
    transfer = fields.Integer(required=True)
    renewal = fields.Integer(required=True)
    address_change = fields.Integer(required=True)


class LicencesIssued(Schema):
    """By office kind, then by application kind."""

    counter_office = fields.Nested(ApplicationKindCounts, required=True)
    rural_ict_office = fields.Nested(ApplicationKindCounts, required=True)


class VisitFigures(Schema):
    total = fields.Integer(required=True)
    by_site_kind = fields.Nested(SiteKindCounts, required=True)
    by_purpose = _counts()


class AnnualReport(Schema):
    """The figures of a period; further keys may be added over time (clients should ignore them)."""

    class Meta:
        unknown = "include"

    year = fields.Integer(allow_none=True, metadata={"description": "سال شمسی؛ برای بازه دلخواه null"})
    start = fields.Date()
    start_jalali = fields.String()
    end = fields.Date()
    end_jalali = fields.String()
    sites_active = fields.Nested(
        SiteKindCounts, required=True, metadata={"description": "محل‌های فعال در پایان دوره، به تفکیک نوع"}
    )
    licences_issued = fields.Nested(
        LicencesIssued, required=True, metadata={"description": "پروانه‌های صادرشده: نوع دفتر ← نوع درخواست"}
    )
    visits = fields.Nested(VisitFigures, required=True)
    working_group_sessions = fields.Integer(required=True)
    committee_sessions = fields.Integer(required=True)
    cases_by_violation = _counts(description="پرونده‌های تشکیل‌شده به تفکیک کد تخلف")
    rulings_by_penalty = _counts(description="آرای صادرشده (جایگزین‌نشده) به تفکیک مجازات")


class ReportArgs(Schema):
    year = QueryInt(minimum=1300, maximum=1500, metadata={"description": "سال شمسی، مثلاً 1401"})
    start = DateIn(metadata={"description": "آغاز بازه (میلادی یا شمسی)؛ همراه با end به جای year"})
    end = DateIn(metadata={"description": "پایان بازه (میلادی یا شمسی)"})

    @validates_schema
    def _one_period(self, data, **kwargs):
        if "year" in data and ("start" in data or "end" in data):
            raise ValidationError("یا year را بفرستید یا start و end را، نه هر دو.", "year")
        if ("start" in data) != ("end" in data):
            raise ValidationError("start و end را با هم بفرستید.", "end" if "start" in data else "start")
        if "start" in data:
            if data["end"] < data["start"]:
                raise ValidationError("پایان بازه پیش از آغاز آن است.", "end")
            if (data["end"] - data["start"]).days > MAX_DAYS:
                raise ValidationError("بازه حداکثر ده سال است.", "end")


@bp.route("/reports/annual", methods=["GET"], tags=TAG)
@allow(*VIEW_REPORTS)
@bp.arguments(ReportArgs, location="query")
@bp.response(200, AnnualReport)
def annual(args):
    """گزارش سالانه (یا هر بازه): محل‌های فعال، پروانه‌ها، بازدیدها، جلسات، پرونده‌ها و آرا"""
    if "start" in args:
        period = Period.between(args["start"], args["end"])
    else:
        period = Period.jalali_year(args.get("year") or current_year())
    report = annual_report(period)
    # Passed through as computed (not re-dumped), so that figures added later reach clients too.
    return jsonify(report)
