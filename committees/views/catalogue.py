"""The violation catalogue and its penalty ladders (admin)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from committees import operations as ops
from committees.forms import ViolationTypeForm
from committees.models import ViolationType
from committees.permissions import CATALOGUE
from committees.views._common import attempt, bp
from core.db import get_or_404
from core.extensions import db
from core.persian import to_persian_digits
from core.security import allow


@bp.get("/violations")
@allow(*CATALOGUE)
def violation_list():
    types = db.session.scalars(select(ViolationType).order_by(ViolationType.code)).all()
    return render_template("committees/violation_list.html", types=types)


def _type_data(form: ViolationTypeForm) -> dict:
    return {
        "code": form.code.data,
        "title": form.title.data,
        "description": form.description.data,
        "severity": form.severity.data,
        "lookback_days": form.lookback_days.data,
        "legal_basis": form.legal_basis.data,
        "active": form.active.data,
        "ladder": form.ladder_steps(),
    }


@bp.route("/violations/new", methods=["GET", "POST"])
@allow(*CATALOGUE)
def violation_new():
    form = ViolationTypeForm(data={"lookback_days": 365, "active": True, "severity": "medium"})
    if form.validate_on_submit():
        created = []
        if attempt(
            form, lambda: created.append(ops.save_violation_type(None, _type_data(form), actor=current_user))
        ):
            flash(f"تخلف «{to_persian_digits(created[0].title)}» به فهرست افزوده شد.", "success")
            return redirect(url_for("committees.violation_list"))
    return render_template("committees/violation_form.html", form=form, violation_type=None)


@bp.route("/violations/<int:type_id>", methods=["GET", "POST"])
@allow(*CATALOGUE)
def violation_edit(type_id: int):
    violation_type = get_or_404(ViolationType, type_id)
    form = ViolationTypeForm(
        data={
            "code": violation_type.code,
            "title": violation_type.title,
            "description": violation_type.description,
            "severity": violation_type.severity.value,
            "lookback_days": violation_type.lookback_days,
            "legal_basis": violation_type.legal_basis,
            "active": violation_type.active,
            "steps": [
                {"penalty": s["penalty"], "days": s.get("days"), "amount": s.get("amount")}
                for s in violation_type.ladder
            ],
        }
    )
    form.code.data = violation_type.code  # the code is fixed once created
    if not form.is_submitted():  # shown with Persian digits, stored with ASCII
        for name in ("description", "legal_basis"):
            form[name].data = to_persian_digits(form[name].data)
    if form.validate_on_submit() and attempt(
        form, lambda: ops.save_violation_type(violation_type, _type_data(form), actor=current_user)
    ):
        flash(f"تخلف «{to_persian_digits(violation_type.title)}» ذخیره شد.", "success")
        return redirect(url_for("committees.violation_list"))
    return render_template("committees/violation_form.html", form=form, violation_type=violation_type)
