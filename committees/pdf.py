"""The minutes of a committee session (صورتجلسه کمیته رسیدگی به تخلفات) as a PDF."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template

from committees import operations as ops
from committees.models import Case, CommitteeMember, CommitteeSession, Ruling, VoteChoice
from core.pdf import html_to_pdf
from licensing.pdf import issuer_name, weekday_name
from registry.operations import province_name


@dataclass
class CaseMinutes:
    """One agenda item as the minutes print it."""

    position: int
    case: Case
    recusals: list = field(default_factory=list)
    conflict_flags: list = field(default_factory=list)
    votes: list[tuple[CommitteeMember, VoteChoice | None]] = field(default_factory=list)
    tally: ops.Tally | None = None
    ruling: Ruling | None = None


def _province(session: CommitteeSession) -> str | None:
    for item in session.agenda:
        county = item.case.site.county
        if county is not None:
            return county.province.name
    return province_name()


def _case_minutes(session: CommitteeSession, item) -> CaseMinutes:
    case = item.case
    voters = ops.eligible_voters(session, case)
    cast = {v.member_id: v.choice for v in session.votes if v.case_id == case.id}
    return CaseMinutes(
        position=item.position,
        case=case,
        recusals=[r for r in session.recusals if r.case_id == case.id],
        conflict_flags=ops.conflict_flags(session, case, ops.present_members(session)),
        votes=[(m, cast.get(m.id)) for m in voters],
        tally=ops.vote_tally(session, case),
        ruling=ops.session_ruling(session, case),
    )


def minutes_context(session: CommitteeSession) -> dict:
    province = _province(session)
    return {
        "session": session,
        "province": province,
        "issuer": issuer_name(province),
        "weekday": weekday_name(session.held_on),
        "present": ops.present_members(session),
        "quorum": ops.check_quorum(session),
        "items": [_case_minutes(session, item) for item in session.agenda],
        "corrections": list(session.corrections),
    }


def minutes_html(session: CommitteeSession) -> str:
    """The minutes as HTML (what the PDF is made from)."""
    return render_template("pdf/committee_minutes.html", **minutes_context(session))


def minutes_pdf(session: CommitteeSession) -> bytes:
    """صورتجلسه: members present, each case with its votes and ruling, corrections, signatures."""
    return html_to_pdf(minutes_html(session))


def minutes_filename(session: CommitteeSession) -> str:
    return f"committee-minutes-{session.number}.pdf"
