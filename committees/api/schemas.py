"""What the committee's API reads and answers: cases, sessions with their agenda, votes and
recusals, rulings with their appeals, the catalogue and the members."""

from __future__ import annotations

from marshmallow import fields

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
from api.schemas import PageArgs
from committees import operations as ops
from committees.models import (
    AppealOutcome,
    CaseSource,
    CaseState,
    FineStatus,
    PenaltyKind,
    RulingState,
    Severity,
    VoteChoice,
)
from registry.api import SiteBrief

CASES, SESSIONS, RULINGS = ["cases"], ["committee-sessions"], ["rulings"]


# ---------------------------------------------------------------- cases


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


# ---------------------------------------------------------------- sessions


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


# ---------------------------------------------------------------- rulings


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
