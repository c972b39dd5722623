"""Closing a session while members are voting: every vote either lands before the closing or is
refused in Persian; none is recorded in a closed session, and nothing fails with a 500."""

import threading
from datetime import date

from sqlalchemy import func, select

from committees import operations as ops
from committees.models import CommitteeMember, CommitteeSession, Vote
from core.errors import DomainError
from core.extensions import db as _db
from tests import factories

VOTERS = 12


def test_votes_racing_the_closing_of_the_session(app, db):
    members = [factories.make_committee_member(f"عضو {n}", f"سازمان {n}") for n in range(VOTERS)]
    case = factories.make_ready_case()
    session = factories.hold_hearing(case, members, held_on=date(2022, 10, 1), votes=[None] * VOTERS)
    session_id, case_id = session.id, case.id
    member_ids = [m.id for m in members]
    db.session.commit()

    barrier = threading.Barrier(VOTERS + 1)
    cast, refused, errors = [], [], []

    def run(action):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                action()
                _db.session.commit()
            except DomainError as exc:
                _db.session.rollback()
                refused.append(exc.message)
            except Exception as exc:
                _db.session.rollback()
                errors.append(repr(exc))
            finally:
                _db.session.remove()

    def vote(member_id):
        def action():
            s = _db.session.get(CommitteeSession, session_id)
            ops.record_vote(
                s, s.agenda[0].case, _db.session.get(CommitteeMember, member_id), "for", actor=None
            )
            cast.append(member_id)

        return action

    def close():
        ops.close_session(_db.session.get(CommitteeSession, session_id), actor=None)

    threads = [threading.Thread(target=run, args=(vote(m),)) for m in member_ids]
    threads.append(threading.Thread(target=run, args=(close,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(cast) + len(refused) == VOTERS
    assert all("بسته شده" in message for message in refused)
    db.session.expire_all()
    closed = db.session.get(CommitteeSession, session_id)
    assert closed.closed
    stored = db.session.scalar(
        select(func.count()).select_from(Vote).where(Vote.session_id == session_id, Vote.case_id == case_id)
    )
    assert stored == len(cast)
    last_vote = db.session.scalar(select(func.max(Vote.cast_at)))
    if last_vote is not None:
        assert last_vote.replace(tzinfo=None) <= closed.closed_at.replace(tzinfo=None)
