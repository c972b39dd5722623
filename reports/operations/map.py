"""The map: every site with coordinates as a compact marker, and the county centres."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, select, type_coerce

from core.extensions import db
from registry.models import County, Site, SiteKind, SiteStatus

MARKER_KINDS = tuple(SiteKind)
MARKER_STATUSES = tuple(SiteStatus)


def map_markers(
    *, kind: SiteKind | None = None, status: SiteStatus | None = None, county_id: int | None = None
) -> dict[str, Any]:
    """Sites with coordinates as compact rows [id, lat, lon, kind index, status index] (a
    national map has ~80,000 of them), and the county centres to show without map tiles."""
    kind_index = {k.value: i for i, k in enumerate(MARKER_KINDS)}
    status_index = {s.value: i for i, s in enumerate(MARKER_STATUSES)}
    stmt = select(
        Site.id, Site.lat, Site.lon, type_coerce(Site.kind, String), type_coerce(Site.status, String)
    ).where(Site.lat.is_not(None), Site.lon.is_not(None))
    counties = select(County.name, County.center_lat, County.center_lon).where(County.center_lat.is_not(None))
    if kind:
        stmt = stmt.where(Site.kind == kind)
    if status:
        stmt = stmt.where(Site.status == status)
    if county_id:
        stmt = stmt.where(Site.county_id == county_id)
        counties = counties.where(County.id == county_id)
    rows = [
        [site_id, round(lat, 5), round(lon, 5), kind_index[k], status_index[s]]
        for site_id, lat, lon, k, s in db.session.execute(stmt.order_by(Site.id))
    ]
    return {
        "fields": ["id", "lat", "lon", "kind", "status"],
        "kinds": [k.value for k in MARKER_KINDS],
        "statuses": [s.value for s in MARKER_STATUSES],
        "sites": rows,
        "counties": [[name, round(lat, 5), round(lon, 5)] for name, lat, lon in db.session.execute(counties)],
    }
