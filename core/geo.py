"""Coordinates and geodesic distances (geopy), and bounding boxes."""

from __future__ import annotations

import math
from dataclasses import dataclass

from geopy.distance import geodesic

# Iran's extent with a margin; a coordinate outside it is a typing mistake (swapped lat/lon).
IRAN_LAT = (24.0, 40.5)
IRAN_LON = (43.5, 63.5)


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


def distance_m(a: Point | tuple[float, float], b: Point | tuple[float, float]) -> float:
    """Geodesic distance in metres (WGS-84) between two points."""
    a = a if isinstance(a, tuple) else (a.lat, a.lon)
    b = b if isinstance(b, tuple) else (b.lat, b.lon)
    return geodesic(a, b).meters


def in_iran(lat: float, lon: float) -> bool:
    """Whether the coordinate lies inside Iran's bounding box."""
    return IRAN_LAT[0] <= lat <= IRAN_LAT[1] and IRAN_LON[0] <= lon <= IRAN_LON[1]


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """A box (min_lat, max_lat, min_lon, max_lon) that contains the circle; filter, then measure."""
    dlat = radius_m / 111_000 * 1.01
    dlon = radius_m / (111_000 * max(math.cos(math.radians(lat)), 0.01)) * 1.01
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
