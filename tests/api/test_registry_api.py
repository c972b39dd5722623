"""Sites, people and counties through the API: filters with the screens' Persian normalisation,
nearest-first search, Jalali and ISO dates both ways, validation and permissions."""

from __future__ import annotations

from datetime import date

import pytest

from core.security import Role
from registry.models import Site, SiteKind, SiteStatus
from tests import factories
from tests.api.conftest import assert_json_error, assert_page

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

# Khorramabad, and points about 0.5 km and 3 km north of it.
HERE = (33.4878, 48.3558)
NEAR = (33.4923, 48.3558)
FAR = (33.5148, 48.3558)


@pytest.fixture
def sites(db):
    county = factories.make_county()
    other = factories.make_county("بروجرد")
    made = {
        "office": factories.make_site(name="دفتر پیشخوان كيان", county=county, lat=NEAR[0], lon=NEAR[1]),
        "far": factories.make_site(name="دفتر پیشخوان دور", county=county, lat=FAR[0], lon=FAR[1]),
        "rural": factories.make_site(
            SiteKind.RURAL_ICT_OFFICE, name="دفتر ICT روستای چغلوندی", county=other, lat=HERE[0], lon=HERE[1]
        ),
        "atm": factories.make_site(SiteKind.ATM, name="خودپرداز میدان", county=county, lat=33.60, lon=48.40),
    }
    db.session.commit()
    return made


def names(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["name"] for item in assert_page(response.get_json())]


# ---------------------------------------------------------------- sites: reading


def test_sites_are_listed_with_filters_and_pagination(caller, sites):
    viewer = caller(Role.VIEWER)
    body = viewer.get("/sites?per_page=2&page=2").get_json()
    assert body["total"] == 4 and body["page"] == 2 and body["per_page"] == 2 and len(body["items"]) == 2
    assert names(viewer.get("/sites?kind=atm")) == ["خودپرداز میدان"]
    assert set(names(viewer.get(f"/sites?county={sites['rural'].county_id}"))) == {"دفتر ICT روستای چغلوندی"}
    assert names(viewer.get("/sites?status=suspended")) == []


def test_the_search_sees_through_persian_spelling(caller, sites):
    viewer = caller(Role.INSPECTOR)
    # Typed with Arabic ك and ي; searched with Persian letters and the other way round.
    assert names(viewer.get("/sites?q=کیان")) == [sites["office"].name]
    assert names(viewer.get("/sites?q=چغلوندي")) == [sites["rural"].name]
    assert names(viewer.get("/sites?q=كيان")) == [sites["office"].name]


def test_sites_near_a_point_come_nearest_first_with_their_distance(caller, sites):
    viewer = caller(Role.COMMITTEE_MEMBER)
    body = viewer.get(f"/sites?near={HERE[0]},{HERE[1]}&radius_m=5000").get_json()
    items = assert_page(body, total=3)
    assert [i["id"] for i in items] == [sites["rural"].id, sites["office"].id, sites["far"].id]
    assert (
        items[0]["distance_m"] < 1
        and 450 < items[1]["distance_m"] < 550
        and 2900 < items[2]["distance_m"] < 3100
    )
    assert names(viewer.get(f"/sites?near={HERE[0]},{HERE[1]}&radius_m=1000&kind=counter_office")) == [
        sites["office"].name
    ]
    persian_digits = viewer.get("/sites?near=۳۳٫۴۸۷۸,۴۸٫۳۵۵۸&radius_m=5000&q=دور")
    assert names(persian_digits) == ["دفتر پیشخوان دور"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("near=33.48", "near"),
        ("near=abc,def", "near"),
        ("near=95,48&radius_m=10", "near"),
        ("radius_m=100", "radius_m"),
        ("near=33.4,48.3&radius_m=0", "radius_m"),
        ("near=33.4,48.3&radius_m=1e9", "radius_m"),
        ("kind=shop", "kind"),
        ("county=x", "county"),
        ("page=0", "page"),
        ("per_page=1000", "per_page"),
        ("bank=بانک ناشناس", "bank"),
        ("q=" + "ب" * 101, "q"),
    ],
)
def test_bad_site_filters_are_a_422_naming_the_parameter(caller, sites, query, field):
    assert_json_error(caller(Role.VIEWER).get(f"/sites?{query}"), 422, "validation", field=field)


def test_a_site_reads_with_iso_and_jalali_dates(caller, db):
    site = factories.make_site(established_on=date(2022, 9, 16))
    db.session.commit()
    body = caller(Role.VIEWER).get(f"/sites/{site.id}").get_json()
    assert body["established_on"] == "2022-09-16" and body["established_on_jalali"] == "1401/06/25"
    assert body["kind"] == "counter_office" and body["kind_label"] == "دفتر پیشخوان خدمات دولت"
    assert body["status_changes"][0]["effective_on_jalali"] == "1401/06/25"
    assert_json_error(caller(Role.VIEWER).get("/sites/999999"), 404)
    assert_json_error(caller(Role.VIEWER).get("/sites/99999999999999"), 404)


# ---------------------------------------------------------------- sites: writing


def site_body(county, **changes) -> dict:
    return {
        "kind": "counter_office",
        "code": "66001234",
        "name": "دفتر پیشخوان خدمات دولت نور",
        "county_id": county.id,
        "locality": "خرم‌آباد",
        "address": "خیابان شریعتی، پلاک ۴",
        "lat": HERE[0],
        "lon": HERE[1],
        "established_on": "۱۴۰۱/۰۶/۲۵",
        **changes,
    }


def test_a_licensing_officer_registers_a_site_with_its_operator(caller, db):
    county = factories.make_county()
    person = factories.make_person()
    db.session.commit()
    officer = caller(Role.LICENSING)
    response = officer.post("/sites", json=site_body(county, operator_national_id=person.national_id))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["operator"] == {"id": person.id, "full_name": person.full_name}
    assert body["established_on"] == "2022-09-16" and body["status"] == "active"
    atm = officer.post(
        "/sites",
        json=site_body(
            county, kind="atm", code="A1", bank="بانک ملت", terminal_id="۱۲۳۴", host_site_code="66001234"
        ),
    )
    assert atm.status_code == 201, atm.get_data(as_text=True)
    assert atm.get_json()["host_site_id"] == body["id"] and atm.get_json()["terminal_id"] == "1234"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"kind": "shop"}, "kind"),
        ({"lat": 51.5, "lon": -0.1}, "lat"),
        ({"lat": "33.4"}, "lat"),
        ({"county_id": 987654}, "county_id"),
        ({"county_id": 10**12}, "county_id"),
        ({"code": "x" * 21}, "code"),
        ({"address": "خیابان\x00"}, "address"),
        ({"established_on": "1401/12/30"}, "established_on"),
        ({"established_on": "2022-02-30"}, "established_on"),
        ({"postal_code": "123"}, "postal_code"),
        ({"operator_national_id": "0012345679"}, "operator_national_id"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_bad_site_is_a_422_naming_the_field(caller, db, changes, field):
    county = factories.make_county()
    db.session.commit()
    response = caller(Role.ADMIN).post("/sites", json=site_body(county, **changes))
    assert_json_error(response, 422, field=field)
    assert db.session.query(Site).count() == 0


def test_a_duplicate_site_code_is_refused(caller, db):
    site = factories.make_site(code="66009999")
    db.session.commit()
    response = caller(Role.ADMIN).post("/sites", json=site_body(site.county, code="۶۶۰۰۹۹۹۹"))
    assert_json_error(response, 422, "invalid", field="code")


@pytest.mark.parametrize(
    "role", [Role.VIEWER, Role.INSPECTOR, Role.COMMITTEE_SECRETARY, Role.COMMITTEE_MEMBER]
)
def test_only_admins_and_licensing_officers_change_sites(caller, db, role):
    site = factories.make_site()
    db.session.commit()
    someone = caller(role)
    assert_json_error(someone.post("/sites", json=site_body(site.county)), 403)
    assert_json_error(someone.put(f"/sites/{site.id}", json=site_body(site.county)), 403)
    assert_json_error(someone.post(f"/sites/{site.id}/status", json={}), 403)


def test_a_site_is_updated_and_a_stale_version_is_refused(caller, db):
    site = factories.make_site()
    db.session.commit()
    admin = caller(Role.ADMIN)
    body = site_body(site.county, code=site.code, name="نام تازه", version=site.version)
    response = admin.put(f"/sites/{site.id}", json=body)
    assert response.status_code == 200 and response.get_json()["name"] == "نام تازه"
    assert response.get_json()["version"] > body["version"]
    assert_json_error(admin.put(f"/sites/{site.id}", json=body), 409, "stale")
    assert_json_error(
        admin.put(f"/sites/{site.id}", json={**body, "version": None, "lat": 0}), 422, field="lat"
    )


def test_a_site_status_changes_from_a_date(caller, db):
    site = factories.make_site()
    db.session.commit()
    admin = caller(Role.ADMIN)
    change = {"status": "suspended", "effective_on": "2022-09-16", "reason": "تعطیلی موقت"}
    response = admin.post(f"/sites/{site.id}/status", json=change)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "suspended" and body["status_since_jalali"] == "1401/06/25"
    assert_json_error(admin.post(f"/sites/{site.id}/status", json=change), 422, field="status")
    assert_json_error(admin.post(f"/sites/{site.id}/status", json={**change, "reason": ""}), 422)
    assert_json_error(admin.post(f"/sites/{site.id}/status", json={"status": "gone"}), 422, field="status")
    assert db.session.get(Site, site.id).status == SiteStatus.SUSPENDED


# ---------------------------------------------------------------- people


def test_people_are_listed_searched_and_read(caller, db):
    person = factories.make_person("مهدی", "كاكايي", birth_date=date(1990, 3, 21))
    factories.make_person("سارا", "محمدی")
    db.session.commit()
    officer = caller(Role.COMMITTEE_SECRETARY)
    assert assert_page(officer.get("/people").get_json(), total=2)
    found = assert_page(officer.get("/people?q=کاکایی").get_json(), total=1)[0]
    assert found["national_id"] == person.national_id and found["birth_date_jalali"] == "1369/01/01"
    assert assert_page(officer.get(f"/people?q={person.national_id[:5]}").get_json())
    detail = officer.get(f"/people/{person.id}").get_json()
    assert detail["full_name"] == "مهدی کاکایی" and detail["sites"] == []


@pytest.mark.parametrize("role", [Role.VIEWER, Role.INSPECTOR, Role.COMMITTEE_MEMBER])
def test_people_carry_personal_data_and_are_refused_to_other_roles(caller, db, role):
    person = factories.make_person()
    db.session.commit()
    someone = caller(role)
    assert_json_error(someone.get("/people"), 403)
    assert_json_error(someone.get(f"/people/{person.id}"), 403)
    assert_json_error(someone.post("/people", json={}), 403)


def test_a_person_is_registered_with_jalali_birth_date_and_normalised_mobile(caller, db):
    officer = caller(Role.LICENSING)
    body = {
        "national_id": factories.national_id(),
        "first_name": "علي",
        "last_name": "رضايي",
        "birth_date": "1369/1/1",
        "mobile": "+98 916 123 4567",
        "education": "bachelor",
    }
    response = officer.post("/people", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert created["first_name"] == "علی" and created["mobile"] == "09161234567"
    assert created["birth_date"] == "1990-03-21" and created["education_label"] == "کارشناسی"
    again = officer.post("/people", json=body)
    assert_json_error(again, 422, field="national_id")
    update = officer.put(
        f"/people/{created['id']}", json={**body, "father_name": "حسن", "version": created["version"]}
    )
    assert update.status_code == 200 and update.get_json()["father_name"] == "حسن"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"national_id": "1234567890"}, "national_id"),
        ({"first_name": ""}, "first_name"),
        ({"first_name": "ب" * 81}, "first_name"),
        ({"mobile": "12345"}, "mobile"),
        ({"birth_date": "not a date"}, "birth_date"),
        ({"education": "phd"}, "education"),
    ],
)
def test_a_bad_person_is_a_422_naming_the_field(caller, db, changes, field):
    body = {"national_id": factories.national_id(), "first_name": "علی", "last_name": "رضایی", **changes}
    assert_json_error(caller(Role.ADMIN).post("/people", json=body), 422, field=field)


def test_counties_are_listed_for_their_ids(caller, db):
    county = factories.make_county()
    db.session.commit()
    items = assert_page(caller(Role.INSPECTOR).get("/counties").get_json(), total=1)
    assert items[0] == {"id": county.id, "name": county.name, "province": "لرستان", "population": 500_000}
