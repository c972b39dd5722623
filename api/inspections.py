"""The tablet's outbox endpoints: a visit is stored once per UUID, each photo once per SHA-256.

POST /api/v1/inspections                             201 stored · 200 already stored · 409 other
                                                     content under the same UUID · 400/413/415/422
PUT  /api/v1/inspections/<uuid>/photos/<sha256>      201 stored · 200 already stored · 404 visit
                                                     not (yet) stored · 413/415/422
"""

from __future__ import annotations

from flask import jsonify, url_for
from flask_login import current_user

from api import ApiError, bp, read_body, read_json
from core.extensions import db
from core.security import allow, require
from inspections import operations as ops
from inspections.models import Visit
from inspections.permissions import DO_VISITS, can_upload_photos

# A visit is a few kilobytes of JSON; a megabyte leaves room for long notes, not for misuse.
VISIT_JSON_MAX_BYTES = 1024 * 1024


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


@bp.post("/inspections")
@allow(*DO_VISITS)
def inspection_create():
    payload = read_json(VISIT_JSON_MAX_BYTES)
    visit, created = ops.submit_visit(payload, actor=current_user)
    db.session.commit()
    if created:
        body = visit_status(visit, "stored")
        return jsonify(body), 201, {"Location": body["url"]}
    return jsonify(visit_status(visit, "already_stored")), 200


@bp.put("/inspections/<uuid>/photos/<sha256>")
@allow(*DO_VISITS)
def inspection_photo(uuid: str, sha256: str):
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
