"""The tablet's outbox endpoints, and visits to read and refer.

POST /api/v1/inspections                             201 stored · 200 already stored · 409 other
                                                     content under the same UUID · 400/413/415/422
PUT  /api/v1/inspections/<uuid>/photos/<sha256>      201 stored · 200 already stored · 404 visit
                                                     not (yet) stored · 413/415/422
GET  /api/v1/inspections ?purpose= &inspector_id= &site_id= &flagged= &incomplete=
GET  /api/v1/inspections/<uuid>                      (an inspector reads their own visits only)
POST /api/v1/inspections/<uuid>/referral             open a committee case from the failed items

The visit's JSON is checked by inspections.operations.submit_visit itself (its errors name the
field, e.g. "gps.lat"); the schema below only describes it.
"""

from __future__ import annotations

from flask import abort, jsonify, request, url_for
from flask_login import current_user
from marshmallow import fields

from api import ApiError, bp, read_body, read_json
from api.fields import Bool, Enum, Int, JalaliOf, Label, List, Nested, QueryInt, Schema, Str, UtcDateTime
from api.schemas import PageArgs, UserBrief, page_schema, paginate
from core.extensions import db
from core.security import allow, require
from inspections import operations as ops
from inspections.models import Choice, Verdict, Visit, VisitPurpose
from inspections.permissions import (
    DO_VISITS,
    REFER,
    VIEW_VISITS,
    can_refer,
    can_upload_photos,
    can_view_visit,
    visit_scope,
)
from registry.api import SiteBrief

TAG = ["inspections"]
# A visit is a few kilobytes of JSON; a megabyte leaves room for long notes, not for misuse.
VISIT_JSON_MAX_BYTES = 1024 * 1024


# ---------------------------------------------------------------- schemas (the visit as sent)


class GpsDoc(Schema):
    lat = fields.Float(metadata={"minimum": -90, "maximum": 90})
    lon = fields.Float(metadata={"minimum": -180, "maximum": 180})
    accuracy_m = fields.Float(allow_none=True, metadata={"minimum": 0})
    fix_at = fields.DateTime(allow_none=True)


class AnswerDoc(Schema):
    item_id = fields.Integer(required=True)
    choice = fields.Enum(Choice, by_value=True, allow_none=True)
    number = fields.Float(allow_none=True)
    text = fields.String(allow_none=True, metadata={"maxLength": ops.TEXT_LIMITS["answer_text"]})
    note = fields.String(allow_none=True, metadata={"maxLength": ops.TEXT_LIMITS["answer_note"]})


class PhotoDoc(Schema):
    sha256 = fields.String(required=True, metadata={"pattern": "^[0-9a-f]{64}$"})
    item_id = fields.Integer(allow_none=True)
    caption = fields.String(allow_none=True, metadata={"maxLength": ops.TEXT_LIMITS["caption"]})
    taken_at = fields.DateTime(allow_none=True)


class VisitPayload(Schema):
    """The visit as the tablet stores it in its outbox; the same UUID and content answer 200."""

    uuid = fields.UUID(required=True)
    purpose = fields.Enum(VisitPurpose, by_value=True, required=True)
    site_id = fields.Integer(allow_none=True)
    visit_request_id = fields.Integer(allow_none=True)
    assignment_id = fields.Integer(allow_none=True)
    checklist_version_id = fields.Integer(required=True)
    started_at = fields.DateTime(required=True)
    saved_at = fields.DateTime(required=True)
    gps = fields.Nested(GpsDoc, allow_none=True)
    answers = fields.List(fields.Nested(AnswerDoc), metadata={"maxItems": ops.MAX_ANSWERS})
    photos = fields.List(fields.Nested(PhotoDoc))
    person_met = fields.String(allow_none=True, metadata={"maxLength": ops.TEXT_LIMITS["person_met"]})
    person_met_role = fields.String(
        allow_none=True, metadata={"maxLength": ops.TEXT_LIMITS["person_met_role"]}
    )
    notes = fields.String(allow_none=True, metadata={"maxLength": ops.TEXT_LIMITS["notes"]})
    verdict = fields.Enum(Verdict, by_value=True, allow_none=True)


class VisitFlags(Schema):
    too_far = fields.Boolean()
    poor_fix = fields.Boolean()
    no_fix = fields.Boolean()
    clock = fields.Boolean()


class VisitStatus(Schema):
    uuid = fields.String()
    status = fields.String(metadata={"enum": ["stored", "already_stored"]})
    complete = fields.Boolean()
    photos_missing = fields.List(fields.String())
    distance_m = fields.Float(allow_none=True)
    flags = fields.Nested(VisitFlags)
    request_result_returned = fields.Boolean()
    url = fields.String()


class PhotoStatus(Schema):
    uuid = fields.String()
    sha256 = fields.String()
    status = fields.String(metadata={"enum": ["stored", "already_stored"]})
    visit_complete = fields.Boolean()
    photos_missing = fields.List(fields.String())


# ---------------------------------------------------------------- schemas (visits read back)


class AnswerOut(Schema):
    id = fields.Integer()
    item_id = fields.Integer()
    item_text = fields.String(attribute="item.text")
    choice = fields.Enum(Choice, by_value=True, allow_none=True)
    number = fields.Float(allow_none=True)
    text = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    failed = fields.Boolean()


class PhotoOut(Schema):
    sha256 = fields.String()
    item_id = fields.Integer(allow_none=True)
    caption = fields.String(allow_none=True)
    arrived = fields.Boolean()
    content_type = fields.String(allow_none=True)
    size = fields.Integer(allow_none=True)


class VisitOut(Schema):
    uuid = fields.String()
    purpose = fields.Enum(VisitPurpose, by_value=True)
    purpose_label = Label("purpose")
    site = Nested(SiteBrief, allow_none=True)
    place_name = fields.String()
    visit_request_id = fields.Integer(allow_none=True)
    inspector = Nested(UserBrief)
    started_at = UtcDateTime()
    started_at_jalali = JalaliOf("started_at")
    device_saved_at = UtcDateTime()
    received_at = UtcDateTime()
    received_at_jalali = JalaliOf("received_at")
    visited_on = fields.Date()
    visited_on_jalali = JalaliOf("visited_on")
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    accuracy_m = fields.Float(allow_none=True)
    distance_m = fields.Float(allow_none=True)
    flags = fields.Function(
        lambda v: {
            "too_far": v.flag_too_far,
            "poor_fix": v.flag_poor_fix,
            "no_fix": v.flag_no_fix,
            "clock": v.flag_clock,
        },
        metadata={
            "type": "object",
            "properties": {k: {"type": "boolean"} for k in ("too_far", "poor_fix", "no_fix", "clock")},
        },
    )
    verdict = fields.Enum(Verdict, by_value=True, allow_none=True)
    failed_count = fields.Integer()
    complete = fields.Boolean()
    person_met = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)


class VisitDetail(VisitOut):
    answers = fields.List(Nested(AnswerOut))
    photos = fields.List(Nested(PhotoOut))
    cases = fields.Function(
        lambda v: [case.number for case in ops.visit_cases(v)],
        metadata={
            "type": "array",
            "items": {"type": "string"},
            "description": "شماره پرونده‌های تخلف این بازدید",
        },
    )


class VisitArgs(PageArgs):
    purpose = Enum(VisitPurpose)
    inspector_id = QueryInt()
    site_id = QueryInt()
    flagged = Bool(load_default=False, metadata={"description": "فقط بازدیدهای علامت‌خورده (GPS، ساعت)"})
    incomplete = Bool(load_default=False, metadata={"description": "فقط بازدیدهایی که عکسشان نرسیده"})


class ReferralIn(Schema):
    answer_ids = List(
        Int(), load_default=None, allow_none=True, metadata={"description": "پیش‌فرض: همه بندهای ناموفق"}
    )
    summary = Str(max_length=2000, load_default=None, allow_none=True)


class ReferralOut(Schema):
    case_id = fields.Integer(attribute="id")
    case_number = fields.String(attribute="number")


# ---------------------------------------------------------------- the outbox


def visit_status(visit: Visit, status: str) -> dict:
    """What the tablet needs to know about a stored visit."""
    return {
        "uuid": visit.uuid,
        "status": status,
        "complete": visit.complete,
        "photos_missing": ops.missing_photos(visit),
        "distance_m": None if visit.distance_m is None else round(visit.distance_m, 1),
        "flags": {
            "too_far": visit.flag_too_far,
            "poor_fix": visit.flag_poor_fix,
            "no_fix": visit.flag_no_fix,
            "clock": visit.flag_clock,
        },
        "request_result_returned": visit.request_result_returned,
        "url": url_for("inspections.visit_detail", uuid=visit.uuid),
    }


@bp.route("/inspections", methods=["POST"], tags=TAG)
@allow(*DO_VISITS)
@bp.doc(requestBody={"required": True, "content": {"application/json": {"schema": VisitPayload}}})
@bp.response(201, VisitStatus, description="بازدید ذخیره شد")
@bp.alt_response(
    200, schema=VisitStatus, description="همین بازدید با همین محتوا پیش‌تر ذخیره شده", success=True
)
def inspection_create():
    """ارسال بازدید از صندوق تبلت (یکتا با uuid: ۲۰۱ ذخیره، ۲۰۰ تکراری، ۴۰۹ محتوای دیگر)"""
    payload = read_json(VISIT_JSON_MAX_BYTES)
    # The tablet's clock at sending, beside the server's: its difference flags a wrong clock.
    device_time = ops.as_datetime(request.headers.get("X-Device-Time"))
    visit, created = ops.submit_visit(payload, actor=current_user, device_time=device_time)
    db.session.commit()
    if created:
        body = visit_status(visit, "stored")
        return jsonify(body), 201, {"Location": body["url"]}
    return jsonify(visit_status(visit, "already_stored")), 200


@bp.route("/inspections/<uuid>/photos/<sha256>", methods=["PUT"], tags=TAG)
@allow(*DO_VISITS)
@bp.doc(
    requestBody={
        "required": True,
        "content": {
            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
            "image/png": {"schema": {"type": "string", "format": "binary"}},
        },
    }
)
@bp.response(201, PhotoStatus, description="عکس ذخیره شد")
@bp.alt_response(200, schema=PhotoStatus, description="همین عکس پیش‌تر رسیده بود", success=True)
def inspection_photo(uuid: str, sha256: str):
    """بارگذاری یک عکس بازدید با چکیده SHA-256 آن"""
    visit_uuid = ops.valid_uuid(uuid)
    if visit_uuid is None:
        raise ApiError(404, "visit_not_found", "شناسه بازدید در نشانی معتبر نیست.")
    sha256 = sha256.lower()
    if not ops.SHA256_RE.match(sha256):
        raise ApiError(400, "bad_sha256", "چکیده SHA-256 در نشانی باید ۶۴ نویسه هگز باشد.")
    content = read_body(ops.photo_max_bytes())
    visit = ops.find_visit(visit_uuid, lock=True)
    if visit is None:
        raise ApiError(404, "visit_not_found", "این بازدید هنوز ثبت نشده است؛ نخست خود بازدید را بفرستید.")
    require(can_upload_photos(current_user, visit))
    photo, created = ops.store_photo(visit, sha256, content, actor=current_user)
    db.session.commit()
    body = {
        "uuid": visit.uuid,
        "sha256": photo.sha256,
        "status": "stored" if created else "already_stored",
        "visit_complete": visit.complete,
        "photos_missing": ops.missing_photos(visit),
    }
    return jsonify(body), 201 if created else 200


# ---------------------------------------------------------------- reading and referring


def _visit_or_404(uuid: str) -> Visit:
    visit_uuid = ops.valid_uuid(uuid)
    visit = ops.find_visit(visit_uuid) if visit_uuid else None
    if visit is None:
        abort(404)
    return visit


@bp.route("/inspections", methods=["GET"], tags=TAG)
@allow(*VIEW_VISITS)
@bp.arguments(VisitArgs, location="query")
@bp.response(200, page_schema(VisitOut, "VisitPage"))
def inspection_list(args):
    """بازدیدها، تازه‌ترین نخست (بازرس فقط بازدیدهای خودش را می‌بیند)"""
    filters = ops.VisitFilters(
        purpose=args.get("purpose"),
        inspector_id=args.get("inspector_id"),
        site_id=args.get("site_id"),
        flagged=args["flagged"],
        incomplete=args["incomplete"],
    )
    stmt = ops.search_visits(filters, viewer=current_user)
    scope = visit_scope(current_user)
    return paginate(stmt if scope is None else stmt.where(scope), args)


@bp.route("/inspections/<uuid>", methods=["GET"], tags=TAG)
@allow(*VIEW_VISITS)
@bp.response(200, VisitDetail)
def inspection_detail(uuid: str):
    """یک بازدید با پاسخ‌ها، عکس‌ها و پرونده‌های تخلفی که از آن تشکیل شد"""
    visit = _visit_or_404(uuid)
    require(can_view_visit(current_user, visit))
    return visit


@bp.route("/inspections/<uuid>/referral", methods=["POST"], tags=TAG)
@allow(*REFER)
@bp.arguments(ReferralIn)
@bp.response(201, ReferralOut)
def inspection_referral(data, uuid: str):
    """ارجاع بازدید به کمیته تخلفات: پرونده‌ای از بندهای ناموفق، با بازدید و عکس‌ها به عنوان مدرک"""
    visit = _visit_or_404(uuid)
    require(can_refer(current_user, visit))
    case = ops.refer_to_committee(
        visit, answer_ids=data.get("answer_ids"), summary=data.get("summary"), actor=current_user
    )
    db.session.commit()
    return case
