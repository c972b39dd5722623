"""The licensing API: working-group sessions and their decisions, and the licence register."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from api import ID, bp
from api.schemas import PageArgs, page_schema, paginate
from core.db import get_or_404
from core.errors import DomainError
from core.extensions import db
from core.security import allow
from licensing import operations as ops
from licensing.api.schemas import (
    LICENCES,
    SESSIONS,
    AgendaIn,
    AttendeeIn,
    DecisionIn,
    LicenceArgs,
    LicenceDetailOut,
    LicenceOut,
    WgSessionIn,
    WgSessionOut,
)
from licensing.models import (
    AgendaItem,
    Application,
    WorkingGroupSession,
)
from licensing.permissions import EDIT, VIEW

# ---------------------------------------------------------------- working-group sessions


def _item(session: WorkingGroupSession, item_id: int) -> AgendaItem:
    item = get_or_404(AgendaItem, item_id)
    if item.session_id != session.id:
        abort(404)
    return item


@bp.route("/wg-sessions", methods=["GET"], tags=SESSIONS)
@allow(*VIEW)
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_schema(WgSessionOut, "WgSessionPage"))
def wg_session_list(args):
    """جلسات کارگروه، تازه‌ترین نخست"""
    return paginate(ops.sessions_newest_first(), args)


@bp.route(f"/wg-sessions/<{ID}:session_id>", methods=["GET"], tags=SESSIONS)
@allow(*VIEW)
@bp.response(200, WgSessionOut)
def wg_session_detail(session_id: int):
    """یک جلسه کارگروه: حاضران، دستور جلسه و تصمیم‌ها"""
    return get_or_404(WorkingGroupSession, session_id)


@bp.route("/wg-sessions", methods=["POST"], tags=SESSIONS)
@allow(*EDIT)
@bp.arguments(WgSessionIn)
@bp.response(201, WgSessionOut)
def wg_session_create(data):
    """برنامه‌ریزی جلسه کارگروه"""
    session = ops.schedule_session(data["held_on"], place=data.get("place"), actor=current_user)
    db.session.commit()
    return session


@bp.route(f"/wg-sessions/<{ID}:session_id>/attendees", methods=["POST"], tags=SESSIONS)
@allow(*EDIT)
@bp.arguments(AttendeeIn)
@bp.response(201, WgSessionOut)
def wg_session_attendee(data, session_id: int):
    """ثبت حاضر جلسه و سازمانی که نماینده آن است"""
    session = get_or_404(WorkingGroupSession, session_id)
    ops.add_attendee(
        session,
        full_name=data["full_name"],
        title=data.get("title"),
        organisation=data["organisation"],
        actor=current_user,
    )
    db.session.commit()
    return session


@bp.route(f"/wg-sessions/<{ID}:session_id>/agenda", methods=["POST"], tags=SESSIONS)
@allow(*EDIT)
@bp.arguments(AgendaIn)
@bp.response(201, WgSessionOut)
def wg_session_add_item(data, session_id: int):
    """افزودن درخواست آماده به دستور جلسه"""
    session = get_or_404(WorkingGroupSession, session_id)
    application = db.session.get(Application, data["application_id"])
    if application is None:
        raise DomainError("درخواست یافت نشد.", field="application_id")
    ops.add_to_agenda(session, application, actor=current_user)
    db.session.commit()
    return session


@bp.route(f"/wg-sessions/<{ID}:session_id>/agenda/<{ID}:item_id>", methods=["DELETE"], tags=SESSIONS)
@allow(*EDIT)
@bp.response(200, WgSessionOut)
def wg_session_remove_item(session_id: int, item_id: int):
    """برداشتن بند بی‌تصمیم از دستور جلسه"""
    session = get_or_404(WorkingGroupSession, session_id)
    ops.remove_from_agenda(_item(session, item_id), actor=current_user)
    db.session.commit()
    db.session.refresh(session)
    return session


@bp.route(f"/wg-sessions/<{ID}:session_id>/agenda/<{ID}:item_id>/decision", methods=["POST"], tags=SESSIONS)
@allow(*EDIT)
@bp.arguments(DecisionIn)
@bp.response(200, WgSessionOut)
def wg_session_decision(data, session_id: int, item_id: int):
    """تصمیم کارگروه درباره یک بند (تصویب، رد یا تعویق) با دلایل؛ درخواست را جابه‌جا می‌کند"""
    session = get_or_404(WorkingGroupSession, session_id)
    ops.record_decision(_item(session, item_id), data["decision"], data["reasons"], actor=current_user)
    db.session.commit()
    return session


@bp.route(f"/wg-sessions/<{ID}:session_id>/close", methods=["POST"], tags=SESSIONS)
@allow(*EDIT)
@bp.response(200, WgSessionOut)
def wg_session_close(session_id: int):
    """بستن جلسه؛ صورتجلسه نهایی می‌شود"""
    session = get_or_404(WorkingGroupSession, session_id)
    ops.close_session(session, actor=current_user)
    db.session.commit()
    return session


# ---------------------------------------------------------------- licences


@bp.route("/licences", methods=["GET"], tags=LICENCES)
@allow(*VIEW)
@bp.arguments(LicenceArgs, location="query")
@bp.response(200, page_schema(LicenceOut, "LicencePage"))
def licence_list(args):
    """پروانه‌ها، تازه‌ترین نخست (یا رو به انقضا)"""
    stmt = ops.search_licences(status=args.get("status"), q=args.get("q"), expiring=args["expiring"])
    return paginate(stmt, args)


@bp.route("/licences/<number>", methods=["GET"], tags=LICENCES)
@allow(*VIEW)
@bp.response(200, LicenceDetailOut)
def licence_detail(number: str):
    """یک پروانه با شماره آن (هر شکل ارقام)"""
    licence = ops.find_licence(number)
    if licence is None:
        abort(404)
    return licence
