"""The annual report as a PDF: the summary paragraph, every table, and static SVG charts."""

from __future__ import annotations

from flask import render_template

from committees.models import PenaltyKind
from core.clock import today_tehran
from core.pdf import html_to_pdf
from inspections.models import VisitPurpose
from licensing.models import ApplicationKind, ApplicationState
from licensing.pdf import issuer_name
from registry.models import OFFICE_KINDS, SiteKind
from registry.operations import province_name
from reports import operations as ops
from reports.charts import pdf_charts


def annual_report_context(period: ops.Period, *, charts: bool = True) -> dict:
    """The report, its summary and what the tables iterate over (and the PDF's static charts)."""
    report = ops.annual_report(period)
    return {
        "report": report,
        "period": period,
        "summary": ops.summary(report, period),
        "charts": pdf_charts(report, period) if charts else None,
        "issuer": issuer_name(province_name()),
        "printed_on": today_tehran(),
        "site_kinds": list(SiteKind),
        "office_kinds": list(OFFICE_KINDS),
        "application_kinds": list(ApplicationKind),
        "purposes": list(VisitPurpose),
        "decisions": [ApplicationState(d) for d in report["working_group_decisions"]],
        "penalties": list(PenaltyKind),
    }


def annual_report_html(period: ops.Period) -> str:
    """The report as HTML (what the PDF is made from)."""
    return render_template("pdf/annual_report.html", **annual_report_context(period))


def annual_report_pdf(period: ops.Period) -> bytes:
    """گزارش عملکرد: summary, figures, charts and the per-county table, A4, Persian."""
    return html_to_pdf(annual_report_html(period))
