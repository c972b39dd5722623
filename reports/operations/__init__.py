"""What the rest of the app may call of the reports' rules, by sub-domain:

- periods: a Jalali year or range of days, and the months or years a chart counts (core.periods)
- figures: each figure's base query, counted with GROUP BY or listed for the drill-down
- annual: the annual report, its per-county table, its summary paragraph, the dashboard's figures
- map: the site markers of the map
"""

from reports.operations.annual import (
    PURPOSE_PHRASES,
    YEAR_SO_FAR,
    Counts,
    MonthFigures,
    annual_report,
    cases_by_violation,
    licences_issued,
    month_figures,
    per_county,
    sites_active,
    summary,
    violation_titles,
    visits,
)
from reports.operations.figures import (
    DIMENSIONS,
    FIGURES,
    Figure,
    count_by,
    count_per_bucket,
    figure,
    figure_count,
    figure_rows,
    licences_per_year,
    parse_filters,
    status_on_day,
    visits_per_month,
)
from reports.operations.map import MARKER_KINDS, MARKER_STATUSES, map_markers
from reports.operations.periods import (
    FIRST_YEAR,
    LAST_YEAR,
    Bucket,
    Period,
    current_year,
    first_year_with_records,
    month_buckets,
    month_label,
    month_of,
    year_buckets,
)

__all__ = [
    "DIMENSIONS",
    "FIGURES",
    "FIRST_YEAR",
    "LAST_YEAR",
    "MARKER_KINDS",
    "MARKER_STATUSES",
    "PURPOSE_PHRASES",
    "YEAR_SO_FAR",
    "Bucket",
    "Counts",
    "Figure",
    "MonthFigures",
    "Period",
    "annual_report",
    "cases_by_violation",
    "count_by",
    "count_per_bucket",
    "current_year",
    "figure",
    "figure_count",
    "figure_rows",
    "first_year_with_records",
    "licences_issued",
    "licences_per_year",
    "map_markers",
    "month_buckets",
    "month_figures",
    "month_label",
    "month_of",
    "parse_filters",
    "per_county",
    "sites_active",
    "status_on_day",
    "summary",
    "violation_titles",
    "visits",
    "visits_per_month",
    "year_buckets",
]
