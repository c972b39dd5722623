"""Sites (all four kinds), people and counties: the registry as the screens show it.

GET  /api/v1/sites                ?kind= &county= &status= &q= &near=LAT,LON&radius_m=  (by distance)
POST /api/v1/sites                GET/PUT /api/v1/sites/<id>     POST /api/v1/sites/<id>/status
GET  /api/v1/people  ?q=          POST /api/v1/people            GET/PUT /api/v1/people/<id>
GET  /api/v1/counties
"""

from __future__ import annotations

from flask_login import current_user
from marshmallow import fields, validates_schema
from sqlalchemy import select

from api import ID, ApiError, bp
from api.fields import (
    Choice,
    DateIn,
    Enum,
    GeoPoint,
    Int,
    JalaliOf,
    Label,
    Mobile,
    Nested,
    QueryFloat,
    QueryInt,
    Schema,
    Str,
    UtcDateTime,
    between,
    latitude,
    longitude,
)
from api.schemas import CountyBrief, PageArgs, PersonBrief, page_schema, paginate, paginate_list
from core.db import get_or_404
from core.extensions import db
from core.security import allow
from registry import operations as ops
from registry.models import County, Education, LocalityType, Person, Site, SiteKind, SiteStatus
from registry.permissions import EDIT_PEOPLE, EDIT_SITES, VIEW_PEOPLE, VIEW_SITES
from registry.reference import BANKS

SITES, PEOPLE = ["sites"], ["people"]
MAX_RADIUS_M = 50_000


# ---------------------------------------------------------------- schemas


class SiteBrief(Schema):
    """A site as other resources refer to it (a licence's, a case's, a visit's)."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.Enum(SiteKind, by_value=True)
    kind_label = Label("kind")


class StatusChangeOut(Schema):
    status = fields.Enum(SiteStatus, by_value=True)
    status_label = Label("status")
    effective_on = fields.Date()
    effective_on_jalali = JalaliOf("effective_on")
    reason = fields.String(allow_none=True)


class SiteOut(Schema):
    id = fields.Integer()
    kind = fields.Enum(SiteKind, by_value=True)
    kind_label = Label("kind")
    code = fields.String()
    name = fields.String()
    county = Nested(CountyBrief)
    locality = fields.String()
    locality_type = fields.Enum(LocalityType, by_value=True)
    address = fields.String()
    postal_code = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    status = fields.Enum(SiteStatus, by_value=True)
    status_label = Label("status")
    status_since = fields.Date(allow_none=True)
    status_since_jalali = JalaliOf("status_since")
    established_on = fields.Date(allow_none=True)
    established_on_jalali = JalaliOf("established_on")
    operator = Nested(PersonBrief, allow_none=True)
    bank = fields.String(allow_none=True)
    terminal_id = fields.String(allow_none=True)
    host_site_id = fields.Integer(allow_none=True)
    notes = fields.String(allow_none=True)
    version = fields.Integer()
    distance_m = fields.Float(
        allow_none=True, metadata={"description": "فاصله از نقطه near به متر (فقط در جستجوی نزدیک‌ترین)"}
    )


class SiteDetail(SiteOut):
    status_changes = fields.List(Nested(StatusChangeOut))
    hosted_sites = fields.List(Nested(SiteBrief))


class SiteArgs(PageArgs):
    q = Str(max_length=100, metadata={"description": "جستجو در نام، کد و نشانی (با یکسان‌سازی املای فارسی)"})
    kind = Enum(SiteKind)
    county = QueryInt(metadata={"description": "شناسه شهرستان"})
    status = Enum(SiteStatus)
    locality_type = Enum(LocalityType)
    bank = Choice(BANKS)
    near = GeoPoint(metadata={"description": "«عرض,طول»: نتایج به ترتیب فاصله از این نقطه"})
    radius_m = QueryFloat(
        validate=[between(1, MAX_RADIUS_M)],
        metadata={"description": "شعاع جستجو به متر همراه با near (پیش‌فرض ۱۰۰۰، حداکثر ۵۰٬۰۰۰)"},
    )

    @validates_schema
    def _radius_needs_point(self, data, **kwargs):
        if "radius_m" in data and "near" not in data:
            from marshmallow import ValidationError

            raise ValidationError("شعاع فقط همراه با near معنا دارد.", "radius_m")


class SiteIn(Schema):
    kind = Enum(SiteKind, required=True)
    code = Str(required=True, max_length=20, metadata={"example": "66000123"})
    name = Str(required=True, max_length=200)
    county_id = Int(required=True)
    locality = Str(required=True, max_length=100)
    locality_type = Enum(LocalityType, load_default=None, allow_none=True)
    address = Str(required=True, max_length=500)
    postal_code = Str(max_length=20, load_default=None, allow_none=True)
    phone = Str(max_length=20, load_default=None, allow_none=True)
    lat = latitude(load_default=None, allow_none=True)
    lon = longitude(load_default=None, allow_none=True)
    established_on = DateIn(load_default=None, allow_none=True)
    operator_id = Int(
        load_default=None, allow_none=True, metadata={"description": "شناسه متصدی (یا operator_national_id)"}
    )
    operator_national_id = Str(max_length=20, load_default=None, allow_none=True)
    bank = Str(max_length=60, load_default=None, allow_none=True)
    terminal_id = Str(max_length=20, load_default=None, allow_none=True)
    host_site_id = Int(
        load_default=None, allow_none=True, metadata={"description": "دفتر میزبان خودپرداز یا باجه"}
    )
    host_site_code = Str(max_length=20, load_default=None, allow_none=True)
    notes = Str(max_length=2000, load_default=None, allow_none=True)
    version = Int(
        load_default=None,
        allow_none=True,
        metadata={"description": "نسخه‌ای که خوانده شد؛ اگر تغییر کرده باشد ۴۰۹"},
    )


class SiteStatusIn(Schema):
    status = Enum(SiteStatus, required=True)
    effective_on = DateIn(required=True)
    reason = Str(required=True, max_length=1000)


class PersonOut(Schema):
    id = fields.Integer()
    national_id = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    full_name = fields.String()
    father_name = fields.String(allow_none=True)
    birth_date = fields.Date(allow_none=True)
    birth_date_jalali = JalaliOf("birth_date")
    mobile = fields.String(allow_none=True)
    education = fields.Enum(Education, by_value=True, allow_none=True)
    education_label = Label("education")
    field_of_study = fields.String(allow_none=True)
    version = fields.Integer()
    created_at = UtcDateTime()


class PersonDetail(PersonOut):
    sites = fields.List(Nested(SiteBrief))


class PersonArgs(PageArgs):
    q = Str(max_length=100, metadata={"description": "جستجو در نام و کد ملی"})


class PersonIn(Schema):
    national_id = Str(required=True, max_length=20, metadata={"example": "0012345679"})
    first_name = Str(required=True, max_length=80)
    last_name = Str(required=True, max_length=80)
    father_name = Str(max_length=80, load_default=None, allow_none=True)
    birth_date = DateIn(load_default=None, allow_none=True)
    mobile = Mobile(load_default=None, allow_none=True)
    education = Enum(Education, load_default=None, allow_none=True)
    field_of_study = Str(max_length=120, load_default=None, allow_none=True)
    version = Int(load_default=None, allow_none=True)


class CountyOut(Schema):
    id = fields.Integer()
    name = fields.String()
    province = fields.String(attribute="province.name")
    population = fields.Integer(allow_none=True)


# ---------------------------------------------------------------- sites


@bp.route("/sites", methods=["GET"], tags=SITES)
@allow(*VIEW_SITES)
@bp.arguments(SiteArgs, location="query")
@bp.response(200, page_schema(SiteOut, "SitePage"))
def site_list(args):
    """فهرست دفاتر و پایانه‌ها با صافی‌ها؛ با near به ترتیب فاصله"""
    filters = ops.SiteFilters(
        q=args.get("q"),
        kind=args.get("kind"),
        county_id=args.get("county"),
        status=args.get("status"),
        locality_type=args.get("locality_type"),
        bank=args.get("bank"),
    )
    if "near" not in args:
        return paginate(ops.search_sites(filters), args)
    lat, lon = args["near"]
    found = ops.sites_near(
        lat, lon, args.get("radius_m", 1000.0), kind=args.get("kind"), status=args.get("status")
    )
    if found and (filters.q or filters.county_id or filters.locality_type or filters.bank):
        ids = [site.id for site, _ in found]
        matching = set(db.session.scalars(ops.search_sites(filters).where(Site.id.in_(ids))).unique())
        found = [(site, meters) for site, meters in found if site in matching]
    for site, meters in found:
        site.distance_m = round(meters, 1)
    return paginate_list([site for site, _ in found], args)


@bp.route(f"/sites/<{ID}:site_id>", methods=["GET"], tags=SITES)
@allow(*VIEW_SITES)
@bp.response(200, SiteDetail)
def site_detail(site_id: int):
    """یک دفتر یا پایانه، با تاریخچه وضعیت"""
    return get_or_404(Site, site_id)


def _site_data(data: dict) -> dict:
    """The operation's input: operator and host site may be given by national ID and code."""
    data = {key: data.get(key) for key in ops.SITE_FIELDS} | {
        "operator_national_id": data.get("operator_national_id"),
        "host_site_code": data.get("host_site_code"),
    }
    national_id = data.pop("operator_national_id")
    if national_id and not data["operator_id"]:
        person = ops.find_person_by_national_id(national_id)
        if person is None:
            message = "شخصی با این کد ملی ثبت نشده است؛ نخست او را در فهرست اشخاص ثبت کنید."
            raise ApiError(422, "validation", message, {"operator_national_id": message})
        data["operator_id"] = person.id
    host_code = data.pop("host_site_code")
    if host_code and not data["host_site_id"]:
        host = db.session.scalar(select(Site).where(Site.code == ops.normalise_code(host_code)))
        if host is None:
            message = "دفتری با این کد یافت نشد."
            raise ApiError(422, "validation", message, {"host_site_code": message})
        data["host_site_id"] = host.id
    return data


@bp.route("/sites", methods=["POST"], tags=SITES)
@allow(*EDIT_SITES)
@bp.arguments(SiteIn)
@bp.response(201, SiteDetail)
def site_create(data):
    """ثبت دفتر، خودپرداز یا باجه"""
    site = ops.create_site(_site_data(data), actor=current_user)
    db.session.commit()
    return site


@bp.route(f"/sites/<{ID}:site_id>", methods=["PUT"], tags=SITES)
@allow(*EDIT_SITES)
@bp.arguments(SiteIn)
@bp.response(200, SiteDetail)
def site_update(data, site_id: int):
    """ویرایش مشخصات ثبت‌شده (وضعیت با /status تغییر می‌کند)"""
    site = get_or_404(Site, site_id)
    ops.update_site(site, _site_data(data), actor=current_user, expected_version=data.get("version"))
    db.session.commit()
    return site


@bp.route(f"/sites/<{ID}:site_id>/status", methods=["POST"], tags=SITES)
@allow(*EDIT_SITES)
@bp.arguments(SiteStatusIn)
@bp.response(200, SiteDetail)
def site_status(data, site_id: int):
    """تغییر وضعیت محل (فعال، تعلیق، لغو، تعطیل) از یک تاریخ، با دلیل"""
    site = get_or_404(Site, site_id)
    ops.change_site_status(
        site, data["status"], effective_on=data["effective_on"], reason=data["reason"], actor=current_user
    )
    db.session.commit()
    return site


# ---------------------------------------------------------------- people


@bp.route("/people", methods=["GET"], tags=PEOPLE)
@allow(*VIEW_PEOPLE)
@bp.arguments(PersonArgs, location="query")
@bp.response(200, page_schema(PersonOut, "PersonPage"))
def person_list(args):
    """فهرست اشخاص (متصدیان و متقاضیان)"""
    return paginate(ops.search_people(args.get("q")), args)


@bp.route(f"/people/<{ID}:person_id>", methods=["GET"], tags=PEOPLE)
@allow(*VIEW_PEOPLE)
@bp.response(200, PersonDetail)
def person_detail(person_id: int):
    """یک شخص، با محل‌هایی که متصدی آن است"""
    return get_or_404(Person, person_id)


@bp.route("/people", methods=["POST"], tags=PEOPLE)
@allow(*EDIT_PEOPLE)
@bp.arguments(PersonIn)
@bp.response(201, PersonDetail)
def person_create(data):
    """ثبت شخص با کد ملی معتبر و تکراری‌نشده"""
    person = ops.create_person(data, actor=current_user)
    db.session.commit()
    return person


@bp.route(f"/people/<{ID}:person_id>", methods=["PUT"], tags=PEOPLE)
@allow(*EDIT_PEOPLE)
@bp.arguments(PersonIn)
@bp.response(200, PersonDetail)
def person_update(data, person_id: int):
    """ویرایش مشخصات شخص"""
    person = get_or_404(Person, person_id)
    ops.update_person(person, data, actor=current_user, expected_version=data.get("version"))
    db.session.commit()
    return person


# ---------------------------------------------------------------- counties


@bp.route("/counties", methods=["GET"], tags=SITES)
@allow(*VIEW_SITES)
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_schema(CountyOut, "CountyPage"))
def county_list(args):
    """شهرستان‌ها (شناسه آن‌ها در صافی county و در ثبت محل به کار می‌رود)"""
    return paginate(select(County).order_by(County.id), args)
