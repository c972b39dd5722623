"""Rulings: the list and one ruling, service, the fine's payment, the appeal and its decision."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from api import ID, bp
from api.schemas import page_schema, paginate
from committees import operations as ops
from committees.api.schemas import (
    RULINGS,
    AppealDecisionIn,
    AppealIn,
    FinePaidIn,
    RulingArgs,
    RulingOut,
    ServeIn,
)
from committees.models import Appeal, AppealOutcome, Ruling
from committees.permissions import MANAGE, VIEW_CASES
from core.db import get_or_404
from core.extensions import db
from core.security import allow


@bp.route("/rulings", methods=["GET"], tags=RULINGS)
@allow(*VIEW_CASES)
@bp.arguments(RulingArgs, location="query")
@bp.response(200, page_schema(RulingOut, "RulingPage"))
def ruling_list(args):
    """آرای کمیته، تازه‌ترین نخست"""
    stmt = select(Ruling).order_by(Ruling.ruled_on.desc(), Ruling.id.desc())
    if args.get("state"):
        stmt = stmt.where(Ruling.state == args["state"])
    if args.get("penalty"):
        stmt = stmt.where(Ruling.penalty == args["penalty"])
    if args.get("case_id"):
        stmt = stmt.where(Ruling.case_id == args["case_id"])
    return paginate(stmt, args)


@bp.route(f"/rulings/<{ID}:ruling_id>", methods=["GET"], tags=RULINGS)
@allow(*VIEW_CASES)
@bp.response(200, RulingOut)
def ruling_detail(ruling_id: int):
    """یک رأی با ابلاغ، جریمه و اعتراض‌ها"""
    return get_or_404(Ruling, ruling_id)


@bp.route(f"/rulings/<{ID}:ruling_id>/service", methods=["POST"], tags=RULINGS)
@allow(*MANAGE)
@bp.arguments(ServeIn)
@bp.response(200, RulingOut)
def ruling_serve(data, ruling_id: int):
    """ثبت ابلاغ رأی؛ تعلیق یا لغو پروانه از همان روز اجرا می‌شود"""
    ruling = get_or_404(Ruling, ruling_id)
    ops.serve_ruling(ruling, data["served_on"], actor=current_user)
    db.session.commit()
    return ruling


@bp.route(f"/rulings/<{ID}:ruling_id>/fine-payment", methods=["POST"], tags=RULINGS)
@allow(*MANAGE)
@bp.arguments(FinePaidIn)
@bp.response(200, RulingOut)
def ruling_fine_paid(data, ruling_id: int):
    """ثبت پرداخت جریمه"""
    ruling = get_or_404(Ruling, ruling_id)
    ops.mark_fine_paid(ruling, data["paid_on"], actor=current_user)
    db.session.commit()
    return ruling


@bp.route(f"/rulings/<{ID}:ruling_id>/appeals", methods=["POST"], tags=RULINGS)
@allow(*MANAGE)
@bp.arguments(AppealIn)
@bp.response(201, RulingOut)
def ruling_appeal(data, ruling_id: int):
    """ثبت اعتراض دفتر به رأی ابلاغ‌شده، در مهلت"""
    ruling = get_or_404(Ruling, ruling_id)
    ops.file_appeal(ruling, filed_on=data["filed_on"], grounds=data["grounds"], actor=current_user)
    db.session.commit()
    return ruling


@bp.route(f"/rulings/<{ID}:ruling_id>/appeals/<{ID}:appeal_id>/decision", methods=["POST"], tags=RULINGS)
@allow(*MANAGE)
@bp.arguments(AppealDecisionIn)
@bp.response(200, RulingOut, description="رأی در حال اجرا (همان رأی یا رأی تازه)")
def appeal_decide(data, ruling_id: int, appeal_id: int):
    """تصمیم درباره اعتراض: تأیید رأی یا جایگزینی آن با رأی تازه"""
    appeal = get_or_404(Appeal, appeal_id)
    if appeal.ruling_id != ruling_id:
        abort(404)
    replacement = data.get("replacement") if data["outcome"] == AppealOutcome.REPLACED else None
    in_force = ops.decide_appeal(
        appeal,
        outcome=data["outcome"],
        decided_on=data["decided_on"],
        reasoning=data["decision_reasoning"],
        replacement=replacement,
        actor=current_user,
    )
    db.session.commit()
    return in_force
