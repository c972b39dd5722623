"""Schemas every resource shares: the error envelope, pages of a list, brief references."""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from api.fields import QueryInt, Schema
from core.extensions import db

MAX_PER_PAGE = 100


class ErrorDetail(Schema):
    code = fields.String(required=True, metadata={"description": "کد ماشینی خطا", "example": "validation"})
    message = fields.String(required=True, metadata={"description": "پیام فارسی برای کاربر"})
    error_fields = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        data_key="fields",
        required=True,
        metadata={"description": "پیام فارسی هر فیلد نادرست، با نام فیلد (مانند gps.lat یا answers[0])"},
    )


class ErrorResponse(Schema):
    error = fields.Nested(ErrorDetail, required=True)


class PageArgs(Schema):
    page = QueryInt(load_default=1, maximum=1_000_000, metadata={"description": "شماره صفحه (از ۱)"})
    per_page = QueryInt(
        load_default=25, maximum=MAX_PER_PAGE, metadata={"description": "تعداد در هر صفحه (حداکثر ۱۰۰)"}
    )


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """The envelope of a list: {"items": [...], "total": N, "page": p, "per_page": n}."""
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item), required=True),
            "total": fields.Integer(required=True, metadata={"description": "تعداد کل نتایج"}),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
        },
    )


def paginate(stmt, args: dict[str, Any]) -> dict[str, Any]:
    """One page of a select, in the envelope page_schema describes."""
    page = db.paginate(
        stmt, page=args["page"], per_page=args["per_page"], max_per_page=MAX_PER_PAGE, error_out=False
    )
    return {"items": list(page.items), "total": page.total, "page": page.page, "per_page": page.per_page}


def paginate_list(items: list, args: dict[str, Any]) -> dict[str, Any]:
    """One page of a list already in memory (e.g. sites near a point, ordered by distance)."""
    start = (args["page"] - 1) * args["per_page"]
    return {
        "items": items[start : start + args["per_page"]],
        "total": len(items),
        "page": args["page"],
        "per_page": args["per_page"],
    }


# ---------------------------------------------------------------- brief references


class CountyBrief(Schema):
    id = fields.Integer()
    name = fields.String()


class PersonBrief(Schema):
    id = fields.Integer()
    full_name = fields.String()


class UserBrief(Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    role = fields.String()


class Extended:
    """A record with extra computed attributes for a schema to dump (checks, allowed steps ...)."""

    def __init__(self, record, **extras):
        self._record = record
        self.__dict__.update(extras)

    def __getattr__(self, name):
        return getattr(self._record, name)
