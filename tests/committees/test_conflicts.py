"""Conflict-of-interest flags: a member the registry links to the office answers before voting."""

from __future__ import annotations

import pytest

from committees import operations as ops
from committees.models import ConflictAnswer
from committees.pdf import _case_minutes
from core.errors import DomainError
from core.security import Role
from tests import factories
from tests.inspections.helpers import client_for


@pytest.fixture
def hearing(db):
    """A case on the agenda of an open session whose members include the licence holder and the operator."""
    members = factories.make_committee(5)
    licence = factories.make_licence()
    operator = factories.make_person("سارا", "محمدی")
    licence.site.operator_id = operator.id
    holder_member, operator_member = members[0], members[1]
    ops.save_member(holder_member, _data(holder_member, licence.holder.national_id), actor=None)
    ops.save_member(operator_member, _data(operator_member, operator.national_id), actor=None)
    case = factories.make_ready_case(licence.site)
    session = factories.hold_hearing(case, members, votes=[None] * 5)
    db.session.commit()
    return session, case, members


def _data(member, national_id):
    return {"full_name": member.full_name, "organisation": member.organisation, "national_id": national_id}


def test_members_linked_to_the_office_are_flagged(hearing):
    session, case, members = hearing
    flags = ops.conflict_flags(session, case, ops.present_members(session))
    assert {f.member.id: f.link.split(" دفتر")[0] for f in flags} == {
        members[0].id: "دارنده پروانه",
        members[1].id: "متصدی",
    }
    assert all(f.answer is None for f in flags)


def test_a_flagged_member_cannot_vote_before_answering(hearing):
    session, case, members = hearing
    with pytest.raises(DomainError, match="پیش از رأی باید از رأی کناره بگیرد"):
        ops.record_vote(session, case, members[0], "for", actor=None)
    ops.record_vote(session, case, members[2], "for", actor=None)  # an unlinked member votes as before


def test_recusal_or_a_reasoned_declaration(hearing):
    session, case, members = hearing
    with pytest.raises(DomainError, match="چرا این پیوند") as refused:
        ops.answer_conflict_flag(session, case, members[1], ConflictAnswer.NO_CONFLICT, "", actor=None)
    assert refused.value.field == "note"
    ops.answer_conflict_flag(session, case, members[0], ConflictAnswer.RECUSED, None, actor=None)
    assert ops.is_recused(session, case, members[0])
    with pytest.raises(DomainError, match="تعارض منافع اعلام کرده"):
        ops.record_vote(session, case, members[0], "for", actor=None)
    ops.answer_conflict_flag(
        session,
        case,
        members[1],
        ConflictAnswer.NO_CONFLICT,
        "قرارداد متصدی سال گذشته پایان یافته است.",
        actor=None,
    )
    ops.record_vote(session, case, members[1], "against", actor=None)
    with pytest.raises(DomainError, match="پیوندی ندارد"):
        ops.answer_conflict_flag(session, case, members[3], ConflictAnswer.RECUSED, None, actor=None)
    with pytest.raises(DomainError, match="پیش‌تر ثبت شده"):
        ops.answer_conflict_flag(session, case, members[1], ConflictAnswer.NO_CONFLICT, "دوباره", actor=None)


def test_the_minutes_carry_the_flag_and_the_answer(hearing):
    session, case, members = hearing
    ops.answer_conflict_flag(session, case, members[0], ConflictAnswer.RECUSED, None, actor=None)
    item = next(i for i in session.agenda if i.case_id == case.id)
    minutes = _case_minutes(session, item)
    answers = {f.member.id: (f.answer.answer if f.answer else None) for f in minutes.conflict_flags}
    assert answers == {members[0].id: ConflictAnswer.RECUSED, members[1].id: None}


def test_the_hearing_page_shows_the_flag_and_takes_the_answer(app, hearing, db):
    session, case, members = hearing
    secretary = client_for(app, Role.COMMITTEE_SECRETARY)
    url = f"/committees/sessions/{session.id}/cases/{case.id}"
    page = secretary.get(url).get_data(as_text=True)
    assert "هشدار تعارض منافع" in page and "دارنده پروانه" in page
    refused = secretary.post(f"{url}/conflicts/{members[1].id}", data={"answer": "no_conflict", "note": ""})
    assert refused.status_code == 200 and "چرا این پیوند" in refused.get_data(as_text=True)
    done = secretary.post(f"{url}/conflicts/{members[0].id}", data={"answer": "recused", "note": ""})
    assert done.status_code == 302
    member = client_for(app, Role.COMMITTEE_MEMBER)
    assert member.post(f"{url}/conflicts/{members[1].id}", data={"answer": "recused"}).status_code == 403


def test_a_member_national_id_is_checked(db):
    member = factories.make_committee_member()
    with pytest.raises(DomainError, match="کد ملی درست نیست") as refused:
        ops.save_member(member, _data(member, "1234567890"), actor=None)
    assert refused.value.field == "national_id"
