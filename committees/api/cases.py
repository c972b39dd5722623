"""Cases: the list and one case (with the ladder's suggestions), opening a case, the defence,
readiness and closure; and the violation catalogue to open cases against."""

from __future__ import annotations

from flask_login import current_user

from api import ID, bp
from api.schemas import Extended, PageArgs, page_schema, paginate
from committees import operations as ops
from committees.api.schemas import (
    CASES,
    CaseArgs,
    CaseDetail,
    CaseIn,
    CaseOut,
    DefenceIn,
    DefenceRequestIn,
    ReasonIn,
    ViolationTypeOut,
)
from committees.models import Case
from committees.permissions import MANAGE, VIEW_CASES
from core.db import get_or_404
from core.extensions import db
from core.security import allow


def _case(case: Case) -> Extended:
    return Extended(case, defence_deadline=ops.defence_deadline(case), suggestions=ops.case_suggestions(case))


@bp.route("/cases", methods=["GET"], tags=CASES)
@allow(*VIEW_CASES)
@bp.arguments(CaseArgs, location="query")
@bp.response(200, page_schema(CaseOut, "CasePage"))
def case_list(args):
    """پرونده‌های تخلف، تازه‌ترین نخست"""
    stmt = ops.search_cases(
        state=args.get("state"), source=args.get("source"), county_id=args.get("county"), q=args.get("q")
    )
    return paginate(stmt, args)


@bp.route(f"/cases/<{ID}:case_id>", methods=["GET"], tags=CASES)
@allow(*VIEW_CASES)
@bp.response(200, CaseDetail)
def case_detail(case_id: int):
    """یک پرونده با تخلف‌ها، مدارک، آرا و پیشنهاد پلکان مجازات"""
    return _case(get_or_404(Case, case_id))


@bp.route("/cases", methods=["POST"], tags=CASES)
@allow(*MANAGE)
@bp.arguments(CaseIn)
@bp.response(201, CaseDetail)
def case_create(data):
    """تشکیل پرونده تخلف برای یک دفتر (شکایت یا ثبت دستی)"""
    case = ops.open_case(
        ops.find_office(data["office_code"]),
        source=data["source"],
        summary=data["summary"],
        offence_on=data["offence_on"],
        opened_on=data.get("opened_on"),
        violation_type_ids=data["violation_type_ids"],
        complainant=data.get("complainant"),
        actor=current_user,
    )
    db.session.commit()
    return _case(case)


@bp.route(f"/cases/<{ID}:case_id>/defence-request", methods=["POST"], tags=CASES)
@allow(*MANAGE)
@bp.arguments(DefenceRequestIn)
@bp.response(200, CaseDetail)
def case_defence_request(data, case_id: int):
    """درخواست دفاعیه از دفتر"""
    case = get_or_404(Case, case_id)
    ops.request_defence(case, requested_on=data["requested_on"], actor=current_user)
    db.session.commit()
    return _case(case)


@bp.route(f"/cases/<{ID}:case_id>/defence", methods=["POST"], tags=CASES)
@allow(*MANAGE)
@bp.arguments(DefenceIn)
@bp.response(200, CaseDetail)
def case_defence(data, case_id: int):
    """ثبت دفاعیه رسیده از دفتر"""
    case = get_or_404(Case, case_id)
    ops.record_defence(case, text=data["defence_text"], received_on=data["defence_on"], actor=current_user)
    db.session.commit()
    return _case(case)


@bp.route(f"/cases/<{ID}:case_id>/ready", methods=["POST"], tags=CASES)
@allow(*MANAGE)
@bp.response(200, CaseDetail)
def case_ready(case_id: int):
    """آماده رسیدگی (دفاعیه رسیده یا مهلت آن گذشته)"""
    case = get_or_404(Case, case_id)
    ops.mark_ready(case, actor=current_user)
    db.session.commit()
    return _case(case)


@bp.route(f"/cases/<{ID}:case_id>/close", methods=["POST"], tags=CASES)
@allow(*MANAGE)
@bp.arguments(ReasonIn)
@bp.response(200, CaseDetail)
def case_close(data, case_id: int):
    """مختومه کردن پرونده بی‌رأی، با دلیل"""
    case = get_or_404(Case, case_id)
    ops.close_case(case, data["reason"], actor=current_user)
    db.session.commit()
    return _case(case)


@bp.route("/violation-types", methods=["GET"], tags=CASES)
@allow(*VIEW_CASES)
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_schema(ViolationTypeOut, "ViolationTypePage"))
def violation_type_list(args):
    """فهرست تخلفات فعال و پلکان مجازات هر یک (شناسه‌ها برای تشکیل پرونده)"""
    items = ops.active_violation_types()
    start = (args["page"] - 1) * args["per_page"]
    return {
        "items": items[start : start + args["per_page"]],
        "total": len(items),
        "page": args["page"],
        "per_page": args["per_page"],
    }
