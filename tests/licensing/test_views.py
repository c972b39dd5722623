"""The licensing screens, driven through HTTP as an officer would."""

import io
from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from core.clock import today_tehran
from core.persian import to_persian_digits
from core.security import Role
from licensing import operations as ops
from licensing.models import AgendaItem, Application, ApplicationState, Licence, LicenceStatus
from registry.models import Site
from tests import factories

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

S = ApplicationState


def _new_form(county, applicant, **overrides):
    return {
        "office_kind": "counter_office",
        "applicant_national_id": applicant.national_id,
        "received_on": "۱۴۰۱/۰۶/۰۱",
        "office_name": "دفتر پیشخوان خدمات دولت مهر",
        "county_id": str(county.id),
        "locality_type": "city",
        "locality": "خرم‌آباد",
        "address": "خیابان امام، پلاک ۲۰",
        "postal_code": "6813700001",
        "lat": "۳۳٫۴۸",
        "lon": "48.35",
        "premises_m2": "۶۰",
        "lease_ends_on": "۱۴۰۷/۰۱/۳۰",
        **overrides,
    }


def test_officer_takes_a_new_application_to_a_licence(client, login_as, db):
    login_as(Role.LICENSING)
    county = factories.make_county(population=1_000_000)
    applicant = factories.make_person("سارا", "محمدی")
    company = factories.make_company("شرکت خدمات دولت مهر", director=applicant)
    manager, deputy = factories.make_person("رضا", "امیری"), factories.make_person("لیلا", "سپهوند")
    db.session.commit()
    form = _new_form(
        county,
        applicant,
        applicant_national_id="",
        applicant_company_national_id=company.national_id,
        manager_national_id=manager.national_id,
        deputy_national_id=deputy.national_id,
    )
    response = client.post("/applications/new?kind=new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    application = db.session.scalar(select(Application))
    assert application.received_on == date(2022, 8, 23) and application.premises_m2 == 60
    assert application.applicant_company == company and application.applicant == applicant
    url = f"/applications/{application.id}"
    assert client.post(f"{url}/transition", data={"to_state": "under_review"}).status_code == 302
    for doc_type, _ in ops.document_checklist(application):
        response = client.post(
            f"{url}/documents",
            data={
                "document_type_id": str(doc_type.id),
                "file": (io.BytesIO(factories.pdf_bytes()), f"{doc_type.code}.pdf"),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "بررسی شرایط" in page and "فاصله از نزدیک‌ترین دفتر هم‌نوع فعال" in page
    client.post(f"{url}/visit", data={"due_on": "1401/06/20", "note": "بازدید تأسیس"})
    assert application.state == S.SITE_VISIT_REQUESTED
    visit = application.visit_requests[0]
    client.post(f"/visit-requests/{visit.id}/result", data={"passed": "yes", "notes": "محل مناسب است"})
    assert application.state == S.UNDER_REVIEW
    assert client.post(f"{url}/transition", data={"to_state": "ready_for_wg"}).status_code == 302
    assert application.state == S.READY_FOR_WG

    response = client.post("/wg-sessions/new", data={"held_on": "1401/06/22", "place": "اداره کل"})
    session_url = response.headers["Location"]
    client.post(f"{session_url}/agenda", data={"application_id": str(application.id)})
    client.post(
        f"{session_url}/attendees",
        data={"full_name": "مجتبی صارمی", "title": "سرپرست", "organisation": "اداره کل ارتباطات"},
    )
    item = db.session.scalar(select(AgendaItem))
    assert item.application == application
    client.post(
        f"{session_url}/agenda/{item.id}/decision",
        data={"decision": "approved", "reasons": "شرایط احراز شد"},
    )
    assert application.state == S.APPROVED
    assert client.post(f"{session_url}/close").status_code == 302
    refused = client.post(f"{url}/issue", follow_redirects=True).get_data(as_text=True)
    assert "پرداخت حق امتیاز" in refused and db.session.scalar(select(Licence)) is None
    page = client.get(url).get_data(as_text=True)
    assert "۳۵۰٬۴۰۰٬۰۰۰" in page  # Khorramabad is a provincial capital: 350.4 M rials
    payment = {
        "amount_rials": "350400000",
        "receipt_number": "77001",
        "bank": "بانک ملت",
        "paid_on": "1401/06/25",
    }
    assert client.post(f"{url}/payments", data=payment).status_code == 302
    response = client.post(f"{url}/issue")
    assert response.status_code == 302
    licence = db.session.scalar(select(Licence))
    assert licence.holder_company == company and licence.holder == applicant
    assert licence.status == LicenceStatus.ACTIVE and licence.site.operator == manager
    assert (
        licence.issued_on is not None
        and db.session.scalar(select(Site)).name == "دفتر پیشخوان خدمات دولت مهر"
    )
    detail = client.get(f"/licences/{licence.id}").get_data(as_text=True)
    assert "معتبر" in detail


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"applicant_national_id": "0499370899"}, "ثبت نشده است"),
        ({"applicant_national_id": "12"}, "کد ملی باید ۱۰ رقم باشد."),
        ({"received_on": "1401/12/30"}, "کبیسه نیست"),
        ({"lat": ""}, "این فیلد اجباری است."),
        ({"lat": "91"}, "محدوده ایران"),
        ({"county_id": "0"}, "این فیلد اجباری است."),
        ({"office_kind": "atm"}, "انتخاب درستی نیست"),
        ({"premises_m2": "پنجاه"}, "یک عدد درست نیست."),
        ({"office_name": "ن" * 300}, "طول فیلد"),
    ],
)
def test_bad_new_application_answers_in_persian(client, login_as, db, overrides, message):
    login_as(Role.LICENSING)
    county = factories.make_county()
    applicant = factories.make_person()
    db.session.commit()
    response = client.post("/applications/new?kind=new", data=_new_form(county, applicant, **overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Application)) is None


def test_transfer_form_needs_an_existing_licence(client, login_as, db):
    login_as(Role.LICENSING)
    buyer = factories.make_person()
    licence = factories.make_licence()
    db.session.commit()
    data = {
        "licence_number": "15-P-9999-00001",
        "applicant_national_id": buyer.national_id,
        "received_on": "1401/06/01",
    }
    response = client.post("/applications/new?kind=transfer", data=data)
    assert "پروانه‌ای با این شماره یافت نشد." in response.get_data(as_text=True)
    data["licence_number"] = licence.number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert client.post("/applications/new?kind=transfer", data=data).status_code == 302
    application = db.session.scalar(select(Application))
    assert application.licence == licence and application.applicant == buyer


@pytest.mark.parametrize("kind", ["renewal", "address_change"])
def test_only_the_holder_asks_for_a_renewal_or_an_address_change_on_the_screen(client, login_as, db, kind):
    login_as(Role.LICENSING)
    licence = factories.make_licence()
    stranger = factories.make_person("رضا", "کرمی")
    db.session.commit()
    data = {"licence_number": licence.number, "received_on": "1401/06/01"}
    if kind == "address_change":
        data.update(address="میدان شقایق، پلاک ۳", lat="33.49", lon="48.36")
    response = client.post(
        f"/applications/new?kind={kind}", data={**data, "applicant_national_id": stranger.national_id}
    )
    assert response.status_code == 200
    assert "فقط دارنده پروانه" in response.get_data(as_text=True)
    assert db.session.scalar(select(Application)) is None
    assert client.post(f"/applications/new?kind={kind}", data=data).status_code == 302
    assert db.session.scalar(select(Application)).applicant == licence.holder


def test_illegal_step_from_the_screen_is_a_persian_message(client, login_as, db):
    login_as(Role.LICENSING)
    licence = factories.make_licence()
    application = ops.create_application("renewal", applicant=licence.holder, licence=licence, actor=None)
    db.session.commit()
    url = f"/applications/{application.id}"
    response = client.post(f"{url}/transition", data={"to_state": "ready_for_wg"}, follow_redirects=True)
    assert "نمی‌توان" in response.get_data(as_text=True)
    response = client.post(f"{url}/transition", data={"to_state": "approved"}, follow_redirects=True)
    assert "فقط در جلسه کارگروه" in response.get_data(as_text=True)
    response = client.post(f"{url}/transition", data={"to_state": "nonsense"}, follow_redirects=True)
    assert response.status_code == 200 and "معتبر نیست" in response.get_data(as_text=True)
    assert application.state == S.RECEIVED


def test_upload_refuses_a_disguised_file(client, login_as, db):
    login_as(Role.LICENSING)
    licence = factories.make_licence()
    application = ops.create_application("renewal", applicant=licence.holder, licence=licence, actor=None)
    db.session.commit()
    doc_type = ops.document_checklist(application)[0][0]
    response = client.post(
        f"/applications/{application.id}/documents",
        data={
            "document_type_id": str(doc_type.id),
            "file": (io.BytesIO(b"<script>x</script>"), "a.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "فقط فایل PDF، JPEG یا PNG" in response.get_data(as_text=True)
    response = client.post(
        f"/applications/{application.id}/documents",
        data={"document_type_id": str(doc_type.id)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "فایل را انتخاب کنید." in response.get_data(as_text=True)
    assert application.documents == []


def test_override_from_the_screen(client, login_as, db):
    login_as(Role.LICENSING)
    licence = factories.make_licence(issued_on=date(2015, 1, 1))
    application = ops.create_application(
        "renewal",
        applicant=licence.holder,
        licence=licence,
        actor=None,
        received_on=date(2019, 12, 20),
    )
    db.session.commit()
    url = f"/applications/{application.id}"
    response = client.post(
        f"{url}/override",
        data={"check_code": "renewal_window", "reason": ""},
        follow_redirects=True,
    )
    assert "دلیل نادیده گرفتن شرط را بنویسید." in response.get_data(as_text=True)
    # A missed renewal window is statutory: the licence is given up, no reason waives it.
    page = client.post(
        f"{url}/override",
        data={"check_code": "renewal_window", "reason": "تأخیر به دلیل بیماری مدیر دفتر"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "شرط قانونی است و نادیده گرفته نمی‌شود" in page and "نادیده گرفته شد" not in page
    assert "نادیده گرفتن با دلیل" not in page  # no waiver form beside a statutory rule


def test_discretionary_override_from_the_screen_shows_the_officer(client, login_as, db):
    user = login_as(Role.LICENSING)
    near = factories.make_licence(lat=33.4878, lon=48.3558)
    application = ops.create_application(
        "new",
        **factories.company_applicant(),
        actor=None,
        office_name="دفتر پیشخوان نزدیک",
        county_id=near.site.county_id,
        locality="خرم‌آباد",
        address="خیابان امام، پلاک ۴",
        lat=33.4880,
        lon=48.3560,
        premises_m2=60,
        premises_owned=True,
        received_on=date(2022, 9, 1),
    )
    db.session.commit()
    url = f"/applications/{application.id}"
    client.post(f"{url}/override", data={"check_code": "distance", "reason": "نیاز محله با جمعیت زیاد"})
    page = client.get(url).get_data(as_text=True)
    assert "نادیده گرفته شد" in page and "نیاز محله با جمعیت زیاد" in page
    assert (user.full_name or user.username) in page


def test_inbox_marks_overdue_and_filters(client, login_as, db):
    login_as(Role.VIEWER)
    licence = factories.make_licence()
    ops.create_application(
        "renewal",
        applicant=licence.holder,
        licence=licence,
        actor=None,
        received_on=date(2020, 1, 1),
    )
    db.session.commit()
    page = client.get("/applications").get_data(as_text=True)
    assert "دیرکرد" in page and "تمدید" in page
    assert "تمدید" in client.get("/applications?overdue=1&kind=renewal").get_data(as_text=True)
    for query in ("state=bogus", "kind=bogus", "page=-1", "page=²", "q=" + "ي" * 300):
        assert client.get(f"/applications?{query}").status_code == 200
    assert client.get("/applications?kind=%00").status_code == 400  # NUL: refused at the boundary
    # A viewer sees the inbox but no button to create or act.
    assert "درخواست جدید" not in page


def test_licence_lists_and_site_history(client, login_as, db):
    login_as(Role.LICENSING)
    licence = factories.make_licence(issued_on=today_tehran() - relativedelta(years=5))
    db.session.commit()
    expiring = client.get("/licences?expiring=1").get_data(as_text=True)
    assert to_persian_digits(licence.office_name) in expiring
    site_page = client.get(f"/sites/{licence.site_id}").get_data(as_text=True)
    assert "سابقه پروانه‌ها" in site_page
