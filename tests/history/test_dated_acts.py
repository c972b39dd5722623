"""Acts entered with their real past date (issue 13, items 4 and 5): a licence issued on a past day is
numbered from that day's Jalali year, expires from it and its office exists from it; the record keeps
both dates and shows «ثبت با تأخیر»; a date that contradicts another record, or lies after today, is
refused naming both records and both Jalali dates — through the API and the screens."""

from datetime import date

import pytest

from core.security import Role
from core.settings import set_setting
from licensing import operations as ops
from licensing.models import ApplicationKind, Licence, TermKind
from registry.models import SiteKind
from tests import factories
from tests.licensing.test_operations import _new_application

NOW = "2026-11-29T08:00:00+00:00"  # 1405/09/08 in Tehran


@pytest.fixture
def approved(db, frozen_at):
    """A new-office application received on 1401/06/10, approved by the working group on 1401/06/19."""
    frozen_at(NOW)
    application = _new_application(received_on=date(2022, 9, 1))
    factories.approve(application, held_on=date(2022, 9, 10))
    db.session.commit()
    return application


def test_a_licence_issued_on_a_past_day_is_dated_numbered_and_valid_from_that_day(approved, caller, db):
    officer = caller(Role.LICENSING)
    answer = officer.post(f"/applications/{approved.id}/licence", json={"issued_on": "1401/06/25"})
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["number"] == "15-P-1401-00001" and body["issued_on"] == "2022-09-16"
    assert body["expires_on"] == "2027-09-16"
    licence = db.session.get(Licence, body["id"])
    assert licence.site.established_on == date(2022, 9, 16)
    [term] = body["terms"]
    assert term["kind"] == "issue" and term["effective_on_jalali"] == "1401/06/25"
    assert term["entered_late"] is True and term["actor_name"]
    assert term["valid_from"] == "2022-09-16" and term["valid_to"] == "2027-09-16"


def test_without_a_body_the_licence_is_issued_today(db, frozen_at, caller):
    frozen_at(NOW)
    application = _new_application(received_on=date(2026, 11, 1))
    factories.approve(application, held_on=date(2026, 11, 20))
    db.session.commit()
    answer = caller(Role.LICENSING).post(f"/applications/{application.id}/licence")
    assert answer.status_code == 201, answer.json
    assert answer.json["issued_on"] == "2026-11-29" and answer.json["number"] == "15-P-1405-00001"
    assert answer.json["terms"][0]["entered_late"] is False


@pytest.mark.parametrize(
    ("issued_on", "message"),
    [
        (
            "1401/06/15",  # before the working group's decision of 1401/06/19
            "تاریخ صدور پروانه درخواست \u2066۱۴۰۱-۰۰۰۰۱\u2069 (۱۴۰۱/۰۶/۱۵) پیش از تاریخ تصمیم کارگروه درباره "
            "درخواست \u2066۱۴۰۱-۰۰۰۰۱\u2069 (۱۴۰۱/۰۶/۱۹) است",
        ),
        (
            "1401/06/05",  # before the application was even received (1401/06/10)
            "تاریخ صدور پروانه درخواست \u2066۱۴۰۱-۰۰۰۰۱\u2069 (۱۴۰۱/۰۶/۰۵) پیش از تاریخ دریافت درخواست",
        ),
        (
            "1405/09/09",  # tomorrow in Tehran
            "(۱۴۰۵/۰۹/۰۹) پس از امروز (۱۴۰۵/۰۹/۰۸) است؛ رویداد آینده ثبت نمی‌شود.",
        ),
    ],
)
def test_an_issue_date_that_contradicts_a_record_is_refused_in_the_api(
    approved, caller, db, issued_on, message
):
    answer = caller(Role.LICENSING).post(
        f"/applications/{approved.id}/licence", json={"issued_on": issued_on}
    )
    assert answer.status_code in (400, 409, 422), answer.json
    assert message in answer.json["error"]["message"]
    assert db.session.query(Licence).count() == 0


def test_an_issue_date_that_contradicts_a_record_is_refused_on_the_screen(approved, client, login_as, db):
    login_as(Role.LICENSING)
    page = client.post(
        f"/applications/{approved.id}/issue",
        data={"issued_on": "۱۴۰۱/۰۶/۱۵"},
        follow_redirects=True,
    )
    text = page.get_data(as_text=True)
    assert "پیش از تاریخ تصمیم کارگروه" in text and "۱۴۰۱/۰۶/۱۹" in text and "۱۴۰۱/۰۶/۱۵" in text
    assert db.session.query(Licence).count() == 0
    page = client.post(
        f"/applications/{approved.id}/issue",
        data={"issued_on": "۱۴۰۱/۰۶/۲۵"},
        follow_redirects=True,
    )
    text = page.get_data(as_text=True)
    [licence] = db.session.query(Licence).all()
    assert licence.number == "15-P-1401-00001" and licence.issued_on == date(2022, 9, 16)
    assert "ثبت با تأخیر" in text


def test_a_working_group_decision_before_the_application_was_received_is_refused(db, frozen_at):
    frozen_at(NOW)
    application = _new_application(received_on=date(2022, 9, 1))
    with pytest.raises(Exception) as refused:
        factories.approve(application, held_on=date(2022, 8, 20))
    assert "پیش از تاریخ دریافت درخواست" in str(refused.value)
    assert "۱۴۰۱/۰۵/۲۹" in str(refused.value) and "۱۴۰۱/۰۶/۱۰" in str(refused.value)


def test_a_renewal_is_not_dated_before_the_licences_last_event(db, frozen_at):
    frozen_at(NOW)
    licence = factories.make_licence(kind=SiteKind.COUNTER_OFFICE, issued_on=date(2021, 9, 1))
    renewal = ops.create_application(
        ApplicationKind.RENEWAL,
        applicant=licence.holder,
        licence=licence,
        actor=None,
        received_on=date(2021, 5, 1),
    )
    # The request is far outside the renewal window: the test is about the dates, so it makes the
    # window discretionary for once and names that override.
    set_setting("rules.class.renewal_window", "discretionary")
    factories.approve(renewal, held_on=date(2021, 5, 10), overrides=("renewal_window",))
    with pytest.raises(Exception) as refused:
        ops.issue_licence(renewal, actor=None, issued_on=date(2021, 6, 1))
    assert "آخرین رویداد پروانه" in str(refused.value)
    assert [t.kind for t in licence.terms] == [TermKind.ISSUE]


def test_a_case_opened_before_its_office_existed_is_refused_in_the_api(db, frozen_at, caller):
    frozen_at(NOW)
    site = factories.make_site(code="P-77", established_on=date(2023, 3, 21))
    factories.violation_type("V02")
    db.session.commit()
    answer = caller(Role.COMMITTEE_SECRETARY).post(
        "/cases",
        json={
            "office_code": "P-77",
            "source": "manual",
            "violation_type_ids": [factories.violation_type("V02").id],
            "offence_on": "1401/12/01",
            "opened_on": "1401/12/10",
            "summary": "دفتر در ساعت اداری بسته بود.",
        },
    )
    assert answer.status_code in (400, 409, 422), answer.json
    message = answer.json["error"]["message"]
    assert "تاریخ تشکیل پرونده (۱۴۰۱/۱۲/۱۰) پیش از تاریخ آغاز فعالیت" in message
    assert site.name in message and "(۱۴۰۲/۰۱/۰۱)" in message


def test_a_ruling_served_before_it_was_made_is_refused_naming_both(db, frozen_at):
    from committees import operations as committee_ops
    from core.errors import DomainError

    frozen_at(NOW)
    ruling = factories.make_ruling(held_on=date(2022, 10, 1))
    with pytest.raises(DomainError) as refused:
        committee_ops.serve_ruling(ruling, date(2022, 9, 25), actor=None)
    message = refused.value.message
    assert "تاریخ ابلاغ رأی (۱۴۰۱/۰۷/۰۳) پیش از تاریخ صدور رأی" in message and "(۱۴۰۱/۰۷/۰۹)" in message
