"""Licensing screens: the officer's inbox, applications, working-group sessions, licences."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.args import enum_arg, page_arg
from core.clock import today_tehran
from core.dashboard import Panel, dashboard_panel
from core.db import get_or_404
from core.errors import DomainError
from core.extensions import db
from core.forms import choices, show_domain_error
from core.pdf import pdf_response
from core.persian import isolate_code
from core.security import allow, can_reach
from core.xlsx import Sheet, wants_xlsx, xlsx_response
from licensing import operations as ops
from licensing.forms import (
    AddressChangeForm,
    AgendaForm,
    AttendeeForm,
    DecisionForm,
    NewApplicationForm,
    NoteForm,
    OverrideForm,
    RenewalForm,
    SessionForm,
    TransferForm,
    UploadForm,
    VisitRequestForm,
    VisitResultForm,
)
from licensing.models import (
    AgendaItem,
    Application,
    ApplicationDocument,
    ApplicationKind,
    ApplicationState,
    DocumentType,
    Licence,
    LicenceStatus,
    VisitRequest,
    WorkingGroupSession,
)
from licensing.permissions import EDIT, VIEW, VISITS
from registry import operations as registry_ops

bp = Blueprint("licensing", __name__)

FORMS = {
    ApplicationKind.NEW: NewApplicationForm,
    ApplicationKind.TRANSFER: TransferForm,
    ApplicationKind.RENEWAL: RenewalForm,
    ApplicationKind.ADDRESS_CHANGE: AddressChangeForm,
}


# ---------------------------------------------------------------- inbox and applications


@bp.get("/applications")
@allow(*VIEW)
def inbox():
    state = enum_arg("state", ApplicationState)
    kind = enum_arg("kind", ApplicationKind)
    overdue = request.args.get("overdue") == "1"
    q = request.args.get("q", "")[:100]
    stmt = ops.inbox(state=state, kind=kind, q=q, overdue_only=overdue)
    if wants_xlsx():
        # National IDs are personal data: only the roles that see people get them.
        with_ids = can_reach("registry.person_detail")
        headers = (
            "شماره",
            "نوع",
            "متقاضی",
            *(("کد ملی",) if with_ids else ()),
            "وضعیت",
            "تاریخ دریافت",
            "مهلت",
            "دیرکرد",
        )
        rows = (
            (
                a.number,
                a.kind,
                a.applicant.full_name,
                *((a.applicant.national_id,) if with_ids else ()),
                a.state,
                a.received_on,
                a.due_on,
                "بله" if ops.is_overdue(a) else "خیر",
            )
            for a in db.session.scalars(stmt).unique()
        )
        return xlsx_response("applications.xlsx", [Sheet("درخواست‌ها", headers, rows)])
    page = db.paginate(stmt, page=page_arg(), per_page=25, error_out=False)
    return render_template(
        "licensing/inbox.html",
        page=page,
        state=state,
        kind=kind,
        q=q,
        overdue=overdue,
        states=ApplicationState,
        kinds=ApplicationKind,
        today=today_tehran(),
        is_overdue=ops.is_overdue,
    )


def _applicant(form, field: str = "applicant_national_id"):
    person = registry_ops.find_person_by_national_id(form[field].data)
    if person is None:
        raise DomainError("شخصی با این کد ملی ثبت نشده است؛ نخست او را در «اشخاص» ثبت کنید.", field=field)
    return person


def _licence_from(form):
    licence = ops.find_licence(form.licence_number.data or "")
    if licence is None:
        raise DomainError("پروانه‌ای با این شماره یافت نشد.", field="licence_number")
    return licence


def _create_from_form(kind: ApplicationKind, form) -> Application:
    common = {"received_on": form.received_on.data, "notes": form.notes.data}
    if kind == ApplicationKind.NEW:
        return ops.create_application(
            kind,
            applicant=_applicant(form),
            actor=current_user,
            office_kind=form.office_kind.data,
            office_name=form.office_name.data,
            county_id=form.county_id.data,
            locality=form.locality.data,
            locality_type=form.locality_type.data,
            address=form.address.data,
            postal_code=form.postal_code.data,
            lat=float(form.lat.data),
            lon=float(form.lon.data),
            premises_m2=form.premises_m2.data,
            **common,
        )
    licence = _licence_from(form)
    if kind == ApplicationKind.TRANSFER:
        return ops.create_application(
            kind, applicant=_applicant(form), licence=licence, actor=current_user, **common
        )
    if kind == ApplicationKind.RENEWAL:
        return ops.create_application(
            kind, applicant=licence.holder, licence=licence, actor=current_user, **common
        )
    return ops.create_application(
        kind,
        applicant=licence.holder,
        licence=licence,
        actor=current_user,
        address=form.address.data,
        locality=form.locality.data,
        postal_code=form.postal_code.data,
        lat=float(form.lat.data),
        lon=float(form.lon.data),
        **common,
    )


@bp.route("/applications/new", methods=["GET", "POST"])
@allow(*EDIT)
def application_new():
    kind_arg = request.args.get("kind", "new")
    try:
        kind = ApplicationKind(kind_arg)
    except ValueError:
        abort(404)
    form = FORMS[kind](received_on=today_tehran())
    if kind == ApplicationKind.NEW:
        form.county_id.choices = choices(
            [(0, "—"), *((c.id, c.name) for c in registry_ops.counties_in_order())]
        )
    if form.validate_on_submit():
        try:
            application = _create_from_form(kind, form)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"درخواست {isolate_code(application.number)} ثبت شد.", "success")
            return redirect(url_for("licensing.application_detail", application_id=application.id))
    return render_template("licensing/application_form.html", form=form, kind=kind, kinds=ApplicationKind)


@bp.get("/applications/<int:application_id>")
@allow(*VIEW)
def application_detail(application_id: int):
    application = get_or_404(Application, application_id)
    upload = UploadForm()
    checklist = ops.document_checklist(application)
    upload.document_type_id.choices = choices((t.id, t.title) for t, _ in checklist)
    return render_template(
        "licensing/application_detail.html",
        a=application,
        checks=ops.eligibility_checks(application),
        checklist=checklist,
        upload=upload,
        note_form=NoteForm(),
        override_form=OverrideForm(),
        visit_form=VisitRequestForm(),
        result_form=VisitResultForm(),
        allowed=ops.TRANSITIONS[application.state],
        S=ApplicationState,
        overdue=ops.is_overdue(application),
        licences=_licences_of(application),
    )


def _licences_of(application: Application) -> list[Licence]:
    return list(db.session.scalars(select(Licence).where(Licence.application_id == application.id)))


def _back(application: Application):
    return redirect(url_for("licensing.application_detail", application_id=application.id))


def _run(application: Application, action, success: str):
    """Run an operation for a POST from the application page; Persian message either way."""
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(success, "success")
    return _back(application)


@bp.post("/applications/<int:application_id>/transition")
@allow(*EDIT)
def application_transition(application_id: int):
    application = get_or_404(Application, application_id)
    form = NoteForm()
    if not form.validate():
        flash("توضیح بیش از اندازه بلند است.", "danger")
        return _back(application)
    try:
        target = ApplicationState(form.to_state.data)
    except ValueError:
        flash("گام درخواستی معتبر نیست.", "danger")
        return _back(application)
    if target in (
        ApplicationState.APPROVED,
        ApplicationState.REJECTED,
        ApplicationState.DEFERRED,
        ApplicationState.LICENCE_ISSUED,
    ):
        flash("تصمیم کارگروه فقط در جلسه کارگروه و صدور پروانه با دکمه صدور ثبت می‌شود.", "danger")
        return _back(application)
    return _run(
        application,
        lambda: ops.transition(application, target, actor=current_user, note=form.note.data),
        f"درخواست به «{target.label}» رفت.",
    )


@bp.post("/applications/<int:application_id>/documents")
@allow(*EDIT)
def document_upload(application_id: int):
    application = get_or_404(Application, application_id)
    form = UploadForm()
    form.document_type_id.choices = choices((t.id, t.title) for t, _ in ops.document_checklist(application))
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return _back(application)
    document_type = db.session.get(DocumentType, form.document_type_id.data)
    upload = form.file.data
    content = upload.read()
    return _run(
        application,
        lambda: ops.add_document(application, document_type, upload.filename, content, actor=current_user),
        f"مدرک «{document_type.title}» بارگذاری شد.",
    )


@bp.get("/documents/<int:document_id>")
@allow(*EDIT)  # identity papers and degrees: not for read-only roles
def document_download(document_id: int):
    document = get_or_404(ApplicationDocument, document_id)
    path = ops.document_path(document)
    if not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype=document.content_type,
        download_name=document.filename,
        as_attachment=document.content_type == "application/pdf",
    )


@bp.post("/applications/<int:application_id>/override")
@allow(*EDIT)
def check_override(application_id: int):
    application = get_or_404(Application, application_id)
    form = OverrideForm()
    if not form.validate():
        flash("دلیل نادیده گرفتن شرط را بنویسید.", "danger")
        return _back(application)
    return _run(
        application,
        lambda: ops.override_check(application, form.check_code.data, form.reason.data, actor=current_user),
        "شرط با ذکر دلیل نادیده گرفته شد.",
    )


@bp.post("/applications/<int:application_id>/visit")
@allow(*EDIT)
def visit_request(application_id: int):
    application = get_or_404(Application, application_id)
    form = VisitRequestForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return _back(application)
    return _run(
        application,
        lambda: ops.request_site_visit(
            application, actor=current_user, due_on=form.due_on.data, note=form.note.data
        ),
        "درخواست بازدید محل برای بازرسان ثبت شد.",
    )


@bp.post("/applications/<int:application_id>/issue")
@allow(*EDIT)
def issue(application_id: int):
    application = get_or_404(Application, application_id)
    try:
        licence = ops.issue_licence(application, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _back(application)
    db.session.commit()
    flash(f"پروانه {isolate_code(licence.number)} صادر شد.", "success")
    return redirect(url_for("licensing.licence_detail", licence_id=licence.id))


# ---------------------------------------------------------------- site visits


@bp.get("/visit-requests")
@allow(*VISITS)
def visit_requests():
    page = db.paginate(ops.open_visit_requests(), page=page_arg(), per_page=25, error_out=False)
    return render_template(
        "licensing/visit_requests.html", page=page, form=VisitResultForm(), today=today_tehran()
    )


@bp.post("/visit-requests/<int:visit_id>/result")
@allow(*VISITS)
def visit_result(visit_id: int):
    visit = get_or_404(VisitRequest, visit_id)
    form = VisitResultForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return redirect(request.referrer or url_for("licensing.visit_requests"))
    try:
        ops.record_visit_result(
            visit, passed=form.passed.data == "yes", notes=form.notes.data, actor=current_user
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash("نتیجه بازدید ثبت شد.", "success")
    return redirect(request.referrer or url_for("licensing.visit_requests"))


# ---------------------------------------------------------------- working-group sessions


@bp.get("/wg-sessions")
@allow(*VIEW)
def session_list():
    sessions = db.session.scalars(
        select(WorkingGroupSession).order_by(WorkingGroupSession.held_on.desc())
    ).all()
    return render_template("licensing/session_list.html", sessions=sessions, ready=ops.ready_applications())


@bp.route("/wg-sessions/new", methods=["GET", "POST"])
@allow(*EDIT)
def session_new():
    form = SessionForm()
    if form.validate_on_submit():
        try:
            session = ops.schedule_session(form.held_on.data, place=form.place.data, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"جلسه {isolate_code(session.number)} برنامه‌ریزی شد.", "success")
            return redirect(url_for("licensing.session_detail", session_id=session.id))
    return render_template("licensing/session_form.html", form=form)


@bp.get("/wg-sessions/<int:session_id>")
@allow(*VIEW)
def session_detail(session_id: int):
    session = get_or_404(WorkingGroupSession, session_id)
    agenda_form = AgendaForm()
    agenda_form.application_id.choices = choices(
        (a.id, f"{a.number} — {a.kind.label} — {a.applicant.full_name}") for a in ops.ready_applications()
    )
    return render_template(
        "licensing/session_detail.html",
        session=session,
        agenda_form=agenda_form,
        attendee_form=AttendeeForm(),
        decision_form=DecisionForm(),
    )


def _session_back(session: WorkingGroupSession):
    return redirect(url_for("licensing.session_detail", session_id=session.id))


def _session_run(session, action, success):
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(success, "success")
    return _session_back(session)


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(error, "danger")


@bp.post("/wg-sessions/<int:session_id>/agenda")
@allow(*EDIT)
def session_add_item(session_id: int):
    session = get_or_404(WorkingGroupSession, session_id)
    form = AgendaForm()
    form.application_id.choices = choices((a.id, a.number) for a in ops.ready_applications())
    if not form.validate():
        _flash_errors(form)
        return _session_back(session)
    application = db.session.get(Application, form.application_id.data)
    return _session_run(
        session,
        lambda: ops.add_to_agenda(session, application, actor=current_user),
        f"درخواست {isolate_code(application.number)} به دستور جلسه افزوده شد.",
    )


@bp.post("/wg-sessions/<int:session_id>/agenda/<int:item_id>/remove")
@allow(*EDIT)
def session_remove_item(session_id: int, item_id: int):
    session = get_or_404(WorkingGroupSession, session_id)
    item = get_or_404(AgendaItem, item_id)
    if item.session_id != session.id:
        abort(404)
    return _session_run(
        session,
        lambda: ops.remove_from_agenda(item, actor=current_user),
        "بند از دستور جلسه برداشته شد.",
    )


@bp.post("/wg-sessions/<int:session_id>/attendees")
@allow(*EDIT)
def session_attendee(session_id: int):
    session = get_or_404(WorkingGroupSession, session_id)
    form = AttendeeForm()
    if not form.validate():
        _flash_errors(form)
        return _session_back(session)
    return _session_run(
        session,
        lambda: ops.add_attendee(
            session,
            full_name=form.full_name.data,
            title=form.title.data,
            organisation=form.organisation.data,
            actor=current_user,
        ),
        "حاضر جلسه ثبت شد.",
    )


@bp.post("/wg-sessions/<int:session_id>/agenda/<int:item_id>/decision")
@allow(*EDIT)
def session_decision(session_id: int, item_id: int):
    session = get_or_404(WorkingGroupSession, session_id)
    item = get_or_404(AgendaItem, item_id)
    if item.session_id != session.id:
        abort(404)
    form = DecisionForm()
    if not form.validate():
        _flash_errors(form)
        return _session_back(session)
    return _session_run(
        session,
        lambda: ops.record_decision(item, form.decision.data, form.reasons.data, actor=current_user),
        "تصمیم ثبت شد.",
    )


@bp.post("/wg-sessions/<int:session_id>/close")
@allow(*EDIT)
def session_close(session_id: int):
    session = get_or_404(WorkingGroupSession, session_id)
    return _session_run(
        session,
        lambda: ops.close_session(session, actor=current_user),
        "جلسه بسته شد؛ صورتجلسه نهایی است.",
    )


@bp.get("/wg-sessions/<int:session_id>/minutes.pdf")
@allow(*VIEW)
def session_minutes(session_id: int):
    from licensing.pdf import minutes_pdf

    session = get_or_404(WorkingGroupSession, session_id)
    return pdf_response(minutes_pdf(session), f"minutes-{session.number}.pdf")


# ---------------------------------------------------------------- licences


@bp.get("/licences")
@allow(*VIEW)
def licence_list():
    expiring = request.args.get("expiring") == "1"
    status = enum_arg("status", LicenceStatus)
    if expiring:
        stmt = ops.expiring_licences()
    else:
        stmt = (
            select(Licence)
            .options(joinedload(Licence.holder))
            .order_by(Licence.issued_on.desc(), Licence.id.desc())
        )
        if status:
            stmt = stmt.where(Licence.status == LicenceStatus(status))
        q = request.args.get("q", "")[:40]
        if q:
            from core.persian import normalize_for_search

            stmt = stmt.where(Licence.number.contains(normalize_for_search(q).upper(), autoescape=True))
    if wants_xlsx():
        return xlsx_response(
            "licences.xlsx",
            [
                Sheet(
                    "پروانه‌ها",
                    (
                        "شماره",
                        "نوع دفتر",
                        "دفتر",
                        "دارنده",
                        "تاریخ صدور",
                        "تاریخ انقضا",
                        "وضعیت",
                        "نشانی",
                    ),
                    (
                        (
                            lic.number,
                            lic.office_kind,
                            lic.office_name,
                            lic.holder.full_name,
                            lic.issued_on,
                            lic.expires_on,
                            lic.status,
                            lic.address,
                        )
                        for lic in db.session.scalars(stmt).unique()
                    ),
                )
            ],
        )
    page = db.paginate(stmt, page=page_arg(), per_page=25, error_out=False)
    return render_template(
        "licensing/licence_list.html",
        page=page,
        expiring=expiring,
        status=status,
        statuses=LicenceStatus,
        q=request.args.get("q", ""),
    )


@bp.get("/licences/<int:licence_id>")
@allow(*VIEW)
def licence_detail(licence_id: int):
    licence = get_or_404(Licence, licence_id)
    return render_template(
        "licensing/licence_detail.html",
        licence=licence,
        history=ops.licence_history(licence.site),
        today=today_tehran(),
    )


@bp.get("/licences/<int:licence_id>/pdf")
@allow(*VIEW)
def licence_pdf(licence_id: int):
    from licensing.pdf import licence_pdf as render

    licence = get_or_404(Licence, licence_id)
    return pdf_response(render(licence), f"licence-{licence.number}.pdf")


@bp.app_template_global()
def site_licences(site) -> list[Licence]:
    """An office's licence history, for the registry's site page."""
    return ops.licence_history(site)


@dashboard_panel(order=20, roles=VIEW)
def _licensing_panel() -> Panel:
    """Applications by state and overdue, licences expiring soon, the next working-group sessions."""
    from sqlalchemy import func

    today = today_tehran()
    open_states = [s for s in ApplicationState if s.is_open]
    by_state = dict(
        db.session.execute(
            select(Application.state, func.count())
            .where(Application.state.in_(open_states))
            .group_by(Application.state)
        ).all()
    )
    overdue = db.session.scalar(
        select(func.count()).where(Application.state.in_(open_states), Application.due_on < today)
    )
    expiring = db.session.scalar(select(func.count()).select_from(ops.expiring_licences(today).subquery()))
    upcoming = db.session.scalars(
        select(WorkingGroupSession)
        .where(WorkingGroupSession.closed.is_(False), WorkingGroupSession.held_on >= today)
        .order_by(WorkingGroupSession.held_on)
        .limit(3)
    ).all()
    return Panel(
        "صدور پروانه",
        "licensing/panels/licensing.html",
        {
            "by_state": [(s, by_state[s]) for s in open_states if by_state.get(s)],
            "open_total": sum(by_state.values()),
            "overdue": overdue,
            "expiring": expiring,
            "upcoming": upcoming,
        },
        width="col-lg-6",
    )
