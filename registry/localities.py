"""Cities and villages on the map: which one a point is in, and whether two points share one.

A locality is its centre and a radius (metres). A point belongs to the nearest locality whose
radius reaches it; two points are in the same locality when both belong to the same one.
"""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from core.geo import bounding_box, distance_m
from registry.models import Locality


def locality_at(lat: float | None, lon: float | None) -> Locality | None:
    """The city or village whose radius covers the point (the nearest centre if several do)."""
    if lat is None or lon is None:
        return None
    widest = db.session.scalar(select(db.func.max(Locality.radius_m))) or 0
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, widest)
    candidates = db.session.scalars(
        select(Locality).where(Locality.lat.between(min_lat, max_lat), Locality.lon.between(min_lon, max_lon))
    ).all()
    inside = [(distance_m((lat, lon), (c.lat, c.lon)), c) for c in candidates]
    inside = [(d, c) for d, c in inside if d <= c.radius_m]
    return min(inside, key=lambda pair: (pair[0], pair[1].id))[1] if inside else None


def same_locality(a: tuple[float | None, float | None], b: tuple[float | None, float | None]) -> bool:
    """Whether two points lie in the same known city or village."""
    first = locality_at(*a)
    return first is not None and first == locality_at(*b)
