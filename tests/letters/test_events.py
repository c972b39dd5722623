"""Each event that calls for a letter produces it: the right kind, number, recipient and fields.

The features only announce what happened (core.events); the letters package words the letter,
numbers it in the register and queues its SMS/e-mail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from committees import operations as committee_ops
from core.calendar import add_working_days
from core.clock import today_tehran
from core.extensions import db
from core.persian import format_jalali, jalali, to_persian_digits
from inspections import operations as inspection_ops
from letters import operations as ops
from letters.models import DeliveryChannel, DeliveryStatus, Letter, LetterKind
from licensing import operations as lic_ops
from licensing.models import ApplicationKind, ApplicationState
from registry.models import SiteKind
from tests import factories
from tests.inspections import helpers as h

KHORRAMABAD = (33.4878, 48.3558)


def letters_of(kind: LetterKind) -> list[Letter]:
    return list(db.session.scalars(select(Letter).where(Letter.kind == kind).order_by(Letter.id)))


def register_number(serial: int) -> str:
    return f"ص/{jalali(today_tehran()).year}/{serial}"


def new_application(applicant=None):
    """A company's valid request for a counter office; its managing director applies."""
    applicant = applicant or factories.make_person("سارا", "محمدی", mobile="09161234567", father_name="رضا")
    return lic_ops.create_application(
        ApplicationKind.NEW,
        applicant=applicant,
        applicant_company=factories.make_company(director=applicant),
        manager=factories.make_person("رضا", "امیری"),
        deputy=factories.make_person("لیلا", "سپهوند"),
        lease_ends_on=today_tehran() + timedelta(days=6 * 366),
        actor=None,
        office_kind=SiteKind.COUNTER_OFFICE,
        office_name="دفتر پیشخوان خدمات دولت آفتاب",
        county_id=factories.make_county(population=400_000).id,
        locality="خرم‌آباد",
        address="خیابان ولیعصر، پلاک ۳",
        postal_code="6813714567",
        lat=KHORRAMABAD[0],
        lon=KHORRAMABAD[1],
        premises_m2=60,
    )


def test_review_starts_with_the_missing_documents_and_the_inquiries():
    application = new_application()
    assert ops.letters_about("application", application.id) == []  # received: nothing yet
    lic_ops.start_review(application, actor=None)
    [missing] = letters_of(LetterKind.MISSING_DOCUMENTS)
    assert missing.number == register_number(1)
    assert missing.person == application.applicant and missing.recipient_name == "سارا محمدی"
    assert missing.recipient_mobile == "09161234567"
    assert [d.channel for d in missing.deliveries] == [DeliveryChannel.SMS]
    for doc_type in lic_ops.missing_documents(application):
        assert doc_type.title in missing.body
    assert to_persian_digits(application.number) in missing.subject
    inquiries = letters_of(LetterKind.INQUIRY_REQUEST)
    assert [letter.recipient_organisation for letter in inquiries] == [
        "اداره تشخیص هویت و پلیس بین‌الملل (سوءپیشینه)",
        "اداره کل امور مالیاتی استان",
        "سازمان تأمین اجتماعی استان",
        "اداره نظارت بر اماکن عمومی فراجا",
    ]
    assert [letter.number for letter in inquiries] == [register_number(n) for n in (2, 3, 4, 5)]
    first = inquiries[0]
    # The answer is due in 15 working days, written into the letter and kept as its due date.
    assert first.due_on == add_working_days(today_tehran(), 15)
    assert format_jalali(first.due_on) in first.body
    assert to_persian_digits(application.applicant.national_id) in first.body and "رضا" in first.body
    assert first.person is None and first.deliveries == []  # no address known: by hand


def test_an_inquiry_goes_by_email_to_a_known_organisation():
    ops.save_correspondent(
        None, {"name": "اداره کل امور مالیاتی استان", "email": "estelam@tax.example.ir"}, actor=None
    )
    lic_ops.start_review(new_application(), actor=None)
    tax = next(x for x in letters_of(LetterKind.INQUIRY_REQUEST) if "مالیاتی" in x.recipient_name)
    assert [(d.channel, d.address) for d in tax.deliveries] == [
        (DeliveryChannel.EMAIL, "estelam@tax.example.ir")
    ]


def test_the_working_group_decision_and_the_royalty_then_the_licence():
    application = new_application()
    factories.approve(application)
    [decision] = letters_of(LetterKind.WG_DECISION)
    assert decision.person == application.applicant
    assert "تصویب شده" in decision.body and "شرایط احراز شده است." in decision.body
    [payment] = letters_of(LetterKind.PAYMENT_DUE)
    assert "۵۸٬۴۰۰٬۰۰۰" in payment.body  # other cities' royalty (setting)
    assert payment.due_on == add_working_days(today_tehran(), 30)
    assert payment.number.endswith(f"/{decision.serial + 1}")
    licence = lic_ops.issue_licence(application, actor=None)
    [issued] = letters_of(LetterKind.LICENCE_ISSUED)
    assert issued.record_type == "licence" and issued.record_id == licence.id
    assert licence.number in issued.body and issued.site == licence.site
    assert format_jalali(licence.expires_on) in issued.body


def test_a_rejection_asks_for_no_payment():
    application = new_application()
    factories.review(application)
    session = lic_ops.schedule_session(today_tehran(), place="سالن", actor=None)
    lic_ops.add_attendee(session, full_name="مجتبی صارمی", organisation="اداره کل", actor=None)
    item = lic_ops.add_to_agenda(session, application, actor=None)
    lic_ops.record_decision(item, ApplicationState.REJECTED, "سهمیه شهرستان پر است.", actor=None)
    [decision] = letters_of(LetterKind.WG_DECISION)
    assert "رد شده" in decision.body and "سهمیه شهرستان پر است." in decision.body
    assert letters_of(LetterKind.PAYMENT_DUE) == []


def test_the_expiry_reminder_goes_once_when_the_renewal_window_opens(app):
    licence = factories.make_licence(holder=factories.make_person(mobile="09127654321"))
    opens = licence.expires_on - timedelta(days=180)
    assert lic_ops.open_renewal_windows(opens - timedelta(days=1)) == []
    assert lic_ops.open_renewal_windows(opens) == [licence]
    lic_ops.open_renewal_windows(opens + timedelta(days=1))  # the next day's job: no second letter
    [reminder] = letters_of(LetterKind.EXPIRY_REMINDER)
    assert reminder.person == licence.holder and reminder.recipient_mobile == "09127654321"
    last_day = licence.expires_on - timedelta(days=90)
    assert reminder.due_on == last_day and format_jalali(last_day) in reminder.body
    assert format_jalali(licence.expires_on) in reminder.body
    # From the daily job, after a renewal extended the licence: a new term, a new reminder.
    licence.expires_on += timedelta(days=5 * 365)
    db.session.commit()
    runner = app.test_cli_runner()
    day = format_jalali(licence.expires_on - timedelta(days=100), persian_digits=False)
    result = runner.invoke(args=["licensing", "daily", "--today", day])
    assert "renewal windows open: 1" in result.output, result.output
    assert len(letters_of(LetterKind.EXPIRY_REMINDER)) == 2


def test_no_reminder_while_a_renewal_is_under_way():
    licence = factories.make_licence()
    lic_ops.create_application(ApplicationKind.RENEWAL, applicant=licence.holder, licence=licence, actor=None)
    assert lic_ops.open_renewal_windows(licence.expires_on - timedelta(days=100)) == []


def test_summons_ruling_notice_service_and_appeal_decision(sms_file):
    holder = factories.make_person("رضا", "کرمی", mobile="09351112233")
    licence = factories.make_licence(holder=holder)
    case = factories.make_ready_case(licence.site)
    members = factories.make_committee(3)
    session = factories.hold_hearing(case, members, held_on=date(2022, 10, 1))
    [summons] = letters_of(LetterKind.COMMITTEE_SUMMONS)
    assert summons.person == holder and summons.site == licence.site
    assert format_jalali(date(2022, 10, 1)) in summons.body and to_persian_digits(case.number) in summons.body
    assert summons.due_on == date(2022, 10, 1)

    ruling = committee_ops.record_ruling(case, session, factories.ruling_data(), actor=None)
    [notice] = letters_of(LetterKind.RULING_NOTICE)
    assert notice.person == holder and notice.record_id == ruling.id
    assert "ظرف ۲۰ روز کاری از تاریخ ابلاغ" in notice.body and ruling.penalty_text in notice.body
    assert ruling.served_on is None

    # The notice's SMS goes out through the outbox: the ruling is served on that day.
    ops.process_outbox()
    assert [m["to"] for m in sms_file.read()][-1] == "09351112233"
    assert notice.deliveries[0].status == DeliveryStatus.DELIVERED
    served = notice.deliveries[0].served_on
    assert ruling.served_on == served == notice.served_on
    assert ruling.appeal_deadline == add_working_days(served, 20)

    appeal = committee_ops.file_appeal(ruling, filed_on=served, grounds="ناروا", actor=None)
    committee_ops.decide_appeal(
        appeal, outcome="confirmed", decided_on=served, reasoning="دلیلی ارائه نشد.", actor=None
    )
    [decision] = letters_of(LetterKind.APPEAL_DECISION)
    assert decision.person == holder and "تأیید" in decision.body and "دلیلی ارائه نشد." in decision.body


def test_a_ruling_served_by_hand_takes_the_day_recorded(frozen_at):
    frozen_at("2025-03-15T08:00:00+00:00")
    licence = factories.make_licence()
    ruling = factories.make_ruling(factories.make_ready_case(licence.site), held_on=date(2025, 3, 10))
    [notice] = letters_of(LetterKind.RULING_NOTICE)
    assert notice.letter_date == date(2025, 3, 15)
    frozen_at("2025-03-22T08:00:00+00:00")
    # Handed over on Wednesday 29 Esfand 1403: the appeal window skips Nowruz and the Fridays.
    ops.record_delivery(notice, channel="in_person", served_on=date(2025, 3, 19), note=None, actor=None)
    assert ruling.served_on == date(2025, 3, 19)
    assert ruling.appeal_deadline == date(2025, 4, 20)  # Sunday 31 Farvardin 1404


def test_a_failed_atm_visit_is_reported_to_its_bank():
    inspector = h.make_inspector()
    atm = factories.make_site(kind=SiteKind.ATM, name="خودپرداز میدان شقایق", bank="بانک سپه")
    payload = h.visit_payload(atm, purpose="atm_kiosk")
    failing = next(a for a in payload["answers"] if a.get("choice") == "yes")
    failing.update(choice="no", note="صفحه نمایش شکسته")
    visit, _ = inspection_ops.submit_visit(payload, actor=inspector)
    assert visit.failed_count == 1
    [report] = letters_of(LetterKind.BANK_REPORT)
    assert report.recipient_organisation == "بانک سپه" and report.site == atm
    assert "صفحه نمایش شکسته" in report.body and atm.terminal_id in report.body
    passing = h.visit_payload(atm, purpose="atm_kiosk")
    inspection_ops.submit_visit(passing, actor=inspector)
    assert len(letters_of(LetterKind.BANK_REPORT)) == 1  # nothing to report


@pytest.mark.parametrize("kind", [k for k in LetterKind if k != LetterKind.HANDWRITTEN])
def test_every_default_template_uses_only_its_fields(kind):
    from letters.wording import DEFAULT_SMS, DEFAULTS

    for text in (*DEFAULTS[kind], DEFAULT_SMS):
        ops.check_template(text, kind, "body")
