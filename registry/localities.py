"""Where a point lies: the city or village a coordinate belongs to, for rules such as "a
relocation stays within the city or village on the licence".

A known locality (reference data) is its centre and a radius: a point belongs to the nearest one
whose radius reaches it. Where the reference data has no locality for a point, the licensed
office's own point with a radius per locality type (a setting) stands in, and the county is the
one whose centre is nearest; both are checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core.extensions import db
from core.geo import bounding_box, distance_m
from core.persian import normalize_for_search, to_persian_digits
from core.settings import get_setting
from registry import operations as registry_ops
from registry.models import OFFICE_KINDS, County, Locality, LocalityType, Site, SiteStatus


def locality_key(name: str | None) -> str:
    """Locality names compare whether their parts are joined by ZWNJ, a space or nothing."""
    return normalize_for_search(name or "").replace(" ", "")


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


def points_share_locality(a: tuple[float | None, float | None], b: tuple[float | None, float | None]) -> bool:
    """Whether two points lie in the same known city or village."""
    first = locality_at(*a)
    return first is not None and first == locality_at(*b)


def locality_of(lat: float, lon: float) -> County | None:
    """The county whose centre is nearest to the point (None when no county has a centre)."""
    counties = db.session.scalars(
        select(County).where(County.center_lat.is_not(None), County.center_lon.is_not(None))
    ).all()
    if not counties:
        return None
    return min(counties, key=lambda c: distance_m((lat, lon), (c.center_lat, c.center_lon)))


@dataclass(frozen=True)
class LocalityVerdict:
    same: bool
    detail: str


def same_locality(
    site: Site, *, lat: float | None, lon: float | None, locality: str | None
) -> LocalityVerdict:
    """Whether a new point and the locality named for it lie in the site's city or village.

    A blank locality, a locality other than the site's, a point nearer another county's centre or
    farther from the office than its locality type's radius is outside.
    """
    if not locality_key(locality):
        return LocalityVerdict(False, "شهر یا روستای نشانی جدید وارد نشده است؛ بدون آن جابجایی بررسی نمی‌شود.")
    if locality_key(locality) != locality_key(site.locality):
        return LocalityVerdict(
            False, f"نشانی جدید در «{locality}» است و دفتر در «{site.locality}» پروانه دارد."
        )
    if lat is None or lon is None:
        return LocalityVerdict(False, "مختصات نشانی جدید ثبت نشده است.")
    known = locality_at(lat, lon)
    if known is not None and locality_key(known.name) != locality_key(site.locality):
        return LocalityVerdict(
            False, f"مختصات جدید در محدوده «{known.name}» است و دفتر در «{site.locality}» پروانه دارد."
        )
    county = locality_of(lat, lon)
    if county is not None and county.id != site.county_id:
        return LocalityVerdict(
            False,
            f"مختصات جدید در شهرستان {county.name} است، نه در شهرستان {site.county.name} "
            "که دفتر در آن پروانه دارد.",
        )
    locality_type = site.locality_type or LocalityType.CITY
    radius = get_setting(f"relocation.locality_radius_m.{locality_type.value}")
    if site.lat is not None and site.lon is not None:
        meters = distance_m((site.lat, site.lon), (lat, lon))
        if meters > radius:
            return LocalityVerdict(
                False,
                f"مختصات جدید {to_persian_digits(round(meters / 1000, 1))} کیلومتر از محل فعلی دفتر "
                f"فاصله دارد؛ بیش از {to_persian_digits(round(radius / 1000, 1))} کیلومتر یعنی بیرون "
                f"از {locality_type.label} {site.locality}.",
            )
    return LocalityVerdict(True, f"نشانی جدید در همان {locality_type.label} {site.locality} است.")


def near_duplicates(
    *,
    name: str | None,
    address: str | None,
    lat: float | None,
    lon: float | None,
    county_id: int | None,
    exclude_site_id: int | None = None,
) -> list[tuple[Site, str]]:
    """Active offices whose name (in the same county), address or position nearly repeats the
    given ones: a warning for the officer, never a block."""
    found: dict[int, tuple[Site, list[str]]] = {}

    def note(site: Site, why: str) -> None:
        if site.id != exclude_site_id:
            found.setdefault(site.id, (site, []))[1].append(why)

    active = select(Site).where(Site.kind.in_(OFFICE_KINDS), Site.status == SiteStatus.ACTIVE)
    if name and county_id:
        for site in db.session.scalars(
            # name_norm is "name code locality": the name is its start.
            active.where(
                Site.county_id == county_id,
                Site.name_norm.startswith(normalize_for_search(name) + " ", autoescape=True),
            )
        ):
            note(site, "همین نام در همین شهرستان")
    if address:
        for site in db.session.scalars(active.where(Site.address_norm == normalize_for_search(address))):
            note(site, "همین نشانی")
    if lat is not None and lon is not None:
        radius = get_setting("registry.duplicate_radius_m")
        for site, meters in registry_ops.sites_near(lat, lon, radius, status=SiteStatus.ACTIVE):
            if site.kind.is_office:
                note(site, f"در {to_persian_digits(round(meters))} متری")
    return [(site, "، ".join(why)) for site, why in found.values()]
