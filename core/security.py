"""Roles, the deny-by-default route policy, object checks and security headers."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from flask import Flask, abort, current_app, g, request
from flask_login import current_user


class Role(StrEnum):
    ADMIN = "admin"
    LICENSING = "licensing_officer"
    INSPECTOR = "inspector"
    COMMITTEE_SECRETARY = "committee_secretary"
    COMMITTEE_MEMBER = "committee_member"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "مدیر سامانه",
    Role.LICENSING: "کارشناس صدور پروانه",
    Role.INSPECTOR: "بازرس",
    Role.COMMITTEE_SECRETARY: "دبیر کمیته تخلفات",
    Role.COMMITTEE_MEMBER: "عضو کمیته تخلفات",
    Role.VIEWER: "ناظر (فقط مشاهده)",
}

ALL_ROLES = frozenset(Role)

_PUBLIC_ENDPOINTS = {"static"}


def allow(*roles: Role) -> Callable:
    """Let these roles (and only these) reach the view; everyone else gets 403."""
    allowed = frozenset(roles)

    def decorate(view: Callable) -> Callable:
        view.allowed_roles = allowed
        return view

    return decorate


def public(view: Callable) -> Callable:
    """Mark a view as open to anyone, logged in or not (login page, licence verification)."""
    view.is_public = True
    return view


def require(condition: bool) -> None:
    """Refuse the request with 403 unless the object-level check holds."""
    if not condition:
        abort(403)


def route_policy(app: Flask, endpoint: str) -> frozenset[Role] | str | None:
    """'public', the roles allowed, or None when the route has no policy (refused)."""
    if endpoint in _PUBLIC_ENDPOINTS:
        return "public"
    view = app.view_functions.get(endpoint)
    if view is None:
        return None
    if getattr(view, "is_public", False):
        return "public"
    return getattr(view, "allowed_roles", None)


def enforce_policy():
    """before_request: deny by default; a route with no policy entry is refused."""
    endpoint = request.endpoint
    if endpoint is None:  # 404/405 are answered by routing
        return None
    policy = route_policy(current_app, endpoint)
    if policy == "public":
        return None
    if not current_user.is_authenticated:
        from core.extensions import login_manager

        return login_manager.unauthorized()
    if policy is None or current_user.role not in policy:
        abort(403)
    return None


def has_role(*roles: Role) -> bool:
    """True when the current user holds one of these roles (for templates and object checks)."""
    return bool(current_user and current_user.is_authenticated and current_user.role in roles)


def can_reach(endpoint: str) -> bool:
    """Whether the current user may open this endpoint: the navigation shows only these."""
    policy = route_policy(current_app, endpoint)
    if policy == "public":
        return True
    return bool(policy and current_user.is_authenticated and current_user.role in policy)


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)


def set_security_headers(response):
    """after_request: the headers every answer carries."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(self), microphone=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    user = g.get("_login_user")  # the request's user, if it was loaded (never loaded only for this)
    # An answer that asks to be revalidated every time and kept only by this browser (the
    # tablet's offline data, which the device keeps anyway for a day without network; its ETag
    # makes a repeat a 304) keeps that; nothing is ever cached by a shared cache.
    revalidated = headers.get("Cache-Control") == "private, no-cache"
    if request.endpoint != "static" and user is not None and user.is_authenticated and not revalidated:
        # Whatever a signed-in user is shown (people, licences with national IDs, exports, photos)
        # stays out of every cache, the browser's back-forward one included.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response
