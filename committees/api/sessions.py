"""Committee sessions: the members, scheduling, agenda, attendance, closing and corrections, and
the hearing of one case (votes, a member's own vote, recusals, the ruling)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from api import ID, ApiError, bp
from api.schemas import Extended, PageArgs, page_schema, paginate
from committees import operations as ops
from committees.api.schemas import (
    SESSIONS,
    AttendanceIn,
    CaseRefIn,
    CommitteeSessionDetail,
    CommitteeSessionIn,
    CommitteeSessionOut,
    CorrectionIn,
    MemberOut,
    OwnVoteIn,
    RecusalIn,
    RulingIn,
    RulingOut,
    VotesIn,
)
from committees.models import Case, CommitteeMember, CommitteeSession
from committees.permissions import MANAGE, MEMBERS, OWN_VOTE, VIEW_SESSIONS
from core.db import get_or_404
from core.errors import DomainError
from core.extensions import db
from core.security import allow


@bp.route("/committee-members", methods=["GET"], tags=SESSIONS)
@allow(*MEMBERS)
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_schema(MemberOut, "CommitteeMemberPage"))
def committee_member_list(args):
    """اعضای کمیته (اصلی و علی‌البدل)"""
    return paginate(select(CommitteeMember).order_by(CommitteeMember.id), args)


def _session(session: CommitteeSession) -> Extended:
    agenda = [
        Extended(
            item,
            quorum=ops.check_quorum(session, item.case),
            tally=ops.vote_tally(session, item.case),
            votes=[v for v in session.votes if v.case_id == item.case_id],
            recusals=[r for r in session.recusals if r.case_id == item.case_id],
            ruling=ops.session_ruling(session, item.case),
        )
        for item in session.agenda
    ]
    return Extended(
        session,
        quorum=ops.check_quorum(session),
        attendance=ops.present_members(session),
        agenda=agenda,
    )


def _hearing(session_id: int, case_id: int) -> tuple[CommitteeSession, Case]:
    found = ops.find_hearing(session_id, case_id)
    if found is None:
        abort(404)
    return found


@bp.route("/committee-sessions", methods=["GET"], tags=SESSIONS)
@allow(*VIEW_SESSIONS)
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_schema(CommitteeSessionOut, "CommitteeSessionPage"))
def committee_session_list(args):
    """جلسات کمیته تخلفات، تازه‌ترین نخست"""
    return paginate(ops.sessions_newest_first(), args)


@bp.route(f"/committee-sessions/<{ID}:session_id>", methods=["GET"], tags=SESSIONS)
@allow(*VIEW_SESSIONS)
@bp.response(200, CommitteeSessionDetail)
def committee_session_detail(session_id: int):
    """یک جلسه: حاضران، حد نصاب، دستور جلسه با آرا و رأی هر پرونده"""
    return _session(get_or_404(CommitteeSession, session_id))


@bp.route("/committee-sessions", methods=["POST"], tags=SESSIONS)
@allow(*MANAGE)
@bp.arguments(CommitteeSessionIn)
@bp.response(201, CommitteeSessionDetail)
def committee_session_create(data):
    """برنامه‌ریزی جلسه کمیته"""
    session = ops.schedule_session(data["held_on"], place=data.get("place"), actor=current_user)
    db.session.commit()
    return _session(session)


@bp.route(f"/committee-sessions/<{ID}:session_id>/agenda", methods=["POST"], tags=SESSIONS)
@allow(*MANAGE)
@bp.arguments(CaseRefIn)
@bp.response(201, CommitteeSessionDetail)
def committee_session_add_case(data, session_id: int):
    """افزودن پرونده آماده رسیدگی به دستور جلسه"""
    session = get_or_404(CommitteeSession, session_id)
    ops.add_to_agenda(session, ops.get_case(data["case_id"]), actor=current_user)
    db.session.commit()
    return _session(session)


@bp.route(f"/committee-sessions/<{ID}:session_id>/attendance", methods=["PUT"], tags=SESSIONS)
@allow(*MANAGE)
@bp.arguments(AttendanceIn)
@bp.response(200, CommitteeSessionDetail)
def committee_session_attendance(data, session_id: int):
    """ثبت حاضران جلسه (هر کرسی یک نفر: عضو اصلی یا علی‌البدل او)"""
    session = get_or_404(CommitteeSession, session_id)
    ops.set_attendance(session, data["member_ids"], actor=current_user)
    db.session.commit()
    return _session(session)


@bp.route(f"/committee-sessions/<{ID}:session_id>/close", methods=["POST"], tags=SESSIONS)
@allow(*MANAGE)
@bp.response(200, CommitteeSessionDetail)
def committee_session_close(session_id: int):
    """بستن جلسه؛ سوابق آن از این پس فقط با اصلاحیه تغییر می‌کند"""
    session = get_or_404(CommitteeSession, session_id)
    ops.close_session(session, actor=current_user)
    db.session.commit()
    return _session(session)


@bp.route(f"/committee-sessions/<{ID}:session_id>/corrections", methods=["POST"], tags=SESSIONS)
@allow(*MANAGE)
@bp.arguments(CorrectionIn)
@bp.response(201, CommitteeSessionDetail)
def committee_session_correction(data, session_id: int):
    """اصلاحیه صورتجلسه بسته‌شده"""
    session = get_or_404(CommitteeSession, session_id)
    ops.add_correction(session, data["text"], actor=current_user)
    db.session.commit()
    return _session(session)


@bp.route(
    f"/committee-sessions/<{ID}:session_id>/cases/<{ID}:case_id>/votes", methods=["POST"], tags=SESSIONS
)
@allow(*MANAGE)
@bp.arguments(VotesIn)
@bp.response(200, CommitteeSessionDetail)
def committee_votes(data, session_id: int, case_id: int):
    """ثبت آرای اعضای حاضر بر یک پرونده (دبیر کمیته)"""
    session, case = _hearing(session_id, case_id)
    if not data["votes"]:
        raise DomainError("رأی هیچ عضوی فرستاده نشده است.", field="votes")
    for vote in data["votes"]:
        ops.record_vote(session, case, ops.get_member(vote["member_id"]), vote["choice"], actor=current_user)
    db.session.commit()
    return _session(session)


@bp.route(
    f"/committee-sessions/<{ID}:session_id>/cases/<{ID}:case_id>/my-vote", methods=["POST"], tags=SESSIONS
)
@allow(*OWN_VOTE)
@bp.arguments(OwnVoteIn)
@bp.response(200, CommitteeSessionDetail)
def committee_own_vote(data, session_id: int, case_id: int):
    """رأی خود عضو کمیته بر پرونده‌ای از جلسه‌ای که در آن حاضر است"""
    session, case = _hearing(session_id, case_id)
    try:
        ops.record_own_vote(session, case, current_user, data["choice"], actor=current_user)
    except ops.NotAMember as exc:
        raise ApiError(403, "not_a_member", exc.message) from exc
    db.session.commit()
    return _session(session)


@bp.route(
    f"/committee-sessions/<{ID}:session_id>/cases/<{ID}:case_id>/recusals", methods=["POST"], tags=SESSIONS
)
@allow(*MANAGE)
@bp.arguments(RecusalIn)
@bp.response(201, CommitteeSessionDetail)
def committee_recusal(data, session_id: int, case_id: int):
    """ثبت تعارض منافع یک عضو بر یک پرونده (او بر آن رأی نمی‌دهد)"""
    session, case = _hearing(session_id, case_id)
    ops.declare_recusal(session, case, ops.get_member(data["member_id"]), data["reason"], actor=current_user)
    db.session.commit()
    return _session(session)


@bp.route(
    f"/committee-sessions/<{ID}:session_id>/cases/<{ID}:case_id>/ruling", methods=["POST"], tags=SESSIONS
)
@allow(*MANAGE)
@bp.arguments(RulingIn)
@bp.response(201, RulingOut)
def committee_ruling(data, session_id: int, case_id: int):
    """ثبت رأی کمیته (با حد نصاب و اکثریت آرای موافق)"""
    session, case = _hearing(session_id, case_id)
    ruling = ops.record_ruling(case, session, data, actor=current_user)
    db.session.commit()
    return ruling
