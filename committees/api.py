"""The violations committee: cases, committee sessions (attendance, votes, recusals, rulings) and
rulings (service, fine, appeal), with the catalogue and the members to refer to.

GET/POST /api/v1/cases ?state= &source= &county= &q=       GET /api/v1/cases/<id>
POST /api/v1/cases/<id>/defence-request | /defence | /ready | /close
GET/POST /api/v1/committee-sessions                        GET /api/v1/committee-sessions/<id>
POST …/agenda   PUT …/attendance   POST …/corrections   POST …/close
POST …/cases/<case>/votes | /my-vote | /recusals | /ruling
GET  /api/v1/rulings ?state= &penalty= &case_id=           GET /api/v1/rulings/<id>
POST /api/v1/rulings/<id>/service | /fine-payment | /appeals | /appeals/<appeal>/decision
GET  /api/v1/violation-types     GET /api/v1/committee-members
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from marshmallow import fields
from sqlalchemy import select

from api import ID, ApiError, bp
from api.fields import (
    Choice,
    DateIn,
    Enum,
    Int,
    JalaliOf,
    Label,
    List,
    Nested,
    QueryInt,
    Schema,
    Str,
    UtcDateTime,
)
from api.schemas import Extended, PageArgs, SiteBrief, page_schema, paginate
from committees import operations as ops
from committees.models import (
    Appeal,
    AppealOutcome,
    Case,
    CaseSource,
    CaseState,
    CommitteeMember,
    CommitteeSession,
    FineStatus,
    PenaltyKind,
    Ruling,
    RulingState,
    Severity,
    VoteChoice,
)
from committees.permissions import MANAGE, MEMBERS, OWN_VOTE, VIEW_CASES, VIEW_SESSIONS
from core.db import get_or_404
from core.errors import DomainError
from core.extensions import db
from core.security import allow

CASES, SESSIONS, RULINGS = ["cases"], ["committee-sessions"], ["rulings"]


# ---------------------------------------------------------------- schemas: cases


class NumberRef(Schema):
    id = fields.Integer()
    number = fields.String()


class CaseViolationOut(Schema):
    code = fields.String(attribute="violation_type.code")
    title = fields.String(attribute="violation_type.title")
    detail = fields.String(allow_none=True)


class EvidenceOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    description = fields.String()
    reference = fields.String(allow_none=True)
    filename = fields.String(allow_none=True)
    added_at = UtcDateTime()


class SuggestionOut(Schema):
    violation_code = fields.String(attribute="violation_type.code")
    offence_number = fields.Integer(metadata={"description": "۱ برای نخستین تخلف در دوره بازنگری"})
    penalty = fields.Enum(PenaltyKind, by_value=True)
    days = fields.Integer(allow_none=True)
    amount = fields.Integer(allow_none=True)
    text = fields.String()


class RulingBrief(NumberRef):
    penalty = fields.Enum(PenaltyKind, by_value=True)
    state = fields.Enum(RulingState, by_value=True)


class CaseOut(Schema):
    id = fields.Integer()
    number = fields.String()
    state = fields.Enum(CaseState, by_value=True)
    state_label = Label("state")
    source = fields.Enum(CaseSource, by_value=True)
    source_label = Label("source")
    site = Nested(SiteBrief)
    licence_number = fields.Pluck(NumberRef, "number", attribute="licence", allow_none=True)
    opened_on = fields.Date()
    opened_on_jalali = JalaliOf("opened_on")
    offence_on = fields.Date()
    offence_on_jalali = JalaliOf("offence_on")
    summary = fields.String()
    complainant = fields.String(allow_none=True)
    visit_uuid = fields.String(allow_none=True)
    defence_requested_on = fields.Date(allow_none=True)
    defence_requested_on_jalali = JalaliOf("defence_requested_on")
    defence_on = fields.Date(allow_none=True)
    defence_on_jalali = JalaliOf("defence_on")
    defence_text = fields.String(allow_none=True)
    closed_reason = fields.String(allow_none=True)
    version = fields.Integer()


class CaseDetail(CaseOut):
    defence_deadline = fields.Date(allow_none=True)
    defence_deadline_jalali = JalaliOf("defence_deadline")
    violations = fields.List(Nested(CaseViolationOut))
    evidence = fields.List(Nested(EvidenceOut))
    rulings = fields.List(Nested(RulingBrief))
    suggestions = fields.List(
        Nested(SuggestionOut), metadata={"description": "پیشنهاد پلکان مجازات؛ تصمیم با کمیته"}
    )


class CaseArgs(PageArgs):
    state = Enum(CaseState)
    source = Enum(CaseSource)
    county = QueryInt()
    q = Str(max_length=100, metadata={"description": "نام یا کد دفتر، یا شماره پرونده"})


class CaseIn(Schema):
    office_code = Str(
        required=True, max_length=20, metadata={"description": "کد دفتر پیشخوان یا ICT روستایی"}
    )
    source = Choice((CaseSource.COMPLAINT, CaseSource.MANUAL), required=True)
    violation_type_ids = List(Int(), required=True, max_items=50)
    offence_on = DateIn(required=True)
    opened_on = DateIn(load_default=None, allow_none=True, metadata={"description": "پیش‌فرض: امروز"})
    complainant = Str(max_length=200, load_default=None, allow_none=True)
    summary = Str(required=True, max_length=2000)


class DefenceRequestIn(Schema):
    requested_on = DateIn(required=True)


class DefenceIn(Schema):
    defence_on = DateIn(required=True)
    defence_text = Str(required=True, max_length=4000)


class ReasonIn(Schema):
    reason = Str(required=True, max_length=1000)


# ---------------------------------------------------------------- schemas: sessions


class QuorumOut(Schema):
    ok = fields.Boolean()
    present = fields.Integer()
    needed = fields.Integer()
    missing_organisations = fields.List(fields.String())
    message = fields.String()


class TallyOut(Schema):
    eligible = fields.Integer()
    for_ = fields.Integer(attribute="for_", data_key="for")
    against = fields.Integer()
    abstain = fields.Integer()
    not_voted = fields.Integer()
    needed = fields.Integer()
    passes = fields.Boolean()
    text = fields.String()


class MemberBrief(Schema):
    id = fields.Integer()
    full_name = fields.String()
    organisation = fields.String()


class VoteOut(Schema):
    member_id = fields.Integer()
    member_name = fields.String(attribute="member.full_name")
    choice = fields.Enum(VoteChoice, by_value=True)


class RecusalOut(Schema):
    member_id = fields.Integer()
    member_name = fields.String(attribute="member.full_name")
    reason = fields.String()


class AgendaEntryOut(Schema):
    id = fields.Integer()
    position = fields.Integer()
    case = Nested(NumberRef)
    quorum = Nested(QuorumOut)
    tally = Nested(TallyOut)
    votes = fields.List(Nested(VoteOut))
    recusals = fields.List(Nested(RecusalOut))
    ruling = Nested(RulingBrief, allow_none=True)


class CorrectionOut(Schema):
    id = fields.Integer()
    text = fields.String()
    recorded_at = UtcDateTime()
    recorded_at_jalali = JalaliOf("recorded_at")


class CommitteeSessionOut(Schema):
    id = fields.Integer()
    number = fields.String()
    held_on = fields.Date()
    held_on_jalali = JalaliOf("held_on")
    place = fields.String(allow_none=True)
    closed = fields.Boolean()
    closed_at = UtcDateTime(allow_none=True)
    version = fields.Integer()


class CommitteeSessionDetail(CommitteeSessionOut):
    quorum = Nested(QuorumOut)
    attendance = fields.List(Nested(MemberBrief))
    agenda = fields.List(Nested(AgendaEntryOut))
    corrections = fields.List(Nested(CorrectionOut))


class CommitteeSessionIn(Schema):
    held_on = DateIn(required=True)
    place = Str(max_length=200, load_default=None, allow_none=True)


class CaseRefIn(Schema):
    case_id = Int(required=True)


class AttendanceIn(Schema):
    member_ids = List(Int(), required=True, max_items=50)


class VoteIn(Schema):
    member_id = Int(required=True)
    choice = Enum(VoteChoice, required=True)


class VotesIn(Schema):
    votes = List(Nested(VoteIn), required=True, max_items=50)


class OwnVoteIn(Schema):
    choice = Enum(VoteChoice, required=True)


class RecusalIn(Schema):
    member_id = Int(required=True)
    reason = Str(required=True, max_length=1000)


class RulingIn(Schema):
    penalty = Enum(PenaltyKind, required=True)
    violations_found = List(
        Str(max_length=20), load_default=list, metadata={"description": "کد تخلف‌های احرازشده"}
    )
    suspension_days = Int(load_default=None, allow_none=True, maximum=ops.MAX_SUSPENSION_DAYS)
    fine_amount = Int(
        load_default=None, allow_none=True, maximum=ops.MAX_FINE_RIALS, metadata={"description": "ریال"}
    )
    legal_basis = Str(required=True, max_length=2000)
    reasoning = Str(required=True, max_length=4000)


class CorrectionIn(Schema):
    text = Str(required=True, max_length=2000)


# ---------------------------------------------------------------- schemas: rulings


class AppealOut(Schema):
    id = fields.Integer()
    filed_on = fields.Date()
    filed_on_jalali = JalaliOf("filed_on")
    grounds = fields.String()
    decided_on = fields.Date(allow_none=True)
    decided_on_jalali = JalaliOf("decided_on")
    outcome = fields.Enum(AppealOutcome, by_value=True, allow_none=True)
    decision_reasoning = fields.String(allow_none=True)
    new_ruling_id = fields.Integer(allow_none=True)


class RulingOut(Schema):
    id = fields.Integer()
    number = fields.String()
    case = Nested(NumberRef)
    session_id = fields.Integer(allow_none=True)
    ruled_on = fields.Date()
    ruled_on_jalali = JalaliOf("ruled_on")
    penalty = fields.Enum(PenaltyKind, by_value=True)
    penalty_label = Label("penalty")
    penalty_text = fields.String()
    suspension_days = fields.Integer(allow_none=True)
    suspension_until = fields.Date(allow_none=True)
    suspension_until_jalali = JalaliOf("suspension_until")
    fine_amount = fields.Integer(allow_none=True)
    fine_status = fields.Enum(FineStatus, by_value=True, allow_none=True)
    fine_paid_on = fields.Date(allow_none=True)
    fine_paid_on_jalali = JalaliOf("fine_paid_on")
    violations_found = fields.List(fields.String())
    legal_basis = fields.String()
    reasoning = fields.String()
    state = fields.Enum(RulingState, by_value=True)
    state_label = Label("state")
    served_on = fields.Date(allow_none=True)
    served_on_jalali = JalaliOf("served_on")
    appeal_deadline = fields.Date(allow_none=True)
    appeal_deadline_jalali = JalaliOf("appeal_deadline")
    replaces_id = fields.Integer(allow_none=True)
    appeals = fields.List(Nested(AppealOut))
    version = fields.Integer()


class RulingArgs(PageArgs):
    state = Enum(RulingState)
    penalty = Enum(PenaltyKind)
    case_id = QueryInt()


class ServeIn(Schema):
    served_on = DateIn(required=True)


class FinePaidIn(Schema):
    paid_on = DateIn(required=True)


class AppealIn(Schema):
    filed_on = DateIn(required=True)
    grounds = Str(required=True, max_length=2000)


class AppealDecisionIn(Schema):
    outcome = Enum(AppealOutcome, required=True)
    decided_on = DateIn(required=True)
    decision_reasoning = Str(required=True, max_length=2000)
    replacement = Nested(
        RulingIn,
        load_default=None,
        allow_none=True,
        metadata={"description": "رأی تازه، وقتی outcome=replaced"},
    )


class LadderStepOut(Schema):
    penalty = fields.String()
    days = fields.Integer(allow_none=True)
    amount = fields.Integer(allow_none=True)


class ViolationTypeOut(Schema):
    id = fields.Integer()
    code = fields.String()
    title = fields.String()
    description = fields.String(allow_none=True)
    severity = fields.Enum(Severity, by_value=True)
    lookback_days = fields.Integer()
    legal_basis = fields.String(allow_none=True)
    ladder = fields.List(Nested(LadderStepOut))


class MemberOut(MemberBrief):
    title = fields.String(allow_none=True)
    alternate_for_id = fields.Integer(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


# ---------------------------------------------------------------- cases


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


@bp.route("/committee-members", methods=["GET"], tags=SESSIONS)
@allow(*MEMBERS)
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_schema(MemberOut, "CommitteeMemberPage"))
def committee_member_list(args):
    """اعضای کمیته (اصلی و علی‌البدل)"""
    return paginate(select(CommitteeMember).order_by(CommitteeMember.id), args)


# ---------------------------------------------------------------- sessions


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
    session = get_or_404(CommitteeSession, session_id)
    case = get_or_404(Case, case_id)
    if all(item.case_id != case.id for item in session.agenda):
        abort(404)
    return session, case


def _member(member_id: int) -> CommitteeMember:
    member = db.session.get(CommitteeMember, member_id)
    if member is None:
        raise DomainError("عضو انتخاب‌شده یافت نشد.", field="member_id")
    return member


@bp.route("/committee-sessions", methods=["GET"], tags=SESSIONS)
@allow(*VIEW_SESSIONS)
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_schema(CommitteeSessionOut, "CommitteeSessionPage"))
def committee_session_list(args):
    """جلسات کمیته تخلفات، تازه‌ترین نخست"""
    stmt = select(CommitteeSession).order_by(CommitteeSession.held_on.desc(), CommitteeSession.id.desc())
    return paginate(stmt, args)


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
    case = db.session.get(Case, data["case_id"])
    if case is None:
        raise DomainError("پرونده یافت نشد.", field="case_id")
    ops.add_to_agenda(session, case, actor=current_user)
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
        ops.record_vote(session, case, _member(vote["member_id"]), vote["choice"], actor=current_user)
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
    member = ops.member_for_user(current_user)
    if member is None:
        raise ApiError(403, "not_a_member", "حساب شما به هیچ عضوی از کمیته پیوند نخورده است.")
    ops.record_vote(session, case, member, data["choice"], actor=current_user)
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
    ops.declare_recusal(session, case, _member(data["member_id"]), data["reason"], actor=current_user)
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


# ---------------------------------------------------------------- rulings


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
