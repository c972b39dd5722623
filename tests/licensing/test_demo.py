from sqlalchemy import func, select

from core.audit import verify_chain
from core.clock import today_tehran
from core.persian import jalali_year_bounds
from demo.licensing import seed_licensing_demo
from demo.registry import seed_demo
from licensing.models import (
    Application,
    ApplicationKind,
    ApplicationState,
    Licence,
    LicenceStatus,
    WorkingGroupSession,
)
from registry.models import SiteKind


def test_licensing_demo_tells_the_story_of_1401(db):
    seed_demo(password="pishkhan-demo")
    summary = seed_licensing_demo()
    db.session.commit()
    assert "14 issued in 1401" in summary
    first, last = jalali_year_bounds(1401)
    issued_1401 = db.session.execute(
        select(Licence.office_kind, func.count())
        .join(Application, Licence.application)
        .where(Application.kind == ApplicationKind.NEW, Licence.issued_on.between(first, last))
        .group_by(Licence.office_kind)
    ).all()
    assert dict(issued_1401) == {SiteKind.COUNTER_OFFICE: 6, SiteKind.RURAL_ICT_OFFICE: 8}
    sessions = db.session.scalars(
        select(WorkingGroupSession).where(WorkingGroupSession.held_on.between(first, last))
    ).all()
    assert len(sessions) == 2 and all(s.closed and len(s.attendees) == 3 for s in sessions)
    states = set(db.session.scalars(select(Application.state)).all())
    assert {
        ApplicationState.RECEIVED,
        ApplicationState.UNDER_REVIEW,
        ApplicationState.READY_FOR_WG,
        ApplicationState.SITE_VISIT_REQUESTED,
        ApplicationState.LICENCE_ISSUED,
    } <= states
    statuses = set(db.session.scalars(select(Licence.status)).all())
    assert {LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED, LicenceStatus.REVOKED} <= statuses
    every_active_valid = db.session.scalar(
        select(func.count()).where(
            Licence.status == LicenceStatus.ACTIVE, Licence.expires_on < today_tehran()
        )
    )
    assert every_active_valid == 0
    assert verify_chain(db.session).ok
