"""Ruling screens: the ruling page, its service, the fine's payment, the appeal and its decision."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from committees import operations as ops
from committees.forms import AppealDecisionForm, AppealForm, FinePaidForm, ServeForm
from committees.models import Appeal, AppealOutcome, FineStatus, PenaltyKind, Ruling, RulingState
from committees.permissions import MANAGE, VIEW_CASES
from committees.views._common import attempt, bp, found_choices
from core.clock import today_tehran
from core.db import get_or_404
from core.extensions import db
from core.persian import to_persian_digits
from core.security import allow


def _decision_form(ruling: Ruling, *, from_request: bool = False) -> AppealDecisionForm:
    data = {
        "penalty": ruling.penalty.value,
        "violations_found": ruling.violations_found,
        "suspension_days": ruling.suspension_days,
        "fine_amount": ruling.fine_amount,
        "legal_basis": ruling.legal_basis,
        "decided_on": today_tehran(),
    }
    form = AppealDecisionForm(data=data) if from_request else AppealDecisionForm(formdata=None, data=data)
    if not from_request:
        form.legal_basis.data = to_persian_digits(form.legal_basis.data)
    form.violations_found.choices = found_choices(ruling.case)
    return form


def _ruling_page(ruling: Ruling, **forms):
    today = today_tehran()
    forms = {
        "serve_form": ServeForm(formdata=None, data={"served_on": today}),
        "fine_form": FinePaidForm(formdata=None, data={"paid_on": today}),
        "appeal_form": AppealForm(formdata=None, data={"filed_on": today}),
        "decision_form": _decision_form(ruling),
        **forms,
    }
    return render_template(
        "committees/ruling_detail.html",
        ruling=ruling,
        case=ruling.case,
        appeal=ruling.appeals[-1] if ruling.appeals else None,
        replaced_by=db.session.scalar(select(Ruling).where(Ruling.replaces_id == ruling.id)),
        RulingState=RulingState,
        FineStatus=FineStatus,
        PenaltyKind=PenaltyKind,
        today=today,
        **forms,
    )


@bp.get("/rulings/<int:ruling_id>")
@allow(*VIEW_CASES)
def ruling_detail(ruling_id: int):
    return _ruling_page(get_or_404(Ruling, ruling_id))


def _ruling_action(ruling: Ruling, form, form_name: str, action, success: str):
    if form.validate_on_submit() and attempt(form, action):
        flash(success, "success")
        return redirect(url_for("committees.ruling_detail", ruling_id=ruling.id))
    return _ruling_page(ruling, **{form_name: form})


@bp.post("/rulings/<int:ruling_id>/serve")
@allow(*MANAGE)
def ruling_serve(ruling_id: int):
    ruling = get_or_404(Ruling, ruling_id)
    form = ServeForm()
    return _ruling_action(
        ruling,
        form,
        "serve_form",
        lambda: ops.serve_ruling(ruling, form.served_on.data, actor=current_user),
        "ابلاغ رأی ثبت شد.",
    )


@bp.post("/rulings/<int:ruling_id>/fine-paid")
@allow(*MANAGE)
def ruling_fine_paid(ruling_id: int):
    ruling = get_or_404(Ruling, ruling_id)
    form = FinePaidForm()
    return _ruling_action(
        ruling,
        form,
        "fine_form",
        lambda: ops.mark_fine_paid(ruling, form.paid_on.data, actor=current_user),
        "پرداخت جریمه ثبت شد.",
    )


@bp.post("/rulings/<int:ruling_id>/appeal")
@allow(*MANAGE)
def ruling_appeal(ruling_id: int):
    ruling = get_or_404(Ruling, ruling_id)
    form = AppealForm()
    return _ruling_action(
        ruling,
        form,
        "appeal_form",
        lambda: ops.file_appeal(
            ruling, filed_on=form.filed_on.data, grounds=form.grounds.data, actor=current_user
        ),
        "اعتراض ثبت شد.",
    )


@bp.post("/appeals/<int:appeal_id>/decide")
@allow(*MANAGE)
def appeal_decide(appeal_id: int):
    appeal = get_or_404(Appeal, appeal_id)
    ruling = appeal.ruling
    form = _decision_form(ruling, from_request=True)
    in_force = []

    def _decide():
        replacement = form.ruling_data() if form.outcome.data == AppealOutcome.REPLACED else None
        in_force.append(
            ops.decide_appeal(
                appeal,
                outcome=form.outcome.data,
                decided_on=form.decided_on.data,
                reasoning=form.decision_reasoning.data,
                replacement=replacement,
                actor=current_user,
            )
        )

    if form.validate_on_submit() and attempt(form, _decide):
        flash("تصمیم درباره اعتراض ثبت شد.", "success")
        return redirect(url_for("committees.ruling_detail", ruling_id=in_force[0].id))
    return _ruling_page(ruling, decision_form=form)
