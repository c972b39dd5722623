"""Report screens: the annual report (page, PDF, Excel), the records behind each figure, the map,
and this month's panel on the dashboard."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from core.args import MAX_ID, enum_arg, int_arg, page_arg
from core.dashboard import Panel, dashboard_panel
from core.errors import DomainError, error_response
from core.extensions import db
from core.pdf import pdf_response
from core.persian import jalali, to_persian_digits
from core.security import CONTENT_SECURITY_POLICY, allow
from core.settings import get_setting
from core.xlsx import Sheet, wants_xlsx, xlsx_response
from registry import operations as registry_ops
from registry.models import Site, SiteKind, SiteStatus
from reports import operations as ops
from reports import records as tables
from reports.forms import PeriodForm
from reports.permissions import VIEW_MAP, VIEW_REPORTS, can_open_figure

bp = Blueprint("reports", __name__, url_prefix="/reports")


def figure_url(key: str, period: ops.Period, **filters) -> str | None:
    """The drill-down page of a figure (None when the user may not list its records)."""
    if not can_open_figure(key):
        return None
    args = {name: getattr(value, "value", value) for name, value in filters.items() if value is not None}
    return url_for("reports.records", figure=key, **period.args(), **args)


@bp.app_template_global()
def report_figure_url(key: str, period, **filters) -> str | None:
    return figure_url(key, period, **filters)


def _years(period: ops.Period | None = None) -> list[int]:
    """The year picker: from this year back to the first year on record (and the one asked for)."""
    years = set(range(ops.first_year_with_records(), ops.current_year() + 1))
    if period is not None and period.year is not None:
        years.add(period.year)
    return sorted(years, reverse=True)


def _report_context(period: ops.Period) -> dict:
    from reports.charts import browser_charts
    from reports.pdf import annual_report_context

    context = annual_report_context(period, charts=False)
    context["charts"] = browser_charts(context["report"], period, figure_url)
    return context


def _filename(period: ops.Period, extension: str) -> str:
    name = period.year if period.year is not None else "-".join(period.args().values())
    return f"annual-report-{name}.{extension}"


# ---------------------------------------------------------------- the annual report


@bp.get("/annual")
@allow(*VIEW_REPORTS)
def annual():
    form = PeriodForm(request.args)
    if not form.validate():
        return (
            render_template(
                "reports/annual.html", form=form, years=_years(), period=None, errors=form.messages
            ),
            400,
        )
    period = form.period
    if wants_xlsx():
        from reports.exports import annual_report_sheets

        report = ops.annual_report(period)
        return xlsx_response(_filename(period, "xlsx"), annual_report_sheets(report, period))
    return render_template(
        "reports/annual.html", form=form, years=_years(period), errors=[], **_report_context(period)
    )


@bp.get("/annual.pdf")
@allow(*VIEW_REPORTS)
def annual_pdf():
    from reports.pdf import annual_report_pdf

    form = PeriodForm(request.args)
    if not form.validate():
        return error_response(400, "؛ ".join(form.messages))
    return pdf_response(annual_report_pdf(form.period), _filename(form.period, "pdf"))


# ---------------------------------------------------------------- the records behind a figure


@bp.get("/records")
@allow(*VIEW_REPORTS)
def records():
    """The records a figure counts, from the figure's own query: their number is the figure."""
    form = PeriodForm(request.args)
    if not form.validate():
        return error_response(400, "؛ ".join(form.messages))
    try:
        figure = ops.figure(request.args.get("figure", ""))
        filters = ops.parse_filters(figure, request.args)
    except DomainError as error:
        return error_response(404 if error.field == "figure" else 400, error.message)
    if not can_open_figure(figure.key):
        return error_response(403)
    period = form.period
    stmt = ops.figure_rows(figure.key, period, filters)
    if wants_xlsx():
        rows = db.session.execute(stmt).all()
        return xlsx_response(
            f"{figure.key}.xlsx",
            [Sheet(figure.title, tables.headers(figure.key), [tables.xlsx_row(figure.key, r) for r in rows])],
        )
    page = tables.RowPagination(
        select=stmt,
        session=db.session,
        page=page_arg(),
        per_page=50,
        max_per_page=50,
        error_out=False,
        count=True,
    )
    return render_template(
        "reports/records.html",
        figure=figure,
        period=period,
        filters=ops.filter_labels(filters),
        page=page,
        headers=tables.headers(figure.key),
        rows=[tables.cells(figure.key, row) for row in page.items],
    )


# ---------------------------------------------------------------- the map


def tile_url() -> str | None:
    """The map tile server's URL template, if an administrator set a usable one."""
    url = (get_setting("reports.map_tile_url") or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if not all(p in url for p in ("{z}", "{x}", "{y}")):
        return None
    host = parts.netloc
    if "{" in host.replace("{s}.", "", 1) or ("{s}" in host and not host.startswith("{s}.")):
        return None
    return url


def tile_origin(url: str) -> str:
    """The origin the browser fetches tiles from, as CSP names it ({s}.tiles.example → *.tiles.example)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def _map_csp(url: str | None) -> str:
    if url is None:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace(
        "img-src 'self' data: blob:", f"img-src 'self' data: blob: {tile_origin(url)}"
    )


def _map_filters() -> dict:
    """Kind, status and county from the query string; a value that names nothing is ignored."""
    kind, status = enum_arg("kind", SiteKind), enum_arg("status", SiteStatus)
    return {
        "kind": SiteKind(kind) if kind else None,
        "status": SiteStatus(status) if status else None,
        "county_id": int_arg("county"),
    }


@bp.get("/map")
@allow(*VIEW_MAP)
def site_map():
    url = tile_url()
    response = Response(
        render_template(
            "reports/map.html",
            filters=_map_filters(),
            kinds=list(SiteKind),
            statuses=list(SiteStatus),
            counties=registry_ops.counties_in_order(),
            tile_url=url,
            tile_attribution=get_setting("reports.map_tile_attribution") if url else "",
        )
    )
    # Tiles come from the configured server: only this page lets images load from its origin.
    response.headers["Content-Security-Policy"] = _map_csp(url)
    return response


@bp.get("/map/sites.json")
@allow(*VIEW_MAP)
def map_sites():
    """The markers: compact rows, filtered by kind, status and county."""
    return jsonify(ops.map_markers(**_map_filters()))


@bp.get("/map/sites/<int:site_id>.json")
@allow(*VIEW_MAP)
def map_site(site_id: int):
    """What a marker's popup shows."""
    site = db.session.get(Site, site_id) if site_id <= MAX_ID else None
    if site is None:
        return jsonify({"error": {"code": "404", "message": "محل یافت نشد.", "fields": {}}}), 404
    return jsonify(
        {
            "id": site.id,
            "name": site.name,
            "code": to_persian_digits(site.code),
            "kind": site.kind.label,
            "status": site.status.label,
            "county": site.county.name,
            "locality": site.locality,
            "url": url_for("registry.site_detail", site_id=site.id),
        }
    )


# ---------------------------------------------------------------- the dashboard


@dashboard_panel(order=50, roles=VIEW_REPORTS)
def _month_panel() -> Panel:
    """This Jalali month's visits made and due, and this year's figures so far."""
    figures = ops.month_figures()
    return Panel(
        f"این ماه و امسال ({figures.label})",
        "reports/panels/month.html",
        {"f": figures, "year": jalali(figures.year.start).year, "labels": ops.YEAR_SO_FAR},
        width="col-lg-6",
    )
