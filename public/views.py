"""The public pages (office finder, complaint form, tracking) and the staff's complaint desk."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from committees import operations as committee_ops
from core import storage
from core.args import enum_arg, page_arg
from core.db import get_or_404
from core.errors import DomainError
from core.extensions import db
from core.forms import choices, show_domain_error
from core.geo import in_iran
from core.persian import to_latin_digits, to_persian_digits
from core.security import allow, public
from inspections import operations as inspection_ops
from public import operations as ops
from public.forms import (
    AskOfficeForm,
    ComplaintForm,
    DismissForm,
    FinderForm,
    OfficeAnswerForm,
    OfficeProfileForm,
    ReferForm,
    ScheduleForm,
    ServiceTypeForm,
    TrackForm,
)
from public.models import Complaint, ComplaintState, ServiceType
from public.permissions import (
    EDIT_CATALOGUE,
    EDIT_OFFICE_PROFILE,
    HANDLE_COMPLAINTS,
    VIEW_COMPLAINTS,
    can_see_contact,
)
from registry import operations as registry_ops
from registry.models import Site

bp = Blueprint("public", __name__)

# Public pages hold no personal data: shared caches may keep them for a few minutes.
PUBLIC_CACHE = "public, max-age=300"


def _cacheable(response):
    response = make_response(response)
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return response


def _near() -> tuple[float, float] | None:
    """The visitor's position from ?lat=&lon= (the page asks the browser), when it is a point in Iran."""
    try:
        lat = float(to_latin_digits(request.args.get("lat", ""))[:20])
        lon = float(to_latin_digits(request.args.get("lon", ""))[:20])
    except ValueError:
        return None
    return (lat, lon) if in_iran(lat, lon) else None


# --------------------------------------------------------------------------- public pages


@bp.get("/offices")
@public
def finder():
    form = FinderForm(request.args)
    form.validate()
    near = _near()
    offices = ops.find_offices(
        county_id=form.county.data if not form.county.errors else None,
        locality=form.q.data,
        service_id=form.service.data if not form.service.errors else None,
        near=near,
    )
    return _cacheable(
        render_template(
            "public/finder.html",
            form=form,
            offices=offices,
            near=near,
            counties=registry_ops.counties_in_order(),
            services=ops.active_services(),
        )
    )


@bp.get("/offices/markers.json")
@public
def finder_markers():
    return _cacheable(jsonify(ops.office_markers()))


@bp.get("/offices/<code>")
@public
def office_page(code: str):
    site = ops.licensed_office_by_code(code[:20])
    if site is None:
        abort(404)
    found = ops._with_profiles([site], None)[0]
    return _cacheable(render_template("public/office.html", office=found))


@bp.route("/complaints/new", methods=["GET", "POST"])
@public
def complaint_new():
    form = ComplaintForm()
    if request.method == "GET" and request.args.get("office"):
        form.office_code.data = to_persian_digits(request.args["office"][:20])
    if form.validate_on_submit():
        try:
            ops.check_challenge(form.challenge_token.data, form.challenge_answer.data)
            photo = form.photo.data.read() if form.photo.data else None
            complaint = ops.file_complaint(
                office_code=form.office_code.data,
                happened_on=form.happened_on.data,
                description=form.description.data,
                complainant_name=form.complainant_name.data,
                complainant_mobile=form.complainant_mobile.data,
                complainant_email=form.complainant_email.data,
                photo=photo,
                client_address=request.remote_addr,
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for("public.complaint_filed", code=complaint.tracking_code))
    challenge = ops.new_challenge()
    form.challenge_token.data = challenge.token
    form.challenge_answer.raw_data = None
    form.challenge_answer.data = ""
    response = make_response(render_template("public/complaint_form.html", form=form, challenge=challenge))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/complaints/filed/<code>")
@public
def complaint_filed(code: str):
    complaint = ops.complaint_by_code(code)
    if complaint is None:
        abort(404)
    response = make_response(render_template("public/complaint_filed.html", complaint=complaint))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/complaints/track")
@public
def complaint_track():
    form = TrackForm(request.args)
    complaint = None
    searched = "code" in request.args
    if searched and form.validate():
        complaint = ops.complaint_by_code(form.code.data)
        if complaint is None:
            form.code.errors = ["شکایتی با این کد پیگیری یافت نشد."]
    response = make_response(render_template("public/track.html", form=form, complaint=complaint))
    response.headers["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------- the complaint desk


@bp.get("/complaints")
@allow(*VIEW_COMPLAINTS)
def complaint_list():
    state = enum_arg("state", ComplaintState)
    page = db.paginate(
        ops.complaints(ComplaintState(state) if state else None),
        page=page_arg(),
        per_page=25,
        error_out=False,
    )
    return render_template("public/complaint_list.html", page=page, state=state, states=ComplaintState)


def _desk_forms() -> dict:
    schedule = ScheduleForm(prefix="schedule")
    schedule.inspector_id.choices = choices((u.id, u.full_name) for u in inspection_ops.inspectors())
    refer = ReferForm(prefix="refer")
    refer.violation_type_ids.choices = choices(
        (v.id, f"{v.code} — {v.title}") for v in committee_ops.active_violation_types()
    )
    return {
        "dismiss_form": DismissForm(prefix="dismiss"),
        "ask_form": AskOfficeForm(prefix="ask"),
        "answer_form": OfficeAnswerForm(prefix="answer"),
        "schedule_form": schedule,
        "refer_form": refer,
    }


def _desk(complaint: Complaint, forms: dict | None = None, status: int = 200):
    return (
        render_template(
            "public/complaint_detail.html",
            complaint=complaint,
            show_contact=can_see_contact(current_user),
            can_handle=current_user.role in HANDLE_COMPLAINTS,
            **(forms or _desk_forms()),
        ),
        status,
    )


@bp.get("/complaints/<int:complaint_id>")
@allow(*VIEW_COMPLAINTS)
def complaint_detail(complaint_id: int):
    return _desk(get_or_404(Complaint, complaint_id))


@bp.get("/complaints/<int:complaint_id>/photo")
@allow(*VIEW_COMPLAINTS)
def complaint_photo(complaint_id: int):
    complaint = get_or_404(Complaint, complaint_id)
    if not complaint.photo_key:
        abort(404)
    file_type = storage.PNG if complaint.photo_key.endswith(storage.PNG.extension) else storage.JPEG
    return send_file(storage.path(complaint.photo_key), mimetype=file_type.content_type, max_age=0)


@bp.post("/complaints/<int:complaint_id>/<action>")
@allow(*HANDLE_COMPLAINTS)
def complaint_act(complaint_id: int, action: str):
    complaint = get_or_404(Complaint, complaint_id)
    forms = _desk_forms()
    handlers = {
        "dismiss": (
            "dismiss_form",
            lambda f: ops.dismiss_complaint(complaint, f.reason.data, actor=current_user),
        ),
        "ask-office": (
            "ask_form",
            lambda f: ops.ask_office(complaint, due_on=f.due_on.data, actor=current_user),
        ),
        "answer": (
            "answer_form",
            lambda f: ops.record_office_answer(complaint, f.answer.data, actor=current_user),
        ),
        "schedule": (
            "schedule_form",
            lambda f: ops.schedule_inspection(
                complaint,
                inspector=next(u for u in inspection_ops.inspectors() if u.id == f.inspector_id.data),
                planned_on=f.planned_on.data,
                actor=current_user,
            ),
        ),
        "refer": (
            "refer_form",
            lambda f: ops.refer_to_committee(
                complaint,
                violation_type_ids=f.violation_type_ids.data,
                summary=f.summary.data,
                actor=current_user,
            ),
        ),
    }
    if action not in handlers:
        abort(404)
    name, act = handlers[action]
    form = forms[name]
    if form.validate_on_submit():
        try:
            act(form)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"شکایت {complaint.tracking_code}: {complaint.state.label}.", "success")
            return redirect(url_for("public.complaint_detail", complaint_id=complaint.id))
    return _desk(complaint, forms, 422)


# --------------------------------------------------------------------------- catalogue and office profile


@bp.route("/admin/services", methods=["GET", "POST"])
@allow(*EDIT_CATALOGUE)
def service_types():
    form = ServiceTypeForm()
    if form.validate_on_submit():
        try:
            ops.add_service_type(form.name.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("خدمت به فهرست افزوده شد.", "success")
            return redirect(url_for("public.service_types"))
    services = db.session.scalars(select(ServiceType).order_by(ServiceType.name)).all()
    return render_template("public/service_types.html", form=form, services=services)


@bp.post("/admin/services/<int:service_id>/active")
@allow(*EDIT_CATALOGUE)
def service_toggle(service_id: int):
    service = get_or_404(ServiceType, service_id)
    ops.set_service_active(service, not service.active, actor=current_user)
    db.session.commit()
    return redirect(url_for("public.service_types"))


@bp.route("/sites/<int:site_id>/public-profile", methods=["GET", "POST"])
@allow(*EDIT_OFFICE_PROFILE)
def office_profile(site_id: int):
    site = get_or_404(Site, site_id)
    if not site.kind.is_office:
        abort(404)
    hours, service_ids = ops.office_profile(site)
    form = OfficeProfileForm(data={"hours": hours, "service_ids": service_ids})
    form.service_ids.choices = choices((s.id, s.name) for s in ops.active_services())
    if form.validate_on_submit():
        try:
            ops.set_office_profile(
                site, hours=form.hours.data, service_ids=form.service_ids.data, actor=current_user
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("ساعات کار و خدمات دفتر ذخیره شد.", "success")
            return redirect(url_for("registry.site_detail", site_id=site.id))
    return render_template("public/office_profile.html", form=form, site=site)
