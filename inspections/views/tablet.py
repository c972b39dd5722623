"""The inspector's desk and tablet form, its offline data and the service worker that keeps them
available without network; the inspections panel of the dashboard."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from functools import cache
from pathlib import Path

from flask import Response, current_app, jsonify, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select

from core.args import int_arg
from core.clock import today_tehran, utcnow
from core.dashboard import Panel, dashboard_panel
from core.db import get_or_404
from core.extensions import db
from core.security import allow, public
from core.settings import get_setting
from inspections import operations as ops
from inspections import permissions as perms
from inspections.models import Assignment, AssignmentState, Visit, VisitPurpose
from inspections.permissions import DO_VISITS, VIEW_VISITS
from inspections.views._common import bp, enum_arg
from licensing import operations as licensing_ops
from licensing.models import VisitRequest
from registry import operations as registry_ops
from registry.models import Site

# Static files the tablet needs offline (besides the pages and the offline data).
SHELL_STATIC = (
    "vendor/bootstrap/bootstrap.rtl.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "vendor/vazirmatn/Vazirmatn-Regular.woff2",
    "vendor/vazirmatn/Vazirmatn-Bold.woff2",
    "vendor/jalalidatepicker/jalalidatepicker.min.css",
    "vendor/jalalidatepicker/jalalidatepicker.min.js",
    "css/app.css",
    "css/inspections.css",
    "js/app.js",
    "js/inspections-outbox.js",
    "js/inspections-visit.js",
    "js/inspections-desk.js",
    "vendor/html5-qrcode/html5-qrcode.min.js",
)


# ---------------------------------------------------------------- the tablet


@bp.get("/inspections/")
@allow(*DO_VISITS)
def home():
    assignments = db.session.scalars(ops.assignments_for(current_user).limit(50)).all()
    requests = db.session.scalars(licensing_ops.open_visit_requests().limit(50)).all()
    return render_template(
        "inspections/home.html",
        assignments=assignments,
        requests=requests,
        today=today_tehran(),
        **_tablet_context(),
    )


def _sw_scope() -> str:
    """The pages the service worker controls: the inspector's (/inspections/) only, so that a
    fault in offline caching can never break the rest of the system."""
    return url_for("inspections.home")


def _tablet_context() -> dict:
    return {
        "sw_url": url_for("inspections.service_worker"),
        "sw_scope": _sw_scope(),
        "api_url": url_for("api.inspection_create"),
        "bundle_url": url_for("inspections.offline_data"),
        "session_url": url_for("inspections.session_info"),
        "form_url": url_for("inspections.visit_form"),
        "refresh_min": get_setting("inspection.bundle_refresh_min"),
        "max_skew_min": get_setting("inspection.max_clock_skew_min"),
    }


@bp.get("/inspections/start")
@allow(*DO_VISITS)
def visit_start():
    q = request.args.get("q", "")[:100]
    sites = []
    if q.strip():
        sites = db.session.scalars(registry_ops.search_sites(registry_ops.SiteFilters(q=q)).limit(30)).all()
    return render_template("inspections/start.html", q=q, sites=sites, purposes=VisitPurpose)


@bp.get("/inspections/visits/new")
@allow(*DO_VISITS)
def visit_form():
    """The tablet form. Online it carries its site or request; offline the service worker serves
    the same page without them and the script finds them in the cached offline data."""
    query = request.query_string.decode("utf-8", "replace")
    context: dict = {
        "site": None,
        "request": None,
        "assignment": None,
        "purpose": enum_arg("purpose", VisitPurpose),
        "query": f"?{query}" if query else "",
    }
    assignment_id, request_id, site_id = (int_arg("assignment"), int_arg("request"), int_arg("site"))
    if assignment_id:
        assignment = get_or_404(Assignment, assignment_id)
        context["assignment"] = {
            "id": assignment.id,
            "purpose": assignment.purpose.value,
            "site_id": assignment.site_id,
            "visit_request_id": assignment.visit_request_id,
        }
        context["purpose"] = assignment.purpose.value
        site_id = site_id or assignment.site_id
        request_id = request_id or assignment.visit_request_id
    if request_id:
        visit_request = get_or_404(VisitRequest, request_id)
        context["request"] = ops.request_data(visit_request)
        context["purpose"] = visit_request.purpose
        site_id = site_id or visit_request.site_id
    if site_id:
        context["site"] = ops.site_data(get_or_404(Site, site_id))
    return render_template("inspections/visit_form.html", context=context, **_tablet_context())


@bp.get("/inspections/offline.json")
@allow(*DO_VISITS)
def offline_data():
    """The tablet's offline data, versioned by an ETag of its content: a tablet asking again
    with If-None-Match gets a 304 of a few hundred bytes when nothing changed. The server time
    rides along (X-Server-Time) so the tablet can compare its clock at every refresh."""
    bundle = ops.offline_bundle(current_user)
    etag = ops.bundle_etag(bundle)
    # flask-compress marks the ETag of what it compressed with its algorithm ("…:br").
    if any(tag in request.if_none_match for tag in (etag, f"{etag}:br", f"{etag}:gzip")):
        response = Response(status=304)
    else:
        response = jsonify(bundle)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Server-Time"] = utcnow().isoformat()
    return response


@bp.get("/inspections/session.json")
@allow(*DO_VISITS)
def session_info():
    """A fresh CSRF token for the outbox: a page opened offline may hold an expired one."""
    response = jsonify(
        {"user_id": current_user.id, "csrf_token": generate_csrf(), "server_time": utcnow().isoformat()}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@cache
def _asset_digest(static_folder: str, names: tuple[str, ...], mtimes: tuple[float, ...]) -> str:
    digest = hashlib.sha256()
    for name in names:
        path = Path(static_folder) / name
        if path.is_file():
            digest.update(name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _shell_version() -> str:
    """Changes whenever a cached file or the worker itself changes, so tablets pick it up."""
    folder = current_app.static_folder
    template = Path(current_app.template_folder) / "inspections" / "sw.js"
    mtimes = tuple(
        (Path(folder) / n).stat().st_mtime if (Path(folder) / n).is_file() else 0 for n in SHELL_STATIC
    )
    return (
        _asset_digest(folder, SHELL_STATIC, (*mtimes, template.stat().st_mtime))
        + hashlib.sha256(template.read_bytes()).hexdigest()[:8]
    )


@bp.get("/sw.js")
@public
def service_worker():
    """The service worker. Public: it holds no data, and the browser re-fetches it to look for
    updates even when the session has ended (a login redirect there would only fail the update)."""
    precache = [
        url_for("inspections.home"),
        url_for("inspections.visit_form"),
        url_for("inspections.offline_data"),
        *(url_for("static", filename=name) for name in SHELL_STATIC),
    ]
    shell_pages = [url_for("inspections.home"), url_for("inspections.visit_form")]
    body = render_template(
        "inspections/sw.js",
        version=_shell_version(),
        precache=json.dumps(precache),
        shell_pages=json.dumps(shell_pages),
        bundle_url=json.dumps(url_for("inspections.offline_data")),
        scope=json.dumps(_sw_scope()),
        static_prefix=json.dumps(url_for("static", filename="")),
    )
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = _sw_scope()
    return response


# ---------------------------------------------------------------- the dashboard


@dashboard_panel(order=30, roles=VIEW_VISITS)
def _inspections_panel() -> Panel:
    """Visits of the last 30 days (flagged, awaiting photos), sites due, planned visits; an
    inspector sees their own figures."""
    today = today_tehran()
    own = perms.sees_only_own_visits(current_user)
    recent = select(func.count()).select_from(Visit).where(Visit.visited_on >= today - timedelta(days=30))
    planned = select(func.count()).select_from(Assignment).where(Assignment.state == AssignmentState.PLANNED)
    incomplete = select(func.count()).select_from(Visit).where(Visit.complete.is_(False))
    if own:
        recent = recent.where(Visit.inspector_id == current_user.id)
        planned = planned.where(Assignment.inspector_id == current_user.id)
        incomplete = incomplete.where(Visit.inspector_id == current_user.id)
    flagged = recent.where(Visit.flag_too_far | Visit.flag_poor_fix | Visit.flag_no_fix | Visit.flag_clock)
    context = {
        "own": own,
        "recent": db.session.scalar(recent),
        "flagged": db.session.scalar(flagged),
        "incomplete": db.session.scalar(incomplete),
        "planned": db.session.scalar(planned),
        "overdue": db.session.scalar(planned.where(Assignment.planned_on < today)),
        "due": None
        if own
        else db.session.scalar(select(func.count()).select_from(ops.due_sites(today).subquery())),
    }
    return Panel("بازرسی", "inspections/panels/inspections.html", context, width="col-lg-6")
