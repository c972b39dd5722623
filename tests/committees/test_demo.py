"""The committee demo on top of the registry and licensing demos."""

from sqlalchemy import func, select

from committees.models import (
    Case,
    CaseState,
    CommitteeMember,
    CommitteeSession,
    PenaltyKind,
    Ruling,
    RulingState,
)
from core.audit import verify_chain
from core.persian import jalali, jalali_year_bounds
from demo.committees import seed_committee_demo
from demo.licensing import seed_licensing_demo
from demo.registry import seed_demo
from licensing.models import LicenceStatus
from registry.models import SiteStatus


def test_committee_demo_tells_the_story_of_1401(db):
    seed_demo(password="pishkhan-demo")
    seed_licensing_demo()
    summary = seed_committee_demo()
    db.session.commit()
    assert "3 sessions in 1401 with 6 rulings" in summary, summary
    members = db.session.scalars(select(CommitteeMember)).all()
    assert len(members) == 6 and sum(1 for m in members if m.alternate_for_id) == 1
    assert all(m.user_id for m in members if not m.alternate_for_id)
    assert len({m.organisation for m in members}) == 5
    first, last = jalali_year_bounds(1401)
    sessions = db.session.scalars(
        select(CommitteeSession)
        .where(CommitteeSession.held_on.between(first, last))
        .order_by(CommitteeSession.held_on)
    ).all()
    assert [s.number for s in sessions] == ["1401-01", "1401-02", "1401-03"]
    assert all(s.closed and len(s.agenda) == 2 and len(s.attendance) == 5 for s in sessions)
    assert any(a.member.alternate_for_id for a in sessions[1].attendance)
    assert len(sessions[2].recusals) == 1
    rulings = db.session.scalars(select(Ruling).order_by(Ruling.id)).all()
    assert {r.state for r in rulings} == {RulingState.FINAL}
    assert {r.penalty for r in rulings} >= {
        PenaltyKind.WRITTEN_WARNING,
        PenaltyKind.FINE,
        PenaltyKind.SUSPENSION,
        PenaltyKind.ACQUITTAL,
    }
    suspended = next(r for r in rulings if r.penalty == PenaltyKind.SUSPENSION)
    licence = suspended.case.licence
    assert licence.status == LicenceStatus.ACTIVE and suspended.appeals[0].outcome.value == "confirmed"
    assert SiteStatus.SUSPENDED in [c.status for c in suspended.case.site.status_changes]
    states = dict(db.session.execute(select(Case.state, func.count()).group_by(Case.state)).all())
    assert states == {CaseState.CLOSED: 6, CaseState.AWAITING_DEFENCE: 1, CaseState.READY: 1}
    upcoming = db.session.scalar(select(CommitteeSession).where(CommitteeSession.closed.is_(False)))
    assert upcoming is not None and len(upcoming.agenda) == 1
    assert jalali(upcoming.held_on).year >= 1403
    assert verify_chain(db.session).ok
