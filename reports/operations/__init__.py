"""What the rest of the app may call of the reports' rules, by sub-domain:

- periods: a Jalali year or range of days, and the months or years a chart counts (core.periods)
- figures: each figure's base query, counted with GROUP BY or listed for the drill-down
- annual: the annual report, its per-county table, its summary paragraph, the dashboard's figures
- map: the site markers of the map
"""

from reports.operations.annual import (
    YEAR_SO_FAR,
    annual_report,
    month_figures,
    summary,
)
from reports.operations.figures import (
    count_by,
    figure,
    figure_rows,
    filter_labels,
    licences_per_year,
    parse_filters,
    violation_titles,
    visits_per_month,
)
from reports.operations.map import map_markers
from reports.operations.periods import (
    FIRST_YEAR,
    LAST_YEAR,
    Period,
    current_year,
    first_year_with_records,
    month_buckets,
    month_of,
)

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "YEAR_SO_FAR",
    "Period",
    "annual_report",
    "count_by",
    "current_year",
    "figure",
    "figure_rows",
    "filter_labels",
    "first_year_with_records",
    "licences_per_year",
    "map_markers",
    "month_buckets",
    "month_figures",
    "month_of",
    "parse_filters",
    "summary",
    "violation_titles",
    "visits_per_month",
]
