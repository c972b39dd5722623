"""Committee screens, by sub-domain: the violation catalogue, cases, rulings and appeals, members,
sessions, the hearing of one case with its votes and ruling, and the dashboard panel. Every route is
on the one `committees` blueprint, so endpoint names are `committees.<function>`."""

from committees.views import (  # noqa: F401  (each module registers its routes on bp)
    cases,
    catalogue,
    hearings,
    members,
    panel,
    rulings,
    sessions,
)
from committees.views._common import bp

__all__ = ["bp"]
