"""Rules of inspections: receiving visits once per UUID, photos once per SHA-256, GPS flags with
real coordinates, referrals to the committee, results back to licensing, checklists, planning,
routes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from committees.models import Case, CaseSource
from core.clock import TEHRAN
from core.errors import DomainError
from core.extensions import db
from core.geo import distance_m
from core.settings import set_setting
from inspections import operations as ops
from inspections.models import (
    Assignment,
    AssignmentState,
    Checklist,
    Visit,
    VisitPhoto,
    VisitPurpose,
)
from inspections.operations import intake
from licensing.models import ApplicationState, VisitRequestState
from registry.models import SiteKind
from tests import factories
from tests.inspections import helpers as h

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock


@pytest.fixture
def inspector(db):
    return h.make_inspector(full_name="علیرضا حسنوند")


@pytest.fixture
def site(db):
    return factories.make_site(name="دفتر پیشخوان کوثر", lat=h.SITE_POINT[0], lon=h.SITE_POINT[1])


# ---------------------------------------------------------------- storing a visit


def test_a_visit_is_stored_with_its_checklist_version_answers_and_times(inspector, site):
    payload = h.visit_payload(site, fail=("V07",))
    visit, created = ops.submit_visit(payload, actor=inspector)
    assert created and visit.id and visit.uuid == payload["uuid"]
    version = h.checklist_version()
    assert visit.checklist_version_id == version.id
    # Every item has its answer except the optional free-text one left empty.
    assert len(visit.answers) == len(version.items) - 1
    failed = [a for a in visit.answers if a.failed]
    assert [a.item.violation_type.code for a in failed] == ["V07"]
    assert visit.failed_count == 1
    assert visit.started_at == h.STARTED and visit.device_saved_at > visit.started_at
    assert visit.received_at > visit.started_at
    assert visit.visited_on == date(2022, 9, 16)
    assert visit.person_met == "مریم احمدی" and visit.inspector_id == inspector.id
    assert visit.photos_expected == 1 and not visit.complete


def test_the_same_uuid_and_content_is_already_stored(inspector, site):
    payload = h.visit_payload(site)
    first, created = ops.submit_visit(payload, actor=inspector)
    again, created_again = ops.submit_visit(dict(reversed(list(payload.items()))), actor=inspector)
    assert created and not created_again and again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1


def test_the_same_uuid_with_other_content_is_a_conflict(inspector, site):
    payload = h.visit_payload(site)
    ops.submit_visit(payload, actor=inspector)
    with pytest.raises(ops.VisitConflict) as refused:
        ops.submit_visit({**payload, "notes": "متن دیگر"}, actor=inspector)
    assert refused.value.status == 409 and "شناسه" in refused.value.message
    other = h.make_inspector()
    with pytest.raises(ops.VisitConflict):
        ops.submit_visit(payload, actor=other)
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1


def test_validation_names_every_problem_in_persian(inspector, site):
    payload = h.visit_payload(site)
    payload.update(
        site_id=999_999,
        purpose="inspection",
        started_at="دیروز",
        answers=[],
        gps={"lat": 200, "lon": 48.3, "accuracy_m": -1},
    )
    with pytest.raises(ops.InvalidVisit) as refused:
        ops.submit_visit(payload, actor=inspector)
    fields = refused.value.fields
    assert {"site_id", "purpose", "started_at", "gps.lat", "gps.accuracy_m"} <= set(fields)
    assert fields["site_id"] == "محل بازدید در سامانه یافت نشد."
    assert refused.value.status == 422 and refused.value.message.startswith("داده‌های بازدید")


def test_required_items_and_photos_must_be_answered(inspector, site):
    payload = h.visit_payload(site, photos=[])
    payload["answers"] = payload["answers"][1:]
    with pytest.raises(ops.InvalidVisit) as refused:
        ops.submit_visit(payload, actor=inspector)
    messages = " ".join(refused.value.fields.values())
    assert "پاسخ داده نشده" in messages and "عکس لازم است" in messages


@pytest.mark.parametrize(
    "bad",
    [
        [],
        "text",
        12,
        None,
        {"uuid": "not-a-uuid"},
        {"uuid": 5},
    ],
)
def test_a_body_that_is_not_a_visit_is_refused(inspector, bad):
    with pytest.raises(ops.InvalidVisit):
        ops.submit_visit(bad, actor=inspector)


def test_an_older_checklist_version_is_accepted_and_kept(inspector, site):
    old = h.checklist_version()
    payload = h.visit_payload(site)
    checklist = old.checklist
    items = ops.version_items(old)
    items[0]["text"] = "دفتر در ساعات کاری اعلام‌شده باز است"
    new = ops.save_checklist_version(checklist, items, note="ویرایش متن", actor=None)
    assert checklist.current_version.id == new.id and new.number == 2
    visit, _ = ops.submit_visit(payload, actor=inspector)
    assert visit.checklist_version_id == old.id


def test_a_checklist_of_another_purpose_is_refused(inspector, site):
    payload = h.visit_payload(site)
    payload["checklist_version_id"] = h.checklist_version("health").id
    with pytest.raises(ops.InvalidVisit) as refused:
        ops.submit_visit(payload, actor=inspector)
    assert "checklist_version_id" in refused.value.fields


# ---------------------------------------------------------------- GPS: real coordinates


def test_on_site_a_good_fix_raises_no_flag(inspector, site):
    visit, _ = ops.submit_visit(h.visit_payload(site, point=h.NEAR_POINT), actor=inspector)
    assert 35 < visit.distance_m < 50
    assert not (visit.flag_too_far or visit.flag_poor_fix or visit.flag_no_fix or visit.flag_clock)
    assert (visit.ref_lat, visit.ref_lon) == h.SITE_POINT


def test_two_kilometres_away_is_flagged_not_refused(inspector, site):
    visit, created = ops.submit_visit(h.visit_payload(site, point=h.FAR_POINT), actor=inspector)
    assert created
    assert visit.distance_m == pytest.approx(distance_m(h.FAR_POINT, h.SITE_POINT), rel=1e-9)
    assert 1950 < visit.distance_m < 2050
    assert visit.flag_too_far and not visit.flag_poor_fix


def test_a_poor_fix_is_flagged(inspector, site):
    visit, _ = ops.submit_visit(h.visit_payload(site, point=h.NEAR_POINT, accuracy=250), actor=inspector)
    assert visit.flag_poor_fix and not visit.flag_too_far


def test_no_fix_is_flagged(inspector, site):
    visit, _ = ops.submit_visit(h.visit_payload(site, point=None), actor=inspector)
    assert visit.flag_no_fix and visit.distance_m is None and visit.lat is None


def test_the_thresholds_are_settings(inspector, site):
    set_setting("inspection.max_distance_m", 3000)
    set_setting("inspection.max_accuracy_m", 300)
    visit, _ = ops.submit_visit(h.visit_payload(site, point=h.FAR_POINT, accuracy=250), actor=inspector)
    assert not visit.flag_too_far and not visit.flag_poor_fix


def test_a_device_clock_ahead_of_the_server_is_flagged(inspector, site):
    future = datetime.now(UTC) + timedelta(days=3)
    visit, _ = ops.submit_visit(h.visit_payload(site, started=future), actor=inspector)
    assert visit.flag_clock
    assert visit.visited_on == visit.received_at.astimezone(TEHRAN).date()


# ---------------------------------------------------------------- photos


def test_a_visit_is_complete_when_all_its_photos_arrived_and_each_is_stored_once(inspector, site):
    first, second = h.image_bytes("jpeg"), h.image_bytes("png", color=(0, 90, 200))
    visit, _ = ops.submit_visit(h.visit_payload(site, photos=[first, second]), actor=inspector)
    assert not visit.complete and sorted(ops.missing_photos(visit)) == sorted([h.sha(first), h.sha(second)])
    photo, created = ops.store_photo(visit, h.sha(first), first, actor=inspector)
    assert created and photo.content_type == "image/jpeg" and not visit.complete
    assert ops.photo_path(photo).read_bytes() == first
    again, created_again = ops.store_photo(visit, h.sha(first), first, actor=inspector)
    assert not created_again and again.id == photo.id
    png, _ = ops.store_photo(visit, h.sha(second), second, actor=inspector)
    assert png.content_type == "image/png" and visit.complete and ops.missing_photos(visit) == []
    rows = db.session.scalar(select(func.count()).select_from(VisitPhoto))
    assert rows == 2


def test_a_photo_is_checked_by_hash_declaration_type_and_size(inspector, site):
    content = h.image_bytes()
    visit, _ = ops.submit_visit(h.visit_payload(site, photos=[content]), actor=inspector)
    with pytest.raises(ops.InspectionError) as wrong_hash:
        ops.store_photo(visit, h.sha(content), content + b"x", actor=inspector)
    assert wrong_hash.value.code == "sha256_mismatch"
    other = h.image_bytes(color=(1, 2, 3))
    with pytest.raises(ops.InspectionError) as undeclared:
        ops.store_photo(visit, h.sha(other), other, actor=inspector)
    assert undeclared.value.code == "photo_not_declared"
    text = b"this is not a photo at all"
    payload = h.visit_payload(site, photos=[text])
    visit2, _ = ops.submit_visit(payload, actor=inspector)
    with pytest.raises(ops.InspectionError) as not_image:
        ops.store_photo(visit2, h.sha(text), text, actor=inspector)
    assert not_image.value.status == 415
    set_setting("inspection.photo_max_mb", 0)
    with pytest.raises(ops.InspectionError) as too_big:
        ops.store_photo(visit, h.sha(content), content, actor=inspector)
    assert too_big.value.status == 413


# ---------------------------------------------------------------- referral to the committee


def test_a_referral_opens_a_case_with_the_visit_and_photos_as_evidence(inspector, site):
    content = h.image_bytes()
    visit, _ = ops.submit_visit(h.visit_payload(site, photos=[content], fail=("V07", "V01")), actor=inspector)
    ops.store_photo(visit, h.sha(content), content, actor=inspector)
    assert {a.item.violation_type.code for a in ops.referable_answers(visit)} == {"V07", "V01"}
    case = ops.refer_to_committee(visit, actor=inspector)
    assert case.source == CaseSource.INSPECTION and case.visit_uuid == visit.uuid
    assert case.site_id == site.id and case.offence_on == visit.visited_on
    assert {v.violation_type.code for v in case.violations} == {"V07", "V01"}
    kinds = {(e.kind, e.reference) for e in case.evidence}
    assert ("visit", visit.uuid) in kinds and ("photo", h.sha(content)) in kinds
    assert "تابلوی تعرفه" in case.summary
    assert ops.visit_cases(visit) == [case]
    with pytest.raises(DomainError, match="پیش‌تر"):
        ops.refer_to_committee(visit, actor=inspector)


def test_a_referral_can_take_some_of_the_failed_items(inspector, site):
    visit, _ = ops.submit_visit(h.visit_payload(site, fail=("V07", "V01")), actor=inspector)
    v07 = next(a for a in ops.referable_answers(visit) if a.item.violation_type.code == "V07")
    case = ops.refer_to_committee(visit, answer_ids=[v07.id], summary="فقط تابلو", actor=inspector)
    assert [v.violation_type.code for v in case.violations] == ["V07"]
    assert case.summary == "فقط تابلو"


def test_nothing_to_refer_without_a_failed_item(inspector, site):
    visit, _ = ops.submit_visit(h.visit_payload(site), actor=inspector)
    with pytest.raises(DomainError, match="بند ناموفقی"):
        ops.refer_to_committee(visit, actor=inspector)


def test_an_atm_is_referred_through_its_host_office_only(inspector, site):
    hosted = factories.make_site(kind=SiteKind.ATM, name="خودپرداز ملی", host_site_id=site.id)
    alone = factories.make_site(kind=SiteKind.ATM, name="خودپرداز خیابان")
    for atm in (hosted, alone):
        visit, _ = ops.submit_visit(h.visit_payload(atm, purpose="atm_kiosk"), actor=inspector)
        # ATM checklists point to no violation: force one answer to a catalogue entry to test.
        answer = next(a for a in visit.answers if a.choice)
        answer.choice, answer.failed = "no", True
        answer.item.violation_type_id = h.violation_type("V09").id
        if atm is hosted:
            assert ops.refer_to_committee(visit, actor=inspector).site_id == site.id
        else:
            with pytest.raises(DomainError, match="بانک"):
                ops.refer_to_committee(visit, actor=inspector)


# ---------------------------------------------------------------- back to licensing


def test_a_new_site_visit_returns_its_result_to_the_application(inspector):
    request = h.new_site_request()
    application = request.application
    assert request.site is None and application.state == ApplicationState.SITE_VISIT_REQUESTED
    payload = h.visit_payload(
        request=request,
        purpose="new_site",
        point=h.FAR_POINT,
        photos=[h.image_bytes(), h.image_bytes(color=(9, 9, 9))],
        verdict="pass",
    )
    visit, created = ops.submit_visit(payload, actor=inspector)
    assert created and visit.site is None and visit.visit_request_id == request.id
    assert visit.place_name == "دفتر پیشخوان خدمات دولت مهر"
    assert 1950 < visit.distance_m < 2050 and visit.flag_too_far  # measured to the proposal
    assert request.state == VisitRequestState.DONE and request.passed is True
    assert "فاصله از نشانی" in request.result_notes
    assert application.state == ApplicationState.UNDER_REVIEW
    assert visit.request_result_returned
    assert application.steps[-1].note == "نتیجه بازدید محل: تأیید شد"
    with pytest.raises(DomainError, match="ارجاع نمی‌شود"):
        visit.answers[0].failed = True
        visit.answers[0].item.violation_type_id = h.violation_type("V02").id
        ops.refer_to_committee(visit, actor=inspector)


def test_a_request_visit_needs_a_verdict_and_its_purpose(inspector):
    request = h.new_site_request()
    payload = h.visit_payload(
        request=request,
        purpose="new_site",
        verdict=None,
        photos=[h.image_bytes(), h.image_bytes(color=(9, 9, 9))],
    )
    with pytest.raises(ops.InvalidVisit) as refused:
        ops.submit_visit(payload, actor=inspector)
    assert "verdict" in refused.value.fields
    site = factories.make_site()
    with pytest.raises(ops.InvalidVisit) as no_request:
        ops.submit_visit(
            h.visit_payload(
                site,
                purpose="new_site",
                verdict="pass",
                photos=[h.image_bytes(), h.image_bytes(color=(1, 1, 1))],
            ),
            actor=inspector,
        )
    assert "visit_request_id" in no_request.value.fields


def test_a_visit_for_a_closed_request_is_kept_without_changing_it(inspector):
    request = h.new_site_request()
    from licensing import operations as lic_ops

    lic_ops.record_visit_result(request, passed=False, notes="ثبت دستی", actor=None)
    payload = h.visit_payload(
        request=request,
        purpose="new_site",
        verdict="pass",
        photos=[h.image_bytes(), h.image_bytes(color=(9, 9, 9))],
    )
    visit, created = ops.submit_visit(payload, actor=inspector)
    assert created and not visit.request_result_returned
    assert request.passed is False and request.result_notes == "ثبت دستی"


# ---------------------------------------------------------------- checklists


def test_editing_a_checklist_makes_a_new_version(site):
    checklist = ops.checklist_for("health", SiteKind.COUNTER_OFFICE)
    before = checklist.current_version
    items = ops.version_items(before)
    with pytest.raises(DomainError, match="تغییری"):
        ops.save_checklist_version(checklist, items, actor=None)
    items.append(
        {
            "text": "سطل زباله دربدار موجود است",
            "answer_type": "yes_no",
            "severity": "low",
            "violation_type_id": h.violation_type("V05").id,
            "required": False,
            "min_value": None,
        }
    )
    version = ops.save_checklist_version(checklist, items, note="افزودن بند", actor=None)
    assert version.number == before.number + 1 and len(version.items) == len(before.items) + 1
    assert len(before.items) == len(items) - 1  # the old version is untouched
    with pytest.raises(DomainError, match="دست‌کم یک بند"):
        ops.save_checklist_version(checklist, [{"text": " "}], actor=None)


def test_a_checklist_is_one_per_purpose_and_kind(db):
    with pytest.raises(DomainError, match="وجود دارد"):
        ops.create_checklist(
            "health",
            "counter_office",
            title="تکراری",
            items=[{"text": "بند", "answer_type": "yes_no"}],
            actor=None,
        )
    with pytest.raises(DomainError, match="انجام نمی‌شود"):
        ops.create_checklist(
            "health", "atm", title="خودپرداز", items=[{"text": "بند", "answer_type": "yes_no"}], actor=None
        )


def test_the_default_checklists_cover_every_purpose(db):
    seeded = db.session.scalars(select(Checklist)).all()
    assert {c.purpose for c in seeded} == set(VisitPurpose)
    atm = ops.checklist_for("atm_kiosk", "atm").current_version
    assert all(i.violation_type_id is None for i in atm.items)
    performance = ops.checklist_for("performance", "counter_office").current_version
    codes = {i.violation_type.code for i in performance.items if i.violation_type}
    assert {"V01", "V02", "V07", "V09", "V10"} <= codes


# ---------------------------------------------------------------- planning


def test_due_sites_are_unvisited_or_visited_long_ago(inspector):
    never = factories.make_site(name="هرگز")
    old = factories.make_site(name="قدیمی")
    recent = factories.make_site(name="تازه")
    today = date(2023, 6, 1)
    for target, started in (
        (old, datetime(2022, 9, 16, 6, tzinfo=UTC)),
        (recent, datetime(2023, 5, 1, 6, tzinfo=UTC)),
    ):
        ops.submit_visit(h.visit_payload(target, started=started), actor=inspector)
    due = db.session.scalars(ops.due_sites(today)).all()
    last = ops.last_visit_days([s.id for s in due])
    assert [(s.name, last.get(s.id)) for s in due] == [("هرگز", None), ("قدیمی", date(2022, 9, 16))]
    set_setting("inspection.visit_interval_days", 10)
    names = [s.name for s in db.session.scalars(ops.due_sites(today)).all()]
    assert names == ["هرگز", "قدیمی", "تازه"]
    assert never.id


def test_assignments_own_first_and_their_rules(inspector, site):
    other = h.make_inspector(full_name="فاطمه دالوند")
    today = date(2022, 9, 10)
    second_site = factories.make_site(name="دفتر دوم")
    mine = ops.assign_visit(
        inspector=inspector,
        planned_on=date(2022, 9, 20),
        purpose="performance",
        site=site,
        actor=None,
        today=today,
    )
    theirs = ops.assign_visit(
        inspector=other,
        planned_on=date(2022, 9, 12),
        purpose="health",
        site=second_site,
        actor=None,
        today=today,
    )
    listed = db.session.scalars(ops.assignments_for(inspector)).all()
    assert listed == [mine, theirs]
    assert db.session.scalars(ops.assignments_for(other)).all() == [theirs, mine]
    with pytest.raises(DomainError, match="پیش‌تر"):
        ops.assign_visit(
            inspector=other,
            planned_on=date(2022, 9, 21),
            purpose="performance",
            site=site,
            actor=None,
            today=today,
        )
    with pytest.raises(DomainError, match="گذشته"):
        ops.assign_visit(
            inspector=other,
            planned_on=date(2022, 9, 1),
            purpose="performance",
            site=site,
            actor=None,
            today=today,
        )
    viewer = factories.make_user()
    with pytest.raises(DomainError, match="بازرس"):
        ops.assign_visit(
            inspector=viewer, planned_on=today, purpose="performance", site=site, actor=None, today=today
        )
    atm = factories.make_site(kind=SiteKind.ATM)
    with pytest.raises(DomainError, match="انجام نمی‌شود"):
        ops.assign_visit(
            inspector=other, planned_on=today, purpose="health", site=atm, actor=None, today=today
        )
    stranger, _ = ops.submit_visit(h.visit_payload(second_site, assignment_id=theirs.id), actor=inspector)
    assert stranger.assignment_id is None and theirs.state == AssignmentState.PLANNED
    payload = h.visit_payload(site, assignment_id=mine.id)
    ops.submit_visit(payload, actor=inspector)
    assert mine.state == AssignmentState.DONE
    ops.cancel_assignment(theirs, actor=None)
    assert theirs.state == AssignmentState.CANCELLED
    with pytest.raises(DomainError):
        ops.cancel_assignment(theirs, actor=None)


def test_a_request_is_assigned_with_its_own_purpose(inspector):
    request = h.new_site_request()
    assignment = ops.assign_visit(
        inspector=inspector,
        planned_on=date(2022, 9, 12),
        purpose="performance",
        visit_request=request,
        actor=None,
        today=date(2022, 9, 10),
    )
    assert assignment.purpose == VisitPurpose.NEW_SITE and assignment.site is None
    assert assignment.target_point == h.SITE_POINT
    bundle = ops.offline_bundle(inspector)
    assert bundle["assignments"][0]["visit_request_id"] == request.id
    assert any(r["id"] == request.id for r in bundle["requests"])


def test_the_route_visits_the_nearest_stop_next(inspector):
    # Khorramabad area, west to east along one latitude, plus one stop north.
    start = (33.4878, 48.3000)
    points = {
        "شرق دور": (33.4878, 48.4000),
        "نزدیک": (33.4878, 48.3100),
        "میانه": (33.4878, 48.3500),
        "شمال": (33.5800, 48.3500),
    }
    day = date(2022, 9, 20)
    assignments = []
    for name, (lat, lon) in points.items():
        target = factories.make_site(name=name, lat=lat, lon=lon)
        assignments.append(
            ops.assign_visit(
                inspector=inspector,
                planned_on=day,
                purpose="performance",
                site=target,
                actor=None,
                today=date(2022, 9, 1),
            )
        )
    plan = ops.plan_route(start, assignments)
    assert [s.assignment.site.name for s in plan.stops] == ["نزدیک", "میانه", "شرق دور", "شمال"]
    legs = [s.leg_m for s in plan.stops]
    assert legs[0] == pytest.approx(distance_m(start, points["نزدیک"]))
    assert plan.total_m == pytest.approx(sum(legs))
    assert 20_000 < plan.total_m < 21_000
    no_start = ops.plan_route(None, assignments)
    assert no_start.stops[0].leg_m is None and no_start.stops[0].assignment == assignments[0]
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 4


def test_the_offline_bundle_has_the_checklists_and_assigned_sites(inspector, site):
    ops.assign_visit(
        inspector=inspector, planned_on=date(2030, 1, 1), purpose="performance", site=site, actor=None
    )
    bundle = ops.offline_bundle(inspector)
    assert bundle["user_id"] == inspector.id
    assert [s["id"] for s in bundle["sites"]] == [site.id]
    assert len(bundle["checklists"]) == 12
    first = bundle["checklists"][0]
    assert first["items"] and {"id", "text", "answer_type", "severity", "violation"} <= set(first["items"][0])
    assert bundle["settings"]["max_distance_m"] == 200


def test_case_is_opened_only_once_per_visit_even_by_another_user(inspector, site):
    visit, _ = ops.submit_visit(h.visit_payload(site, fail=("V10",)), actor=inspector)
    ops.refer_to_committee(visit, actor=inspector)
    with pytest.raises(DomainError):
        ops.refer_to_committee(visit, actor=factories.make_user())
    assert db.session.scalar(select(func.count()).select_from(Case)) == 1


def test_losing_the_insert_race_rereads_the_winner(inspector, site, monkeypatch):
    """Two requests both found no row and both insert: the unique constraint stops the second,
    which re-reads the first and answers as already stored (or as a conflict)."""
    payload = h.visit_payload(site)
    winner, _ = ops.submit_visit(payload, actor=inspector)
    real_find = ops.find_visit
    calls = []

    def blind_first_look(uuid, **kwargs):
        calls.append(uuid)
        return None if len(calls) == 1 else real_find(uuid, **kwargs)

    monkeypatch.setattr(intake, "find_visit", blind_first_look)
    again, created = ops.submit_visit(payload, actor=inspector)
    assert not created and again.id == winner.id and len(calls) == 2
    calls.clear()
    with pytest.raises(ops.VisitConflict):
        ops.submit_visit({**payload, "notes": "دیگر"}, actor=inspector)
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
