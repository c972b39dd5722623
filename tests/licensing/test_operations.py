"""Licensing rules: the workflow, eligibility checks, and each kind of application end to end."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.audit import AuditEvent
from core.clock import today_tehran
from core.errors import DomainError
from core.settings import set_setting
from licensing import operations as ops
from licensing.models import (
    Application,
    ApplicationKind,
    ApplicationState,
    LicenceStatus,
    VisitRequestState,
)
from registry.models import SiteKind, SiteStatus
from tests import factories

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

S = ApplicationState
KHORRAMABAD = (33.4878, 48.3558)


def _new_application(**overrides):
    """A new office's request; an urban counter office is asked for by a company (DOMAIN §1)
    whose managing director is the applicant given."""
    county = overrides.pop("county", None) or factories.make_county(population=400_000)
    applicant = overrides.pop("applicant", None) or factories.make_person("سارا", "محمدی")
    office_kind = overrides.get("office_kind", SiteKind.COUNTER_OFFICE)
    if "applicant_company" not in overrides and office_kind == SiteKind.COUNTER_OFFICE:
        overrides["applicant_company"] = factories.make_company(director=applicant)
        overrides.setdefault("manager", factories.make_person("رضا", "امیری"))
        overrides.setdefault("deputy", factories.make_person("لیلا", "سپهوند"))
    data = {
        "office_name": "دفتر پیشخوان خدمات دولت آفتاب",
        "county_id": county.id,
        "locality": "خرم‌آباد",
        "address": "خیابان ولیعصر، پلاک ۳",
        "postal_code": "6813714567",
        "lat": KHORRAMABAD[0],
        "lon": KHORRAMABAD[1],
        "premises_m2": 60,
        "received_on": date(2022, 9, 1),
    }
    data.update(overrides)
    # A lease of five years and a half from the request (DOMAIN §1: at least five years).
    data.setdefault("lease_ends_on", data["received_on"] + timedelta(days=5 * 365 + 180))
    return ops.create_application(
        ApplicationKind.NEW,
        applicant=applicant,
        actor=None,
        office_kind=data.pop("office_kind", SiteKind.COUNTER_OFFICE),
        **data,
    )


def _visit_passed(application):
    """Ask for a site visit and record that the site passed."""
    if application.state == S.RECEIVED:
        ops.start_review(application, actor=None)
    visit = ops.request_site_visit(application, actor=None)
    ops.record_visit_result(visit, passed=True, notes="محل مناسب است.", actor=None)


def _check(application, code):
    return next(c for c in ops.eligibility_checks(application) if c.code == code)


# ---------------------------------------------------------------- workflow


def test_new_application_starts_received_with_deadline_and_number(db):
    application = _new_application()
    assert application.state == S.RECEIVED
    assert application.number == "1401-00001"
    # 90 working days from Thursday 10 Shahrivar 1401: Fridays and the holidays between
    # (Arbaeen, the Prophet's death and Imam Hasan, Imam Reza, Imam Hasan Askari) are
    # not counted, so the deadline is Tuesday 29 Azar 1401, not 30 Aban (90 calendar days).
    assert application.due_on == date(2022, 12, 20)
    assert [s.to_state for s in application.steps] == [S.RECEIVED]
    second = _new_application(applicant=factories.make_person())
    assert second.number == "1401-00002"


def test_illegal_steps_are_refused_in_persian(db):
    application = _new_application()
    with pytest.raises(DomainError) as err:
        ops.transition(application, S.APPROVED, actor=None)
    assert "فقط در جلسه کارگروه" in err.value.message
    with pytest.raises(DomainError) as err:
        ops.transition(application, S.READY_FOR_WG, actor=None)
    assert "نمی‌توان" in err.value.message
    with pytest.raises(DomainError):
        ops.issue_licence(application, actor=None)
    ops.start_review(application, actor=None)
    with pytest.raises(DomainError) as err:
        ops.transition(application, S.READY_FOR_WG, actor=None)  # documents missing
    assert "مدارک" in err.value.message
    with pytest.raises(DomainError):
        ops.transition(application, S.CLOSED, actor=None, note="  ")
    ops.transition(application, S.CLOSED, actor=None, note="انصراف متقاضی")
    assert application.state == S.CLOSED
    with pytest.raises(DomainError):
        ops.start_review(application, actor=None)


def test_deadline_is_a_setting_and_overdue_is_computed(db):
    set_setting("licensing.deadline_days.new", 10)
    application = _new_application()
    # Ten working days from Thursday 1 September 2022: Fridays 2 and 9 September are not counted.
    assert application.due_on == date(2022, 9, 13)
    assert ops.is_overdue(application, today=date(2022, 9, 14))
    assert not ops.is_overdue(application, today=date(2022, 9, 13))


def test_documents_are_checked_by_content_and_size(db):
    application = _new_application()
    doc_type = ops.document_checklist(application)[0][0]
    with pytest.raises(DomainError) as err:
        ops.add_document(application, doc_type, "form.pdf", b"MZ\x90\x00 not a pdf", actor=None)
    assert "PDF" in err.value.message
    set_setting("licensing.document_max_mb", 1)
    with pytest.raises(DomainError) as err:
        ops.add_document(application, doc_type, "big.pdf", b"%PDF" + b"0" * (1024 * 1024), actor=None)
    assert "حجم" in err.value.message
    png = ops.add_document(application, doc_type, "photo.pdf", b"\x89PNG\r\n\x1a\n....", actor=None)
    assert png.content_type == "image/png"
    assert doc_type not in ops.missing_documents(application)


# ---------------------------------------------------------------- eligibility checks


def test_distance_check_with_real_coordinates(db):
    set_setting("licensing.min_distance_m.counter_office", 500)
    existing = factories.make_site(name="دفتر پیشخوان شقایق", lat=33.4900, lon=48.3558)  # ~245 m
    application = _new_application()
    check = _check(application, "distance")
    assert not check.passed and "شقایق" in check.detail and "۲۴۴ متری" in check.detail
    from registry import operations as registry_ops

    registry_ops.change_site_status(existing, SiteStatus.CLOSED, reason="تعطیلی", actor=None)
    assert _check(application, "distance").passed  # closed offices do not count
    factories.make_site(name="دور", lat=33.4950, lon=48.3558)  # ~800 m north
    assert _check(application, "distance").passed


def test_quota_check_uses_county_population(db):
    set_setting("licensing.people_per_office.counter_office", 100_000)
    county = factories.make_county("ازنا", population=250_000)  # quota: 2 offices
    factories.make_site(county=county, lat=33.45, lon=49.45)
    application = _new_application(county=county)
    assert _check(application, "quota").passed
    factories.make_site(county=county, lat=33.46, lon=49.46)
    check = _check(application, "quota")
    assert not check.passed and "سهمیه ۲" in check.detail


def test_applicant_running_an_office_or_with_revoked_licence_fails(db):
    applicant = factories.make_person()
    application = _new_application(applicant=applicant)
    assert _check(application, "applicant_runs_office").passed
    assert _check(application, "applicant_revoked").passed
    licence = factories.make_licence(holder=applicant, lat=33.30, lon=48.20)
    assert not _check(application, "applicant_runs_office").passed
    ops.revoke_licence(licence, reason="فعالیت در نشانی غیرمجاز", actor=None)
    assert not _check(application, "applicant_revoked").passed


@pytest.mark.parametrize("kind", [ApplicationKind.TRANSFER, ApplicationKind.ADDRESS_CHANGE])
def test_suspended_or_revoked_licence_blocks_transfer_and_address_change(db, kind):
    licence = factories.make_licence(issued_on=date(2021, 1, 1))
    extra = (
        {"address": "خیابان جدید", "lat": 33.5, "lon": 48.36}
        if kind == ApplicationKind.ADDRESS_CHANGE
        else {}
    )
    # A transfer is asked for by the transferee, an address change only by the holder.
    applicant = licence.holder if kind == ApplicationKind.ADDRESS_CHANGE else factories.make_person()
    application = ops.create_application(
        kind,
        applicant=applicant,
        licence=licence,
        actor=None,
        received_on=date(2022, 9, 1),
        **extra,
    )
    assert _check(application, "licence_status").passed
    ops.suspend_licence(licence, until=date(2022, 12, 1), reason="رأی کمیته", actor=None)
    check = _check(application, "licence_status")
    assert not check.passed and not check.overridable and "تعلیق" in check.detail
    with pytest.raises(DomainError):
        ops.override_check(application, "licence_status", "دلیل کافی و طولانی است", actor=None)


def test_renewal_window(db):
    licence = factories.make_licence(issued_on=date(2018, 1, 1))  # expires 2023-01-01

    def renewal(received):
        application = ops.create_application(
            ApplicationKind.RENEWAL,
            applicant=licence.holder,
            licence=licence,
            actor=None,
            received_on=received,
        )
        result = _check(application, "renewal_window").passed
        ops.transition(application, S.CLOSED, actor=None, note="پایان آزمون")
        return result

    assert renewal(date(2022, 9, 1))  # 4 months before expiry: inside the window
    assert not renewal(date(2022, 12, 1))  # 1 month before: too late (≥ 90 days required)
    assert not renewal(date(2022, 1, 1))  # a year before: too early (window opens 180 days)


def test_transfer_needs_remaining_validity_and_no_recent_transfer(db):
    licence = factories.make_licence(issued_on=date(2018, 1, 1))  # expires 2023-01-01
    application = ops.create_application(
        ApplicationKind.TRANSFER,
        applicant=factories.make_person(),
        licence=licence,
        actor=None,
        received_on=date(2022, 9, 1),
    )
    assert not _check(application, "transfer_validity").passed  # 4 months left, 6 required
    set_setting("transfer.min_remaining_validity_months", 3)
    assert _check(application, "transfer_validity").passed


def test_override_needs_a_reason_and_is_audited(db):
    factories.make_site(lat=33.4880, lon=48.3558)
    application = _new_application()
    with pytest.raises(DomainError):
        ops.override_check(application, "distance", "کوتاه", actor=None)
    with pytest.raises(DomainError):
        ops.override_check(application, "quota", "این شرط برقرار است ولی...", actor=None)
    ops.override_check(application, "distance", "دفتر مجاور به‌زودی جابجا می‌شود.", actor=None)
    check = _check(application, "distance")
    assert not check.passed and not check.blocking
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "check_overrides")).one()
    assert event.reason == "دفتر مجاور به‌زودی جابجا می‌شود."


# ---------------------------------------------------------------- site visit


def test_site_visit_request_waits_for_the_result(db):
    application = _new_application()
    factories.attach_all_documents(application)
    ops.start_review(application, actor=None)
    visit = ops.request_site_visit(application, actor=None, due_on=date(2022, 9, 20))
    assert application.state == S.SITE_VISIT_REQUESTED
    assert visit.state == VisitRequestState.REQUESTED and visit.lat == KHORRAMABAD[0]
    assert visit in db.session.scalars(ops.open_visit_requests()).all()
    with pytest.raises(DomainError):
        ops.transition(application, S.READY_FOR_WG, actor=None)
    ops.record_visit_result(visit, passed=True, notes="محل مناسب است.", actor=None)
    assert application.state == S.UNDER_REVIEW
    with pytest.raises(DomainError):
        ops.record_visit_result(visit, passed=False, notes="", actor=None)
    ops.transition(application, S.READY_FOR_WG, actor=None)


# ---------------------------------------------------------------- working group


def test_working_group_session_agenda_attendance_and_decisions(db):
    a1, a2 = (
        _new_application(),
        _new_application(applicant=factories.make_person(), lat=33.52, lon=48.40),
    )
    for application in (a1, a2):
        factories.attach_all_documents(application)
        _visit_passed(application)
        ops.transition(application, S.READY_FOR_WG, actor=None)
    session = ops.schedule_session(date(2022, 9, 10), place="اداره کل", actor=None)
    assert session.number == "1401-01"
    assert ops.ready_applications() == [a1, a2]
    i1 = ops.add_to_agenda(session, a1, actor=None)
    i2 = ops.add_to_agenda(session, a2, actor=None)
    assert ops.ready_applications() == []
    with pytest.raises(DomainError):
        ops.record_decision(i1, S.APPROVED, "کامل", actor=None)  # nobody attended yet
    ops.add_attendee(
        session,
        full_name="مجتبی صارمی",
        title="سرپرست",
        organisation="اداره کل ارتباطات و فناوری اطلاعات",
        actor=None,
    )
    with pytest.raises(DomainError):
        ops.record_decision(i1, S.APPROVED, " ", actor=None)
    with pytest.raises(DomainError):
        ops.close_session(session, actor=None)  # an item has no decision
    ops.record_decision(i1, S.APPROVED, "شرایط احراز شد.", actor=None)
    ops.record_decision(i2, S.DEFERRED, "نیاز به استعلام اماکن.", actor=None)
    assert (a1.state, a2.state) == (S.APPROVED, S.DEFERRED)
    assert a1.decided_on == date(2022, 9, 10)
    ops.close_session(session, actor=None)
    with pytest.raises(DomainError):
        ops.add_attendee(session, full_name="x", organisation="y", actor=None)
    ops.transition(a2, S.READY_FOR_WG, actor=None)
    assert ops.ready_applications() == [a2]


# ---------------------------------------------------------------- end to end per kind


def test_new_office_end_to_end(db):
    application = _new_application(
        office_kind=SiteKind.RURAL_ICT_OFFICE, locality="روستای کاکاشرف", lat=33.40, lon=48.10
    )
    factories.approve(application, held_on=date(2022, 9, 10))
    licence = ops.issue_licence(application, actor=None, issued_on=date(2022, 9, 16))
    assert application.state == S.LICENCE_ISSUED
    assert licence.status == LicenceStatus.ACTIVE and licence.number == "15-R-1401-00001"
    assert licence.expires_on == date(2027, 9, 16)
    site = licence.site
    assert site.kind == SiteKind.RURAL_ICT_OFFICE and site.operator == application.applicant
    assert site.status == SiteStatus.ACTIVE and licence.is_valid_on(date(2023, 1, 1))
    assert ops.licence_history(site) == [licence]


def test_transfer_supersedes_and_issues_to_the_new_holder(db):
    old = factories.make_licence(issued_on=date(2021, 1, 1))
    buyer = factories.company_applicant("شرکت نرگس")
    application = ops.create_application(
        ApplicationKind.TRANSFER, **buyer, licence=old, actor=None, received_on=date(2022, 9, 1)
    )
    factories.approve(application, held_on=date(2022, 10, 1))
    new = ops.issue_licence(application, actor=None, issued_on=date(2022, 10, 1))
    assert old.status == LicenceStatus.SUPERSEDED and new.status == LicenceStatus.ACTIVE
    assert new.holder_company == buyer["applicant_company"] and new.holder_name == "شرکت نرگس"
    assert new.holder == buyer["applicant_company"].managing_director
    assert new.previous_licence == old and new.site == old.site
    assert new.expires_on == old.expires_on and new.number != old.number
    assert old.site.operator == buyer["manager"]
    assert ops.licence_history(old.site) == [new, old]


def test_address_change_updates_the_office_and_reissues(db):
    old = factories.make_licence(issued_on=date(2021, 1, 1))
    application = ops.create_application(
        ApplicationKind.ADDRESS_CHANGE,
        applicant=old.holder,
        licence=old,
        actor=None,
        received_on=date(2022, 9, 1),
        **factories.move_details(old, date(2022, 9, 1), address="بلوار ساحلی، پلاک ۴۰", lat=33.50, lon=48.37),
        postal_code="6813700000",
    )
    factories.approve(application, held_on=date(2022, 10, 1))
    new = ops.issue_licence(application, actor=None, issued_on=date(2022, 10, 1))
    site = old.site
    assert site.address == "بلوار ساحلی، پلاک 40" and site.lat == 33.50  # digits stored ASCII
    assert new.address == site.address and old.status == LicenceStatus.SUPERSEDED
    assert new.holder == old.holder and new.expires_on == old.expires_on


def test_renewal_extends_the_licence(db):
    licence = factories.make_licence(issued_on=date(2018, 1, 1))
    application = ops.create_application(
        ApplicationKind.RENEWAL,
        applicant=licence.holder,
        licence=licence,
        actor=None,
        received_on=date(2022, 9, 1),
    )
    factories.approve(application, held_on=date(2022, 10, 1))
    renewed = ops.issue_licence(application, actor=None, issued_on=date(2022, 10, 1))
    assert renewed is licence and licence.expires_on == date(2028, 1, 1)
    assert licence.renewed_on == date(2022, 10, 1) and licence.status == LicenceStatus.ACTIVE


def test_suspension_lifts_on_its_date_and_is_safe_to_run_twice(db):
    licence = factories.make_licence()
    ops.suspend_licence(
        licence,
        until=date(2022, 12, 1),
        reason="رأی کمیته",
        actor=None,
        effective_on=date(2022, 11, 1),
    )
    assert licence.site.status == SiteStatus.SUSPENDED and not licence.is_valid_on(date(2022, 11, 5))
    assert ops.lift_ended_suspensions(today=date(2022, 12, 1)) == []
    assert ops.lift_ended_suspensions(today=date(2022, 12, 2)) == [licence]
    assert ops.lift_ended_suspensions(today=date(2022, 12, 2)) == []
    assert licence.status == LicenceStatus.ACTIVE and licence.site.status == SiteStatus.ACTIVE
    assert licence.site.status_since == date(2022, 12, 2)


def test_expiry_and_follow_up_list(db):
    soon = factories.make_licence(issued_on=date(2017, 12, 1))  # expires 2022-12-01
    factories.make_licence(issued_on=date(2021, 1, 1), lat=33.3, lon=48.2)
    listed = db.session.scalars(ops.expiring_licences(today=date(2022, 9, 1))).all()
    assert listed == [soon]
    assert ops.expire_licences(today=date(2022, 12, 2)) == [soon]
    assert soon.status == LicenceStatus.EXPIRED
    assert ops.expire_licences(today=date(2022, 12, 2)) == []


def test_find_licence_by_number_in_any_digits(db):
    licence = factories.make_licence()
    persian = licence.number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert ops.find_licence(persian) == licence
    assert ops.find_licence("nope") is None


def test_records_by_the_keys_users_type_or_a_message_on_the_field(db):
    licence = factories.make_licence()
    person = factories.make_person()
    assert ops.licence_by_number(licence.number.lower()) == licence
    assert ops.find_licence("۱" * 41) is None  # longer than any licence number
    for number, message in (("", "وارد کنید"), ("15-P-1300-99999", "یافت نشد")):
        with pytest.raises(DomainError) as err:
            ops.licence_by_number(number)
        assert message in err.value.message and err.value.field == "licence_number"
    digits = person.national_id.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert ops.person_by_national_id(digits) == person
    with pytest.raises(DomainError) as err:
        ops.person_by_national_id("0499370899", field="national_id")
    assert "ثبت نشده" in err.value.message and err.value.field == "national_id"


@pytest.mark.parametrize("kind", [ApplicationKind.RENEWAL, ApplicationKind.ADDRESS_CHANGE])
def test_only_the_holder_asks_for_a_renewal_or_an_address_change(db, kind):
    licence = factories.make_licence(issued_on=date(2018, 1, 1))
    stranger = factories.make_person("رضا", "کرمی")
    new_place = {"address": "خیابان جدید", "lat": 33.5, "lon": 48.36}
    move = new_place if kind == ApplicationKind.ADDRESS_CHANGE else {}
    for given in ({"applicant": stranger}, {"applicant_national_id": stranger.national_id}):
        with pytest.raises(DomainError) as err:
            ops.create_application(
                kind, licence=licence, actor=None, received_on=date(2022, 9, 1), **given, **move
            )
        assert "فقط دارنده پروانه" in err.value.message and err.value.field == "applicant_national_id"
    assert db.session.scalar(select(Application)) is None
    # Named by its number, with no applicant or with the holder's national ID: the holder applies.
    application = ops.create_application(
        kind,
        licence_number=licence.number,
        applicant_national_id=licence.holder.national_id,
        actor=None,
        received_on=date(2022, 9, 1),
        **move,
    )
    assert application.applicant == licence.holder and application.licence == licence
    ops.transition(application, S.CLOSED, actor=None, note="پایان آزمون")
    assert ops.create_application(kind, licence=licence, actor=None, **move).applicant == licence.holder


def test_a_transfer_names_its_transferee(db):
    licence = factories.make_licence()
    with pytest.raises(DomainError) as err:
        ops.create_application(ApplicationKind.TRANSFER, licence=licence, actor=None)
    assert err.value.field == "applicant_national_id"


def test_daily_job_lifts_suspensions_and_expires_licences(app, db):
    suspended = factories.make_licence()
    ops.suspend_licence(
        suspended, until=date(2022, 12, 1), reason="رأی کمیته", actor=None, effective_on=date(2022, 11, 1)
    )
    old = factories.make_licence(issued_on=date(2017, 1, 1), lat=33.3, lon=48.2)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["licensing", "daily", "--today", "۱۴۰۱/۰۹/۱۵"])  # 2022-12-06
    assert result.exit_code == 0, result.output
    assert "suspensions lifted: 1; licences expired: 1" in result.output
    db.session.expire_all()
    assert suspended.status == LicenceStatus.ACTIVE and old.status == LicenceStatus.EXPIRED
    again = runner.invoke(args=["licensing", "daily", "--today", "1401/09/15"])
    assert "suspensions lifted: 0; licences expired: 0" in again.output


def test_a_licence_received_by_transfer_cannot_be_transferred_again_within_the_period(db):
    old = factories.make_licence(issued_on=date(2021, 1, 1))
    first = ops.create_application(
        ApplicationKind.TRANSFER,
        **factories.company_applicant(),
        licence=old,
        actor=None,
        received_on=date(2022, 1, 10),
    )
    factories.approve(first, held_on=date(2022, 2, 1))
    new = ops.issue_licence(first, actor=None, issued_on=date(2022, 2, 1))
    again = ops.create_application(
        ApplicationKind.TRANSFER,
        applicant=factories.make_person(),
        licence=new,
        actor=None,
        received_on=date(2023, 6, 1),
    )
    check = _check(again, "retransfer")
    assert not check.passed and "۱۴۰۳/۱۱/۱۳" in check.detail  # 2025-02-01, three years on
    set_setting("transfer.no_retransfer_years", 1)
    assert _check(again, "retransfer").passed


def test_a_failed_site_visit_blocks_until_overruled(db):
    application = _new_application()
    factories.attach_all_documents(application)
    ops.start_review(application, actor=None)
    assert not _check(application, "site_visit").passed  # no visit yet
    visit = ops.request_site_visit(application, actor=None)
    ops.record_visit_result(visit, passed=False, notes="محل کوچک‌تر از سند است.", actor=None)
    check = _check(application, "site_visit")
    assert not check.passed and "کوچک‌تر" in check.detail
    with pytest.raises(DomainError):
        ops.transition(application, S.READY_FOR_WG, actor=None)


def test_address_change_must_stay_in_the_same_city(db):
    old = factories.make_licence(issued_on=date(2021, 1, 1))
    moving = ops.create_application(
        ApplicationKind.ADDRESS_CHANGE,
        applicant=old.holder,
        licence=old,
        actor=None,
        received_on=date(2022, 9, 1),
        address="تهران، خیابان آزادی",
        locality="تهران",
        lat=35.70,
        lon=51.40,
    )
    check = _check(moving, "relocation_scope")
    assert not check.passed and not check.overridable


def test_applicant_degree_and_premises_area_are_checked(db):
    application = _new_application(applicant=factories.make_person(education="diploma"), premises_m2=40)
    assert not _check(application, "applicant_degree").passed
    assert not _check(application, "premises_area").passed
    set_setting("licensing.applicant_min_education", "ديپلم")  # Arabic ye, as typed
    set_setting("licence.premises_min_m2.counter_office", 30)
    assert _check(application, "applicant_degree").passed
    assert _check(application, "premises_area").passed


def test_received_date_cannot_be_in_the_future(db):
    with pytest.raises(DomainError) as err:
        _new_application(received_on=today_tehran() + timedelta(days=2))
    assert err.value.field == "received_on"


def test_an_approved_application_the_licence_cannot_follow_can_be_closed(db):
    licence = factories.make_licence(issued_on=date(2018, 1, 1))
    renewal = ops.create_application(
        ApplicationKind.RENEWAL,
        applicant=licence.holder,
        licence=licence,
        actor=None,
        received_on=date(2022, 9, 1),
    )
    factories.approve(renewal, held_on=date(2022, 9, 20))
    ops.expire_licences(today=date(2023, 1, 2))
    with pytest.raises(DomainError):
        ops.issue_licence(renewal, actor=None)
    ops.transition(renewal, S.CLOSED, actor=None, note="پروانه پیش از صدور منقضی شد.")
    assert renewal.state == S.CLOSED


def test_retransfer_ban_follows_the_licence_through_an_address_change(db):
    old = factories.make_licence(issued_on=date(2021, 1, 1))
    transfer = ops.create_application(
        ApplicationKind.TRANSFER,
        **factories.company_applicant(),
        licence=old,
        actor=None,
        received_on=date(2022, 1, 5),
    )
    factories.approve(transfer, held_on=date(2022, 2, 1))
    transferred = ops.issue_licence(transfer, actor=None, issued_on=date(2022, 2, 1))
    move = ops.create_application(
        ApplicationKind.ADDRESS_CHANGE,
        applicant=transferred.holder,
        licence=transferred,
        actor=None,
        received_on=date(2022, 3, 1),
        **factories.move_details(transferred, date(2022, 3, 1)),
    )
    factories.approve(move, held_on=date(2022, 4, 1))
    moved = ops.issue_licence(move, actor=None, issued_on=date(2022, 4, 1))
    again = ops.create_application(
        ApplicationKind.TRANSFER,
        applicant=factories.make_person(),
        licence=moved,
        actor=None,
        received_on=date(2022, 6, 1),
    )
    assert not _check(again, "retransfer").passed


def test_renewal_keeps_the_licence_linked_to_the_application_that_created_it(db):
    application = _new_application()
    factories.approve(application, held_on=date(2022, 9, 16))
    set_setting("licence.validity_years.counter_office", 1)
    licence = ops.issue_licence(application, actor=None, issued_on=date(2022, 9, 16))
    renewal = ops.create_application(
        ApplicationKind.RENEWAL,
        applicant=licence.holder,
        licence=licence,
        actor=None,
        received_on=date(2023, 5, 1),  # within the window before 2023-09-16
    )
    factories.approve(renewal, held_on=date(2023, 6, 1))
    ops.issue_licence(renewal, actor=None, issued_on=date(2023, 6, 1))
    assert licence.application == application and licence.renewed_on == date(2023, 6, 1)


def test_a_licensed_office_changes_hands_or_address_only_through_licensing(db):
    from registry import operations as registry_ops

    licence = factories.make_licence()
    site = licence.site
    data = {k: getattr(site, k) for k in registry_ops.SITE_FIELDS}
    with pytest.raises(DomainError) as err:
        registry_ops.update_site(site, {**data, "operator_id": factories.make_person().id}, actor=None)
    assert "انتقال" in err.value.message
    with pytest.raises(DomainError):
        registry_ops.change_site_status(site, SiteStatus.CLOSED, reason="بستن", actor=None)
    registry_ops.update_site(site, {**data, "phone": "06633001122"}, actor=None)  # harmless
    ops.revoke_licence(licence, reason="لغو در کمیته", actor=None)  # through licensing: fine
    assert site.status == SiteStatus.REVOKED
    # With no licence in force the registry may record what happens to the premises.
    registry_ops.change_site_status(site, SiteStatus.CLOSED, reason="تخلیه محل", actor=None)


def test_an_expired_licence_closes_its_office(db):
    licence = factories.make_licence(issued_on=date(2017, 1, 1))
    ops.expire_licences(today=date(2022, 1, 5))
    assert licence.site.status == SiteStatus.CLOSED
    assert licence.site.status_since == date(2022, 1, 2)
