"""Letter screens: the register, a letter, writing by hand, delivery, templates, correspondents,
and the public verification page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

import letters.events  # noqa: F401  (subscribes the letters to the features' events)
from core.args import enum_arg, page_arg
from core.clock import today_tehran
from core.db import get_or_404
from core.errors import DomainError
from core.extensions import db
from core.forms import show_domain_error
from core.pdf import pdf_response
from core.persian import JalaliDateError, parse_jalali, to_persian_digits
from core.security import allow, public
from core.xlsx import Sheet, wants_xlsx, xlsx_response
from letters import operations as ops
from letters.forms import (
    AttachmentForm,
    ContactForm,
    CorrespondentForm,
    DeliveryForm,
    LetterForm,
    TemplateForm,
)
from letters.models import (
    Correspondent,
    Delivery,
    DeliveryStatus,
    Letter,
    LetterAttachment,
    LetterKind,
    LetterTemplate,
)
from letters.permissions import ADMIN, VIEW, WRITE, can_write
from letters.wording import DEFAULT_SMS, DEFAULTS, allowed_fields

bp = Blueprint("letters", __name__, url_prefix="/letters")

# The rule each kind's due date follows (how its days left are counted).
DUE_RULES = {
    "inquiry_request": "licensing.inquiry_answer_days",
    "payment_due": "licence.payment_days",
    "expiry_reminder": "licence.renewal_request_min_days_before_expiry",
}


@bp.app_context_processor
def _letter_helpers():
    return {"can_write_letters": lambda: can_write(current_user), "record_letters": ops.letters_about}


def _date_arg(name: str):
    try:
        return parse_jalali(request.args.get(name)) if request.args.get(name) else None
    except JalaliDateError:
        return None


def _filters() -> ops.LetterFilters:
    delivery = request.args.get("delivery")
    return ops.LetterFilters(
        kind=enum_arg("kind", LetterKind),
        q=request.args.get("q", "")[:80] or None,
        date_from=_date_arg("from"),
        date_to=_date_arg("to"),
        delivery=delivery if delivery in ("pending", "failed", "delivered", "none") else None,
    )


def _delivery_summary(letter: Letter) -> str:
    if not letter.deliveries:
        return "ثبت نشده"
    return "، ".join(f"{d.channel.label}: {d.status.label}" for d in letter.deliveries)


@bp.get("/")
@allow(*VIEW)
def register():
    filters = _filters()
    stmt = ops.search_letters(filters)
    if wants_xlsx():
        rows = (
            (
                letter.number,
                letter.letter_date,
                letter.kind,
                letter.recipient_name,
                letter.recipient_organisation or "",
                letter.subject,
                letter.signer_name,
                letter.due_on,
                letter.served_on,
                _delivery_summary(letter),
            )
            for letter in db.session.scalars(stmt)
        )
        headers = (
            "شماره",
            "تاریخ",
            "نوع",
            "گیرنده",
            "سازمان",
            "موضوع",
            "امضاکننده",
            "مهلت",
            "تاریخ ابلاغ",
            "ارسال",
        )
        return xlsx_response("letters.xlsx", [Sheet("دفتر نامه‌های صادره", headers, rows)])
    page = db.paginate(stmt, page=page_arg(), per_page=25, error_out=False)
    return render_template(
        "letters/register.html",
        page=page,
        filters=filters,
        kinds=LetterKind,
        due_rules=DUE_RULES,
        args=request.args,
        today=today_tehran(),
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(*WRITE)
def new():
    form = LetterForm()
    if request.method == "GET":
        form.letter_date.data = today_tehran()
    if form.validate_on_submit():
        try:
            letter = ops.write_letter(form.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"نامه شماره {to_persian_digits(letter.number)} ثبت شد.", "success")
            return redirect(url_for("letters.detail", letter_id=letter.id))
    return render_template("letters/letter_form.html", form=form)


@bp.get("/<int:letter_id>")
@allow(*VIEW)
def detail(letter_id: int):
    letter = get_or_404(Letter, letter_id)
    return render_template(
        "letters/letter_detail.html",
        letter=letter,
        delivery_form=DeliveryForm(formdata=None, served_on=today_tehran()),
        contact_form=ContactForm(
            formdata=None,
            recipient_mobile=letter.recipient_mobile,
            recipient_email=letter.recipient_email,
        ),
        attachment_form=AttachmentForm(formdata=None),
        record_link=record_link(letter),
    )


def record_link(letter: Letter) -> tuple[str, str] | None:
    """(url, label) of the record the letter is about, when the user may open it."""
    from core.security import can_reach

    targets = {
        "application": ("licensing.application_detail", "application_id", "درخواست"),
        "licence": ("licensing.licence_detail", "licence_id", "پروانه"),
    }
    if letter.record_type == "ruling":
        from committees.models import Ruling

        ruling = db.session.get(Ruling, letter.record_id)
        if ruling is not None and can_reach("committees.case_detail"):
            return url_for("committees.case_detail", case_id=ruling.case_id), "پرونده تخلف"
        return None
    if letter.record_type == "appeal":
        from committees.models import Appeal

        appeal = db.session.get(Appeal, letter.record_id)
        if appeal is not None and can_reach("committees.case_detail"):
            return url_for("committees.case_detail", case_id=appeal.ruling.case_id), "پرونده تخلف"
        return None
    if letter.record_type == "session_case":
        from committees.models import SessionCase

        item = db.session.get(SessionCase, letter.record_id)
        if item is not None and can_reach("committees.case_detail"):
            return url_for("committees.case_detail", case_id=item.case_id), "پرونده تخلف"
        return None
    if letter.record_type in targets:
        endpoint, arg, label = targets[letter.record_type]
        if can_reach(endpoint):
            return url_for(endpoint, **{arg: letter.record_id}), label
    return None


def _back(letter: Letter):
    return redirect(url_for("letters.detail", letter_id=letter.id))


def _flash_form_errors(form) -> None:
    for field in form:
        for error in field.errors:
            flash(error, "danger")


@bp.get("/<int:letter_id>/pdf")
@allow(*VIEW)
def pdf(letter_id: int):
    from letters.pdf import letter_filename, letter_pdf

    letter = get_or_404(Letter, letter_id)
    return pdf_response(letter_pdf(letter), letter_filename(letter))


@bp.post("/<int:letter_id>/deliveries")
@allow(*WRITE)
def record_delivery(letter_id: int):
    letter = get_or_404(Letter, letter_id)
    form = DeliveryForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _back(letter)
    try:
        ops.record_delivery(
            letter,
            channel=form.channel.data,
            served_on=form.served_on.data,
            note=form.note.data,
            actor=current_user,
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _back(letter)
    db.session.commit()
    flash("تحویل نامه ثبت شد.", "success")
    return _back(letter)


@bp.post("/<int:letter_id>/contact")
@allow(*WRITE)
def update_contact(letter_id: int):
    letter = get_or_404(Letter, letter_id)
    form = ContactForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _back(letter)
    try:
        ops.update_contact(
            letter, mobile=form.recipient_mobile.data, email=form.recipient_email.data, actor=current_user
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _back(letter)
    db.session.commit()
    flash("نشانی‌های گیرنده ذخیره شد؛ ارسال تازه در صف قرار گرفت.", "success")
    return _back(letter)


@bp.post("/<int:letter_id>/deliveries/<int:delivery_id>/retry")
@allow(*WRITE)
def retry_delivery(letter_id: int, delivery_id: int):
    letter = get_or_404(Letter, letter_id)
    delivery = get_or_404(Delivery, delivery_id)
    if delivery.letter_id != letter.id:
        abort(404)
    try:
        ops.retry_failed(delivery, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _back(letter)
    db.session.commit()
    flash("ارسال دوباره در صف قرار گرفت.", "success")
    return _back(letter)


@bp.post("/<int:letter_id>/send")
@allow(*WRITE)
def send_now(letter_id: int):
    letter = get_or_404(Letter, letter_id)
    pending = [d for d in letter.deliveries if d.status == DeliveryStatus.PENDING]
    for delivery in pending:
        ops.send_delivery(delivery, actor=current_user)
    db.session.commit()
    sent = sum(1 for d in pending if d.status == DeliveryStatus.DELIVERED)
    flash(
        f"{to_persian_digits(sent)} ارسال از {to_persian_digits(len(pending))} انجام شد.",
        "success" if sent == len(pending) else "warning",
    )
    return _back(letter)


@bp.post("/<int:letter_id>/attachments")
@allow(*WRITE)
def attach(letter_id: int):
    letter = get_or_404(Letter, letter_id)
    form = AttachmentForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _back(letter)
    upload = form.file.data
    try:
        ops.add_attachment(letter, upload.filename, upload.read(), actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _back(letter)
    db.session.commit()
    flash("پیوست افزوده شد.", "success")
    return _back(letter)


@bp.get("/attachments/<int:attachment_id>")
@allow(*WRITE)
def attachment(attachment_id: int):
    row = get_or_404(LetterAttachment, attachment_id)
    path = ops.attachment_path(row)
    if not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype=row.content_type,
        download_name=row.filename,
        as_attachment=row.content_type == "application/pdf",
    )


# ---------------------------------------------------------------- templates and correspondents


@bp.get("/templates")
@allow(*ADMIN)
def template_list():
    kinds = [k for k in LetterKind if k != LetterKind.HANDWRITTEN]
    return render_template(
        "letters/template_list.html",
        rows=[(kind, ops.wording_for(kind)) for kind in kinds],
        customised={row.kind for row in db.session.scalars(select(LetterTemplate))},
    )


@bp.route("/templates/<kind>", methods=["GET", "POST"])
@allow(*ADMIN)
def template_edit(kind: str):
    if kind not in {k.value for k in LetterKind} or kind == LetterKind.HANDWRITTEN:
        abort(404)
    kind = LetterKind(kind)
    wording = ops.wording_for(kind)
    form = TemplateForm(subject=wording.subject, body=wording.body, sms_text=wording.sms_text)
    if request.method == "POST" and request.form.get("reset"):
        ops.reset_template(kind, actor=current_user)
        db.session.commit()
        flash("متن پیش‌فرض این نامه برگردانده شد.", "success")
        return redirect(url_for("letters.template_edit", kind=kind.value))
    if form.validate_on_submit():
        try:
            ops.save_template(kind, form.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"قالب «{kind.label}» ذخیره شد.", "success")
            return redirect(url_for("letters.template_list"))
    return render_template(
        "letters/template_form.html",
        form=form,
        kind=kind,
        fields=allowed_fields(kind),
        default_subject=DEFAULTS[kind][0],
        default_sms=DEFAULT_SMS,
    )


@bp.route("/correspondents", methods=["GET", "POST"])
@allow(*ADMIN)
def correspondents():
    form = CorrespondentForm()
    if form.validate_on_submit():
        try:
            ops.save_correspondent(None, form.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("سازمان افزوده شد.", "success")
            return redirect(url_for("letters.correspondents"))
    rows = db.session.scalars(select(Correspondent).order_by(Correspondent.name)).all()
    return render_template("letters/correspondents.html", form=form, rows=rows)


@bp.route("/correspondents/<int:row_id>", methods=["GET", "POST"])
@allow(*ADMIN)
def correspondent_edit(row_id: int):
    row = get_or_404(Correspondent, row_id)
    form = CorrespondentForm(obj=row)
    if form.validate_on_submit():
        try:
            ops.save_correspondent(row, form.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("سازمان ذخیره شد.", "success")
            return redirect(url_for("letters.correspondents"))
    return render_template("letters/correspondent_form.html", form=form, row=row)


# ---------------------------------------------------------------- public verification


@bp.get("/verify/<token>")
@public
def verify(token: str):
    letter = ops.find_by_token(token)
    if letter is None:
        return render_template("letters/verify.html", letter=None, issuer=None), 404
    return render_template("letters/verify.html", letter=letter, issuer=ops.directorate_name())
