"""The committee's rules: the ladder's suggestion, quorum, recusal, majority, rulings that act on
the licence, service, appeals, finality, closed minutes and their corrections."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from committees import operations as ops
from committees.models import (
    AppealOutcome,
    CaseSource,
    CaseState,
    FineStatus,
    PenaltyKind,
    RulingState,
    SessionCorrection,
    ViolationType,
)
from committees.operations._common import insert_unique
from core.audit import AuditEvent, history
from core.errors import DomainError
from core.persian import clean_text
from core.security import Role
from core.settings import set_setting
from licensing import operations as licensing_ops
from licensing.models import ApplicationKind, ApplicationState, LicenceStatus
from registry.models import SiteKind, SiteStatus
from tests import factories

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

SUSPENDED = LicenceStatus.SUSPENDED
V02 = "V02"  # closed in working hours: [warning, notice, suspension 7, suspension 30, revocation]


def _rule_on(site, offence_on, penalty="written_warning", codes=(V02,), **data):
    """A case against the office for an offence on that day, ruled with that penalty."""
    case = factories.make_ready_case(site, codes=codes, offence_on=offence_on)
    return factories.make_ruling(case, penalty=penalty, codes=[] if penalty == "acquittal" else codes, **data)


def _last_change(site):
    return max(site.status_changes, key=lambda change: change.id)


def _served(ruling, served_on):
    return ops.serve_ruling(ruling, served_on, actor=None)


# ---------------------------------------------------------------- the ladder


def test_ladder_first_second_third_offence_within_the_lookback(db):
    site = factories.make_licence().site
    v02 = factories.violation_type(V02)
    assert v02.lookback_days == 365
    first = factories.make_case(site, offence_on=date(2022, 1, 10))
    suggestion = ops.suggest_penalty(first, v02)
    assert (suggestion.offence_number, suggestion.penalty) == (1, PenaltyKind.WRITTEN_WARNING)
    assert suggestion.counted == []
    ops.close_case(first, "ثبت تکراری", actor=None)

    _rule_on(site, date(2022, 1, 10))
    second = factories.make_case(site, offence_on=date(2022, 5, 1))
    suggestion = ops.suggest_penalty(second, v02)
    assert (suggestion.offence_number, suggestion.penalty) == (2, PenaltyKind.FILED_NOTICE)
    assert suggestion.text == "اخطار کتبی با درج در پرونده"
    ops.close_case(second, "ثبت تکراری", actor=None)

    _rule_on(site, date(2022, 5, 1), penalty="filed_notice")
    third = factories.make_case(site, offence_on=date(2022, 9, 1))
    suggestion = ops.suggest_penalty(third, v02)
    assert (suggestion.offence_number, suggestion.penalty, suggestion.days) == (3, PenaltyKind.SUSPENSION, 7)
    assert suggestion.text == "تعلیق پروانه به مدت ۷ روز"
    assert len(suggestion.counted) == 2


def test_offences_outside_the_lookback_do_not_count(db):
    site = factories.make_licence().site
    v02 = factories.violation_type(V02)
    _rule_on(site, date(2021, 1, 1))  # 608 days earlier: outside
    _rule_on(site, date(2021, 9, 1), penalty="filed_notice")  # 365 days earlier: inside
    case = factories.make_case(site, offence_on=date(2022, 9, 1))
    suggestion = ops.suggest_penalty(case, v02)
    assert suggestion.offence_number == 2 and suggestion.penalty == PenaltyKind.FILED_NOTICE
    v02.lookback_days = 364
    assert ops.suggest_penalty(case, v02).offence_number == 1
    v02.lookback_days = 700
    assert ops.suggest_penalty(case, v02).offence_number == 3


def test_only_rulings_that_found_this_violation_at_this_office_count(db):
    site = factories.make_licence().site
    other_office = factories.make_licence(lat=33.3, lon=48.2).site
    v02 = factories.violation_type(V02)
    _rule_on(site, date(2022, 3, 1), penalty="acquittal")  # nothing found
    _rule_on(site, date(2022, 4, 1), codes=("V07",))  # another violation
    _rule_on(other_office, date(2022, 5, 1))  # another office
    case = factories.make_case(site, offence_on=date(2022, 9, 1), codes=(V02, "V07"))
    assert ops.suggest_penalty(case, v02).offence_number == 1
    v07 = ops.suggest_penalty(case, factories.violation_type("V07"))
    assert v07.offence_number == 2 and v07.penalty == PenaltyKind.FILED_NOTICE
    # The strongest of the case's suggestions starts the ruling form.
    assert ops.strongest_suggestion(case).violation_type.code == "V07"


def test_offences_past_the_last_step_repeat_it(db):
    site = factories.make_licence().site
    v06 = factories.violation_type("V06")  # moving without permission: [R]
    case = factories.make_case(site, codes=("V06",))
    assert ops.suggest_penalty(case, v06).penalty == PenaltyKind.REVOCATION
    v02 = factories.violation_type(V02)
    v02.ladder = [{"penalty": "written_warning"}, {"penalty": "fine", "amount": 5_000_000}]
    for month in (1, 2, 3):
        _rule_on(site, date(2022, month, 1))
    later = factories.make_case(site, offence_on=date(2022, 9, 1))
    suggestion = ops.suggest_penalty(later, v02)
    assert suggestion.offence_number == 4 and suggestion.amount == 5_000_000
    assert suggestion.text == "جریمه نقدی ۵٬۰۰۰٬۰۰۰ ریال"


def test_a_replaced_ruling_does_not_count_but_its_replacement_does(db):
    site = factories.make_licence().site
    v02 = factories.violation_type(V02)
    ruling = _rule_on(site, date(2022, 3, 1))
    _served(ruling, date(2022, 4, 1))
    appeal = ops.file_appeal(ruling, filed_on=date(2022, 4, 5), grounds="دفتر باز بود", actor=None)
    ops.decide_appeal(
        appeal,
        outcome="replaced",
        decided_on=date(2022, 4, 20),
        reasoning="شاهدان باز بودن دفتر را تأیید کردند.",
        actor=None,
        replacement=factories.ruling_data("acquittal", codes=()),
    )
    case = factories.make_case(site, offence_on=date(2022, 9, 1))
    assert ops.suggest_penalty(case, v02).offence_number == 1  # acquitted on appeal

    other = _rule_on(site, date(2022, 5, 1), penalty="filed_notice")
    _served(other, date(2022, 6, 1))
    appeal = ops.file_appeal(other, filed_on=date(2022, 6, 2), grounds="سنگین است", actor=None)
    ops.decide_appeal(
        appeal,
        outcome="replaced",
        decided_on=date(2022, 6, 10),
        reasoning="نخستین تخلف دفتر است.",
        actor=None,
        replacement=factories.ruling_data("written_warning"),
    )
    suggestion = ops.suggest_penalty(case, v02)
    assert suggestion.offence_number == 2
    assert [r.state for r in suggestion.counted] == [RulingState.FINAL]


# ---------------------------------------------------------------- the catalogue


def test_ladder_is_checked_with_persian_messages(db):
    with pytest.raises(DomainError, match="دست‌کم یک پله"):
        ops.normalise_ladder([{"penalty": ""}])
    with pytest.raises(DomainError, match="روزهای تعلیق"):
        ops.normalise_ladder([{"penalty": "suspension", "days": None}])
    with pytest.raises(DomainError, match="مبلغ جریمه"):
        ops.normalise_ladder([{"penalty": "fine", "amount": 0}])
    with pytest.raises(DomainError, match="آخرین پله"):
        ops.normalise_ladder([{"penalty": "revocation"}, {"penalty": "written_warning"}])
    with pytest.raises(DomainError, match="برائت"):
        ops.normalise_ladder([{"penalty": "acquittal"}])
    assert ops.normalise_ladder(
        [
            {"penalty": "written_warning", "days": 3, "amount": 9},
            {"penalty": ""},
            {"penalty": "suspension", "days": "15"},
            {"penalty": "fine", "amount": 20_000_000},
        ]
    ) == [
        {"penalty": "written_warning"},
        {"penalty": "suspension", "days": 15},
        {"penalty": "fine", "amount": 20_000_000},
    ]


def test_new_violation_type_and_its_code(db):
    data = {
        "code": " v11 ",
        "title": "عدم نصب پروانه در محل",
        "severity": "low",
        "lookback_days": 180,
        "ladder": [{"penalty": "written_warning"}],
    }
    created = ops.save_violation_type(None, data, actor=None)
    assert created.code == "V11" and created.ladder == [{"penalty": "written_warning"}]
    with pytest.raises(DomainError, match="پیش‌تر ثبت شده"):
        ops.save_violation_type(None, {**data, "title": "دیگر"}, actor=None)
    with pytest.raises(DomainError, match="حروف لاتین"):
        ops.save_violation_type(None, {**data, "code": "تخلف۱"}, actor=None)
    with pytest.raises(DomainError, match="دوره بازنگری"):
        ops.save_violation_type(created, {**data, "lookback_days": 0}, actor=None)
    ops.save_violation_type(created, {**data, "title": "نصب نکردن پروانه", "active": False}, actor=None)
    assert created.code == "V11" and not created.active
    assert created not in ops.active_violation_types()
    assert len(db.session.scalars(select(ViolationType)).all()) == 11


# ---------------------------------------------------------------- cases


def test_case_workflow_needs_the_defence_or_its_window(db):
    set_setting("committee.defence_days", 10)
    case = factories.make_case(opened_on=date(2022, 9, 5))
    assert case.number.startswith("1401-") and case.state == CaseState.OPEN
    assert case.licence is not None and case.licence.site == case.site
    with pytest.raises(DomainError, match="نمی‌توان"):
        ops.transition_case(case, CaseState.READY, actor=None)
    with pytest.raises(DomainError, match="نمی‌توان"):
        ops.transition_case(case, CaseState.RULED, actor=None)
    ops.request_defence(case, requested_on=date(2022, 9, 6), actor=None)
    assert case.state == CaseState.AWAITING_DEFENCE
    # Ten working days from Tuesday 6 September 2022: Fridays 9 and 16 and Arbaeen (Saturday 17)
    # are not counted, so the window ends on Monday 19 September (۱۴۰۱/۰۶/۲۸).
    assert ops.defence_deadline(case) == date(2022, 9, 19)
    with pytest.raises(DomainError, match="مهلت آن تا ۱۴۰۱/۰۶/۲۸"):
        ops.mark_ready(case, actor=None, today=date(2022, 9, 19))
    ops.mark_ready(case, actor=None, today=date(2022, 9, 20))  # window passed, no defence
    assert case.state == CaseState.READY
    ops.record_defence(case, text="دفاعیه دیرهنگام", received_on=date(2022, 9, 20), actor=None)
    session = ops.schedule_session(date(2022, 10, 1), place=None, actor=None)
    item = ops.add_to_agenda(session, case, actor=None)
    for step in (
        lambda: ops.close_case(case, "استرداد شکایت", actor=None),
        lambda: ops.request_defence(case, requested_on=date(2022, 9, 20), actor=None),
    ):
        with pytest.raises(DomainError, match="از دستور جلسه بردارید"):
            step()
    ops.remove_from_agenda(item, actor=None)
    ops.request_defence(case, requested_on=date(2022, 9, 20), actor=None)  # a further defence
    assert case.state == CaseState.AWAITING_DEFENCE
    ops.mark_ready(case, actor=None)
    with pytest.raises(DomainError, match="دلیل"):
        ops.close_case(case, "  ", actor=None)
    ops.close_case(case, "شاکی شکایت خود را پس گرفت.", actor=None)
    assert case.state == CaseState.CLOSED and case.closed_reason.startswith("شاکی")
    assert any(e.after.get("state") == "closed" for e in history(db.session, "cases", case.id))


def test_open_case_refuses_atms_and_missing_data(db):
    atm = factories.make_site(kind=SiteKind.ATM)
    with pytest.raises(DomainError, match="دفتر میزبان"):
        factories.make_case(atm)
    office = factories.make_site()
    with pytest.raises(DomainError, match="نام شاکی"):
        factories.make_case(office, source=CaseSource.COMPLAINT)
    with pytest.raises(DomainError, match="پس از تاریخ تشکیل"):
        factories.make_case(office, offence_on=date(2022, 9, 1), opened_on=date(2022, 8, 1))
    case = factories.make_case(office, source="complaint", complainant="علي كريمي")
    assert case.complainant == "علی کریمی" and case.licence is None


def test_evidence_documents_are_checked_by_content_and_size(db):
    case = factories.make_case()
    with pytest.raises(DomainError, match="PDF"):
        ops.add_evidence_document(
            case, filename="x.pdf", content=b"MZ\x90 nope", description="گزارش", actor=None
        )
    set_setting("licensing.document_max_mb", 1)
    with pytest.raises(DomainError, match="حجم"):
        ops.add_evidence_document(
            case, filename="big.pdf", content=b"%PDF" + b"0" * 2**20, description="گزارش", actor=None
        )
    photo = ops.add_evidence_document(
        case, filename="عکس.pdf", content=b"\xff\xd8\xff\xe0 jpeg", description="عکس تابلوی دفتر", actor=None
    )
    assert photo.content_type == "image/jpeg" and ops.evidence_path(photo).exists()


# ---------------------------------------------------------------- members, quorum, votes


def test_alternate_stands_for_the_principal_organisation(db):
    principal = factories.make_committee_member("نسرین امیری", "استانداری لرستان")
    alternate = factories.make_committee_member(
        "لیلا میرزایی", organisation="", alternate_for_id=principal.id
    )
    assert alternate.organisation == "استانداری لرستان"
    with pytest.raises(DomainError, match="همان سازمان"):
        factories.make_committee_member("کسی", "شهرداری", alternate_for_id=principal.id)
    with pytest.raises(DomainError, match="علی‌البدل دیگری"):
        factories.make_committee_member("کسی", "", alternate_for_id=alternate.id)

    set_setting("committee.required_organisations", ["استانداري لرستان"])  # Arabic ي: folded
    others = factories.make_committee(5)
    others = [m for m in others if m.organisation != "استانداری لرستان"]
    case = factories.make_ready_case()
    session = ops.schedule_session(date(2022, 10, 1), place=None, actor=None)
    ops.add_to_agenda(session, case, actor=None)
    ops.set_attendance(session, [m.id for m in others], actor=None)
    report = ops.check_quorum(session)
    assert not report.ok and report.missing_organisations == ["استانداري لرستان"]
    ops.set_attendance(session, [m.id for m in [*others, alternate]], actor=None)
    assert ops.check_quorum(session).ok
    with pytest.raises(DomainError, match="یک کرسی"):
        ops.set_attendance(session, [principal.id, alternate.id], actor=None)
    ops.record_vote(session, case, alternate, "for", actor=None)


def test_votes_and_rulings_are_refused_without_quorum(db):
    set_setting("committee.quorum_members", 3)
    members = factories.make_committee(5)
    case = factories.make_ready_case()
    session = ops.schedule_session(date(2022, 10, 1), place=None, actor=None)
    ops.add_to_agenda(session, case, actor=None)
    ops.set_attendance(session, [members[0].id, members[1].id], actor=None)
    with pytest.raises(DomainError, match="حد نصاب برقرار نیست: ۲ عضو حاضر است"):
        ops.record_vote(session, case, members[0], "for", actor=None)
    with pytest.raises(DomainError, match="حد نصاب"):
        ops.record_ruling(case, session, factories.ruling_data(), actor=None)
    with pytest.raises(DomainError, match="حاضران"):
        ops.record_vote(session, case, members[3], "for", actor=None)

    set_setting("committee.required_organisations", [factories.COMMITTEE_ORGANISATIONS[3]])
    ops.set_attendance(session, [m.id for m in members[:3]], actor=None)
    with pytest.raises(DomainError, match="انجمن صنفی"):
        ops.record_vote(session, case, members[0], "for", actor=None)
    ops.set_attendance(session, [m.id for m in members[:4]], actor=None)
    assert ops.record_vote(session, case, members[0], "for", actor=None)


def test_a_recused_member_cannot_vote_and_does_not_count(db):
    members = factories.make_committee(4)
    case = factories.make_ready_case()
    session = ops.schedule_session(date(2022, 10, 1), place=None, actor=None)
    ops.add_to_agenda(session, case, actor=None)
    ops.set_attendance(session, [m.id for m in members], actor=None)
    ops.declare_recusal(session, case, members[3], "متصدی دفتر خویشاوند اوست.", actor=None)
    with pytest.raises(DomainError, match="تعارض منافع"):
        ops.record_vote(session, case, members[3], "for", actor=None)
    with pytest.raises(DomainError, match="پیش‌تر ثبت شده"):
        ops.declare_recusal(session, case, members[3], "دوباره", actor=None)
    ops.record_vote(session, case, members[0], "for", actor=None)
    with pytest.raises(DomainError, match="پیش از رأی‌گیری"):
        ops.declare_recusal(session, case, members[0], "دیرهنگام", actor=None)
    ops.declare_recusal(session, case, members[2], "شریک تجاری متصدی", actor=None)
    # Two of four left to vote on this case: below the quorum of three.
    with pytest.raises(DomainError, match="حد نصاب"):
        ops.record_vote(session, case, members[1], "for", actor=None)
    with pytest.raises(DomainError, match="حضورش را نمی‌توان برداشت"):
        ops.set_attendance(session, [members[0].id, members[1].id], actor=None)


def test_a_ruling_needs_more_than_half_of_the_members_entitled_to_vote(db):
    members = factories.make_committee(5)
    case = factories.make_ready_case()
    session = factories.hold_hearing(case, members, votes=["for", "for", "against", "abstain", "abstain"])
    tally = ops.vote_tally(session, case)
    assert (tally.for_, tally.against, tally.abstain) == (2, 1, 2)
    assert (tally.eligible, tally.needed) == (5, 3)
    with pytest.raises(DomainError, match="اکثریت"):
        ops.record_ruling(case, session, factories.ruling_data(), actor=None)
    ops.record_vote(session, case, members[2], "for", actor=None)  # changed: 3 of 5
    assert len(session.votes) == 5 and ops.vote_tally(session, case).passes
    ruling = ops.record_ruling(case, session, factories.ruling_data(), actor=None)
    assert ruling.state == RulingState.ISSUED and case.state == CaseState.RULED
    assert ruling.number.startswith("1401-") and ruling.ruled_on == session.held_on
    with pytest.raises(DomainError, match="وضعیت «رأی صادر شد»"):
        ops.record_vote(session, case, members[3], "for", actor=None)
    # Votes not cast count as not for: 2 for and 3 silent does not pass.
    other = factories.make_ready_case(codes=("V07",))
    session = factories.hold_hearing(other, members, votes=["for", "for", None, None, None])
    tally = ops.vote_tally(session, other)
    assert (tally.for_, tally.not_voted, tally.passes) == (2, 3, False)
    with pytest.raises(DomainError, match="بدون رأی ۳"):
        ops.record_ruling(other, session, factories.ruling_data(codes=("V07",)), actor=None)


def test_ruling_contents_are_checked(db):
    case = factories.make_ready_case(site=factories.make_site(), codes=(V02, "V07"))
    members = factories.make_committee(3)
    session = factories.hold_hearing(case, members)
    bad = [
        ({"penalty": "x"}, "مجازات"),
        ({"violations_found": []}, "احرازشده"),
        ({"violations_found": ["V05"]}, "همین پرونده"),
        ({"penalty": "acquittal"}, "برائت"),
        ({"penalty": "suspension"}, "روزهای تعلیق"),
        ({"penalty": "fine", "fine_amount": 0}, "مبلغ جریمه"),
        ({"legal_basis": " "}, "مستند"),
        ({"reasoning": ""}, "استدلال"),
        ({"penalty": "suspension", "suspension_days": 7}, "پروانه معتبری ندارد"),
    ]
    for change, message in bad:
        with pytest.raises(DomainError, match=message):
            ops.record_ruling(case, session, {**factories.ruling_data(), **change}, actor=None)
    ruling = ops.record_ruling(
        case,
        session,
        factories.ruling_data("fine", codes=("V07", V02), fine_amount="2000000", suspension_days=9),
        actor=None,
    )
    assert ruling.violations_found == [V02, "V07"]
    assert (ruling.fine_amount, ruling.fine_status, ruling.suspension_days) == (
        2_000_000,
        FineStatus.UNPAID,
        None,
    )


# ---------------------------------------------------------------- rulings on the licence


def test_suspension_starts_on_service_blocks_a_transfer_and_ends_on_its_date(app, db):
    licence = factories.make_licence(issued_on=date(2021, 1, 1))
    case = factories.make_ready_case(licence.site)
    ruling = factories.make_ruling(case, penalty="suspension", suspension_days=10)
    assert licence.status == LicenceStatus.ACTIVE  # issued, not yet served
    _served(ruling, date(2022, 10, 1))  # ۱۴۰۱/۰۷/۰۹
    assert ruling.suspension_until == date(2022, 10, 10)  # ten days: 1 to 10 October
    assert ruling.appeal_deadline == date(2022, 10, 25)  # 20 working days, see below
    assert (licence.status, licence.suspended_until) == (SUSPENDED, date(2022, 10, 10))
    assert licence.site.status == SiteStatus.SUSPENDED
    assert _last_change(licence.site).effective_on == date(2022, 10, 1)
    assert ruling.number in licence.status_reason

    buyer = factories.make_person("کاوه", "رحمانی")
    transfer = licensing_ops.create_application(
        ApplicationKind.TRANSFER, applicant=buyer, licence=licence, actor=None, received_on=date(2022, 10, 3)
    )
    factories.attach_all_documents(transfer)
    licensing_ops.start_review(transfer, actor=None)
    check = next(c for c in licensing_ops.eligibility_checks(transfer) if c.code == "licence_status")
    assert not check.passed and not check.overridable and "تعلیق" in check.detail
    with pytest.raises(DomainError, match="پروانه معلق یا لغو نشده باشد"):
        licensing_ops.transition(transfer, ApplicationState.READY_FOR_WG, actor=None)
    db.session.commit()

    runner = app.test_cli_runner()
    result = runner.invoke(args=["licensing", "daily", "--today", "۱۴۰۱/۰۷/۱۸"])  # 10 October
    assert result.exit_code == 0 and "suspensions lifted: 0" in result.output
    db.session.expire_all()
    assert licence.status == LicenceStatus.SUSPENDED  # its last day
    result = runner.invoke(args=["licensing", "daily", "--today", "1401/07/19"])  # 11 October
    assert "suspensions lifted: 1" in result.output
    db.session.expire_all()
    assert licence.status == LicenceStatus.ACTIVE and licence.suspended_until is None
    assert licence.site.status == SiteStatus.ACTIVE
    assert _last_change(licence.site).effective_on == date(2022, 10, 11)
    check = next(c for c in licensing_ops.eligibility_checks(transfer) if c.code == "licence_status")
    assert check.passed
    again = runner.invoke(args=["licensing", "daily", "--today", "1401/07/19"])
    assert "suspensions lifted: 0" in again.output


def test_a_second_suspension_waits_for_the_first_to_end(db):
    licence = factories.make_licence()
    first = factories.make_ruling(
        factories.make_ready_case(licence.site), penalty="suspension", suspension_days=30
    )
    _served(first, date(2022, 10, 1))
    second = factories.make_ruling(
        factories.make_ready_case(licence.site, codes=("V07",)), penalty="suspension", suspension_days=7
    )
    with pytest.raises(DomainError, match="پس از پایان تعلیق کنونی"):
        _served(second, date(2022, 10, 5))


def test_revocation_on_service(db):
    licence = factories.make_licence()
    ruling = factories.make_ruling(
        factories.make_ready_case(licence.site, codes=("V06",)), penalty="revocation"
    )
    _served(ruling, date(2022, 10, 1))
    assert licence.status == LicenceStatus.REVOKED and licence.site.status == SiteStatus.REVOKED
    assert ruling.case.licence == licence
    with pytest.raises(DomainError, match="پیش‌تر ثبت شده"):
        _served(ruling, date(2022, 10, 2))


def test_service_date_is_checked(db):
    ruling = factories.make_ruling()
    with pytest.raises(DomainError, match="پیش از تاریخ صدور"):
        _served(ruling, ruling.ruled_on - timedelta(days=1))
    with pytest.raises(DomainError, match="پس از امروز"):
        ops.serve_ruling(ruling, date(2022, 10, 1), actor=None, today=date(2022, 9, 30))


def test_fine_is_recorded_and_marked_paid(db):
    ruling = factories.make_ruling(penalty="fine", fine_amount=20_000_000)
    assert ruling.fine_status == FineStatus.UNPAID
    with pytest.raises(DomainError, match="صادر شده"):
        ops.mark_fine_paid(ruling, date(2022, 10, 2), actor=None)
    _served(ruling, date(2022, 10, 1))
    with pytest.raises(DomainError, match="پیش از ابلاغ"):
        ops.mark_fine_paid(ruling, date(2022, 9, 30), actor=None)
    ops.mark_fine_paid(ruling, date(2022, 10, 9), actor=None)
    assert ruling.fine_status == FineStatus.PAID and ruling.fine_paid_on == date(2022, 10, 9)
    with pytest.raises(DomainError, match="پیش‌تر ثبت شده"):
        ops.mark_fine_paid(ruling, date(2022, 10, 9), actor=None)


# ---------------------------------------------------------------- appeals and finality


def test_appeal_inside_and_outside_the_window(db):
    set_setting("committee.appeal_days", 20)
    ruling = factories.make_ruling()
    with pytest.raises(DomainError, match="ابلاغ‌شده"):
        ops.file_appeal(ruling, filed_on=date(2022, 10, 2), grounds="ناروا", actor=None)
    _served(ruling, date(2022, 10, 1))
    # 20 working days from Saturday 1 October 2022: the Fridays 7, 14 and 21 October and
    # Wednesday 5 October (Imam Hasan Askari) are not counted: Tuesday 25 October (۱۴۰۱/۰۸/۰۳).
    assert ruling.appeal_deadline == date(2022, 10, 25)
    with pytest.raises(DomainError, match="مهلت اعتراض به این رأی در ۱۴۰۱/۰۸/۰۳ به پایان"):
        ops.file_appeal(ruling, filed_on=date(2022, 10, 26), grounds="ناروا", actor=None)
    with pytest.raises(DomainError, match="دلایل اعتراض"):
        ops.file_appeal(ruling, filed_on=date(2022, 10, 25), grounds=" ", actor=None)
    appeal = ops.file_appeal(ruling, filed_on=date(2022, 10, 25), grounds="ناروا", actor=None)
    assert ruling.state == RulingState.UNDER_APPEAL
    # An appeal under way keeps the ruling from becoming final.
    assert ops.finalise_rulings(date(2022, 12, 1)) == []
    with pytest.raises(DomainError, match="پیش از تاریخ اعتراض"):
        ops.decide_appeal(
            appeal, outcome="confirmed", decided_on=date(2022, 10, 20), reasoning="دلیل", actor=None
        )
    assert (
        ops.decide_appeal(
            appeal,
            outcome=AppealOutcome.CONFIRMED,
            decided_on=date(2022, 11, 1),
            reasoning="دلایل اعتراض وارد نیست.",
            actor=None,
        )
        is ruling
    )
    assert ruling.state == RulingState.FINAL and ruling.case.state == CaseState.CLOSED
    with pytest.raises(DomainError, match="پیش‌تر تصمیم"):
        ops.decide_appeal(
            appeal, outcome="confirmed", decided_on=date(2022, 11, 1), reasoning="دوباره", actor=None
        )


def test_rulings_become_final_when_the_window_passes(app, db):
    set_setting("committee.appeal_days", 20)
    ruling = factories.make_ruling()
    _served(ruling, date(2022, 10, 1))
    assert ops.finalise_rulings(date(2022, 10, 25)) == []  # the window's last (20th working) day
    assert ops.finalise_rulings(date(2022, 10, 26)) == [ruling]
    assert ruling.state == RulingState.FINAL and ruling.case.state == CaseState.CLOSED
    assert ops.finalise_rulings(date(2022, 10, 26)) == []
    with pytest.raises(DomainError, match="قطعی"):
        ops.file_appeal(ruling, filed_on=date(2022, 10, 20), grounds="دیر", actor=None)


def test_appeal_replaces_a_suspension_with_a_warning_and_the_licence_returns(db):
    licence = factories.make_licence()
    ruling = factories.make_ruling(
        factories.make_ready_case(licence.site), penalty="suspension", suspension_days=30
    )
    _served(ruling, date(2022, 10, 1))
    appeal = ops.file_appeal(ruling, filed_on=date(2022, 10, 3), grounds="بار نخست", actor=None)
    new = ops.decide_appeal(
        appeal,
        outcome="replaced",
        decided_on=date(2022, 10, 10),
        reasoning="نخستین تخلف دفتر است.",
        actor=None,
        replacement=factories.ruling_data("written_warning"),
    )
    assert ruling.state == RulingState.REPLACED and new.replaces == ruling
    assert new.state == RulingState.FINAL and new.session is None and appeal.new_ruling == new
    assert licence.status == LicenceStatus.ACTIVE and licence.site.status == SiteStatus.ACTIVE
    assert _last_change(licence.site).effective_on == date(2022, 10, 10)
    in_force = [r for r in ruling.case.rulings if r.state != RulingState.REPLACED]
    assert in_force[-1] == new and ruling.case.state == CaseState.CLOSED


def test_appeal_shortens_a_suspension_counting_the_days_already_served(db):
    licence = factories.make_licence()
    ruling = factories.make_ruling(
        factories.make_ready_case(licence.site), penalty="suspension", suspension_days=30
    )
    _served(ruling, date(2022, 10, 1))
    appeal = ops.file_appeal(ruling, filed_on=date(2022, 10, 3), grounds="سنگین", actor=None)
    new = ops.decide_appeal(
        appeal,
        outcome="replaced",
        decided_on=date(2022, 10, 10),
        reasoning="تعلیق ۱۵ روزه کافی است.",
        actor=None,
        replacement=factories.ruling_data("suspension", suspension_days=15),
    )
    assert new.suspension_until == date(2022, 10, 15)
    assert (licence.status, licence.suspended_until) == (SUSPENDED, date(2022, 10, 15))


def test_appeal_replaces_a_revocation_with_a_suspension(db):
    licence = factories.make_licence()
    ruling = factories.make_ruling(
        factories.make_ready_case(licence.site, codes=("V06",)), penalty="revocation"
    )
    _served(ruling, date(2022, 10, 1))
    assert licence.status == LicenceStatus.REVOKED
    appeal = ops.file_appeal(ruling, filed_on=date(2022, 10, 4), grounds="جابجایی موقت بود", actor=None)
    new = ops.decide_appeal(
        appeal,
        outcome="replaced",
        decided_on=date(2022, 10, 12),
        reasoning="جابجایی موقت و با اطلاع شفاهی دبیرخانه بود.",
        actor=None,
        replacement=factories.ruling_data("suspension", codes=("V06",), suspension_days=30),
    )
    # The thirty days run from the revocation's day of service: 1 to 30 October.
    assert new.suspension_until == date(2022, 10, 30)
    assert (licence.status, licence.suspended_until) == (SUSPENDED, date(2022, 10, 30))
    assert licence.site.status == SiteStatus.SUSPENDED
    # And a revocation replaced by a suspension already served in full gives the licence back.
    other = factories.make_licence(lat=33.3, lon=48.2)
    revoked = factories.make_ruling(
        factories.make_ready_case(other.site, codes=("V06",)), penalty="revocation"
    )
    _served(revoked, date(2022, 10, 1))
    appeal = ops.file_appeal(revoked, filed_on=date(2022, 10, 2), grounds="موقت", actor=None)
    ops.decide_appeal(
        appeal,
        outcome="replaced",
        decided_on=date(2022, 10, 20),
        reasoning="موقت",
        actor=None,
        replacement=factories.ruling_data("suspension", codes=("V06",), suspension_days=7),
    )
    assert other.status == LicenceStatus.ACTIVE and other.site.status == SiteStatus.ACTIVE


def test_a_revocation_that_cannot_be_undone_is_refused(db):
    licence = factories.make_licence()
    ruling = factories.make_ruling(
        factories.make_ready_case(licence.site, codes=("V06",)), penalty="revocation"
    )
    _served(ruling, date(2022, 10, 1))
    appeal = ops.file_appeal(ruling, filed_on=date(2022, 10, 4), grounds="ناروا", actor=None)
    newcomer = licensing_ops._new_licence(
        office_kind=licence.office_kind,
        site=licence.site,
        holder=factories.make_person(),
        issued_on=date(2022, 10, 8),
        expires_on=date(2027, 10, 8),
        application=None,
    )
    with pytest.raises(DomainError, match="پروانه تازه"):
        ops.decide_appeal(
            appeal,
            outcome="replaced",
            decided_on=date(2022, 10, 12),
            reasoning="ناروا بود",
            actor=None,
            replacement=factories.ruling_data("written_warning", codes=("V06",)),
        )
    assert newcomer.status == LicenceStatus.ACTIVE and licence.status == LicenceStatus.REVOKED
    assert appeal.outcome is None and ruling.state == RulingState.UNDER_APPEAL


def test_appeal_can_make_a_warning_a_suspension(db):
    licence = factories.make_licence()
    ruling = factories.make_ruling(factories.make_ready_case(licence.site))
    _served(ruling, date(2022, 10, 1))
    appeal = ops.file_appeal(ruling, filed_on=date(2022, 10, 4), grounds="ناروا", actor=None)
    ops.decide_appeal(
        appeal,
        outcome="replaced",
        decided_on=date(2022, 10, 12),
        reasoning="تکرار تخلف در سوابق دیده شد.",
        actor=None,
        replacement=factories.ruling_data("suspension", suspension_days=7),
    )
    assert (licence.status, licence.suspended_until) == (SUSPENDED, date(2022, 10, 18))


# ---------------------------------------------------------------- closed sessions


def test_a_closed_session_refuses_every_edit(db):
    members = factories.make_committee(4)
    case = factories.make_ready_case()
    postponed = factories.make_ready_case(codes=("V07",))
    session = factories.hold_hearing(case, members[:3])
    ops.add_to_agenda(session, postponed, actor=None)
    ops.record_ruling(case, session, factories.ruling_data(), actor=None)
    ops.close_session(session, actor=None)
    assert session.closed and session.closed_at is not None
    attempts = [
        lambda: ops.set_attendance(session, [m.id for m in members], actor=None),
        lambda: ops.add_to_agenda(session, factories.make_ready_case(codes=("V05",)), actor=None),
        lambda: ops.remove_from_agenda(session.agenda[1], actor=None),
        lambda: ops.declare_recusal(session, postponed, members[0], "دلیل", actor=None),
        lambda: ops.record_vote(session, postponed, members[0], "for", actor=None),
        lambda: ops.record_ruling(postponed, session, factories.ruling_data(codes=("V07",)), actor=None),
        lambda: ops.close_session(session, actor=None),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError, match="اصلاحیه"):
            attempt()
    # The case heard without a ruling waits for the next session.
    assert postponed.state == CaseState.READY and postponed in ops.ready_cases()


def test_a_correction_is_a_new_audited_entry(db):
    user = factories.make_user(Role.COMMITTEE_SECRETARY, full_name="رضا کرمی")
    case = factories.make_ready_case()
    session = factories.hold_hearing(case, factories.make_committee(3))
    with pytest.raises(DomainError, match="هنوز باز"):
        ops.add_correction(session, "متن", actor=user)
    ops.record_ruling(case, session, factories.ruling_data(), actor=None)
    ops.close_session(session, actor=None)
    text = "نام عضو سوم «محمود طولابی» است؛ در بند ۱ اشتباه نوشته شده بود."
    correction = ops.add_correction(session, text, actor=user)
    assert correction.recorded_by_id == user.id and session.corrections == [correction]
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.object_type == SessionCorrection.__tablename__)
    )
    stored = clean_text(text)  # digits are stored ASCII
    assert event.action == "create" and event.reason == stored and event.after["text"] == stored
    with pytest.raises(DomainError, match="متن اصلاحیه"):
        ops.add_correction(session, "  ", actor=user)


# ---------------------------------------------------------------- end to end


def test_from_an_inspection_finding_to_a_served_ruling_that_suspends_the_licence(db):
    licence = factories.make_licence(issued_on=date(2021, 5, 1))
    visit_uuid = "5f0c6a4e-2b7d-4a53-9a0e-8d6f7e1c2b3a"
    case = ops.open_case(
        licence.site,
        source=CaseSource.INSPECTION,
        visit_uuid=visit_uuid,
        summary="در بازدید ساعت ۱۰ صبح دفتر بسته بود و تابلوی تعرفه نصب نشده بود.",
        offence_on=date(2022, 8, 20),
        opened_on=date(2022, 8, 22),
        violation_type_ids=[factories.violation_type(V02).id, factories.violation_type("V07").id],
        actor=None,
        evidence=[
            ops.EvidenceItem("visit", "گزارش بازدید بازرس", reference=visit_uuid),
            ops.EvidenceItem("photo", "عکس در بسته", reference="ab" * 32),
        ],
    )
    assert case.source == CaseSource.INSPECTION and case.licence == licence
    assert [e.kind for e in case.evidence] == ["visit", "photo"]
    # Two earlier offences of the same kind within the year: the ladder suggests a suspension.
    for offence_on in (date(2021, 10, 1), date(2022, 2, 1)):
        _served(_rule_on(licence.site, offence_on), offence_on + timedelta(days=30))
    suggestion = ops.suggest_penalty(case, factories.violation_type(V02))
    assert suggestion.penalty == PenaltyKind.SUSPENSION and suggestion.days == 7

    ops.request_defence(case, requested_on=date(2022, 8, 23), actor=None)
    ops.record_defence(
        case, text="متصدی بیمار بود و جانشین نداشت.", received_on=date(2022, 8, 30), actor=None
    )
    ops.mark_ready(case, actor=None)
    members = factories.make_committee(5)
    session = ops.schedule_session(date(2022, 9, 14), place="اداره کل", actor=None)
    ops.add_to_agenda(session, case, actor=None)
    ops.set_attendance(session, [m.id for m in members[:4]], actor=None)
    for member, choice in zip(members[:4], ["for", "for", "for", "against"], strict=True):
        ops.record_vote(session, case, member, choice, actor=None)
    ruling = ops.record_ruling(
        case,
        session,
        factories.ruling_data("suspension", codes=(V02, "V07"), suspension_days=suggestion.days),
        actor=None,
    )
    ops.close_session(session, actor=None)
    assert licence.status == LicenceStatus.ACTIVE
    ops.serve_ruling(ruling, date(2022, 9, 20), actor=None)
    assert ruling.state == RulingState.SERVED
    assert licence.status == LicenceStatus.SUSPENDED
    assert licence.suspended_until == date(2022, 9, 26) == ruling.suspension_until
    assert licence.site.status == SiteStatus.SUSPENDED
    # Served Tuesday 20 September: 20 working days (not the Fridays, nor 25 and 27 September,
    # 5 October) end on Monday 17 October; the ruling is final the day after.
    assert ruling not in ops.finalise_rulings(date(2022, 10, 17))
    assert ruling in ops.finalise_rulings(date(2022, 10, 18))
    assert case.state == CaseState.CLOSED


def test_the_daily_command_makes_rulings_final(app, db):
    from committees.cli import committees_cli

    set_setting("committee.appeal_days", 20)
    ruling = factories.make_ruling()
    _served(ruling, date(2022, 10, 1))
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(committees_cli, ["daily", "--today", "۱۴۰۱/۰۸/۰۳"])  # 25 October, last day
    assert result.exit_code == 0, result.output
    assert "rulings made final: 0" in result.output
    result = runner.invoke(committees_cli, ["daily", "--today", "1401/08/04"])
    assert "rulings made final: 1" in result.output
    db.session.expire_all()
    assert ruling.state == RulingState.FINAL and ruling.case.state == CaseState.CLOSED
    again = runner.invoke(committees_cli, ["daily", "--today", "1401/08/04"])
    assert "rulings made final: 0" in again.output


def test_a_vote_another_request_recorded_meanwhile_is_changed_not_duplicated(db):
    from sqlalchemy import func, insert

    from committees.models import Vote

    members = factories.make_committee(3)
    case = factories.make_ready_case()
    session = factories.hold_hearing(case, members, votes=[None, None, None])
    assert session.votes == []  # loaded: the other request's row is unseen
    db.session.execute(
        insert(Vote.__table__).values(
            session_id=session.id,
            case_id=case.id,
            member_id=members[0].id,
            choice="against",
            cast_at=session.created_at,
        )
    )
    # The session's row is locked and re-read before any change, so the vote is seen.
    ops.record_vote(session, case, members[0], "for", actor=None)
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1
    assert ops.vote_tally(session, case).for_ == 1
    # Should two inserts still collide, the unique constraint is answered in Persian.
    with pytest.raises(DomainError, match="هم‌زمان ثبت شده است"):
        insert_unique(
            Vote(session_id=session.id, case_id=case.id, member_id=members[0].id, choice="for"),
            "رأی هم‌زمان ثبت شده است.",
        )
    assert ops.record_vote(session, case, members[1], "for", actor=None).choice.value == "for"


def test_screens_and_api_find_a_hearing_a_case_and_a_member_the_same_way(db):
    members = factories.make_committee(3)
    case = factories.make_ready_case()
    other = factories.make_ready_case()
    session = factories.hold_hearing(case, members, votes=[None, None, None])
    assert ops.find_hearing(session.id, case.id) == (session, case)
    assert ops.find_hearing(session.id, other.id) is None  # not on this session's agenda
    assert ops.find_hearing(session.id, 2**40) is None and ops.find_hearing(0, case.id) is None
    assert ops.get_case(other.id) is other and ops.get_member(members[1].id) is members[1]
    with pytest.raises(DomainError, match="پرونده یافت نشد") as refused:
        ops.get_case(2**40)
    assert refused.value.field == "case_id"
    with pytest.raises(DomainError, match="عضو انتخاب‌شده یافت نشد") as refused:
        ops.get_member(None)
    assert refused.value.field == "member_id"


def test_only_an_account_linked_to_a_member_casts_its_own_vote(db):
    linked = factories.make_user(Role.COMMITTEE_MEMBER, full_name="حمید ملکی")
    stranger = factories.make_user(Role.COMMITTEE_MEMBER, full_name="سارا نادری")
    names, organisations = factories.COMMITTEE_NAMES, factories.COMMITTEE_ORGANISATIONS
    members = [factories.make_committee_member(names[0], organisations[0], user_id=linked.id)]
    members += [
        factories.make_committee_member(n, o) for n, o in zip(names[1:3], organisations[1:3], strict=True)
    ]
    case = factories.make_ready_case()
    session = factories.hold_hearing(case, members, votes=[None, None, None])
    with pytest.raises(ops.NotAMember, match="به هیچ عضوی از کمیته پیوند نخورده"):
        ops.record_own_vote(session, case, stranger, "for", actor=stranger)
    assert session.votes == []
    vote = ops.record_own_vote(session, case, linked, "against", actor=linked)
    assert vote.member == members[0] and vote.choice.value == "against"
