"""Letter screens: who may do what, the register with filters and Excel, a letter, writing by hand,
recording delivery, templates, the public verification page."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from core.extensions import db
from letters import operations as ops
from letters.models import DeliveryStatus, Letter, LetterKind
from tests import factories


def make_letter(**overrides) -> Letter:
    data = {
        "recipient_name": "علی رضایی",
        "recipient_organisation": None,
        "subject": "اعلام نقص مدارک",
        "body": "با سلام،\nمدارک ناقص است.",
        **overrides,
    }
    letter = ops.write_letter(data, actor=None)
    db.session.commit()
    return letter


WRITERS = ["admin", "licensing_officer", "committee_secretary", "inspector"]


@pytest.mark.parametrize("role", [*WRITERS, "viewer"])
def test_staff_read_the_register_and_a_letter(client, login_as, role):
    letter = make_letter()
    login_as(role)
    page = client.get("/letters/").get_data(as_text=True)
    assert "دفتر نامه‌های صادره" in page and "اعلام نقص مدارک" in page
    assert client.get(f"/letters/{letter.id}").status_code == 200
    assert client.get(f"/letters/{letter.id}/pdf").status_code == 200


def test_a_committee_member_does_not_read_the_register(client, login_as):
    letter = make_letter()
    login_as("committee_member")
    assert client.get("/letters/").status_code == 403
    assert client.get(f"/letters/{letter.id}").status_code == 403


@pytest.mark.parametrize("role", ["viewer", "committee_member"])
def test_read_only_roles_write_nothing(client, login_as, role):
    letter = make_letter()
    login_as(role)
    assert client.get("/letters/new").status_code == 403
    assert client.post("/letters/new", data={"subject": "x"}).status_code == 403
    data = {"channel": "in_person", "served_on": "1404/01/05"}
    assert client.post(f"/letters/{letter.id}/deliveries", data=data).status_code == 403
    assert client.post(f"/letters/{letter.id}/send").status_code == 403
    assert client.post(f"/letters/{letter.id}/contact", data={}).status_code == 403


@pytest.mark.parametrize("role", [*WRITERS[1:], "viewer"])
def test_only_the_admin_edits_templates_and_correspondents(client, login_as, role):
    login_as(role)
    assert client.get("/letters/templates").status_code == 403
    assert client.post("/letters/templates/licence_issued", data={}).status_code == 403
    assert client.get("/letters/correspondents").status_code == 403


def test_writing_a_letter_by_hand(client, login_as):
    login_as("licensing_officer")
    assert "نامه دستی تازه" in client.get("/letters/new").get_data(as_text=True)
    response = client.post(
        "/letters/new",
        data={
            "recipient_name": "مدیر شعبه مرکزی",
            "recipient_organisation": "بانک سپه",
            "recipient_mobile": "۰۹۱۲۱۲۳۴۵۶۷",
            "letter_date": "۱۴۰۴/۰۱/۰۵",
            "subject": "پیگیری خودپرداز خاموش",
            "body": "با سلام،\nخودپرداز شماره ۱۲ خاموش است.",
        },
    )
    assert response.status_code == 302
    letter = db.session.scalar(db.select(Letter))
    assert letter.kind == LetterKind.HANDWRITTEN and letter.recipient_mobile == "09121234567"
    assert [d.channel.value for d in letter.deliveries] == ["sms"]


def test_a_bad_hand_letter_shows_the_message_next_to_the_field(client, login_as):
    login_as("licensing_officer")
    response = client.post(
        "/letters/new",
        data={"recipient_name": "x", "letter_date": "1404/12/30", "subject": "s", "body": "b"},
    )
    assert response.status_code == 200
    assert "سال ۱۴۰۴ کبیسه نیست" in response.get_data(as_text=True)


def test_recording_a_delivery_in_person(client, login_as):
    letter = make_letter()
    login_as("committee_secretary")
    response = client.post(
        f"/letters/{letter.id}/deliveries",
        data={"channel": "in_person", "served_on": "", "note": "تحویل به متصدی"},
    )
    assert response.status_code == 302
    assert letter.deliveries == []
    from core.persian import format_jalali

    client.post(
        f"/letters/{letter.id}/deliveries",
        data={
            "channel": "in_person",
            "served_on": format_jalali(letter.letter_date),
            "note": "تحویل به متصدی",
        },
    )
    db.session.refresh(letter)
    assert letter.served_on == letter.letter_date
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert "تحویل حضوری" in page and "تحویل شد" in page


def test_a_failed_delivery_is_shown_on_the_letter_and_in_the_register(client, login_as):
    letter = make_letter(recipient_email="a@example.ir")
    letter.deliveries[0].status = DeliveryStatus.FAILED
    letter.deliveries[0].last_error = "SMTP refused"
    db.session.commit()
    login_as("licensing_officer")
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert "ارسال این نامه ناموفق بوده است" in page and "ارسال دوباره" in page
    listed = client.get("/letters/?delivery=failed").get_data(as_text=True)
    assert "اعلام نقص مدارک" in listed and "ناموفق" in listed
    client.post(f"/letters/{letter.id}/deliveries/{letter.deliveries[0].id}/retry")
    db.session.refresh(letter)
    assert letter.deliveries[0].status == DeliveryStatus.PENDING


def test_the_register_exports_its_filtered_rows_to_excel(client, login_as):
    make_letter(subject="نامه نخست")
    make_letter(subject="نامه دوم")
    login_as("viewer")
    response = client.get("/letters/?q=دوم&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("شماره", "تاریخ", "نوع")
    assert [r[5] for r in rows[1:]] == ["نامه دوم"]


def test_the_admin_rewords_a_template(client, login_as):
    login_as("admin")
    assert "اعلام صدور پروانه" in client.get("/letters/templates").get_data(as_text=True)
    response = client.post(
        "/letters/templates/licence_issued",
        data={"subject": "پروانه {{ licence_number }}", "body": "{{ unknown_field }}", "sms_text": "x"},
    )
    assert response.status_code == 200 and "unknown_field" in response.get_data(as_text=True)
    response = client.post(
        "/letters/templates/licence_issued",
        data={
            "subject": "پروانه {{ licence_number }}",
            "body": "{{ holder }} گرامی",
            "sms_text": "{{ number }}",
        },
    )
    assert response.status_code == 302
    assert ops.wording_for(LetterKind.LICENCE_ISSUED).body == "{{ holder }} گرامی"
    client.post("/letters/templates/licence_issued", data={"reset": "1"})
    assert "{{ holder }} گرامی\n" in ops.wording_for(LetterKind.LICENCE_ISSUED).body


def test_correspondents(client, login_as):
    login_as("admin")
    response = client.post("/letters/correspondents", data={"name": "بانک ملی", "email": "x@bmi.example.ir"})
    assert response.status_code == 302
    response = client.post("/letters/correspondents", data={"name": "بانك ملي", "email": ""})
    assert "این سازمان پیش‌تر ثبت شده است." in response.get_data(as_text=True)  # Arabic letters fold
    response = client.post("/letters/correspondents", data={"name": "بانک سپه", "email": "bad"})
    assert "نشانی رایانامه معتبر نیست." in response.get_data(as_text=True)


def test_the_public_verification_page_names_no_person(client):
    person = factories.make_person(first_name="مریم", last_name="کاظمی")
    letter = ops.write_letter(
        {"recipient_name": person.full_name, "person": person, "subject": "ابلاغ رأی", "body": "متن محرمانه"},
        actor=None,
    )
    db.session.commit()
    page = client.get(f"/letters/verify/{letter.verify_token}").get_data(as_text=True)
    assert "ثبت شده است" in page and "ابلاغ رأی" in page
    assert "کاظمی" not in page and "متن محرمانه" not in page
    missing = client.get("/letters/verify/not-a-real-token")
    assert missing.status_code == 404 and "نامه یافت نشد" in missing.get_data(as_text=True)


def test_a_ruling_page_shows_its_notice_and_a_failed_delivery(client, login_as):
    licence = factories.make_licence(holder=factories.make_person(mobile="09351112233"))
    ruling = factories.make_ruling(factories.make_ready_case(licence.site))
    [notice] = ops.letters_about("ruling", ruling.id)
    notice.deliveries[0].status = DeliveryStatus.FAILED
    db.session.commit()
    login_as("committee_secretary")
    page = client.get(f"/committees/rulings/{ruling.id}").get_data(as_text=True)
    assert "ابلاغ رأی کمیته" in page and "پیامک: ناموفق" in page and "ارسال ناموفق" in page
