"""The checklist editor: checklists, their versions and how many visits each version has."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from committees.models import ViolationType
from core.args import int_arg
from core.db import get_or_404
from core.errors import DomainError
from core.extensions import db
from core.forms import choices, enum_choices, show_domain_error
from core.security import allow
from inspections import operations as ops
from inspections.forms import ChecklistEditForm, ChecklistNewForm
from inspections.models import Checklist, ChecklistVersion, Visit, VisitPurpose
from inspections.permissions import EDIT_CHECKLISTS, VIEW_CHECKLISTS
from inspections.views._common import bp


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
