"""Reference data, read-only: provinces, counties (with census population and centre), cities and
villages (centre, radius). Loaded by `flask reference import`.

GET /api/v1/reference/provinces
GET /api/v1/reference/counties    ?province=CODE
GET /api/v1/reference/localities  ?county=ID
"""

from __future__ import annotations

from marshmallow import fields
from sqlalchemy import select

from api import bp
from api.fields import Label, QueryInt, Schema, Str
from api.schemas import PageArgs, page_schema, paginate
from core.security import allow
from registry.models import County, Locality, LocalityType, Province
from registry.permissions import VIEW_SITES

REFERENCE = ["reference"]


class ProvinceOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    population = fields.Integer(allow_none=True)
    census_year = fields.Integer(allow_none=True)


class ReferenceCountyOut(Schema):
    id = fields.Integer()
    name = fields.String()
    province_code = fields.String(attribute="province.code")
    province = fields.String(attribute="province.name")
    population = fields.Integer(allow_none=True)
    census_year = fields.Integer(allow_none=True)
    center_lat = fields.Float(allow_none=True)
    center_lon = fields.Float(allow_none=True)


class LocalityOut(Schema):
    id = fields.Integer()
    county_id = fields.Integer()
    name = fields.String()
    type = fields.Enum(LocalityType, by_value=True)
    type_label = Label("type")
    population = fields.Integer(allow_none=True)
    census_year = fields.Integer(allow_none=True)
    lat = fields.Float()
    lon = fields.Float()
    radius_m = fields.Integer(metadata={"description": "شعاعی (متر) که نشانی درون آن از این آبادی است"})


class CountyArgs(PageArgs):
    province = Str(max_length=10, metadata={"description": "کد استان"})


class LocalityArgs(PageArgs):
    county = QueryInt(metadata={"description": "شناسه شهرستان"})


@bp.route("/reference/provinces", methods=["GET"], tags=REFERENCE)
@allow(*VIEW_SITES)
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_schema(ProvinceOut, "ProvincePage"))
def reference_provinces(args):
    """استان‌ها با جمعیت سرشماری"""
    return paginate(select(Province).order_by(Province.code), args)


@bp.route("/reference/counties", methods=["GET"], tags=REFERENCE)
@allow(*VIEW_SITES)
@bp.arguments(CountyArgs, location="query")
@bp.response(200, page_schema(ReferenceCountyOut, "ReferenceCountyPage"))
def reference_counties(args):
    """شهرستان‌ها با جمعیت سرشماری و مرکز"""
    stmt = select(County).join(Province).order_by(Province.code, County.id)
    if args.get("province"):
        stmt = stmt.where(Province.code == args["province"])
    return paginate(stmt, args)


@bp.route("/reference/localities", methods=["GET"], tags=REFERENCE)
@allow(*VIEW_SITES)
@bp.arguments(LocalityArgs, location="query")
@bp.response(200, page_schema(LocalityOut, "LocalityPage"))
def reference_localities(args):
    """شهرها و روستاها با مرکز و شعاع"""
    stmt = select(Locality).order_by(Locality.county_id, Locality.id)
    if args.get("county"):
        stmt = stmt.where(Locality.county_id == args["county"])
    return paginate(stmt, args)
