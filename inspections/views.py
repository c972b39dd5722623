"""Inspection screens: the inspector's desk and tablet form, the service worker, visits and their
reports, referrals, planning and routes, and the checklist editor."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from committees.models import ViolationType
from core.args import int_arg, page_arg
from core.clock import today_tehran
from core.dashboard import Panel, dashboard_panel
from core.db import get_or_404
from core.errors import DomainError
from core.extensions import db
from core.forms import choices, enum_choices, show_domain_error
from core.pdf import pdf_response
from core.persian import to_persian_digits
from core.security import allow, public, require
from core.xlsx import Sheet, wants_xlsx, xlsx_response
from inspections import operations as ops
from inspections import permissions as perms
from inspections.forms import (
    AssignmentForm,
    ChecklistEditForm,
    ChecklistNewForm,
    ReferralForm,
    RouteForm,
)
from inspections.models import (
    Assignment,
    AssignmentState,
    Checklist,
    ChecklistVersion,
    Visit,
    VisitPurpose,
)
from inspections.permissions import (
    ASSIGN,
    DO_VISITS,
    EDIT_CHECKLISTS,
    REFER,
    VIEW_CHECKLISTS,
    VIEW_PLANS,
    VIEW_VISITS,
)
from licensing import operations as licensing_ops
from licensing.models import VisitRequest
from registry import operations as registry_ops
from registry.models import Site, SiteKind

bp = Blueprint("inspections", __name__)

# Static files the tablet needs offline (besides the pages and the offline data).
SHELL_STATIC = (
    "vendor/bootstrap/bootstrap.rtl.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "vendor/vazirmatn/Vazirmatn-Regular.woff2",
    "vendor/vazirmatn/Vazirmatn-Medium.woff2",
    "vendor/vazirmatn/Vazirmatn-Bold.woff2",
    "css/app.css",
    "css/inspections.css",
    "js/app.js",
    "js/inspections-outbox.js",
    "js/inspections-visit.js",
)


def _enum_arg(name: str, enum_cls) -> str | None:
    value = request.args.get(name) or None
    return value if value in {m.value for m in enum_cls} else None


def _visit_or_404(uuid: str) -> Visit:
    visit_uuid = ops.valid_uuid(uuid)
    visit = ops.find_visit(visit_uuid) if visit_uuid else None
    if visit is None:
        abort(404)
    require(perms.can_view_visit(current_user, visit))
    return visit


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
        "purpose": _enum_arg("purpose", VisitPurpose),
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
    response = jsonify(ops.offline_bundle(current_user))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/inspections/session.json")
@allow(*DO_VISITS)
def session_info():
    """A fresh CSRF token for the outbox: a page opened offline may hold an expired one."""
    response = jsonify({"user_id": current_user.id, "csrf_token": generate_csrf()})
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


# ---------------------------------------------------------------- visits


@bp.get("/inspections/visits")
@allow(*VIEW_VISITS)
def visit_list():
    filters = ops.VisitFilters(
        purpose=_enum_arg("purpose", VisitPurpose),
        inspector_id=int_arg("inspector"),
        site_id=int_arg("site"),
        flagged=request.args.get("flagged") == "1",
        incomplete=request.args.get("incomplete") == "1",
    )
    stmt = ops.search_visits(filters, viewer=current_user)
    if wants_xlsx():
        visits = db.session.scalars(stmt).unique()
        return xlsx_response(
            "visits.xlsx",
            [
                Sheet(
                    "بازدیدها",
                    (
                        "شناسه",
                        "تاریخ",
                        "هدف",
                        "محل",
                        "کد محل",
                        "بازرس",
                        "فاصله از محل (متر)",
                        "دور از محل",
                        "موقعیت نامطمئن",
                        "موارد ناموفق",
                        "کامل",
                    ),
                    (
                        (
                            v.uuid,
                            v.visited_on,
                            v.purpose,
                            v.site.name if v.site else None,
                            v.site.code if v.site else None,
                            v.inspector.full_name,
                            round(v.distance_m) if v.distance_m is not None else None,
                            "بله" if v.flag_too_far else "خیر",
                            "بله" if v.flag_poor_fix else "خیر",
                            v.failed_count,
                            "بله" if v.complete else "خیر",
                        )
                        for v in visits
                    ),
                )
            ],
        )
    page = db.paginate(stmt, page=page_arg(), per_page=25, error_out=False)
    return render_template(
        "inspections/visit_list.html",
        page=page,
        filters=filters,
        purposes=VisitPurpose,
        inspectors=ops.inspectors(),
        own_only=perms.sees_only_own_visits(current_user),
    )


@bp.get("/inspections/visits/<uuid>")
@allow(*VIEW_VISITS)
def visit_detail(uuid: str):
    visit = _visit_or_404(uuid)
    referable = ops.referable_answers(visit)
    form = ReferralForm(formdata=None)
    form.answer_ids.choices = choices(
        (
            a.id,
            to_persian_digits(f"{a.item.text} — {a.item.violation_type.code} {a.item.violation_type.title}"),
        )
        for a in referable
    )
    form.answer_ids.data = [a.id for a in referable]
    return render_template(
        "inspections/visit_detail.html",
        visit=visit,
        referable=referable,
        form=form,
        cases=ops.visit_cases(visit),
        referral_site=ops.referral_site(visit),
        can_refer=perms.can_refer(current_user, visit),
    )


@bp.get("/inspections/visits/<uuid>/photos/<sha256>")
@allow(*VIEW_VISITS)
def visit_photo(uuid: str, sha256: str):
    visit = _visit_or_404(uuid)
    photo = next((p for p in visit.photos if p.sha256 == sha256.lower() and p.arrived), None)
    if photo is None or not ops.photo_path(photo).is_file():
        abort(404)
    response = send_file(ops.photo_path(photo), mimetype=photo.content_type)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.get("/inspections/visits/<uuid>/report.pdf")
@allow(*VIEW_VISITS)
def visit_report(uuid: str):
    from inspections.pdf import report_filename, visit_report_pdf

    visit = _visit_or_404(uuid)
    return pdf_response(visit_report_pdf(visit), report_filename(visit))


@bp.post("/inspections/visits/<uuid>/refer")
@allow(*REFER)
def visit_refer(uuid: str):
    visit = _visit_or_404(uuid)
    require(perms.can_refer(current_user, visit))
    form = ReferralForm()
    form.answer_ids.choices = choices((a.id, a.item.text) for a in ops.referable_answers(visit))
    back = redirect(url_for("inspections.visit_detail", uuid=visit.uuid))
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return back
    try:
        case = ops.refer_to_committee(
            visit, answer_ids=form.answer_ids.data, summary=form.summary.data, actor=current_user
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return back
    db.session.commit()
    flash(f"پرونده تخلف {case.number} در کمیته تخلفات تشکیل شد.", "success")
    return back


@bp.app_template_global()
def site_visits(site) -> list[Visit]:
    """A site's visits for the registry's site page (an inspector sees only their own)."""
    if not perms.can_view_visit_list(current_user):
        return []
    return ops.visits_of_site(site, viewer=current_user)


# ---------------------------------------------------------------- planning


def _inspector_choices(blank: str | None = None):
    pairs = [(u.id, u.full_name) for u in ops.inspectors()]
    return choices([(0, blank), *pairs] if blank else pairs)


def _assignment_form() -> AssignmentForm:
    form = AssignmentForm(formdata=None, planned_on=today_tehran())
    form.inspector_id.choices = _inspector_choices()
    return form


@bp.get("/inspections/due")
@allow(*VIEW_PLANS)
def due_sites():
    kind = _enum_arg("kind", SiteKind)
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
        interval=ops.get_setting("inspection.visit_interval_days"),
        VisitPurpose=VisitPurpose,
    )


@bp.get("/inspections/assignments")
@allow(*VIEW_PLANS)
def assignment_list():
    inspector_id = int_arg("inspector")
    state = _enum_arg("state", AssignmentState) or AssignmentState.PLANNED.value
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
    form.inspector_id.choices = _inspector_choices()
    back = redirect(request.referrer or url_for("inspections.assignment_list"))
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return back
    site_id = int(form.site_id.data) if (form.site_id.data or "").isdigit() else None
    request_id = int(form.visit_request_id.data) if (form.visit_request_id.data or "").isdigit() else None
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
    form.inspector_id.choices = _inspector_choices("—")
    if not form.inspector_id.data and perms.sees_only_own_visits(current_user):
        form.inspector_id.data = current_user.id
    form.validate()
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


# ---------------------------------------------------------------- checklists


def _violation_choices():
    types = db.session.scalars(
        select(ViolationType).where(ViolationType.active.is_(True)).order_by(ViolationType.code)
    ).all()
    return choices([(0, "—"), *((t.id, f"{t.code} — {t.title}") for t in types)])


def _prepare_items(form: ChecklistEditForm, blank_rows: int = 3) -> None:
    if request.method == "GET":
        for _ in range(blank_rows):
            form.items.append_entry({"required": True, "severity": "medium", "answer_type": "yes_no"})
    options = _violation_choices()
    for entry in form.items:
        entry.form.violation_type_id.choices = options


def _items_from(form: ChecklistEditForm) -> list[dict]:
    return [
        {
            "text": e.form.text.data,
            "answer_type": e.form.answer_type.data,
            "severity": e.form.severity.data,
            "violation_type_id": e.form.violation_type_id.data or None,
            "required": e.form.required.data,
            "min_value": None if e.form.min_value.data is None else float(e.form.min_value.data),
        }
        for e in form.items
    ]


@bp.get("/inspections/checklists")
@allow(*VIEW_CHECKLISTS)
def checklist_list():
    return render_template("inspections/checklists.html", checklists=ops.checklists_in_order())


@bp.get("/inspections/checklists/<int:checklist_id>")
@allow(*VIEW_CHECKLISTS)
def checklist_detail(checklist_id: int):
    checklist = get_or_404(Checklist, checklist_id)
    number = int_arg("version")
    version = checklist.current_version
    if number:
        version = next((v for v in checklist.versions if v.number == number), None)
        if version is None:
            abort(404)
    used = {v.id: n for v, n in zip(checklist.versions, _visit_counts(checklist), strict=True)}
    return render_template(
        "inspections/checklist_detail.html", checklist=checklist, version=version, used=used
    )


def _visit_counts(checklist: Checklist) -> list[int]:
    from sqlalchemy import func

    counts = dict(
        db.session.execute(
            select(Visit.checklist_version_id, func.count())
            .join(ChecklistVersion)
            .where(ChecklistVersion.checklist_id == checklist.id)
            .group_by(Visit.checklist_version_id)
        ).all()
    )
    return [counts.get(v.id, 0) for v in checklist.versions]


@bp.route("/inspections/checklists/<int:checklist_id>/edit", methods=["GET", "POST"])
@allow(*EDIT_CHECKLISTS)
def checklist_edit(checklist_id: int):
    checklist = get_or_404(Checklist, checklist_id)
    current = checklist.current_version
    data = {
        "items": [
            {
                **i,
                "answer_type": i["answer_type"].value,
                "severity": i["severity"].value,
                "violation_type_id": i["violation_type_id"] or 0,
            }
            for i in (ops.version_items(current) if current else [])
        ]
    }
    form = ChecklistEditForm(data=data) if request.method == "GET" else ChecklistEditForm()
    _prepare_items(form)
    if form.validate_on_submit():
        try:
            version = ops.save_checklist_version(
                checklist, _items_from(form), note=form.note.data, actor=current_user
            )
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash(
                f"نسخه {version.number} چک‌لیست ذخیره شد؛ بازدیدهای پیشین نسخه خود را نگه می‌دارند.", "success"
            )
            return redirect(url_for("inspections.checklist_detail", checklist_id=checklist.id))
    return render_template("inspections/checklist_form.html", form=form, checklist=checklist)


@bp.route("/inspections/checklists/new", methods=["GET", "POST"])
@allow(*EDIT_CHECKLISTS)
def checklist_new():
    form = ChecklistNewForm()
    form.purpose.choices = enum_choices(VisitPurpose)
    _prepare_items(form, blank_rows=4)
    if form.validate_on_submit():
        try:
            checklist = ops.create_checklist(
                form.purpose.data,
                form.site_kind.data,
                title=form.title.data,
                items=_items_from(form),
                actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"چک‌لیست «{checklist.title}» ساخته شد.", "success")
            return redirect(url_for("inspections.checklist_detail", checklist_id=checklist.id))
    return render_template("inspections/checklist_form.html", form=form, checklist=None)


@bp.post("/inspections/checklists/<int:checklist_id>/active")
@allow(*EDIT_CHECKLISTS)
def checklist_toggle(checklist_id: int):
    checklist = get_or_404(Checklist, checklist_id)
    ops.set_checklist_active(checklist, not checklist.active, actor=current_user)
    db.session.commit()
    flash(
        "چک‌لیست فعال شد." if checklist.active else "چک‌لیست غیرفعال شد؛ در فرم بازدید دیده نمی‌شود.", "success"
    )
    return redirect(url_for("inspections.checklist_detail", checklist_id=checklist.id))


# ---------------------------------------------------------------- the dashboard


@dashboard_panel(order=30, roles=VIEW_VISITS)
def _inspections_panel() -> Panel:
    """Visits of the last 30 days (flagged, awaiting photos), sites due, planned visits; an
    inspector sees their own figures."""
    from datetime import timedelta

    from sqlalchemy import func

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
