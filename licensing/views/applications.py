"""Licensing screens: the officer's inbox, applications and their steps, site visits."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from core.args import enum_arg, page_arg
from core.clock import today_tehran
from core.db import get_or_404
from core.errors import DomainError
from core.extensions import db
from core.forms import choices, show_domain_error
from core.persian import isolate_code
from core.security import allow, can_reach
from core.xlsx import Sheet, wants_xlsx, xlsx_response
from licensing import operations as ops
from licensing.forms import (
    AddressChangeForm,
    IssueForm,
    NewApplicationForm,
    NoteForm,
    OverrideForm,
    PaymentForm,
    RenewalForm,
    TransferForm,
    UploadForm,
    VisitRequestForm,
    VisitResultForm,
)
from licensing.models import (
    Application,
    ApplicationDocument,
    ApplicationKind,
    ApplicationState,
    DocumentType,
    VisitRequest,
)
from licensing.permissions import EDIT, VIEW, VISITS
from licensing.views import bp, flash_form_errors, run_and_flash
from registry import operations as registry_ops
from registry.localities import near_duplicates

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


def _create_from_form(kind: ApplicationKind, form) -> Application:
    """The form's fields as the operation takes them: people and licences by the keys typed."""
    details = {
        name: field.data
        for name, field in form._fields.items()
        if name in ops.APPLICATION_FIELDS or name == "office_kind"
    }
    for axis in ("lat", "lon"):
        if details.get(axis) is not None:
            details[axis] = float(details[axis])
    people = {
        key: form[key].data or None
        for key in ("applicant_company_national_id", "manager_national_id", "deputy_national_id")
        if key in form
    }
    return ops.create_application(
        kind,
        actor=current_user,
        **people,
        applicant_national_id=form.applicant_national_id.data if "applicant_national_id" in form else None,
        licence_number=form.licence_number.data if "licence_number" in form else None,
        received_on=form.received_on.data,
        **details,
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
        licences=ops.application_licences(application),
        fee=ops.fee_summary(application),
        duplicates=near_duplicates(
            name=application.office_name,
            address=application.address,
            lat=application.lat,
            lon=application.lon,
            county_id=application.county_id,
            exclude_site_id=application.site_id,
        )
        if application.kind in (ApplicationKind.NEW, ApplicationKind.ADDRESS_CHANGE)
        and application.state.is_open
        else [],
        payment_form=PaymentForm(paid_on=today_tehran()),
        kept=ops.kept_check_results(application),
        responsible=ops.responsible_people(application)
        if application.kind in (ApplicationKind.NEW, ApplicationKind.TRANSFER)
        else [],
    )


def _back(application: Application):
    return redirect(url_for("licensing.application_detail", application_id=application.id))


def _run(application: Application, action, success: str):
    return run_and_flash(action, success, _back(application))


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
        flash_form_errors(form)
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


@bp.post("/applications/<int:application_id>/payments")
@allow(*EDIT)
def payment_record(application_id: int):
    application = get_or_404(Application, application_id)
    form = PaymentForm()
    if not form.validate():
        flash_form_errors(form)
        return _back(application)
    return _run(
        application,
        lambda: ops.record_payment(
            application,
            amount_rials=form.amount_rials.data,
            receipt_number=form.receipt_number.data,
            bank=form.bank.data,
            paid_on=form.paid_on.data,
            actor=current_user,
        ),
        "پرداخت ثبت شد.",
    )


@bp.post("/applications/<int:application_id>/visit")
@allow(*EDIT)
def visit_request(application_id: int):
    application = get_or_404(Application, application_id)
    form = VisitRequestForm()
    if not form.validate():
        flash_form_errors(form)
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
    form = IssueForm()
    if not form.validate():
        flash_form_errors(form)
        return _back(application)
    try:
        licence = ops.issue_licence(application, actor=current_user, issued_on=form.issued_on.data)
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
        flash_form_errors(form)
        return redirect(request.referrer or url_for("licensing.visit_requests"))
    return run_and_flash(
        lambda: ops.record_visit_result(
            visit, passed=form.passed.data == "yes", notes=form.notes.data, actor=current_user
        ),
        "نتیجه بازدید ثبت شد.",
        redirect(request.referrer or url_for("licensing.visit_requests")),
    )
