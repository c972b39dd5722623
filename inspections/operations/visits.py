"""Reading visits: the list with its filters, a site's visits and the inspectors to filter by."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from accounts.models import User
from core.extensions import db
from core.security import Role
from inspections.models import Visit, VisitPurpose
from registry.models import Site


@dataclass
class VisitFilters:
    purpose: str | None = None
    inspector_id: int | None = None
    site_id: int | None = None
    flagged: bool = False
    incomplete: bool = False


def search_visits(filters: VisitFilters, *, viewer) -> Select:
    """Visits newest first; an inspector sees only their own."""
    stmt = select(Visit).options(
        joinedload(Visit.site), joinedload(Visit.inspector), joinedload(Visit.visit_request)
    )
    if getattr(viewer, "role", None) == Role.INSPECTOR:
        stmt = stmt.where(Visit.inspector_id == viewer.id)
    if filters.purpose:
        stmt = stmt.where(Visit.purpose == VisitPurpose(filters.purpose))
    if filters.inspector_id:
        stmt = stmt.where(Visit.inspector_id == filters.inspector_id)
    if filters.site_id:
        stmt = stmt.where(Visit.site_id == filters.site_id)
    if filters.flagged:
        stmt = stmt.where(or_(Visit.flag_too_far, Visit.flag_poor_fix, Visit.flag_no_fix, Visit.flag_clock))
    if filters.incomplete:
        stmt = stmt.where(Visit.complete.is_(False))
    return stmt.order_by(Visit.visited_on.desc(), Visit.id.desc())


def visits_of_site(site: Site, *, viewer=None, limit: int = 50) -> list[Visit]:
    """A site's visits, newest first (for the site page), as far as the viewer may see them."""
    stmt = (
        select(Visit)
        .options(joinedload(Visit.inspector))
        .where(Visit.site_id == site.id)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(limit)
    )
    if viewer is not None and getattr(viewer, "role", None) == Role.INSPECTOR:
        stmt = stmt.where(Visit.inspector_id == viewer.id)
    return list(db.session.scalars(stmt))


def inspectors() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.INSPECTOR, User.is_active_account.is_(True))
            .order_by(User.full_name)
        )
    )
