"""Business rules for the registry: people, sites, status changes and search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from core.audit import log_event
from core.clock import today_tehran
from core.db import actor_id, fa_sorted
from core.errors import STALE_MESSAGE, DomainError
from core.extensions import db
from core.forms import valid_national_id
from core.geo import bounding_box, distance_m, in_iran
from core.persian import (
    clean_text,
    digits_only,
    normalize_for_search,
    search_terms,
    to_persian_digits,
)

# Companies (legal persons) live in registry.companies; callers reach them here as before.
from registry.companies import COMPANY_FIELDS as COMPANY_FIELDS
from registry.companies import add_company_member as add_company_member
from registry.companies import create_company as create_company
from registry.companies import find_company_by_national_id as find_company_by_national_id
from registry.companies import search_companies as search_companies
from registry.companies import update_company as update_company
from registry.models import (
    BANK_KINDS,
    County,
    Education,
    LocalityType,
    Person,
    Province,
    Site,
    SiteKind,
    SiteStatus,
    SiteStatusChange,
    county_key,
    user_counties,
)
from registry.postal import postal_code_problem
from registry.reference import BANKS

PERSON_FIELDS = (
    "national_id",
    "first_name",
    "last_name",
    "father_name",
    "birth_date",
    "mobile",
    "education",
    "field_of_study",
    "state_employee",
)
# Column widths, checked here so that forms, imports and the API meet the same limits.
SITE_LIMITS = {
    "code": 20,
    "name": 200,
    "locality": 100,
    "address": 500,
    "postal_code": 10,
    "phone": 20,
    "bank": 60,
    "terminal_id": 20,
    "notes": 2000,
}
SITE_FIELDS = (
    "kind",
    "code",
    "name",
    "county_id",
    "locality",
    "locality_type",
    "address",
    "postal_code",
    "phone",
    "lat",
    "lon",
    "established_on",
    "operator_id",
    "bank",
    "terminal_id",
    "host_site_id",
    "notes",
)


# ---------------------------------------------------------------- people


def find_person_by_national_id(national_id: str) -> Person | None:
    """The person with this national ID (any digits accepted)."""
    return db.session.scalar(select(Person).where(Person.national_id == digits_only(national_id)))


def _validate_person(data: dict[str, Any], person: Person | None) -> dict[str, Any]:
    data = dict(data)
    nid = digits_only(data.get("national_id"))
    if not valid_national_id(nid):
        raise DomainError("کد ملی معتبر نیست.", field="national_id")
    data["national_id"] = nid
    other = find_person_by_national_id(nid)
    if other is not None and other is not person:
        raise DomainError("شخصی با این کد ملی پیش‌تر ثبت شده است.", field="national_id")
    for key in ("first_name", "last_name"):
        data[key] = clean_text(data.get(key))
        if not data[key]:
            raise DomainError("این فیلد اجباری است.", field=key)
    if data.get("education"):
        data["education"] = Education(data["education"])
    else:
        data["education"] = None
    for key in ("father_name", "mobile", "field_of_study"):
        data[key] = clean_text(data.get(key)) or None
    data["state_employee"] = bool(data.get("state_employee"))
    return data


def create_person(data: dict[str, Any], *, actor) -> Person:
    """Register an operator or applicant; the national ID must be valid and unused."""
    data = _validate_person(data, None)
    person = Person(**{k: data.get(k) for k in PERSON_FIELDS})
    person.refresh_search_fields()
    db.session.add(person)
    db.session.flush()
    return person


def update_person(
    person: Person, data: dict[str, Any], *, actor, expected_version: int | None = None
) -> Person:
    """Change a person's details (refused when someone else saved a newer version first)."""
    if expected_version is not None and expected_version != person.version:
        raise DomainError(STALE_MESSAGE)
    data = _validate_person(data, person)
    for key in PERSON_FIELDS:
        setattr(person, key, data.get(key))
    person.refresh_search_fields()
    db.session.flush()
    return person


def search_people(query: str | None = None) -> Select:
    """People matching every word of the query by name or national ID."""
    stmt = select(Person)
    for term in search_terms(query):
        stmt = stmt.where(
            or_(
                Person.name_norm.contains(term, autoescape=True),
                Person.national_id.startswith(term, autoescape=True),
            )
        )
    return stmt.order_by(fa_sorted(Person.last_name), fa_sorted(Person.first_name), Person.id)


# ---------------------------------------------------------------- counties


def province_name() -> str | None:
    """The province's name when the database holds exactly one province (the usual installation)."""
    names = db.session.scalars(select(Province.name).limit(2)).all()
    return names[0] if len(names) == 1 else None


def get_or_create_province(name: str, code: str) -> Province:
    province = db.session.scalar(select(Province).where(Province.code == code))
    if province is None:
        province = Province(name=name, code=code)
        db.session.add(province)
        db.session.flush()
    return province


def get_or_create_county(province: Province, name: str, **extra) -> County:
    """The county of this name in the province (spelling variants match), created if missing."""
    county = find_county(name, province_id=province.id)
    if county is None:
        county = County(province=province, **extra)
        county.set_name(clean_text(name))
        db.session.add(county)
        db.session.flush()
    return county


def find_county(name: str, province_id: int | None = None) -> County | None:
    stmt = select(County).where(County.name_norm == county_key(name))
    if province_id is not None:
        stmt = stmt.where(County.province_id == province_id)
    return db.session.scalars(stmt).first()


def counties_in_order() -> list[County]:
    return list(db.session.scalars(select(County).order_by(fa_sorted(County.name))))


def counties_of(user_id: int) -> list[County]:
    """The counties a user (an inspector) works in."""
    return list(
        db.session.scalars(
            select(County)
            .join(user_counties, user_counties.c.county_id == County.id)
            .where(user_counties.c.user_id == user_id)
            .order_by(fa_sorted(County.name))
        )
    )


def set_user_counties(user, county_ids: list[int], *, actor) -> list[County]:
    """The counties an inspector works in: the tablet keeps every site there for offline use."""
    wanted = set(county_ids)
    before = sorted(c.id for c in counties_of(user.id))
    found = set(db.session.scalars(select(County.id).where(County.id.in_(wanted)))) if wanted else set()
    if found != wanted:
        raise DomainError("شهرستان انتخاب‌شده یافت نشد.", field="counties")
    db.session.execute(user_counties.delete().where(user_counties.c.user_id == user.id))
    if wanted:
        db.session.execute(
            user_counties.insert(), [{"user_id": user.id, "county_id": c} for c in sorted(wanted)]
        )
    # A link table has no row of its own for the audit hook: the change is logged as an event.
    log_event(
        db.session,
        "user_counties",
        object_type="users",
        object_id=user.id,
        before={"county_ids": before},
        after={"county_ids": sorted(wanted)},
    )
    db.session.flush()
    return counties_of(user.id)


# ---------------------------------------------------------------- sites


def normalise_code(code: str | None) -> str:
    """Site codes are compared without spaces or ZWNJ, in ASCII digits and upper case."""
    return normalize_for_search(code).replace(" ", "").upper()


def _validate_site(data: dict[str, Any], site: Site | None) -> dict[str, Any]:
    data = {k: data.get(k) for k in SITE_FIELDS}
    try:
        data["kind"] = SiteKind(data["kind"])
    except ValueError as exc:
        raise DomainError("نوع محل معتبر نیست.", field="kind") from exc
    data["code"] = normalise_code(data["code"])
    if not data["code"]:
        raise DomainError("کد را وارد کنید.", field="code")
    other = db.session.scalar(select(Site).where(Site.code == data["code"]))
    if other is not None and other is not site:
        raise DomainError("محلی با این کد پیش‌تر ثبت شده است.", field="code")
    for key in ("name", "locality", "address"):
        data[key] = clean_text(data[key])
        if not data[key]:
            raise DomainError("این فیلد اجباری است.", field=key)
    if not data["county_id"] or db.session.get(County, data["county_id"]) is None:
        raise DomainError("شهرستان را انتخاب کنید.", field="county_id")
    try:
        data["locality_type"] = LocalityType(
            data["locality_type"]
            or (LocalityType.VILLAGE if data["kind"] == SiteKind.RURAL_ICT_OFFICE else LocalityType.CITY)
        )
    except ValueError as exc:
        raise DomainError("نوع محل (شهر یا روستا) معتبر نیست.", field="locality_type") from exc
    postal = digits_only(data["postal_code"])
    if postal and (problem := postal_code_problem(postal)):
        raise DomainError(problem, field="postal_code")
    data["postal_code"] = postal or None
    data["phone"] = digits_only(data["phone"]) or None
    lat, lon = data["lat"], data["lon"]
    if (lat is None) != (lon is None):
        raise DomainError("عرض و طول جغرافیایی را با هم وارد کنید.", field="lat")
    if lat is not None:
        lat, lon = float(lat), float(lon)
        if not in_iran(lat, lon):
            raise DomainError("مختصات در محدوده ایران نیست (جای عرض و طول را بررسی کنید).", field="lat")
        data["lat"], data["lon"] = lat, lon
    if data["kind"] in BANK_KINDS:
        data["bank"] = clean_text(data["bank"]) or None
        data["terminal_id"] = digits_only(data["terminal_id"]) or None
        if not data["bank"]:
            raise DomainError("بانک را انتخاب کنید.", field="bank")
        if data["bank"] not in BANKS:
            raise DomainError("نام بانک در فهرست بانک‌ها نیست.", field="bank")
        if data["terminal_id"]:
            clash = db.session.scalar(
                select(Site).where(Site.bank == data["bank"], Site.terminal_id == data["terminal_id"])
            )
            if clash is not None and clash is not site:
                raise DomainError("این شماره پایانه برای این بانک پیش‌تر ثبت شده است.", field="terminal_id")
        data["operator_id"] = None
        host = data["host_site_id"] and db.session.get(Site, data["host_site_id"])
        if data["host_site_id"] and (host is None or not host.kind.is_office):
            raise DomainError("محل میزبان باید یک دفتر ثبت‌شده باشد.", field="host_site_id")
    else:
        data["bank"] = data["terminal_id"] = data["host_site_id"] = None
        if data["operator_id"] and db.session.get(Person, data["operator_id"]) is None:
            raise DomainError("متصدی انتخاب‌شده یافت نشد.", field="operator_id")
    data["notes"] = clean_text(data["notes"]) or None
    for key, limit in SITE_LIMITS.items():
        if data[key] is not None and len(str(data[key])) > limit:
            raise DomainError(f"این فیلد حداکثر {to_persian_digits(limit)} نویسه است.", field=key)
    return data


def create_site(data: dict[str, Any], *, actor, status: SiteStatus = SiteStatus.ACTIVE) -> Site:
    """Register a site of any kind; its code (and a bank's terminal id) must be unused."""
    data = _validate_site(data, None)
    site = Site(**data, status=status, status_since=data.get("established_on") or today_tehran())
    site.refresh_search_fields()
    db.session.add(site)
    db.session.flush()
    db.session.add(
        SiteStatusChange(
            site=site,
            status=status,
            effective_on=site.status_since,
            reason="ثبت در سامانه",
            recorded_by_id=actor_id(actor),
        )
    )
    db.session.flush()
    return site


# Features that own part of a site's life register guards here (licensing: a licensed office's
# operator, address and status change only through its workflow). A guard raises DomainError.
SiteGuard = Callable[[Site, set[str], str | None], None]
SITE_GUARDS: list[SiteGuard] = []
GUARDED_FIELDS = {"operator_id", "address", "lat", "lon", "locality", "county_id", "postal_code"}


def guard_site_changes(guard: SiteGuard) -> SiteGuard:
    """Register a guard called before a site's guarded fields or status change."""
    SITE_GUARDS.append(guard)
    return guard


def _check_guards(site: Site, changed: set[str], authority: str | None) -> None:
    if changed:
        for guard in SITE_GUARDS:
            guard(site, changed, authority)


def update_site(
    site: Site,
    data: dict[str, Any],
    *,
    actor,
    authority: str | None = None,
    expected_version: int | None = None,
) -> Site:
    """Change a site's registered details (its status changes through change_site_status).

    expected_version: the version the editor saw; a newer one means someone else saved first.
    authority: the feature acting through its own workflow (e.g. "licensing"), for the guards.
    """
    if expected_version is not None and expected_version != site.version:
        raise DomainError(STALE_MESSAGE)
    data = _validate_site(data, site)
    changed = {k for k in GUARDED_FIELDS if k in data and data[k] != getattr(site, k)}
    _check_guards(site, changed, authority)
    for key, value in data.items():
        setattr(site, key, value)
    site.refresh_search_fields()
    db.session.flush()
    return site


def change_site_status(
    site: Site,
    status: SiteStatus,
    *,
    effective_on: date | None = None,
    reason: str,
    actor,
    authority: str | None = None,
) -> Site:
    """Set a site's status from a date, keeping the history that reports read."""
    status = SiteStatus(status)
    _check_guards(site, {"status"}, authority)
    reason = clean_text(reason)
    if not reason:
        raise DomainError("دلیل تغییر وضعیت را بنویسید.", field="reason")
    if status == site.status:
        raise DomainError(f"وضعیت این محل هم‌اکنون «{status.label}» است.", field="status")
    effective_on = effective_on or today_tehran()
    site.status = status
    site.status_since = effective_on
    db.session.add(
        SiteStatusChange(
            site=site,
            status=status,
            effective_on=effective_on,
            reason=reason,
            recorded_by_id=actor_id(actor),
        )
    )
    db.session.flush()
    return site


@dataclass
class SiteFilters:
    q: str | None = None
    kind: str | None = None
    county_id: int | None = None
    status: str | None = None
    locality_type: str | None = None
    bank: str | None = None


def search_sites(filters: SiteFilters) -> Select:
    """Sites matching the filters; every word of q must appear in the name, code or address."""
    stmt = select(Site).options(joinedload(Site.county), joinedload(Site.operator))
    for term in search_terms(filters.q):
        stmt = stmt.where(
            or_(
                Site.name_norm.contains(term, autoescape=True),
                Site.address_norm.contains(term, autoescape=True),
            )
        )
    if filters.kind:
        stmt = stmt.where(Site.kind == SiteKind(filters.kind))
    if filters.county_id:
        stmt = stmt.where(Site.county_id == filters.county_id)
    if filters.status:
        stmt = stmt.where(Site.status == SiteStatus(filters.status))
    if filters.locality_type:
        stmt = stmt.where(Site.locality_type == LocalityType(filters.locality_type))
    if filters.bank:
        stmt = stmt.where(Site.bank == filters.bank)
    return stmt.order_by(fa_sorted(Site.name), Site.id)


def sites_near(
    lat: float,
    lon: float,
    radius_m: float,
    *,
    kind: SiteKind | None = None,
    status: SiteStatus | None = None,
) -> list[tuple[Site, float]]:
    """Sites within radius_m of a point, nearest first, with their geodesic distance in metres."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_m)
    stmt = select(Site).where(Site.lat.between(min_lat, max_lat), Site.lon.between(min_lon, max_lon))
    if kind:
        stmt = stmt.where(Site.kind == kind)
    if status:
        stmt = stmt.where(Site.status == status)
    found = [(s, distance_m((lat, lon), (s.lat, s.lon))) for s in db.session.scalars(stmt)]
    return sorted([f for f in found if f[1] <= radius_m], key=lambda f: f[1])


def count_sites_by_kind_and_county(status: SiteStatus = SiteStatus.ACTIVE):
    """{(county_id, kind): n} for sites in a status, from one aggregate query."""
    rows = db.session.execute(
        select(Site.county_id, Site.kind, func.count())
        .where(Site.status == status)
        .group_by(Site.county_id, Site.kind)
    ).all()
    return {(county_id, kind): n for county_id, kind, n in rows}
