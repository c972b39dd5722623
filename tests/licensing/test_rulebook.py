"""The rule book as the regulations write it (DOMAIN.md): who may hold which licence, rules that
no reason waives, renewal and transfer limits, fees, temporary booths, checks kept as decided."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from core.audit import AuditEvent
from core.errors import DomainError
from core.forms import valid_company_id
from core.settings import set_setting
from licensing import operations as ops
from licensing.models import ApplicationKind, ApplicationState, LicenceStatus
from registry.models import SiteKind
from registry.postal import valid_postal_code
from tests import factories

S = ApplicationState
KHORRAMABAD = (33.4878, 48.3558)
BORUJERD = (33.8973, 48.7516)


def _check(application, code):
    return next(c for c in ops.eligibility_checks(application) if c.code == code)


def _counter_office_request(**kwargs):
    county = kwargs.pop("county", None) or factories.make_county(
        population=400_000, center_lat=KHORRAMABAD[0], center_lon=KHORRAMABAD[1]
    )
    data = {
        "office_name": "دفتر پیشخوان خدمات دولت مهر",
        "county_id": county.id,
        "locality": "خرم‌آباد",
        "address": "خیابان امام، پلاک ۲۰",
        "lat": KHORRAMABAD[0],
        "lon": KHORRAMABAD[1],
        "premises_m2": 60,
        "lease_ends_on": date(2028, 1, 1),
        "received_on": date(2022, 9, 1),
        **kwargs,
    }
    return ops.create_application(
        ApplicationKind.NEW, actor=None, office_kind=SiteKind.COUNTER_OFFICE, **data
    )


# ---------------------------------------------------------------- who may hold a licence


def test_a_company_holds_an_urban_counter_office_and_the_certificate_names_it(app, db):
    people = factories.company_applicant("شرکت خدمات دولت مهر")
    application = _counter_office_request(**people)
    company = people["applicant_company"]
    assert application.applicant == company.managing_director  # the company applies through its CEO
    assert _check(application, "holder_type").passed
    degree = _check(application, "applicant_degree")
    assert degree.passed and "مدیرعامل" in degree.detail and "جانشین" in degree.detail
    factories.approve(application, held_on=date(2022, 9, 20))
    licence = ops.issue_licence(application, actor=None, issued_on=date(2022, 10, 1))
    assert licence.holder_company == company and licence.holder_name == "شرکت خدمات دولت مهر"
    assert licence.site.operator == people["manager"]
    from licensing.pdf import licence_html

    with app.test_request_context():
        html = licence_html(licence)
    assert "شرکت خدمات دولت مهر" in html and company.managing_director.full_name in html


def test_a_natural_person_is_refused_an_urban_counter_office_and_no_reason_waives_it(db):
    application = _counter_office_request(applicant=factories.make_person("سارا", "محمدی"))
    check = _check(application, "holder_type")
    assert not check.passed and check.statutory and not check.overridable
    with pytest.raises(DomainError) as err:
        ops.override_check(application, "holder_type", "نیاز محله و سابقه متقاضی", actor=None)
    assert "شرط قانونی است و نادیده گرفته نمی‌شود" in err.value.message and "[S7]" in err.value.message
    # A rural ICT office may be held by a natural person (DOMAIN §1).
    rural = ops.create_application(
        ApplicationKind.NEW,
        applicant=factories.make_person(),
        actor=None,
        office_kind=SiteKind.RURAL_ICT_OFFICE,
        office_name="دفتر ICT روستایی چغلوندی",
        county_id=application.county_id,
        locality="چغلوندی",
        address="روستای چغلوندی",
        lat=33.60,
        lon=48.20,
        received_on=date(2022, 9, 1),
    )
    assert _check(rural, "holder_type").passed


def test_which_holders_an_office_kind_takes_is_a_setting(db):
    application = _counter_office_request(applicant=factories.make_person())
    set_setting("licensing.holder_types.counter_office", ["legal", "natural"])
    assert _check(application, "holder_type").passed


def test_the_managing_director_manager_and_deputy_must_hold_the_degree_and_not_be_state_employees(db):
    people = factories.company_applicant()
    people["deputy"] = factories.make_person("کاوه", "پاپی", education="diploma", state_employee=True)
    application = _counter_office_request(**people)
    degree = _check(application, "applicant_degree")
    assert not degree.passed and "جانشین مدیر (کاوه پاپی): دیپلم" in degree.detail and degree.statutory
    employee = _check(application, "state_employee")
    assert not employee.passed and "کاوه پاپی" in employee.detail
    without_manager = _counter_office_request(**{**factories.company_applicant("شرکت دیگر"), "manager": None})
    assert "مدیر دفتر: معرفی نشده" in _check(without_manager, "applicant_degree").detail


def test_company_national_identifier_check_digit():
    for real in ("10380284790", "14007650912", "10320894878"):  # published identifiers
        assert valid_company_id(real), real
    assert not valid_company_id("10380284791")  # last digit changed
    assert not valid_company_id("1038028479")  # ten digits
    assert not valid_company_id("10300000000")  # the serial part is zero


def test_a_company_with_a_bad_identifier_is_refused(db):
    with pytest.raises(DomainError) as err:
        factories.make_company(national_id="10380284791")
    assert err.value.field == "national_id"


# ---------------------------------------------------------------- relocation


def _licensed_in_khorramabad():
    county = factories.make_county(
        "خرم‌آباد", population=500_000, center_lat=KHORRAMABAD[0], center_lon=KHORRAMABAD[1]
    )
    factories.make_county("بروجرد", population=300_000, center_lat=BORUJERD[0], center_lon=BORUJERD[1])
    return factories.make_licence(
        issued_on=date(2021, 1, 1), county=county, lat=KHORRAMABAD[0], lon=KHORRAMABAD[1]
    )


def _move(licence, **details):
    data = factories.move_details(licence, date(2022, 9, 1))
    data.update(details)
    return ops.create_application(
        ApplicationKind.ADDRESS_CHANGE, licence=licence, actor=None, received_on=date(2022, 9, 1), **data
    )


def test_a_move_with_a_blank_locality_and_far_coordinates_is_refused_and_not_overridable(db):
    licence = _licensed_in_khorramabad()
    moving = _move(licence, locality=None, lat=BORUJERD[0], lon=BORUJERD[1], address="بروجرد، خیابان جعفری")
    check = _check(moving, "relocation_scope")
    assert not check.passed and not check.overridable and "وارد نشده" in check.detail
    with pytest.raises(DomainError) as err:
        ops.override_check(moving, "relocation_scope", "متقاضی در همان شهر است", actor=None)
    assert "نادیده گرفته نمی‌شود" in err.value.message


def test_a_move_naming_the_same_city_with_coordinates_in_another_is_refused(db):
    licence = _licensed_in_khorramabad()
    moving = _move(licence, locality="خرم‌آباد", lat=BORUJERD[0], lon=BORUJERD[1])
    check = _check(moving, "relocation_scope")
    assert not check.passed and "بروجرد" in check.detail


def test_a_move_within_the_city_passes_and_the_new_premises_get_the_premises_checks(db):
    licence = _licensed_in_khorramabad()
    moving = _move(
        licence, premises_m2=40, lease_ends_on=date(2024, 1, 1), old_lease_ends_on=date(2022, 10, 1)
    )
    assert _check(moving, "relocation_scope").passed
    assert not _check(moving, "premises_area").passed
    assert not _check(moving, "lease_length").passed  # under five years
    late = _check(moving, "lease_deadline")  # asked 30 days before the lease ends, 60 required
    assert not late.passed and late.overridable


# ---------------------------------------------------------------- transfer


def test_a_transfer_with_five_months_left_is_refused_and_not_overridable(db):
    licence = factories.make_licence(issued_on=date(2017, 9, 1))  # expires 2022-09-01
    transfer = ops.create_application(
        ApplicationKind.TRANSFER,
        **factories.company_applicant(),
        licence=licence,
        actor=None,
        received_on=licence.expires_on - relativedelta(months=5),
    )
    check = _check(transfer, "transfer_validity")
    assert not check.passed and check.statutory
    with pytest.raises(DomainError):
        ops.override_check(transfer, "transfer_validity", "دارنده بیمار است و نمی‌تواند ادامه دهد", actor=None)
    with pytest.raises(AssertionError, match="transfer_validity"):
        factories.approve(transfer)


def test_a_transfer_by_power_of_attorney_is_refused(db):
    licence = factories.make_licence(issued_on=date(2021, 1, 1))
    transfer = ops.create_application(
        ApplicationKind.TRANSFER,
        **factories.company_applicant(),
        licence=licence,
        actor=None,
        received_on=date(2022, 9, 1),
        via_power_of_attorney=True,
    )
    check = _check(transfer, "power_of_attorney")
    assert not check.passed and not check.overridable


# ---------------------------------------------------------------- renewal and fees


def test_a_strangers_renewal_is_refused(db):
    licence = factories.make_licence(issued_on=date(2018, 1, 1))
    with pytest.raises(DomainError) as err:
        ops.create_application(
            ApplicationKind.RENEWAL,
            applicant=factories.make_person("غریبه", "ناشناس"),
            licence=licence,
            actor=None,
            received_on=date(2022, 9, 1),
        )
    assert "فقط دارنده پروانه" in err.value.message


def test_a_company_licence_is_renewed_by_its_managing_director_only(db):
    company = factories.make_company()
    licence = factories.make_licence(issued_on=date(2018, 1, 1), holder_company=company)
    with pytest.raises(DomainError) as err:
        ops.create_application(
            ApplicationKind.RENEWAL,
            applicant=factories.make_person(),
            licence=licence,
            actor=None,
            received_on=date(2022, 9, 1),
        )
    assert "مدیرعامل" in err.value.message
    renewal = ops.create_application(
        ApplicationKind.RENEWAL, licence=licence, actor=None, received_on=date(2022, 9, 1)
    )
    assert renewal.applicant == company.managing_director and renewal.applicant_company == company
    assert _check(renewal, "renewal_holder").passed


def test_a_renewal_with_an_open_violation_case_is_refused(db):
    licence = factories.make_licence(issued_on=date(2018, 1, 1))
    factories.make_case(licence.site, offence_on=date(2022, 8, 1))
    renewal = ops.create_application(
        ApplicationKind.RENEWAL, licence=licence, actor=None, received_on=date(2022, 9, 1)
    )
    check = _check(renewal, "renewal_open_case")
    assert not check.passed and check.statutory and "پرونده باز" in check.detail
    set_setting("licence.renewal_blocked_by_open_case", "no")
    assert _check(renewal, "renewal_open_case").passed


def test_a_renewal_after_the_window_means_the_licence_is_given_up(db):
    licence = factories.make_licence(issued_on=date(2018, 1, 1))  # expires 2023-01-01
    late = ops.create_application(
        ApplicationKind.RENEWAL, licence=licence, actor=None, received_on=date(2022, 11, 1)
    )
    check = _check(late, "renewal_window")
    assert not check.passed and not check.overridable and "واگذارشده" in check.detail


def test_the_renewal_fee_is_the_ratio_of_the_issuance_royalty(db):
    county = factories.make_county()
    licence = factories.make_licence(issued_on=date(2018, 1, 1), county=county, locality="بروجرد")
    renewal = ops.create_application(
        ApplicationKind.RENEWAL, licence=licence, actor=None, received_on=date(2022, 9, 1)
    )
    assert ops.royalty_tier("بروجرد", None) == "large_city"
    assert ops.issuance_royalty(renewal) == 175_200_000
    assert ops.fee_due(renewal) == 17_520_000  # 0.1 × 175,200,000 rials
    set_setting("licence.renewal_fee_ratio", 0.2)
    set_setting("fees.index_factor", 1.5)
    assert ops.fee_due(renewal) == round(0.2 * 175_200_000 * 1.5)


def test_the_royalty_follows_the_tiers(db):
    assert ops.royalty_tier("تهران", None) == "metropolis"
    assert ops.royalty_tier("خرم‌آباد", None) == "provincial_capital"
    assert ops.royalty_tier("الشتر", None) == "city"
    from registry.models import LocalityType

    assert ops.royalty_tier("چغلوندی", LocalityType.VILLAGE) == "village"


def test_no_licence_is_issued_or_renewed_before_the_fee_is_paid(db):
    application = _counter_office_request(**factories.company_applicant())
    factories.approve(application, held_on=date(2022, 9, 20), pay=False)
    with pytest.raises(DomainError) as err:
        ops.issue_licence(application, actor=None, issued_on=date(2022, 10, 1))
    assert "پرداخت حق امتیاز" in err.value.message
    with pytest.raises(DomainError):
        ops.record_payment(
            application,
            amount_rials="0",
            receipt_number="1",
            bank="ملت",
            paid_on=date(2022, 9, 5),
            actor=None,
        )
    ops.record_payment(
        application,
        amount_rials="۳۵۰۴۰۰۰۰۰",
        receipt_number="991",
        bank="ملت",
        paid_on=date(2022, 9, 5),
        actor=None,
    )
    with pytest.raises(DomainError) as err:  # the same receipt twice
        ops.record_payment(
            application,
            amount_rials=1,
            receipt_number="991",
            bank="ملت",
            paid_on=date(2022, 9, 5),
            actor=None,
        )
    assert err.value.field == "receipt_number"
    assert (
        ops.issue_licence(application, actor=None, issued_on=date(2022, 10, 1)).status == LicenceStatus.ACTIVE
    )


# ---------------------------------------------------------------- temporary booths


def test_a_temporary_booth_is_refused_on_its_31st_day_of_the_year(db):
    licence = factories.make_licence(issued_on=date(2022, 1, 1))
    first = ops.record_temp_booth(
        licence,
        event="نمایشگاه کتاب استان",
        address="محل دائمی نمایشگاه‌ها",
        starts_on=date(2022, 5, 1),
        ends_on=date(2022, 5, 20),
        approval_ref="کارگروه ۱۴۰۱/۱۲",
        actor=None,
    )
    assert first.days == 20
    ops.record_temp_booth(
        licence,
        event="جشنواره عشایر",
        address="پارک کیو",
        starts_on=date(2022, 8, 1),
        ends_on=date(2022, 8, 10),
        approval_ref="کارگروه ۱۴۰۱/۱۸",
        actor=None,
    )
    assert ops.booth_days_in_year(licence, 1401) == 30
    with pytest.raises(DomainError) as err:
        ops.record_temp_booth(
            licence,
            event="یک روز دیگر",
            address="میدان شقایق",
            starts_on=date(2022, 9, 1),
            ends_on=date(2022, 9, 1),
            approval_ref="کارگروه ۱۴۰۱/۲۰",
            actor=None,
        )
    assert "۳۰" in err.value.message
    # The next Jalali year starts afresh (1402 begins on 2023-03-21).
    ops.record_temp_booth(
        licence,
        event="نوروز",
        address="میدان شقایق",
        starts_on=date(2023, 3, 21),
        ends_on=date(2023, 3, 21),
        approval_ref="کارگروه ۱۴۰۲/۱",
        actor=None,
    )


# ---------------------------------------------------------------- rule classes, approve(), kept checks


def test_an_admin_can_make_a_rule_discretionary_and_the_change_is_audited(db, client, login_as):
    from core.security import Role

    login_as(Role.ADMIN)
    response = client.post("/admin/settings/rules.class.transfer_validity", data={"value": "چیز دیگر"})
    assert "یکی از این‌ها را بنویسید" in response.get_data(as_text=True)
    response = client.post(
        "/admin/settings/rules.class.transfer_validity",
        data={"value": "اختیاری (با دلیل نادیده گرفته می‌شود)"},
    )
    assert response.status_code == 302
    assert ops.rule_class("transfer_validity") == ops.DISCRETIONARY
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "settings")).all()[-1]
    assert "rules.class.transfer_validity" in str(event.object_id)


def test_approve_fails_on_a_failed_check_the_test_did_not_name(db):
    near = factories.make_licence(lat=KHORRAMABAD[0], lon=KHORRAMABAD[1])
    application = _counter_office_request(**factories.company_applicant(), county=near.site.county)
    with pytest.raises(AssertionError, match="distance"):
        factories.approve(application)
    factories.approve(application, overrides=("distance",))
    assert application.state == S.APPROVED


def test_checks_are_kept_as_decided_and_a_recheck_shows_both(db, client, login_as):
    from core.security import Role

    application = _counter_office_request(**factories.company_applicant())
    factories.approve(application, held_on=date(2022, 9, 20))
    ops.issue_licence(application, actor=None, issued_on=date(2022, 10, 1))
    kept = ops.kept_check_results(application)
    assert [step.to_state for step, _ in kept] == [S.LICENCE_ISSUED, S.APPROVED, S.READY_FOR_WG]
    assert all(r.passed for r in kept[0][1] if r.code != "distance")
    # Another office opens next door later: today's re-check fails, the decision's record does not.
    factories.make_site(lat=application.lat + 0.0005, lon=application.lon)
    assert not _check(application, "distance").passed
    assert next(r for r in kept[0][1] if r.code == "distance").passed
    login_as(Role.LICENSING)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "شرایط هنگام «پروانه صادر شد»" in page and "بررسی دوباره با داده‌های امروز" in page


# ---------------------------------------------------------------- registry hygiene


def test_postal_codes_follow_the_national_post_format(db):
    assert valid_postal_code("6813714567")
    for bad in ("0000000000", "1111111111", "6813", "2813714567", "6813514567", "6813712567"):
        assert not valid_postal_code(bad), bad
    with pytest.raises(DomainError) as err:
        _counter_office_request(**factories.company_applicant(), postal_code="0000000000")
    assert err.value.field == "postal_code"


def test_one_live_licence_per_office_and_one_open_request_per_licence_are_database_rules(db):
    from sqlalchemy.exc import IntegrityError

    licence = factories.make_licence()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        ops._new_licence(
            office_kind=licence.office_kind,
            site=licence.site,
            holder=licence.holder,
            issued_on=licence.issued_on,
            expires_on=licence.expires_on,
            application=None,
        )
    from licensing.models import Application

    renewal = ops.create_application(
        ApplicationKind.RENEWAL, licence=licence, actor=None, received_on=date(2022, 9, 1)
    )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            Application(
                number="X-1",
                kind=ApplicationKind.TRANSFER,
                office_kind=licence.office_kind,
                applicant=licence.holder,
                licence=licence,
                received_on=renewal.received_on,
                due_on=renewal.received_on + timedelta(days=30),
            )
        )
        db.session.flush()


def ops_duplicates(application):
    from registry.localities import near_duplicates

    return near_duplicates(
        name=application.office_name,
        address=application.address,
        lat=application.lat,
        lon=application.lon,
        county_id=application.county_id,
    )


def test_a_near_duplicate_office_is_a_warning_with_a_link_not_a_block(db, client, login_as):
    from core.security import Role

    existing = factories.make_site(name="دفتر پیشخوان کوثر", lat=KHORRAMABAD[0], lon=KHORRAMABAD[1])
    application = _counter_office_request(
        **factories.company_applicant(), county=existing.county, office_name="دفتر پيشخوان كوثر"
    )
    assert [why for _, why in ops_duplicates(application)] == ["همین نام در همین شهرستان، در ۰ متری"]
    db.session.commit()
    login_as(Role.LICENSING)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "دفتر فعال مشابه" in page and f"/sites/{existing.id}" in page and "همین نام" in page
    far = _counter_office_request(
        **factories.company_applicant("شرکت دور"), office_name="دفتر پیشخوان سپیده", lat=33.50, lon=48.40
    )
    assert "دفتر فعال مشابه" not in client.get(f"/applications/{far.id}").get_data(as_text=True)
    factories.approve(application, overrides=("distance",))  # the warning never blocks
