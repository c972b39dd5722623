"""Charts: the data the browser's Chart.js draws, and static SVG bar charts for the PDF.

WeasyPrint draws inline SVG shapes faithfully but lays out SVG <text> left to right without
Persian shaping, so the PDF's charts keep their words outside the SVG: the bars, grid and numbers
(digits read the same either way) are SVG, the month names and legends are HTML around it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from core.persian import format_number, jalali, to_persian_digits
from licensing.models import ApplicationKind
from reports import operations as ops

# One colour per series, the same in the browser (reports-charts.js reads them from here) and the PDF.
PALETTE = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545")
KIND_COLOURS = dict(zip((k.value for k in ApplicationKind), PALETTE, strict=False))


# ---------------------------------------------------------------- the browser's charts


def browser_charts(report: dict, period: ops.Period, url: Callable[..., str | None]) -> dict[str, Any]:
    """JSON for the report page's charts; url(figure, period, **filters) links a bar to its records."""
    months = ops.visits_per_month(period)
    last_year = jalali(period.end).year
    years = ops.licences_per_year(last_year)
    titles = report["violation_titles"]
    violations = [(code, n) for code, n in report["cases_by_violation"].items()]
    return {
        "visits_per_month": {
            "title": f"بازدیدها در هر ماه — {period.title}",
            "labels": [m["label"] for m in months],
            "datasets": [{"label": "بازدید", "values": [m["count"] for m in months], "color": PALETTE[0]}],
            "urls": [url("visits", m["period"]) for m in months],
        },
        "licences_per_year": {
            "title": f"پروانه‌های صادر یا تمدیدشده در هر سال (تا {to_persian_digits(last_year)})",
            "labels": years["years"],
            "stacked": True,
            "datasets": [
                {
                    "label": kind.label,
                    "values": years["by_kind"][kind.value],
                    "color": KIND_COLOURS[kind.value],
                }
                for kind in ApplicationKind
            ],
            "urls": [url("licences_issued", p) for p in years["periods"]],
        },
        "cases_by_violation": {
            "title": f"پرونده‌های تخلف به تفکیک نوع تخلف — {period.title}",
            "labels": [f"{code} {titles.get(code, '')}" for code, _ in violations],
            "horizontal": True,
            "datasets": [{"label": "پرونده", "values": [n for _, n in violations], "color": PALETTE[2]}],
            "urls": [url("cases_by_violation", period, violation=code) for code, _ in violations],
        },
    }


# ---------------------------------------------------------------- static SVG for the PDF


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int]
    colour: str


@dataclass(frozen=True)
class ColumnChart:
    """A vertical bar chart, first category on the right: the SVG and the widths its HTML label row
    needs to sit under the bars."""

    svg: Markup
    labels: list[str]
    axis_share: float  # the part of the width (0–1) the value axis takes on the right
    legend: list[Series]


def _nice_step(value: int, steps: int = 4) -> int:
    """A whole, round grid step (1, 2, 5 × 10^n) so that `steps` steps reach the largest bar."""
    needed = max(-(-value // steps), 1)
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= needed:
                return step * factor
        step *= 10


def column_chart(
    labels: list[str], series: list[Series], *, width: int = 680, height: int = 200
) -> ColumnChart:
    """Bars (stacked when several series) with grid lines and each bar's total above it."""
    axis = 44
    top_pad, bottom_pad = 16, 4
    plot_w, plot_h = width - axis, height - top_pad - bottom_pad
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    step_value = _nice_step(max(totals, default=0))
    top = step_value * 4
    slot = plot_w / max(len(labels), 1)
    bar_w = slot * 0.62
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="Vazirmatn" font-size="11">'
    ]
    for step in range(5):
        value = top * step / 4
        y = top_pad + plot_h - plot_h * step / 4
        parts.append(
            f'<line x1="0" y1="{y:.1f}" x2="{plot_w:.1f}" y2="{y:.1f}" stroke="#d5dbe3" stroke-width="0.8"/>'
        )
        text = format_number(int(value)) if value == int(value) else format_number(round(value, 1))
        parts.append(f'<text x="{width - 2}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{text}</text>')
    for i, total in enumerate(totals):
        # The first category sits on the right, as Persian reads.
        x = plot_w - (i + 1) * slot + (slot - bar_w) / 2
        base = top_pad + plot_h
        for s in series:
            h = plot_h * s.values[i] / top
            if h > 0:
                base -= h
                box = f'x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{h:.1f}"'
                parts.append(f'<rect {box} fill="{s.colour}"/>')
        if total:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{base - 3:.1f}" text-anchor="middle" fill="#222">'
                f"{format_number(total)}</text>"
            )
    parts.append("</svg>")
    svg = Markup("".join(parts))  # nosec B704  # numbers and our colours only; labels are escaped later
    return ColumnChart(svg, labels, axis / width, series if len(series) > 1 else [])


@dataclass(frozen=True)
class BarRow:
    label: str
    value: int
    svg: Markup


def bar_rows(items: list[tuple[str, int]], colour: str = PALETTE[2]) -> list[BarRow]:
    """A horizontal bar per item (drawn from the right), for a table of label | bar | number."""
    top = max((n for _, n in items), default=0) or 1
    rows = []
    for label, value in items:
        w = 100 * value / top
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" class="bar" viewBox="0 0 100 10" '
            'preserveAspectRatio="none" width="100%" height="10">'
            f'<rect x="{100 - w:.2f}" y="1" width="{w:.2f}" height="8" fill="{colour}"/></svg>'
        )
        rows.append(BarRow(label, value, Markup(svg)))  # nosec B704  # numbers and a colour only
    return rows


def pdf_charts(report: dict, period: ops.Period) -> dict[str, Any]:
    """The three charts of the printed report."""
    months = ops.visits_per_month(period)
    years = ops.licences_per_year(jalali(period.end).year)
    titles = report["violation_titles"]
    return {
        "visits_per_month": column_chart(
            [m["label"] for m in months], [Series("بازدید", [m["count"] for m in months], PALETTE[0])]
        ),
        "licences_per_year": column_chart(
            years["years"],
            [Series(k.label, years["by_kind"][k.value], KIND_COLOURS[k.value]) for k in ApplicationKind],
        ),
        "cases_by_violation": bar_rows(
            [(f"{code} — {titles.get(code, '')}", n) for code, n in report["cases_by_violation"].items()]
        ),
    }
