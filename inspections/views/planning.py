"""Planning: sites due a visit, assignments to inspectors and the day's route."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from accounts.models import User
from core.args import int_arg, page_arg, parse_int
from core.clock import today_tehran
from core.db import get_or_404
from core.errors import DomainError
from core.extensions import db
from core.forms import show_domain_error
from core.security import Role, allow, require
from core.settings import get_setting
from inspections import operations as ops
from inspections import permissions as perms
from inspections.forms import AssignmentForm, InspectorAreaForm, RouteForm
from inspections.models import Assignment, AssignmentState, VisitPurpose
from inspections.permissions import ASSIGN, VIEW_PLANS
from inspections.views._common import bp, enum_arg, inspector_choices
from licensing import operations as licensing_ops
from licensing.models import VisitRequest
from registry import operations as registry_ops
from registry.models import Site, SiteKind


def _assignment_form() -> AssignmentForm:
    form = AssignmentForm(formdata=None, planned_on=today_tehran())
    form.inspector_id.choices = inspector_choices()
    return form


@bp.get("/inspections/due")
@allow(*VIEW_PLANS)
def due_sites():
    kind = enum_arg("kind", SiteKind)
    county_id = int_arg("county")
    page = db.paginate(
        ops.due_sites(kind=kind, county_id=county_id), page=page_arg(), per_page=25, error_out=False
    )
    ids = [site.id for site in page.items]
    last = ops.last_visit_days(ids)
    rows = [(site, last.get(site.id)) for site in page.items]
    planned = ops.planned_assignments_for_sites(ids)
    return render_template(
        "inspections/due_sites.html",
        page=page,
        rows=rows,
        planned=planned,
        kind=kind,
        county_id=county_id,
        kinds=SiteKind,
        counties=registry_ops.counties_in_order(),
        form=_assignment_form(),
        can_assign=perms.can_assign(current_user),
        interval=get_setting("inspection.visit_interval_days"),
        VisitPurpose=VisitPurpose,
    )


@bp.get("/inspections/assignments")
@allow(*VIEW_PLANS)
def assignment_list():
    inspector_id = int_arg("inspector")
    state = enum_arg("state", AssignmentState) or AssignmentState.PLANNED.value
    page = db.paginate(
        ops.assignments_for(current_user, inspector_id=inspector_id, state=AssignmentState(state)),
        page=page_arg(),
        per_page=25,
        error_out=False,
    )
    requests = db.session.scalars(licensing_ops.open_visit_requests().limit(50)).all()
    return render_template(
        "inspections/assignments.html",
        page=page,
        inspector_id=inspector_id,
        state=state,
        states=AssignmentState,
        inspectors=ops.inspectors(),
        requests=requests,
        form=_assignment_form(),
        can_assign=perms.can_assign(current_user),
    )


@bp.post("/inspections/assignments")
@allow(*ASSIGN)
def assignment_create():
    form = AssignmentForm()
    form.inspector_id.choices = inspector_choices()
    back = redirect(request.referrer or url_for("inspections.assignment_list"))
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return back
    site_id = parse_int(form.site_id.data or "")
    request_id = parse_int(form.visit_request_id.data or "")
    site = db.session.get(Site, site_id) if site_id else None
    visit_request = db.session.get(VisitRequest, request_id) if request_id else None
    if (site_id and site is None) or (request_id and visit_request is None):
        abort(404)
    from accounts.models import User

    try:
        assignment = ops.assign_visit(
            inspector=db.session.get(User, form.inspector_id.data),
            planned_on=form.planned_on.data,
            purpose=form.purpose.data,
            site=site,
            visit_request=visit_request,
            note=form.note.data,
            actor=current_user,
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return back
    db.session.commit()
    flash(
        f"بازدید «{assignment.target_name}» برای {assignment.inspector.full_name} برنامه‌ریزی شد.", "success"
    )
    return back


@bp.post("/inspections/assignments/<int:assignment_id>/cancel")
@allow(*ASSIGN)
def assignment_cancel(assignment_id: int):
    assignment = get_or_404(Assignment, assignment_id)
    try:
        ops.cancel_assignment(assignment, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash("مأموریت لغو شد.", "success")
    return redirect(request.referrer or url_for("inspections.assignment_list"))


@bp.get("/inspections/route")
@allow(*VIEW_PLANS)
def route():
    form = RouteForm(request.args)
    form.inspector_id.choices = inspector_choices("—")
    form.validate()
    if form.inspector_id.errors:  # not one of the inspectors: no route rather than a guess
        form.inspector_id.data = None
    require(perms.can_view_route(current_user, form.inspector_id.data))
    if not form.inspector_id.data and perms.sees_only_own_visits(current_user):
        form.inspector_id.data = current_user.id
    day = form.day.data or today_tehran()
    if not request.args.get("day"):
        form.day.data = day
    plan = None
    if form.inspector_id.data:
        assignments = db.session.scalars(
            ops.assignments_for(current_user, inspector_id=form.inspector_id.data, day=day)
        ).all()
        start = None
        if (
            not form.start_lat.errors
            and not form.start_lon.errors
            and form.start_lat.data is not None
            and form.start_lon.data is not None
        ):
            start = (float(form.start_lat.data), float(form.start_lon.data))
        plan = ops.plan_route(start, list(assignments))
    return render_template("inspections/route.html", form=form, plan=plan, day=day)


@bp.route("/inspections/inspectors/<int:user_id>/area", methods=["GET", "POST"])
@allow(Role.ADMIN)
def inspector_area(user_id: int):
    """The admin sets an inspector's counties (the tablet's offline area)."""
    inspector = get_or_404(User, user_id)
    if inspector.role != Role.INSPECTOR:
        abort(404)
    form = InspectorAreaForm(counties=[c.id for c in registry_ops.counties_of(inspector.id)])
    form.counties.choices = [(c.id, c.name) for c in registry_ops.counties_in_order()]
    if form.validate_on_submit():
        try:
            registry_ops.set_user_counties(inspector, form.counties.data or [], actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash("حوزه کار بازرس ذخیره شد.", "success")
            return redirect(url_for("inspections.inspector_area", user_id=inspector.id))
    return render_template("inspections/inspector_area.html", form=form, inspector=inspector)
