"""Business rules of the violations committee, by sub-domain:

- catalogue: the violation catalogue, penalty ladders and the ladder's suggestion for an offence;
- cases: opening a case, its evidence, the defence, its workflow and search;
- members: committee members and their alternates;
- sessions: sessions, agenda, attendance, quorum, recusals and votes, closing and corrections;
- conflicts: members the registry links to a case's office, flagged before voting;
- rulings: what a ruling says, its service, fine and finality, and how it acts on the licence;
- appeals: filing an appeal and deciding it.

The rest of the app calls what this package names (`from committees import operations as ops`).
"""

from committees.operations._common import MAX_FINE_RIALS, MAX_LOOKBACK_DAYS, MAX_SUSPENSION_DAYS
from committees.operations.appeals import decide_appeal, file_appeal
from committees.operations.cases import (
    EvidenceItem,
    add_evidence_document,
    close_case,
    current_licence,
    defence_deadline,
    evidence_path,
    find_office,
    get_case,
    mark_ready,
    open_case,
    record_defence,
    request_defence,
    search_cases,
    transition_case,
)
from committees.operations.catalogue import (
    LADDER_PENALTIES,
    MAX_LADDER_STEPS,
    active_violation_types,
    case_suggestions,
    earlier_rulings,
    normalise_ladder,
    save_violation_type,
    strongest_suggestion,
    suggest_penalty,
)
from committees.operations.conflicts import Flag, conflict_flags, office_links
from committees.operations.members import get_member, member_for_user, members_in_order, save_member
from committees.operations.rulings import (
    finalise_rulings,
    mark_fine_paid,
    record_ruling,
    serve_ruling,
    session_ruling,
)
from committees.operations.sessions import (
    NotAMember,
    Tally,
    add_correction,
    add_to_agenda,
    answer_conflict_flag,
    check_quorum,
    close_session,
    declare_recusal,
    eligible_voters,
    find_hearing,
    is_recused,
    present_members,
    ready_cases,
    record_own_vote,
    record_vote,
    remove_from_agenda,
    schedule_session,
    sessions_newest_first,
    set_attendance,
    vote_tally,
)

__all__ = [
    "LADDER_PENALTIES",
    "MAX_FINE_RIALS",
    "MAX_LADDER_STEPS",
    "MAX_LOOKBACK_DAYS",
    "MAX_SUSPENSION_DAYS",
    "EvidenceItem",
    "Flag",
    "NotAMember",
    "Tally",
    "active_violation_types",
    "add_correction",
    "add_evidence_document",
    "add_to_agenda",
    "answer_conflict_flag",
    "case_suggestions",
    "check_quorum",
    "close_case",
    "close_session",
    "conflict_flags",
    "current_licence",
    "decide_appeal",
    "declare_recusal",
    "defence_deadline",
    "earlier_rulings",
    "eligible_voters",
    "evidence_path",
    "file_appeal",
    "finalise_rulings",
    "find_hearing",
    "find_office",
    "get_case",
    "get_member",
    "is_recused",
    "mark_fine_paid",
    "mark_ready",
    "member_for_user",
    "members_in_order",
    "normalise_ladder",
    "office_links",
    "open_case",
    "present_members",
    "ready_cases",
    "record_defence",
    "record_own_vote",
    "record_ruling",
    "record_vote",
    "remove_from_agenda",
    "request_defence",
    "save_member",
    "save_violation_type",
    "schedule_session",
    "search_cases",
    "serve_ruling",
    "session_ruling",
    "sessions_newest_first",
    "set_attendance",
    "strongest_suggestion",
    "suggest_penalty",
    "transition_case",
    "vote_tally",
]
