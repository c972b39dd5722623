"""Who may see the reports, the records behind each figure, and the map."""

from __future__ import annotations

from committees.permissions import VIEW_CASES, VIEW_SESSIONS
from core.security import Role, has_role
from inspections.permissions import VIEW_PLANS, VIEW_VISITS
from licensing.permissions import VIEW as VIEW_LICENSING
from registry.permissions import VIEW_SITES

# The annual report and its exports: the managers, the public-relations office (viewer), and the
# staff who answer for the licensing and committee figures.
VIEW_REPORTS = (Role.ADMIN, Role.VIEWER, Role.LICENSING, Role.COMMITTEE_SECRETARY)
# The map shows the registry's sites: whoever may read the site list.
VIEW_MAP = VIEW_SITES

# A figure opens to its records only for roles that may read those records in their own module
# (a licensing officer sees how many committee sessions were held, not their list).
FIGURE_ROLES: dict[str, tuple[Role, ...]] = {
    "sites_active": VIEW_SITES,
    "sites_due": VIEW_PLANS,
    "licences_issued": VIEW_LICENSING,
    "wg_sessions": VIEW_LICENSING,
    "wg_decisions": VIEW_LICENSING,
    # Inspectors see only their own visits; the report's visit lists are for the other readers.
    "visits": tuple(r for r in VIEW_VISITS if r != Role.INSPECTOR),
    "committee_sessions": VIEW_SESSIONS,
    "cases": VIEW_CASES,
    "cases_by_violation": VIEW_CASES,
    "rulings": VIEW_CASES,
}


def can_open_figure(key: str) -> bool:
    """Whether the current user may list the records behind this figure."""
    return has_role(*VIEW_REPORTS) and has_role(*FIGURE_ROLES.get(key, ()))
