"""The JSON API under /api/v1: today the tablet's outbox, later integrations and scripts (issue 7).

Every answer is JSON, errors included: {"error": {"code", "message" (Persian), "fields"}}. Routes
follow the same deny-by-default policy as the screens (core.security.allow); the browser's own
calls use the session and send the CSRF token in the X-CSRFToken header.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from core.errors import DomainError

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class ApiError(Exception):
    """Refuse a request with a status, a machine-readable code and a Persian message."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def json_error(status: int, code: str, message: str, fields: dict | None = None):
    """The one error shape of the API."""
    return jsonify({"error": {"code": code, "message": message, "fields": fields or {}}}), status


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def read_body(max_bytes: int) -> bytes:
    """The raw request body, refused with 413 when larger than max_bytes."""
    request.max_content_length = max_bytes
    try:
        return request.get_data(cache=False)
    except RequestEntityTooLarge as exc:
        raise ApiError(413, "too_large", "حجم درخواست بیش از حد مجاز است.") from exc


def read_json(max_bytes: int) -> Any:
    """The request's JSON document (UTF-8, no NaN or Infinity), or a 400/413/415 ApiError."""
    if request.mimetype != "application/json":
        raise ApiError(415, "content_type", "بدنه درخواست باید JSON باشد (Content-Type: application/json).")
    raw = read_body(max_bytes)
    try:
        return json.loads(raw.decode("utf-8"), parse_float=_finite_float, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(400, "bad_json", "بدنه درخواست JSON معتبر نیست.") from exc


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return json_error(exc.status, exc.code, exc.message, exc.fields)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    from core.extensions import db

    db.session.rollback()
    fields = getattr(exc, "fields", None) or ({exc.field: exc.message} if exc.field else {})
    return json_error(getattr(exc, "status", 422), getattr(exc, "code", "invalid"), exc.message, fields)


from api import inspections  # noqa: E402, F401  (registers the routes on bp)
