"""Letters: numbering, hand-written letters, templates, the outbox (SMS and e-mail), retries,
hand-recorded delivery."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from core.clock import utcnow
from core.errors import DomainError
from core.settings import set_setting
from letters import operations as ops
from letters.models import DeliveryChannel, DeliveryStatus, LetterKind
from tests import factories


def hand_letter(**overrides):
    data = {
        "recipient_name": "مدیر امور شعب",
        "recipient_organisation": "بانک ملی ایران، مدیریت استان",
        "subject": "درخواست گزارش خودپردازهای خارج از سرویس",
        "body": "با سلام،\nخواهشمند است گزارش را ارسال فرمایید.",
        "letter_date": None,
        **overrides,
    }
    return ops.write_letter(data, actor=None)


def test_numbers_run_per_jalali_year_with_the_prefix(frozen_at):
    frozen_at("2025-03-19T08:00:00+00:00")  # 29 Esfand 1403
    first = hand_letter()
    second = hand_letter()
    assert (first.number, second.number) == ("ص/1403/1", "ص/1403/2")
    frozen_at("2025-03-25T08:00:00+00:00")  # 5 Farvardin 1404: a new year, a new counter
    set_setting("letters.number_prefix", "۱۲/ص")
    third = hand_letter()
    assert third.number == "12/ص/1404/1" and third.year == 1404 and third.serial == 1


def test_a_hand_letter_takes_the_default_signer_and_queues_its_channels():
    letter = hand_letter(recipient_mobile="09121234567", recipient_email="shoab@bmi.example.ir")
    assert letter.kind == LetterKind.HANDWRITTEN
    assert letter.signer_name == "مدیرکل ارتباطات و فناوری اطلاعات استان"
    channels = {d.channel: d for d in letter.deliveries}
    assert set(channels) == {DeliveryChannel.SMS, DeliveryChannel.EMAIL}
    assert all(d.status == DeliveryStatus.PENDING for d in channels.values())
    assert letter.number in channels[DeliveryChannel.SMS].note


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"recipient_name": "", "recipient_organisation": ""}, "recipient_name"),
        ({"subject": ""}, "subject"),
        ({"body": " "}, "body"),
        ({"recipient_email": "not-an-address"}, "recipient_email"),
        ({"recipient_mobile": "0912"}, "recipient_mobile"),
        ({"letter_date": date(2999, 1, 1)}, "letter_date"),
    ],
)
def test_a_hand_letter_is_refused_with_a_persian_message(overrides, field):
    with pytest.raises(DomainError) as caught:
        hand_letter(**overrides)
    assert caught.value.field == field


def test_an_organisation_of_the_correspondents_list_gets_its_email():
    ops.save_correspondent(
        None, {"name": "بانک ملی ایران، مدیریت استان", "email": "a@bmi.example.ir"}, actor=None
    )
    letter = hand_letter(recipient_organisation="بانك ملي ايران، مديريت استان")  # Arabic letters
    assert letter.recipient_email == "a@bmi.example.ir"


def test_the_admin_rewords_a_template_and_unknown_fields_are_refused():
    with pytest.raises(DomainError) as caught:
        ops.save_template(
            LetterKind.LICENCE_ISSUED,
            {
                "subject": "پروانه {{ licence_number }}",
                "body": "{{ national_id_of_holder }}",
                "sms_text": "x",
            },
            actor=None,
        )
    assert caught.value.field == "body" and "national_id_of_holder" in caught.value.message
    with pytest.raises(DomainError) as caught:
        ops.save_template(
            LetterKind.LICENCE_ISSUED, {"subject": "{% if %}", "body": "x", "sms_text": "x"}, actor=None
        )
    assert caught.value.field == "subject"
    ops.save_template(
        LetterKind.LICENCE_ISSUED,
        {
            "subject": "صدور پروانه {{ licence_number }}",
            "body": "{{ holder }}: صادر شد.",
            "sms_text": "{{ number }}",
        },
        actor=None,
    )
    assert ops.wording_for(LetterKind.LICENCE_ISSUED).body == "{{ holder }}: صادر شد."


def test_templates_run_in_a_sandbox():
    with pytest.raises(DomainError):
        ops.render_text("{{ ''.__class__.__mro__[1].__subclasses__() }}", {})


# ---------------------------------------------------------------- the outbox


def test_sms_goes_through_the_outbox_to_the_file_backend(sms_file):
    letter = hand_letter(recipient_mobile="09121234567")
    assert sms_file.read() == []  # queued, not sent, until the outbox runs
    done = ops.process_outbox()
    assert [d.status for d in done] == [DeliveryStatus.DELIVERED]
    [message] = sms_file.read()
    assert message["to"] == "09121234567" and letter.number in message["text"]
    delivery = letter.deliveries[0]
    assert delivery.attempts == 1 and delivery.log[0].ok
    assert letter.served_on == delivery.served_on
    assert ops.process_outbox() == []  # nothing left


def test_email_goes_through_the_outbox_to_a_local_smtp_server(smtp_server):
    letter = hand_letter(recipient_email="shoab@bmi.example.ir")
    ops.add_attachment(letter, "گزارش.pdf", factories.pdf_bytes(), actor=None)
    ops.process_outbox()
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["shoab@bmi.example.ir"]
    assert letter.number in message["Subject"] and letter.subject in message["Subject"]
    assert "خواهشمند است گزارش را ارسال فرمایید." in message.get_body(("plain",)).get_content()
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == [f"letter-{letter.year}-{letter.serial}.pdf", "گزارش.pdf"]
    assert letter.deliveries[0].status == DeliveryStatus.DELIVERED
    assert "accepted by 127.0.0.1" in letter.deliveries[0].log[0].detail


def test_a_refused_email_is_retried_with_back_off_and_logged(smtp_server, frozen_at):
    frozen_at("2025-05-10T06:00:00+00:00")
    smtp_server.refuse = 1
    letter = hand_letter(recipient_email="shoab@bmi.example.ir")
    [delivery] = ops.process_outbox()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "451" in delivery.last_error
    assert delivery.next_attempt_at == utcnow() + timedelta(minutes=10)
    assert letter.served_on is None
    assert ops.process_outbox() == []  # not yet due
    frozen_at("2025-05-10T06:11:00+00:00")
    [delivery] = ops.process_outbox()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert [a.ok for a in delivery.log] == [False, True]
    assert len(smtp_server.messages) == 1


def test_a_delivery_that_keeps_failing_is_given_up_and_shown_on_the_letter(app, frozen_at):
    frozen_at("2025-05-10T06:00:00+00:00")
    set_setting("letters.delivery_max_attempts", 3)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens on the discard port
    try:
        letter = hand_letter(recipient_email="shoab@bmi.example.ir")
        delivery = letter.deliveries[0]
        waits = []
        for _ in range(3):
            when = delivery.next_attempt_at
            ops.send_delivery(delivery, now=when)
            if delivery.next_attempt_at:
                waits.append(delivery.next_attempt_at - when)
    finally:
        app.config.update(MAIL_SERVER="", MAIL_PORT=25)
    assert waits == [timedelta(minutes=10), timedelta(minutes=20)]
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert [a.ok for a in delivery.log] == [False, False, False]
    assert letter.has_failed_delivery and letter.served_on is None
    ops.retry_failed(delivery, actor=None)
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0


def test_an_unreachable_sms_gateway_is_a_failed_attempt(app):
    app.config.update(SMS_BACKEND="http", SMS_PROVIDER="kavenegar", SMS_API_URL="http://127.0.0.1:9/v1")
    try:
        letter = hand_letter(recipient_mobile="09121234567")
        [delivery] = ops.process_outbox()
    finally:
        app.config.update(SMS_BACKEND="file", SMS_API_URL="")
    assert delivery.status == DeliveryStatus.PENDING and "unreachable" in delivery.last_error
    assert letter.deliveries[0].log[0].ok is False


def test_delivery_in_person_is_recorded_by_hand_and_serves_the_letter():
    letter = hand_letter()
    assert letter.deliveries == []
    with pytest.raises(DomainError) as caught:
        ops.record_delivery(letter, channel="in_person", served_on=date(2999, 1, 1), note=None, actor=None)
    assert caught.value.field == "served_on"
    with pytest.raises(DomainError):
        ops.record_delivery(letter, channel="sms", served_on=letter.letter_date, note=None, actor=None)
    delivery = ops.record_delivery(
        letter, channel="post", served_on=letter.letter_date, note="مرسوله ۱۲۳", actor=None
    )
    assert delivery.status == DeliveryStatus.DELIVERED and letter.served_on == letter.letter_date


def test_the_register_filters(frozen_at):
    frozen_at(datetime(2025, 5, 10, 6, 0).astimezone())
    failed = hand_letter(subject="نامه نخست", recipient_email="a@b.example.ir")
    failed.deliveries[0].status = DeliveryStatus.FAILED
    hand_letter(subject="نامه دوم")
    from core.extensions import db

    def found(**filters):
        return [x.subject for x in db.session.scalars(ops.search_letters(ops.LetterFilters(**filters)))]

    assert found() == ["نامه دوم", "نامه نخست"]
    assert found(delivery="failed") == ["نامه نخست"]
    assert found(delivery="none") == ["نامه دوم"]
    assert found(q="دوم") == ["نامه دوم"]
    assert found(kind="handwritten", date_from=date(2025, 5, 11)) == []


def test_an_attachment_is_judged_by_its_content():
    letter = hand_letter()
    with pytest.raises(DomainError) as caught:
        ops.add_attachment(letter, "report.pdf", b"MZ\x90\x00 not a pdf", actor=None)
    assert caught.value.field == "file" and "PDF" in caught.value.message
    attachment = ops.add_attachment(letter, "../../گزارش.pdf", factories.pdf_bytes(), actor=None)
    assert attachment.filename == "گزارش.pdf" and attachment.storage_key.startswith("letters/")
    assert ops.attachment_path(attachment).read_bytes() == factories.pdf_bytes()


def test_the_outbox_command_sends_and_commits(app, sms_file):
    from core.extensions import db

    hand_letter(recipient_mobile="09121234567")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["letters", "send"])
    assert result.exit_code == 0, result.output
    assert "tried: 1; delivered: 1; gave up: 0; will retry: 0" in result.output
    assert len(sms_file.read()) == 1
    again = app.test_cli_runner().invoke(args=["letters", "send"])
    assert "tried: 0" in again.output


def test_the_calendar_command_loads_a_jalali_year(app):
    from sqlalchemy import func, select

    from core.calendar import Holiday
    from core.extensions import db

    result = app.test_cli_runner().invoke(args=["calendar", "load", "1404"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Holiday)) > 20
