from datetime import date

import pytest
from sqlalchemy import select

from core.errors import DomainError
from core.extensions import db as _db
from registry import operations as ops
from registry.models import Site, SiteKind, SiteStatus, SiteStatusChange
from tests import factories

# Dates are built from the clock: run again at the awkward instants (scripts/test.sh).
pytestmark = pytest.mark.clock

KHORRAMABAD = (33.4878, 48.3558)
BORUJERD = (33.8973, 48.7516)


def _data(**overrides):
    county = factories.make_county()
    return {
        "kind": "counter_office",
        "code": "15100001",
        "name": "دفتر پیشخوان نور",
        "county_id": county.id,
        "locality": "خرم‌آباد",
        "address": "خیابان امام، پلاک ۵",
        "lat": KHORRAMABAD[0],
        "lon": KHORRAMABAD[1],
        **overrides,
    }


def test_create_site_normalises_text_and_digits(db):
    site = ops.create_site(
        _data(code="۱۵۱۰۰۰۰۱", name="دفتر پيشخوان كوثر", postal_code="۶۸۱۳۷-۱۴۵۶۷"), actor=None
    )
    assert site.code == "15100001"
    assert site.name == "دفتر پیشخوان کوثر"
    assert site.postal_code == "6813714567"
    assert site.status == SiteStatus.ACTIVE
    history = _db.session.scalars(select(SiteStatusChange)).all()
    assert [(h.status, h.site_id) for h in history] == [(SiteStatus.ACTIVE, site.id)]


@pytest.mark.parametrize("code", ["15100001", "۱۵۱۰۰۰۰۱", "١٥١٠٠٠٠١", " 1510 0001 "])
def test_site_code_uniqueness_sees_through_digit_forms(db, code):
    ops.create_site(_data(), actor=None)
    with pytest.raises(DomainError) as err:
        ops.create_site(_data(code=code), actor=None)
    assert err.value.field == "code"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": "  "}, "name"),
        ({"address": ""}, "address"),
        ({"county_id": 9999}, "county_id"),
        ({"postal_code": "12345"}, "postal_code"),
        ({"lat": 48.35, "lon": 33.48}, "lat"),  # swapped coordinates fall outside Iran
        ({"lat": 33.4, "lon": None}, "lat"),
        ({"kind": "atm", "bank": None}, "bank"),
        ({"kind": "castle"}, "kind"),
        ({"operator_id": 4242}, "operator_id"),
    ],
)
def test_site_rules_refuse_bad_data_with_a_field(db, overrides, field):
    with pytest.raises(DomainError) as err:
        ops.create_site(_data(**overrides), actor=None)
    assert err.value.field == field
    assert any("\u0600" <= ch <= "\u06ff" for ch in err.value.message)


def test_terminal_id_is_unique_per_bank(db):
    ops.create_site(_data(kind="atm", code="A1", bank="بانک ملت", terminal_id="00112233"), actor=None)
    ops.create_site(_data(kind="atm", code="A2", bank="بانک سپه", terminal_id="00112233"), actor=None)
    with pytest.raises(DomainError) as err:
        ops.create_site(_data(kind="atm", code="A3", bank="بانک ملت", terminal_id="۰۰۱۱۲۲۳۳"), actor=None)
    assert err.value.field == "terminal_id"


def test_atm_hosted_by_an_office(db):
    office = ops.create_site(_data(), actor=None)
    atm = ops.create_site(_data(kind="atm", code="A1", bank="بانک ملت", host_site_id=office.id), actor=None)
    assert atm.host_site is office and office.hosted_sites == [atm]
    with pytest.raises(DomainError):
        ops.create_site(_data(kind="atm", code="A2", bank="بانک ملت", host_site_id=atm.id), actor=None)


def test_status_change_keeps_history(db):
    site = ops.create_site(_data(established_on=date(2020, 1, 1)), actor=None)
    ops.change_site_status(
        site, SiteStatus.SUSPENDED, effective_on=date(2022, 6, 1), reason="رأی کمیته", actor=None
    )
    assert site.status == SiteStatus.SUSPENDED and site.status_since == date(2022, 6, 1)
    assert [c.status for c in site.status_changes] == [SiteStatus.ACTIVE, SiteStatus.SUSPENDED]
    with pytest.raises(DomainError):
        ops.change_site_status(site, SiteStatus.SUSPENDED, reason="دوباره", actor=None)
    with pytest.raises(DomainError):
        ops.change_site_status(site, SiteStatus.ACTIVE, reason=" ", actor=None)


def test_search_sees_through_arabic_letters_zwnj_and_digits(db):
    factories.make_site(name="دفتر پیشخوان کوثر", address="بلوار شهید بهشتی، کوچه ۱۲")
    factories.make_site(name="دفتر پیشخوان امید")
    factories.make_site(name="دفتر ICT روستایی چم‌پلک", kind=SiteKind.RURAL_ICT_OFFICE)

    def names(q):
        return [s.name for s in _db.session.scalars(ops.search_sites(ops.SiteFilters(q=q)))]

    assert names("كوثر") == ["دفتر پیشخوان کوثر"]
    assert names("پيشخوان  كوثر") == ["دفتر پیشخوان کوثر"]
    assert names("کوچه 12") == ["دفتر پیشخوان کوثر"]
    assert names("چمپلک") == ["دفتر ICT روستایی چم‌پلک"]
    assert names("چم پلک") == ["دفتر ICT روستایی چم‌پلک"]
    assert len(names("")) == 3
    assert names("100%") == []


def test_lists_sort_in_persian_alphabetical_order_on_the_database(db):
    for name in ["گلستان", "کوثر", "ژیان", "زاگرس", "چنار", "جهاد", "پارس", "بهار", "آفتاب", "یاس"]:
        factories.make_site(name=name)
    found = [s.name for s in _db.session.scalars(ops.search_sites(ops.SiteFilters()))]
    assert found == [
        "آفتاب",
        "بهار",
        "پارس",
        "جهاد",
        "چنار",
        "زاگرس",
        "ژیان",
        "کوثر",
        "گلستان",
        "یاس",
    ]


def test_filters_combine(db):
    other = factories.make_county("بروجرد")
    factories.make_site(name="الف")
    b = factories.make_site(name="ب", county=other)
    factories.make_site(name="پ", kind=SiteKind.ATM, county=other)
    stmt = ops.search_sites(ops.SiteFilters(kind="counter_office", county_id=other.id))
    assert _db.session.scalars(stmt).all() == [b]


def test_sites_near_uses_geodesic_distance(db):
    near = factories.make_site(name="نزدیک", lat=33.4900, lon=48.3558)  # ~245 m north
    factories.make_site(name="بروجرد", lat=BORUJERD[0], lon=BORUJERD[1])  # ~57 km away
    found = ops.sites_near(*KHORRAMABAD, 1000)
    assert [s for s, _ in found] == [near]
    assert found[0][1] == pytest.approx(244, abs=5)
    far = ops.sites_near(*KHORRAMABAD, 60_000)
    assert len(far) == 2 and far[1][1] == pytest.approx(57_000, rel=0.05)


def test_person_national_id_is_validated_and_unique(db):
    nid = factories.national_id()
    person = ops.create_person({"national_id": nid, "first_name": "علي", "last_name": "كريمي"}, actor=None)
    assert person.full_name == "علی کریمی"
    persian_digits = nid.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    with pytest.raises(DomainError) as err:
        ops.create_person({"national_id": persian_digits, "first_name": "x", "last_name": "y"}, actor=None)
    assert "پیش‌تر" in err.value.message
    with pytest.raises(DomainError) as err:
        ops.create_person({"national_id": "1234567890", "first_name": "x", "last_name": "y"}, actor=None)
    assert err.value.field == "national_id"
    found = _db.session.scalars(ops.search_people("كريمي")).all()
    assert found == [person]


def test_site_rows_are_versioned(db):
    site = factories.make_site()
    _db.session.commit()
    assert site.version == 1
    site.phone = "066"
    _db.session.commit()
    assert site.version == 2
    assert _db.session.get(Site, site.id).version == 2
