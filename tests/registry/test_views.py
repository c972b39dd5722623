import pytest
from sqlalchemy import select

from core.security import Role
from registry.models import Person, Site, SiteStatus
from tests import factories


def _site_form(county_pk, /, **overrides):
    return {
        "kind": "counter_office",
        "code": "15100099",
        "name": "دفتر پیشخوان البرز",
        "county_id": str(county_pk),
        "locality_type": "city",
        "locality": "خرم‌آباد",
        "address": "خیابان شریعتی، پلاک ۸",
        "postal_code": "۶۸۱۳۷۱۴۵۶۷",
        "phone": "۰۶۶۳۳۲۲۱۱۰۰",
        "lat": "۳۳٫۴۸۷۸",
        "lon": "48.3558",
        "established_on": "۱۴۰۰/۰۱/۱۵",
        **overrides,
    }


def test_site_list_filters_and_paginates(client, login_as, db):
    login_as(Role.VIEWER)
    county = factories.make_county()
    for n in range(30):
        factories.make_site(name=f"دفتر {n:02d}", county=county)
    factories.make_site(name="خودپرداز ملت", kind="atm", county=county)
    db.session.commit()
    page1 = client.get("/sites?kind=counter_office").get_data(as_text=True)
    assert "۳۰ مورد" in page1 and "خودپرداز ملت" not in page1
    page2 = client.get("/sites?kind=counter_office&page=2").get_data(as_text=True)
    assert page2.count("/sites/") >= 5
    # Nonsense filters are ignored, never a 500.
    for query in (
        "kind=castle",
        "county=abc",
        "page=-3",
        "page=²",
        "page=99999",
        "q=" + "ك" * 500,
    ):
        assert client.get(f"/sites?{query}").status_code == 200
    assert client.get("/sites?status=%00").status_code == 400  # NUL: refused at the text boundary


def test_licensing_officer_registers_a_site_with_persian_digits(client, login_as, db):
    login_as(Role.LICENSING)
    county = factories.make_county()
    operator = factories.make_person()
    db.session.commit()
    nid_persian = operator.national_id.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    response = client.post("/sites/new", data=_site_form(county.id, operator_national_id=nid_persian))
    assert response.status_code == 302, response.get_data(as_text=True)
    site = db.session.scalar(select(Site).where(Site.code == "15100099"))
    assert site.operator == operator
    assert site.postal_code == "6813714567" and site.lat == pytest.approx(33.4878)
    assert site.established_on.isoformat() == "2021-04-04"
    detail = client.get(f"/sites/{site.id}").get_data(as_text=True)
    assert "۱۴۰۰/۰۱/۱۵" in detail and "۶۸۱۳۷۱۴۵۶۷" in detail


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"name": ""}, "این فیلد اجباری است."),
        ({"established_on": "1401/12/30"}, "کبیسه نیست"),
        ({"postal_code": "123"}, "کد پستی باید ۱۰ رقم باشد."),
        ({"lat": "abc"}, "یک عدد اعشاری درست نیست."),
        ({"lat": "48.3", "lon": "33.4"}, "محدوده ایران"),
        ({"county_id": "0"}, "این فیلد اجباری است."),
        ({"county_id": "x"}, "این فیلد اجباری است."),
        ({"kind": "castle"}, "انتخاب درستی نیست"),
        ({"operator_national_id": "0499370899"}, "ثبت نشده است"),
        ({"operator_national_id": "1234567890"}, "کد ملی معتبر نیست"),
        (
            {"host_site_code": "NOPE", "kind": "atm", "bank": "بانک ملت"},
            "دفتری با این کد یافت نشد.",
        ),
        ({"name": "ن" * 300}, "طول فیلد"),
    ],
)
def test_bad_site_form_rerenders_with_persian_message(client, login_as, db, overrides, message):
    login_as(Role.LICENSING)
    county = factories.make_county()
    db.session.commit()
    response = client.post("/sites/new", data=_site_form(county.id, **overrides))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert message in body
    assert db.session.scalar(select(Site).where(Site.code == "15100099")) is None


def test_duplicate_code_keeps_the_existing_site(client, login_as, db):
    login_as(Role.LICENSING)
    existing = factories.make_site(code="15100099", name="دفتر قدیمی")
    db.session.commit()
    response = client.post("/sites/new", data=_site_form(existing.county_id, code="۱۵۱۰۰۰۹۹"))
    assert "محلی با این کد پیش‌تر ثبت شده است." in response.get_data(as_text=True)
    db.session.refresh(existing)
    assert existing.name == "دفتر قدیمی"


def test_edit_and_status_change_show_in_history(client, login_as, db):
    login_as(Role.ADMIN)
    site = factories.make_site(name="دفتر پیشخوان سپیده")
    db.session.commit()
    data = _site_form(site.county_id, code=site.code, name="دفتر پیشخوان سپیده دم")
    assert client.post(f"/sites/{site.id}/edit", data=data).status_code == 302
    response = client.post(
        f"/sites/{site.id}/status",
        data={"status": "suspended", "effective_on": "1401/06/25", "reason": "رأی کمیته تخلفات"},
    )
    assert response.status_code == 302
    db.session.refresh(site)
    assert site.status == SiteStatus.SUSPENDED and site.status_since.isoformat() == "2022-09-16"
    detail = client.get(f"/sites/{site.id}").get_data(as_text=True)
    assert "سپیده دم" in detail and "رأی کمیته تخلفات" in detail
    assert "تعلیق" in detail and "ویرایش" in detail
    bad = client.post(
        f"/sites/{site.id}/status", data={"status": "suspended", "effective_on": "x", "reason": ""}
    )
    assert bad.status_code == 200 and "تاریخ را به شکل" in bad.get_data(as_text=True)


def test_unknown_site_is_a_persian_404(client, login_as):
    login_as(Role.VIEWER)
    response = client.get("/sites/424242")
    assert response.status_code == 404
    assert "یافت نشد" in response.get_data(as_text=True)


def test_people_pages(client, login_as, db):
    login_as(Role.LICENSING)
    nid = factories.national_id()
    response = client.post(
        "/people/new",
        data={
            "national_id": nid,
            "first_name": "زهرا",
            "last_name": "كرمي",
            "birth_date": "1365/02/10",
            "mobile": "۰۹۱۶۱۲۳۴۵۶۷",
            "education": "bachelor",
        },
    )
    assert response.status_code == 302
    person = db.session.scalar(select(Person))
    assert person.last_name == "کرمی" and person.mobile == "09161234567"
    listing = client.get("/people?q=كرمي").get_data(as_text=True)
    assert "زهرا کرمی" in listing
    again = client.post("/people/new", data={"national_id": nid, "first_name": "x", "last_name": "y"})
    assert "شخصی با این کد ملی پیش‌تر ثبت شده است." in again.get_data(as_text=True)


def test_dashboard_counts_link_to_their_lists(client, login_as, db):
    login_as(Role.VIEWER)
    county = factories.make_county()
    for _ in range(3):
        factories.make_site(county=county)
    factories.make_site(kind="rural_ict_office", county=county)
    db.session.commit()
    body = client.get("/").get_data(as_text=True)
    assert f'/sites?kind=counter_office&amp;county={county.id}&amp;status=active">۳<' in body
    assert '/sites?kind=counter_office&amp;status=active">۳<' in body


def test_a_stale_edit_is_refused_and_the_newer_save_kept(client, login_as, db):
    login_as(Role.LICENSING)
    site = factories.make_site(name="دفتر پیشخوان نخست")
    db.session.commit()
    form = _site_form(site.county_id, code=site.code, name="ویرایش اول", version=str(site.version))
    assert client.post(f"/sites/{site.id}/edit", data=form).status_code == 302
    stale = {**form, "name": "ویرایش دوم با نسخه کهنه"}
    response = client.post(f"/sites/{site.id}/edit", data=stale)
    assert response.status_code == 200
    assert "کاربر دیگری تغییر کرده است" in response.get_data(as_text=True)
    db.session.refresh(site)
    assert site.name == "ویرایش اول"
