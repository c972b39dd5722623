"""Planning: sites due a visit, assignments to inspectors, the day's route and what the tablet keeps
for a day without network."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from accounts.models import User
from committees.models import Case, CaseState
from core.clock import today_tehran, utcnow
from core.db import actor_id
from core.errors import DomainError
from core.extensions import db
from core.geo import distance_m
from core.persian import clean_text, format_jalali
from core.security import Role
from core.settings import get_setting
from inspections.models import Assignment, AssignmentState, Visit, VisitPurpose
from inspections.operations.checklists import checklist_data, checklists_in_order
from licensing import operations as licensing_ops
from licensing import signing as licence_signing
from licensing.models import Licence, LicenceStatus, VisitRequest, VisitRequestState
from registry import operations as registry_ops
from registry.models import Site, SiteKind, SiteStatus


def _last_visits_subquery():
    return (
        select(Visit.site_id, func.max(Visit.visited_on).label("last_visit"))
        .where(Visit.site_id.is_not(None))
        .group_by(Visit.site_id)
        .subquery()
    )


def due_sites(today: date | None = None, *, kind: str | None = None, county_id: int | None = None) -> Select:
    """Active sites never visited or not visited within the interval, never-visited first, then
    the longest unvisited (see last_visit_days for the dates)."""
    today = today or today_tehran()
    cutoff = today - timedelta(days=get_setting("inspection.visit_interval_days"))
    last = _last_visits_subquery()
    stmt = (
        select(Site)
        .options(joinedload(Site.county))
        .outerjoin(last, last.c.site_id == Site.id)
        .where(
            Site.status == SiteStatus.ACTIVE, or_(last.c.last_visit.is_(None), last.c.last_visit <= cutoff)
        )
    )
    if kind:
        stmt = stmt.where(Site.kind == SiteKind(kind))
    if county_id:
        stmt = stmt.where(Site.county_id == county_id)
    return stmt.order_by(last.c.last_visit.is_not(None), last.c.last_visit, Site.id)


def last_visit_days(site_ids: list[int]) -> dict[int, date]:
    """The day of each site's latest visit (sites never visited are absent)."""
    if not site_ids:
        return {}
    return dict(
        db.session.execute(
            select(Visit.site_id, func.max(Visit.visited_on))
            .where(Visit.site_id.in_(site_ids))
            .group_by(Visit.site_id)
        ).all()
    )


def planned_assignments_for_sites(site_ids: list[int]) -> dict[int, Assignment]:
    rows = db.session.scalars(
        select(Assignment)
        .options(joinedload(Assignment.inspector))
        .where(Assignment.site_id.in_(site_ids), Assignment.state == AssignmentState.PLANNED)
    )
    return {a.site_id: a for a in rows}


def assign_visit(
    *,
    inspector: User,
    planned_on: date,
    purpose: VisitPurpose | str,
    site: Site | None = None,
    visit_request: VisitRequest | None = None,
    note: str | None = None,
    actor,
    today: date | None = None,
) -> Assignment:
    """Plan a visit for an inspector on a day, to a site or for a licensing request."""
    purpose = VisitPurpose(purpose)
    if inspector is None or inspector.role != Role.INSPECTOR or not inspector.is_active:
        raise DomainError("مأموریت فقط به بازرس فعال داده می‌شود.", field="inspector_id")
    if planned_on is None or planned_on < (today or today_tehran()):
        raise DomainError("تاریخ برنامه نمی‌تواند گذشته باشد.", field="planned_on")
    if site is None and visit_request is None:
        raise DomainError("محل یا درخواست بازدید را انتخاب کنید.", field="site_id")
    if visit_request is not None:
        if visit_request.state != VisitRequestState.REQUESTED:
            raise DomainError("این درخواست بازدید باز نیست.", field="visit_request_id")
        purpose = VisitPurpose(visit_request.purpose)
        site = site or visit_request.site
    elif purpose.for_licensing:
        raise DomainError(
            "بازدید تأسیس یا نشانی جدید فقط برای یک درخواست بازدید برنامه‌ریزی می‌شود.", field="purpose"
        )
    if site is not None:
        if site.kind not in purpose.site_kinds:
            raise DomainError(
                f"بازدید «{purpose.label}» برای «{site.kind.label}» انجام نمی‌شود.", field="purpose"
            )
        if visit_request is None and site.status != SiteStatus.ACTIVE:
            raise DomainError("این محل فعال نیست.", field="site_id")
    clash = db.session.scalar(
        select(Assignment).where(
            Assignment.state == AssignmentState.PLANNED,
            (Assignment.visit_request_id == visit_request.id)
            if visit_request is not None
            else and_(Assignment.site_id == site.id, Assignment.visit_request_id.is_(None)),
        )
    )
    if clash is not None:
        raise DomainError(
            f"این بازدید پیش‌تر برای {clash.inspector.full_name} در "
            f"{format_jalali(clash.planned_on)} برنامه‌ریزی شده است."
        )
    assignment = Assignment(
        inspector=inspector,
        site=site,
        visit_request=visit_request,
        purpose=purpose,
        planned_on=planned_on,
        note=clean_text(note) or None,
        assigned_by_id=actor_id(actor),
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def cancel_assignment(assignment: Assignment, *, actor) -> Assignment:
    if assignment.state != AssignmentState.PLANNED:
        raise DomainError("فقط مأموریت برنامه‌ریزی‌شده لغو می‌شود.")
    assignment.state = AssignmentState.CANCELLED
    db.session.flush()
    return assignment


def assignments_for(
    viewer,
    *,
    inspector_id: int | None = None,
    day: date | None = None,
    state: AssignmentState | None = AssignmentState.PLANNED,
) -> Select:
    """Assignments, the viewer's own first, then by day."""
    stmt = select(Assignment).options(
        joinedload(Assignment.site), joinedload(Assignment.inspector), joinedload(Assignment.visit_request)
    )
    if inspector_id:
        stmt = stmt.where(Assignment.inspector_id == inspector_id)
    if day is not None:
        stmt = stmt.where(Assignment.planned_on == day)
    if state is not None:
        stmt = stmt.where(Assignment.state == state)
    own_first = case((Assignment.inspector_id == actor_id(viewer), 0), else_=1)
    return stmt.order_by(own_first, Assignment.planned_on, Assignment.id)


def open_assignments_of(inspector: User) -> list[Assignment]:
    """The inspector's planned visits (what the tablet keeps for offline use)."""
    return list(
        db.session.scalars(
            select(Assignment)
            .options(joinedload(Assignment.site), joinedload(Assignment.visit_request))
            .where(Assignment.inspector_id == inspector.id, Assignment.state == AssignmentState.PLANNED)
            .order_by(Assignment.planned_on, Assignment.id)
        )
    )


@dataclass
class RouteStop:
    assignment: Assignment
    leg_m: float | None


@dataclass
class RoutePlan:
    stops: list[RouteStop]
    total_m: float
    unplaced: list[Assignment]


def plan_route(start: tuple[float, float] | None, assignments: list[Assignment]) -> RoutePlan:
    """Order a day's visits by nearest neighbour from the start (geodesic distances).

    Greedy is not optimal, but a day has a handful of stops and the inspector can reorder;
    stops without coordinates are listed apart. Without a start, the route begins at the
    first stop.
    """
    placed = [(a, a.target_point) for a in assignments if a.target_point is not None]
    unplaced = [a for a in assignments if a.target_point is None]
    stops: list[RouteStop] = []
    total = 0.0
    here = start
    while placed:
        if here is None:
            index, leg = 0, None
        else:
            legs = [distance_m(here, point) for _a, point in placed]
            index = min(range(len(legs)), key=legs.__getitem__)
            leg = legs[index]
            total += leg
        assignment, here = placed.pop(index)
        stops.append(RouteStop(assignment, leg))
    return RoutePlan(stops, total, unplaced)


# ---------------------------------------------------------------- the tablet's offline data


def site_data(site: Site) -> dict[str, Any]:
    return {
        "id": site.id,
        "name": site.name,
        "code": site.code,
        "kind": site.kind.value,
        "kind_label": site.kind.label,
        "address": site.address,
        "lat": site.lat,
        "lon": site.lon,
    }


def request_data(request: VisitRequest) -> dict[str, Any]:
    application = request.application
    return {
        "id": request.id,
        "purpose": request.purpose,
        "site_id": request.site_id,
        "address": request.address,
        "lat": request.lat,
        "lon": request.lon,
        "due_on": format_jalali(request.due_on),
        "office_kind": application.office_kind.value if application else None,
        "office_name": application.office_name if application else None,
        "application_number": application.number if application else None,
    }


def _area_sites(inspector: User, site_ids: set[int]) -> list[Site]:
    county_ids = [c.id for c in registry_ops.counties_of(inspector.id)]
    conditions = []
    if county_ids:
        conditions.append(and_(Site.county_id.in_(county_ids), Site.status != SiteStatus.CLOSED))
    if site_ids:
        conditions.append(Site.id.in_(site_ids))
    if not conditions:
        return []
    return list(db.session.scalars(select(Site).where(or_(*conditions)).order_by(Site.id)))


def _licence_status(licence: Licence, today: date) -> str:
    """The status a check on the road should show: a licence past its end is expired whatever its row says."""
    if licence.status == LicenceStatus.ACTIVE and licence.expires_on < today:
        return LicenceStatus.EXPIRED.value
    return licence.status.value


def _licence_entry(licence: Licence, today: date) -> dict[str, Any]:
    status = _licence_status(licence, today)
    return {
        "number": licence.number,
        "site_id": licence.site_id,
        "status": status,
        "status_label": LicenceStatus(status).label,
        "expires_on": licence.expires_on.isoformat(),
        "expires_on_jalali": format_jalali(licence.expires_on),
        "office_name": licence.office_name,
    }


def offline_bundle(inspector: User) -> dict[str, Any]:
    """What the tablet keeps for a day without network: the checklists in force, the inspector's
    assignments and the open licensing visit requests, every site of the inspector's counties
    with its licence status, open cases and last visit, and the licence status list the offline
    QR check compares with (every licence of those sites, and every suspended or revoked one)."""
    today = today_tehran()
    assignments = open_assignments_of(inspector)
    requests = list(
        db.session.scalars(licensing_ops.open_visit_requests().options(joinedload(VisitRequest.application)))
    )
    wanted = {a.site_id for a in assignments if a.site_id} | {r.site_id for r in requests if r.site_id}
    sites = _area_sites(inspector, wanted)
    site_ids = [s.id for s in sites]
    licences = list(
        db.session.scalars(
            select(Licence)
            .where(
                or_(
                    Licence.site_id.in_(site_ids),
                    Licence.status.in_((LicenceStatus.SUSPENDED, LicenceStatus.REVOKED)),
                ),
                Licence.status != LicenceStatus.SUPERSEDED,
            )
            .order_by(Licence.issued_on, Licence.id)
        )
    )
    by_site = {lic.site_id: lic for lic in licences}  # the latest issued wins
    open_cases = (
        dict(
            db.session.execute(
                select(Case.site_id, func.count())
                .where(Case.site_id.in_(site_ids), Case.state != CaseState.CLOSED)
                .group_by(Case.site_id)
            ).all()
        )
        if site_ids
        else {}
    )
    last_visits = last_visit_days(site_ids)
    checklists = [c for c in checklists_in_order() if c.active and c.current_version]
    return {
        "generated_at": utcnow().isoformat(),
        "user_id": inspector.id,
        "area": [c.name for c in registry_ops.counties_of(inspector.id)],
        "public_key": licence_signing.public_key_b64(),
        "purposes": [
            {
                "value": p.value,
                "label": p.label,
                "site_kinds": [k.value for k in p.site_kinds],
                "for_licensing": p.for_licensing,
            }
            for p in VisitPurpose
        ],
        "checklists": [checklist_data(c.current_version) for c in checklists],
        "sites": [
            {
                **site_data(s),
                "licence": _licence_entry(by_site[s.id], today) if s.id in by_site else None,
                "open_cases": open_cases.get(s.id, 0),
                "last_visit": format_jalali(last_visits[s.id]) if s.id in last_visits else None,
                "assigned": s.id in wanted,
            }
            for s in sites
        ],
        "licences": [_licence_entry(lic, today) for lic in licences],
        "requests": [request_data(r) for r in requests],
        "assignments": [
            {
                "id": a.id,
                "site_id": a.site_id,
                "visit_request_id": a.visit_request_id,
                "purpose": a.purpose.value,
                "purpose_label": a.purpose.label,
                "planned_on": format_jalali(a.planned_on),
                "name": a.target_name,
            }
            for a in assignments
        ],
        "settings": {
            "max_distance_m": get_setting("inspection.max_distance_m"),
            "max_accuracy_m": get_setting("inspection.max_accuracy_m"),
            "max_photos": get_setting("inspection.max_photos_per_visit"),
        },
    }


def bundle_etag(bundle: dict[str, Any]) -> str:
    """The bundle's version: its content without the time it was made, so that a tablet asking
    again when nothing changed gets a 304 of a few hundred bytes."""
    content = {k: v for k, v in bundle.items() if k != "generated_at"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]
