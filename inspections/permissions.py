"""Who may do what in inspections: coarse role lists for routes, object checks for visits."""

from __future__ import annotations

from core.security import Role

# The tablet: the visit form, its offline data and the API that receives visits and photos.
DO_VISITS = (Role.ADMIN, Role.INSPECTOR)
# Reading visits and reports. Inspectors see their own visits only (can_view_visit); committee
# members read the visits their cases were opened from.
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
    """Inspectors read their own visits; the other reading roles read all of them."""
    role = _role(user)
    if role == Role.INSPECTOR:
        return visit.inspector_id == user.id
    return role in VIEW_VISITS


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
