"""Letters in the API: the register and one letter with its deliveries; recording a delivery by
hand (in person or by post), which serves a ruling's notice as the screen does.

GET  /api/v1/letters ?kind= &delivery= &q=        GET /api/v1/letters/<id>
POST /api/v1/letters/<id>/deliveries
"""

from __future__ import annotations

from flask_login import current_user
from marshmallow import fields

from api import ID, bp
from api.fields import Choice, DateIn, Enum, JalaliOf, Label, Nested, Schema, Str, UtcDateTime
from api.schemas import PageArgs, page_schema, paginate
from core.db import get_or_404
from core.extensions import db
from core.security import allow
from letters import operations as ops
from letters.models import DeliveryChannel, Letter, LetterKind
from letters.permissions import VIEW, WRITE

LETTERS = ["letters"]


class LetterArgs(PageArgs):
    kind = Enum(LetterKind)
    delivery = Choice(["pending", "failed", "delivered", "none"])
    q = Str(max_length=80)


class DeliveryOut(Schema):
    id = fields.Integer()
    channel = fields.String()
    channel_label = Label("channel")
    address = fields.String(allow_none=True)
    status = fields.String()
    status_label = Label("status")
    attempts = fields.Integer()
    next_attempt_at = UtcDateTime(allow_none=True)
    delivered_at = UtcDateTime(allow_none=True)
    served_on = fields.Date(allow_none=True)
    last_error = fields.String(allow_none=True)


class LetterOut(Schema):
    id = fields.Integer()
    number = fields.String()
    kind = fields.String()
    kind_label = Label("kind")
    letter_date = fields.Date()
    letter_date_jalali = JalaliOf("letter_date")
    recipient_name = fields.String()
    recipient_organisation = fields.String(allow_none=True)
    subject = fields.String()
    due_on = fields.Date(allow_none=True)
    served_on = fields.Date(allow_none=True)
    record_type = fields.String(allow_none=True)
    record_id = fields.Integer(allow_none=True)


class LetterDetail(LetterOut):
    body = fields.String()
    signer_name = fields.String()
    signer_title = fields.String(allow_none=True)
    deliveries = fields.List(Nested(DeliveryOut))


class DeliveryIn(Schema):
    channel = Choice([c for c in DeliveryChannel if not c.automatic], required=True)
    served_on = DateIn(required=True)
    note = Str(max_length=500, load_default=None, allow_none=True)


@bp.route("/letters", methods=["GET"], tags=LETTERS)
@allow(*VIEW)
@bp.arguments(LetterArgs, location="query")
@bp.response(200, page_schema(LetterOut, "LetterPage"))
def letter_list(args):
    """دفتر نامه‌های صادره، تازه‌ترین نخست"""
    filters = ops.LetterFilters(kind=args.get("kind"), q=args.get("q"), delivery=args.get("delivery"))
    return paginate(ops.search_letters(filters), args)


@bp.route(f"/letters/<{ID}:letter_id>", methods=["GET"], tags=LETTERS)
@allow(*VIEW)
@bp.response(200, LetterDetail)
def letter_detail(letter_id: int):
    """یک نامه با متن و ارسال‌هایش"""
    return get_or_404(Letter, letter_id)


@bp.route(f"/letters/<{ID}:letter_id>/deliveries", methods=["POST"], tags=LETTERS)
@allow(*WRITE)
@bp.arguments(DeliveryIn)
@bp.response(201, LetterDetail)
def letter_delivery(data, letter_id: int):
    """ثبت تحویل حضوری یا پستی؛ نخستین تحویل تاریخ ابلاغ نامه است"""
    letter = get_or_404(Letter, letter_id)
    ops.record_delivery(
        letter,
        channel=data["channel"],
        served_on=data["served_on"],
        note=data.get("note"),
        actor=current_user,
    )
    db.session.commit()
    return letter
