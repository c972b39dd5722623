"""The committee's panel on the dashboard."""

from __future__ import annotations

from sqlalchemy import select

from committees.models import Case, CaseState, CommitteeSession, FineStatus, Ruling, RulingState
from committees.permissions import VIEW_CASES
from core.dashboard import Panel, dashboard_panel
from core.extensions import db


@dashboard_panel(order=40, roles=VIEW_CASES)
def _committee_panel() -> Panel:
    """Open cases by state, rulings waiting to be served, appeals, unpaid fines, next sessions."""
    from sqlalchemy import func

    by_state = dict(
        db.session.execute(
            select(Case.state, func.count()).where(Case.state != CaseState.CLOSED).group_by(Case.state)
        ).all()
    )

    def count(*conditions) -> int:
        return db.session.scalar(select(func.count()).select_from(Ruling).where(*conditions))

    upcoming = db.session.scalars(
        select(CommitteeSession)
        .where(CommitteeSession.closed.is_(False))
        .order_by(CommitteeSession.held_on)
        .limit(3)
    ).all()
    return Panel(
        "کمیته رسیدگی به تخلفات",
        "committees/panels/committee.html",
        {
            "by_state": [(s, by_state[s]) for s in CaseState if by_state.get(s)],
            "open_total": sum(by_state.values()),
            "ready": by_state.get(CaseState.READY, 0),
            "unserved": count(Ruling.state == RulingState.ISSUED),
            "appeals": count(Ruling.state == RulingState.UNDER_APPEAL),
            "unpaid": count(
                Ruling.fine_status == FineStatus.UNPAID,
                Ruling.state.in_([RulingState.SERVED, RulingState.UNDER_APPEAL, RulingState.FINAL]),
            ),
            "upcoming": upcoming,
        },
        width="col-lg-6",
    )
