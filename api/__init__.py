"""The JSON API under /api/v1: the tablet's outbox, integrations and scripts (issue 7).

Every answer is JSON, errors included: {"error": {"code", "message" (Persian), "fields"}}. Routes
follow the same deny-by-default policy as the screens (core.security.allow / public) and call the
same operations as the screens. Callers authenticate with a token (``Authorization: Bearer …``,
see accounts.tokens) or, for the browser's own calls, with the session plus the CSRF token in the
X-CSRFToken header; a request with a valid token needs no CSRF token (a cross-site page cannot
set that header). The OpenAPI description is generated from the marshmallow schemas of the
routes (flask-smorest / apispec) and served at /api/v1/openapi.json, with a Persian page at
/api/v1/docs.
"""

from __future__ import annotations

import json
import math
from typing import Any

import flask_smorest
from flask import current_app, g, jsonify, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from webargs import core as webargs_core
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from core.errors import STALE_MESSAGE, DomainError
from core.inbound import BadText, check_document

# JSON bodies are a few kilobytes; a megabyte leaves room for long texts, not for misuse.
JSON_MAX_BYTES = 1024 * 1024
ID = "int(min=1, max=2147483647)"  # path converter for row ids: anything else is a 404


class ApiError(Exception):
    """Refuse a request with a status, a machine-readable code and a Persian message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict | None = None,
        headers: dict | None = None,
    ):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}
        self.headers = headers or {}


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
    """The request's JSON document (UTF-8, no NaN or Infinity, no NUL or lone surrogate in any
    text), or a 400/413/415/422 ApiError."""
    if request.mimetype != "application/json":
        raise ApiError(415, "content_type", "بدنه درخواست باید JSON باشد (Content-Type: application/json).")
    raw = read_body(max_bytes)
    try:
        doc = json.loads(raw.decode("utf-8"), parse_float=_finite_float, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(400, "bad_json", "بدنه درخواست JSON معتبر نیست.") from exc
    try:
        check_document(doc)  # the text boundary (core.inbound): NUL and lone surrogates are refused
    except BadText as exc:
        raise ApiError(422, "validation", exc.message, {exc.field: exc.message}) from exc
    return doc


# ---------------------------------------------------------------- parsing arguments


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, str]:
    """marshmallow's nested messages as {"gps.lat": "…", "answers[0]": "…"}: the first per field."""
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                name = f"{prefix}[{key}]"
            elif key == "_schema":
                name = prefix or "_"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for sub, text in flatten_messages(value, name).items():
                out.setdefault(sub, text)
    elif isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, str):
                out.setdefault(prefix or "_", item)
            else:
                for sub, text in flatten_messages(item, prefix).items():
                    out.setdefault(sub, text)
    elif messages is not None:
        out.setdefault(prefix or "_", str(messages))
    return out


class ApiParser(FlaskParser):
    """webargs with the API's rules: strict JSON, 415 for other bodies, Persian 422 errors."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "multipart": "exclude"}
    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_json(self, req, schema):
        # An action with nothing to say may send no body at all, or an empty JSON one.
        empty = req.content_length == 0 or (req.content_length is None and not req.mimetype)
        if empty and req.mimetype in ("", "application/json"):
            return webargs_core.missing
        return read_json(JSON_MAX_BYTES)

    def load_multipart(self, req, schema):
        """Form fields and files of a multipart/form-data body, together."""
        if req.mimetype != "multipart/form-data":
            raise ApiError(415, "content_type", "بدنه درخواست باید multipart/form-data باشد (بارگذاری فایل).")
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        messages = error.messages
        if isinstance(messages, dict) and len(messages) == 1:
            (location,) = messages
            if location in self.__location_map__:
                messages = messages[location]
        fields = flatten_messages(messages)
        first = next(iter(fields.values()), None)
        summary = "داده‌های ارسالی معتبر نیست" + (f": {first}" if first else ".")
        raise ApiError(422, "validation", summary, fields)


class ApiBlueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = ApiParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }


bp = ApiBlueprint("api", __name__, url_prefix="/api/v1", description="API سامانه پیشخوان")


# ---------------------------------------------------------------- errors


def _error_response(status: int, code: str, message: str, fields: dict | None, headers: dict):
    response, status = json_error(status, code, message, fields)
    response.headers.update(headers)
    return response, status


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    from core.extensions import db

    db.session.rollback()
    return _error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    """A refused business rule: 422 when it names a field, 409 when the record's state forbids it."""
    from core.extensions import db

    db.session.rollback()
    fields = getattr(exc, "fields", None) or ({exc.field: exc.message} if exc.field else {})
    status = getattr(exc, "status", None) or (422 if exc.field else 409)
    code = getattr(exc, "code", None) or ("invalid" if exc.field else "conflict")
    if exc.message == STALE_MESSAGE:  # an edit based on an older version (expected_version)
        code = "stale"
    return json_error(status, code, exc.message, fields)


@bp.errorhandler(IntegrityError)
def _integrity_error(exc: IntegrityError):
    """A unique constraint a concurrent request won: the caller may retry after re-reading."""
    from core.extensions import db

    db.session.rollback()
    return json_error(
        409, "conflict", "رکورد هم‌زمان توسط درخواست دیگری تغییر کرد یا تکراری است؛ دوباره تلاش کنید."
    )


# ---------------------------------------------------------------- who is calling


INVALID_TOKEN = "توکن دسترسی نامعتبر، منقضی یا باطل شده است؛ توکن تازه بگیرید."  # nosec B105  # a message


@bp.before_app_request
def _authenticate_bearer():
    """Authorization: Bearer <token> under /api/v1: the token's user is the caller, for this request
    only (nothing is written to the session). An unusable token is a 401, never a fallback."""
    g.pop("api_token", None)
    if not request.path.startswith(f"{bp.url_prefix}/"):
        return None
    header = request.headers.get("Authorization")
    if header is None:
        return None
    from accounts import tokens as token_ops
    from core.extensions import login_manager

    scheme, _, credential = header.strip().partition(" ")
    token = None
    if scheme.lower() == "bearer" and credential.strip():
        token = token_ops.authenticate_token(credential.strip())
    if token is None:
        return _error_response(
            401, "invalid_token", INVALID_TOKEN, None, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        )
    if token_ops.needs_touch(token):
        from core.extensions import db

        token_ops.touch_token(token)
        db.session.commit()
    g.api_token = token
    # Flask-Login's own way of setting the request's user (what its request_loader ends in); a
    # session cookie sent along is ignored rather than mixed in.
    login_manager._update_request_context_with_user(token.user)
    return None


@bp.before_request
def _csrf_for_session_callers():
    """The browser's calls ride on the session cookie, so they carry the CSRF token; token calls
    and anonymous ones (a token request, the description) do not need it."""
    config = current_app.config
    if not (config.get("WTF_CSRF_ENABLED", True) and config.get("WTF_CSRF_CHECK_DEFAULT", True)):
        return
    if g.get("api_token") is None and current_user.is_authenticated:
        from core.extensions import csrf

        csrf.protect()


# ---------------------------------------------------------------- the extension

from api.schemas import ErrorResponse  # noqa: E402  (after ApiError: the schemas need no routes)


class PishkhanApi(flask_smorest.Api):
    """flask-smorest for the description and argument parsing; errors stay the app's own (Persian
    JSON under /api/, Persian pages elsewhere), so its app-wide error handler is not installed."""

    ERROR_SCHEMA = ErrorResponse  # documents every operation's error answers

    def _register_error_handlers(self):
        pass


def init_app(app) -> None:
    """Register the API blueprint, its description and its CLI on the app."""
    from api.cli import api_cli
    from core.extensions import csrf

    csrf.exempt(bp)  # checked in _csrf_for_session_callers, for session callers only
    api = PishkhanApi(
        app,
        spec_kwargs={
            "title": "API سامانه پیشخوان",
            "version": "1",
            "openapi_version": "3.0.3",
            "info": {
                "description": "API سامانه صدور پروانه و بازرسی دفاتر پیشخوان خدمات دولت، دفاتر ICT "
                "روستایی، خودپردازها و باجه‌های بانکی. همه تاریخ‌ها میلادی (ISO-8601) با همتای شمسی "
                "(فیلد ‎_jalali) هستند؛ در ورودی هر دو پذیرفته می‌شود. خطاها همیشه JSON و فارسی‌اند."
            },
            "servers": [{"url": "/"}],
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer"},
                    "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                }
            },
            "security": [{"bearerAuth": []}, {"session": []}],
        },
    )
    api.register_blueprint(bp)
    app.extensions["pishkhan_api"] = api
    app.cli.add_command(api_cli)


from api import docs, tokens  # noqa: E402, F401  (register the shared routes on bp)
