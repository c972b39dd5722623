"""The public office finder, citizens' complaints and the complaint desk."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from committees.models import CaseSource
from core.clock import today_tehran
from core.errors import DomainError
from core.extensions import db
from core.persian import format_jalali, to_persian_digits
from core.security import Role
from inspections.models import Assignment
from licensing import operations as lic_ops
from public import operations as ops
from public.models import Complaint, ComplaintState
from tests import factories
from tests.inspections.helpers import client_for

pytestmark = pytest.mark.clock

HOLDER_MOBILE = "09161234567"


def _office(name: str, lat: float, lon: float, **kwargs):
    personal = kwargs.pop("personal", False)
    holder = factories.make_person("مریم", "کرمی", mobile=HOLDER_MOBILE) if personal else None
    licence = factories.make_licence(
        name=name, lat=lat, lon=lon, holder=holder, issued_on=today_tehran() - timedelta(days=400), **kwargs
    )
    db.session.flush()
    return licence


@pytest.fixture
def offices(db):
    """Three licensed offices in Khorramabad at growing distances, one suspended, one revoked."""
    near = _office("دفتر پیشخوان کوثر", 33.4880, 48.3560, personal=True)
    middle = _office("دفتر پیشخوان سپیده", 33.5100, 48.3900)
    far = _office("دفتر ICT روستایی چغلوندی", 33.6500, 48.5600)
    suspended = _office("دفتر پیشخوان معلق", 33.4890, 48.3570)
    lic_ops.suspend_licence(
        suspended, until=today_tehran() + timedelta(days=30), reason="حکم کمیته", actor=None
    )
    revoked = _office("دفتر پیشخوان لغوشده", 33.4895, 48.3575)
    lic_ops.revoke_licence(revoked, reason="حکم کمیته", actor=None)
    db.session.commit()
    return {"near": near, "middle": middle, "far": far, "suspended": suspended, "revoked": revoked}


def test_the_finder_lists_licensed_offices_in_service_nearest_first(offices):
    found = ops.find_offices(near=(33.4870, 48.3550))
    names = [f.site.name for f in found]
    assert names == ["دفتر پیشخوان کوثر", "دفتر پیشخوان سپیده", "دفتر ICT روستایی چغلوندی"]
    assert found[0].distance_m < found[1].distance_m < found[2].distance_m
    assert "دفتر پیشخوان معلق" not in names and "دفتر پیشخوان لغوشده" not in names


def test_the_finder_filters_by_service_and_shows_hours(offices, db):
    admin = factories.make_user(Role.ADMIN)
    service = ops.add_service_type("ثبت‌نام یارانه", actor=admin)
    ops.set_office_profile(
        offices["middle"].site, hours="شنبه تا چهارشنبه ۸ تا ۱۶", service_ids=[service.id], actor=admin
    )
    db.session.commit()
    found = ops.find_offices(service_id=service.id)
    assert [f.site.name for f in found] == ["دفتر پیشخوان سپیده"]
    assert found[0].hours == "شنبه تا چهارشنبه 8 تا 16" and found[0].services == ["ثبت‌نام یارانه"]
    with pytest.raises(DomainError, match="در فهرست هست"):
        ops.add_service_type("ثبت نام يارانه", actor=admin)  # Arabic ي and a space for the ZWNJ


def test_public_pages_expose_nothing_personal_of_a_natural_person_holder(offices, client):
    holder = offices["near"].holder
    code = offices["near"].site.code
    complaint = _file(code)
    db.session.commit()
    pages = [
        client.get("/offices"),
        client.get("/offices?lat=33.487&lon=48.355"),
        client.get(f"/offices/{code}"),
        client.get("/offices/markers.json"),
        client.get(f"/complaints/new?office={code}"),
        client.get(f"/complaints/filed/{complaint.tracking_code}"),
        client.get(f"/complaints/track?code={complaint.tracking_code}"),
    ]
    for response in pages:
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        for secret in (
            holder.national_id,
            to_persian_digits(holder.national_id),
            HOLDER_MOBILE,
            to_persian_digits(HOLDER_MOBILE),
            holder.last_name,
        ):
            assert secret not in text, (response.request.path, secret)
    finder = pages[1].get_data(as_text=True)
    assert "دفتر پیشخوان کوثر" in finder and "دفتر پیشخوان معلق" not in finder
    assert pages[0].headers["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in pages[0].headers


def _file(code, *, address="10.0.0.1", **kwargs) -> Complaint:
    data = {
        "office_code": code,
        "happened_on": today_tehran() - timedelta(days=2),
        "description": "متصدی دفتر بیش از تعرفه پول گرفت و رسید نداد.",
        "client_address": address,
        **kwargs,
    }
    return ops.file_complaint(**data)


def test_a_complaint_gets_a_tracking_code_and_is_followed_by_it(offices):
    complaint = _file(to_persian_digits(offices["middle"].site.code), complainant_mobile="09120000000")
    assert re.fullmatch(r"[A-Z2-9]{10}", complaint.tracking_code)
    assert complaint.state == ComplaintState.RECEIVED
    typed = to_persian_digits(complaint.tracking_code.lower()[:5] + "-" + complaint.tracking_code[5:])
    assert ops.complaint_by_code(typed) is complaint
    assert ops.complaint_by_code("AAAA") is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"office_code": "99999999"}, "office_code", "دفتر فعالی با این کد"),
        ({"happened_on": None}, "happened_on", "تاریخ رخداد"),
        ({"description": "بد"}, "description", "چند کلمه"),
    ],
)
def test_a_complaint_is_refused_with_a_persian_message(offices, change, field, message):
    with pytest.raises(DomainError, match=message) as refused:
        _file(offices["near"].site.code, **change)
    assert refused.value.field == field


def test_no_complaint_against_a_suspended_office_nor_dated_tomorrow(offices):
    with pytest.raises(DomainError, match="دفتر فعالی"):
        _file(offices["suspended"].site.code)
    tomorrow = today_tehran() + timedelta(days=1)
    with pytest.raises(DomainError, match=format_jalali(today_tehran())):
        _file(offices["near"].site.code, happened_on=tomorrow)


def test_one_address_files_at_most_the_daily_limit(offices, db):
    from core.settings import get_setting

    limit = get_setting("public.complaints_per_address_per_day")
    for _ in range(limit):
        _file(offices["near"].site.code, address="10.0.0.7")
    with pytest.raises(DomainError, match="فردا"):
        _file(offices["near"].site.code, address="10.0.0.7")
    assert _file(offices["near"].site.code, address="10.0.0.8").id  # another address is not limited
    assert all(c.client_key != "10.0.0.7" for c in db.session.query(Complaint))  # the address is not kept


def test_the_challenge_refuses_a_wrong_or_forged_answer(app):
    with app.test_request_context():
        challenge = ops.new_challenge()
        digits = [int(d) for d in re.findall(r"[۰-۹]", challenge.question)]
        ops.check_challenge(challenge.token, to_persian_digits(str(sum(digits))))
        with pytest.raises(DomainError, match="درست نیست"):
            ops.check_challenge(challenge.token, str(sum(digits) + 1))
        with pytest.raises(DomainError, match="منقضی"):
            ops.check_challenge(challenge.token[:-2] + "xx", str(sum(digits)))


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    return buffer.getvalue()


def test_the_form_files_a_complaint_with_a_photo(offices, client):
    code = offices["near"].site.code
    page = client.get(f"/complaints/new?office={code}").get_data(as_text=True)
    token = re.search(r'name="challenge_token" type="hidden" value="([^"]+)"', page).group(1)
    digits = [int(d) for d in re.findall(r"حاصل ([۰-۹]+) به علاوه ([۰-۹]+)", page)[0]]
    data = {
        "challenge_token": token,
        "challenge_answer": to_persian_digits(str(sum(digits))),
        "office_code": code,
        "happened_on": to_persian_digits(format_jalali(today_tehran())),
        "description": "دفتر در ساعت اداری بسته بود.",
        "complainant_name": "رضا احمدی",
        "photo": (io.BytesIO(_jpeg()), "photo.jpg"),
    }
    response = client.post("/complaints/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    complaint = db.session.query(Complaint).one()
    assert complaint.photo_key.startswith("complaints/") and complaint.complainant_name == "رضا احمدی"
    filed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert complaint.tracking_code in filed


def test_the_form_shows_errors_beside_the_fields_and_refuses_a_fake_photo(offices, client):
    page = client.get("/complaints/new").get_data(as_text=True)
    token = re.search(r'name="challenge_token" type="hidden" value="([^"]+)"', page).group(1)
    digits = [int(d) for d in re.findall(r"حاصل ([۰-۹]+) به علاوه ([۰-۹]+)", page)[0]]
    data = {
        "challenge_token": token,
        "challenge_answer": str(sum(digits)),
        "office_code": offices["near"].site.code,
        "happened_on": "1403/13/40",
        "description": "",
        "complainant_mobile": "12345",
        "photo": (io.BytesIO(b"<html>not an image</html>"), "photo.jpg"),
    }
    response = client.post("/complaints/new", data=data, content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "شماره همراه باید" in text and "آنچه رخ داده است را بنویسید" in text
    assert db.session.query(Complaint).count() == 0
    data.update(
        challenge_token=token,
        happened_on=format_jalali(today_tehran()),
        description="رفتار نامناسب متصدی با مراجعان",
        complainant_mobile="",
        photo=(io.BytesIO(b"<html>not an image</html>"), "photo.jpg"),
    )
    response = client.post("/complaints/new", data=data, content_type="multipart/form-data")
    assert "JPEG" in response.get_data(as_text=True) and db.session.query(Complaint).count() == 0


def test_staff_dismiss_ask_schedule_and_refer(offices, db):
    secretary = factories.make_user(Role.COMMITTEE_SECRETARY)
    inspector = factories.make_user(Role.INSPECTOR)
    first, second, third = (_file(offices["near"].site.code, address=f"10.0.1.{n}") for n in range(3))
    with pytest.raises(DomainError, match="دلیل"):
        ops.dismiss_complaint(first, "", actor=secretary)
    ops.dismiss_complaint(first, "موضوع در حیطه دفتر نیست.", actor=secretary)
    with pytest.raises(DomainError, match="«رد شده» است"):
        ops.ask_office(first, actor=secretary)

    ops.ask_office(second, actor=secretary)
    assert second.state == ComplaintState.AWAITING_ANSWER
    assert second.answer_due_on == today_tehran() + timedelta(days=10)  # public.office_answer_days
    ops.record_office_answer(second, "رسید صادر و مبلغ اضافه برگردانده شد.", actor=secretary)
    ops.schedule_inspection(
        second, inspector=inspector, planned_on=today_tehran() + timedelta(days=3), actor=secretary
    )
    assignment = db.session.get(Assignment, second.assignment_id)
    assert assignment.purpose.value == "complaint" and assignment.site_id == offices["near"].site_id

    third.photo_key = "complaints/" + "a" * 64 + ".png"
    case = ops.refer_to_committee(
        third, violation_type_ids=[factories.violation_type("V02").id], summary=None, actor=secretary
    )
    assert case.source == CaseSource.COMPLAINT and case.site_id == offices["near"].site_id
    assert third.state == ComplaintState.REFERRED and third.case_id == case.id
    kinds = sorted((e.kind, e.content_type) for e in case.evidence)
    assert kinds == [("document", None), ("photo", "image/png")]
    assert third.tracking_code in case.complainant


def test_contact_details_only_for_the_roles_that_handle_complaints(app, offices):
    complaint = _file(
        offices["near"].site.code, complainant_name="رضا احمدی", complainant_mobile="09125556677"
    )
    db.session.commit()
    for role, sees in ((Role.COMMITTEE_SECRETARY, True), (Role.LICENSING, True), (Role.VIEWER, False)):
        page = client_for(app, role).get(f"/complaints/{complaint.id}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert ("رضا احمدی" in text) is sees and (to_persian_digits("09125556677") in text) is sees, role
    for role in (Role.INSPECTOR, Role.COMMITTEE_MEMBER):
        assert client_for(app, role).get(f"/complaints/{complaint.id}").status_code == 403
    viewer = client_for(app, Role.VIEWER)
    response = viewer.post(f"/complaints/{complaint.id}/dismiss", data={"dismiss-reason": "x"})
    assert response.status_code == 403
    assert db.session.get(Complaint, complaint.id).state == ComplaintState.RECEIVED


def test_the_desk_refers_a_complaint_through_the_screen(app, offices):
    complaint = _file(offices["near"].site.code)
    db.session.commit()
    secretary = client_for(app, Role.COMMITTEE_SECRETARY)
    empty = secretary.post(f"/complaints/{complaint.id}/refer", data={})
    assert empty.status_code == 422 and "دست‌کم یک تخلف" in empty.get_data(as_text=True)
    response = secretary.post(
        f"/complaints/{complaint.id}/refer",
        data={"refer-violation_type_ids": [factories.violation_type("V02").id]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).state == ComplaintState.REFERRED
    assert secretary.post(f"/complaints/{complaint.id}/nonsense", data={}).status_code == 404


def test_the_office_profile_and_catalogue_screens(app, offices):
    admin = client_for(app, Role.ADMIN)
    assert admin.post("/admin/services", data={"name": "گواهی عدم سوءپیشینه"}).status_code == 302
    assert "در فهرست هست" in admin.post("/admin/services", data={"name": "گواهي عدم سوءپيشينه"}).get_data(
        as_text=True
    )
    site = offices["near"].site
    service_id = ops.active_services()[0].id
    response = admin.post(
        f"/sites/{site.id}/public-profile", data={"hours": "۸ تا ۱۶", "service_ids": [service_id]}
    )
    assert response.status_code == 302
    assert ops.office_profile(site) == ("8 تا 16", [service_id])
    assert "۸ تا ۱۶" in app.test_client().get(f"/offices/{site.code}").get_data(as_text=True)
    assert client_for(app, Role.INSPECTOR).get(f"/sites/{site.id}/public-profile").status_code == 403
    assert client_for(app, Role.LICENSING).post("/admin/services", data={"name": "x"}).status_code == 403
