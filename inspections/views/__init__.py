"""Inspection screens, one module per sub-domain, all on one blueprint (endpoints `inspections.*`)."""

from inspections.views import checklists, planning, tablet, visits
from inspections.views._common import bp

__all__ = ["bp", "checklists", "planning", "tablet", "visits"]
