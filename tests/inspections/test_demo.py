"""The inspections demo: a year of visits (some flagged, some with failed items), sites never
visited left due, and a day's round for each demo inspector."""

from sqlalchemy import func, select

from core.audit import verify_chain
from demo.inspections import seed_inspections_demo
from demo.registry import seed_demo
from inspections import operations as ops
from inspections.models import Assignment, Visit


def test_the_demo_gives_every_inspection_screen_something_to_show(db):
    seed_demo(password="pishkhan-demo")
    summary = seed_inspections_demo()
    db.session.commit()
    visits = db.session.scalars(select(Visit)).all()
    assert summary.startswith(f"inspections: {len(visits)} past visits")
    assert len(visits) > 250
    assert any(v.flag_too_far for v in visits) and any(v.flag_poor_fix for v in visits)
    assert any(v.failed_count for v in visits)
    assert 0 < sum(not v.complete for v in visits) < len(visits) / 10
    assert db.session.scalar(select(func.count()).select_from(ops.due_sites().subquery())) > 50
    assignments = db.session.scalars(select(Assignment)).all()
    assert len(assignments) == 14 and len({a.inspector_id for a in assignments}) == 2
    assert verify_chain(db.session).ok
