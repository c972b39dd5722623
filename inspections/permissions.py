"""Who may do what in inspections: coarse role lists for routes, object checks for visits."""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from core.security import Role

# The tablet: the visit form, its offline data and the API that receives visits and photos.
DO_VISITS = (Role.ADMIN, Role.INSPECTOR)
# Reading visits and reports. Inspectors see their own visits only; committee members only the
# visits (and their photos) that are evidence in the committee's cases: the case was opened from
# the visit or cites it (can_view_visit, visit_scope).
VIEW_VISITS = (
    Role.ADMIN,
    Role.INSPECTOR,
    Role.LICENSING,
    Role.COMMITTEE_SECRETARY,
    Role.COMMITTEE_MEMBER,
    Role.VIEWER,
)
# Referring a failed visit to the violations committee.
REFER = (Role.ADMIN, Role.INSPECTOR, Role.COMMITTEE_SECRETARY)
# Planning: the list of sites due for a visit and the inspectors' assignments and routes.
VIEW_PLANS = (Role.ADMIN, Role.INSPECTOR, Role.LICENSING, Role.VIEWER)
ASSIGN = (Role.ADMIN, Role.LICENSING)
# Checklists are read by everyone who reads visits and edited by the administrator only.
VIEW_CHECKLISTS = VIEW_VISITS
EDIT_CHECKLISTS = (Role.ADMIN,)


def _role(user) -> Role | None:
    return getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None


def can_view_visit(user, visit) -> bool:
    """Inspectors read their own visits, committee members the committee's evidence; the other
    reading roles read all of them."""
    role = _role(user)
    if role == Role.INSPECTOR:
        return visit.inspector_id == user.id
    if role == Role.COMMITTEE_MEMBER:
        from core.extensions import db

        return bool(db.session.scalar(select(_evidence_of_a_case(visit.uuid))))
    return role in VIEW_VISITS


def _evidence_of_a_case(uuid_column):
    """EXISTS: a case was opened from this visit, or lists it as evidence (its photos go with it)."""
    from committees.models import Case, CaseEvidence

    from_visit = select(Case.id).where(Case.visit_uuid == uuid_column)
    cited = select(CaseEvidence.id).where(CaseEvidence.kind == "visit", CaseEvidence.reference == uuid_column)
    return or_(exists(from_visit), exists(cited))


def visit_scope(user):
    """The condition a list of visits is filtered with for this reader (None: every visit)."""
    from inspections.models import Visit

    role = _role(user)
    if role == Role.INSPECTOR:
        return Visit.inspector_id == user.id
    if role == Role.COMMITTEE_MEMBER:
        return _evidence_of_a_case(Visit.uuid)
    return None


def can_view_route(user, inspector_id: int | None) -> bool:
    """An inspector reads only their own day's route; the planners read anyone's."""
    if _role(user) == Role.INSPECTOR:
        return inspector_id in (None, user.id)
    return _role(user) in VIEW_PLANS


def can_upload_photos(user, visit) -> bool:
    """Only the inspector who made the visit (or an administrator) adds its photos."""
    role = _role(user)
    return role == Role.ADMIN or (role == Role.INSPECTOR and visit.inspector_id == user.id)


def can_refer(user, visit) -> bool:
    """The visit's inspector, the committee secretary or an administrator refers a visit."""
    role = _role(user)
    if role == Role.INSPECTOR:
        return visit.inspector_id == user.id
    return role in (Role.ADMIN, Role.COMMITTEE_SECRETARY)


def can_assign(user) -> bool:
    return _role(user) in ASSIGN


def sees_only_own_visits(user) -> bool:
    return _role(user) == Role.INSPECTOR


def can_view_visit_list(user) -> bool:
    return _role(user) in VIEW_VISITS
