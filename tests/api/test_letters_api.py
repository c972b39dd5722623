"""Letters through the API: the register, a letter with its deliveries, recording a delivery."""

from __future__ import annotations

from core.extensions import db
from core.persian import format_jalali
from core.security import Role
from letters import operations as ops
from tests.api.conftest import assert_json_error, assert_page


def _letter():
    letter = ops.write_letter(
        {
            "recipient_name": "علی رضایی",
            "subject": "اعلام نقص مدارک",
            "body": "متن",
            "recipient_mobile": "09121234567",
        },
        actor=None,
    )
    db.session.commit()
    return letter


def test_the_register_and_a_letter(caller):
    letter = _letter()
    viewer = caller(Role.VIEWER)
    [row] = assert_page(viewer.get("/letters?delivery=pending").get_json(), total=1)
    assert row["number"] == letter.number and row["kind_label"] == "نامه دستی"
    detail = viewer.get(f"/letters/{letter.id}").get_json()
    assert detail["deliveries"][0]["channel"] == "sms" and detail["deliveries"][0]["status"] == "pending"
    assert_json_error(viewer.get("/letters?kind=nonsense"), 422)


def test_recording_a_delivery(caller):
    letter = _letter()
    body = {"channel": "in_person", "served_on": format_jalali(letter.letter_date, persian_digits=False)}
    assert_json_error(caller(Role.VIEWER).post(f"/letters/{letter.id}/deliveries", json=body), 403)
    response = caller(Role.LICENSING).post(f"/letters/{letter.id}/deliveries", json=body)
    assert response.status_code == 201
    assert response.get_json()["served_on"] == letter.letter_date.isoformat()
    assert_json_error(
        caller(Role.LICENSING).post(f"/letters/{letter.id}/deliveries", json={**body, "channel": "sms"}),
        422,
        field="channel",
    )
