"""Domain errors and the handlers that turn every failure into a Persian page (or JSON under /api)."""

from __future__ import annotations

from flask import Flask, flash, jsonify, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A business rule refused the action; the message is Persian and shown to the user."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


STALE_MESSAGE = (
    "این رکورد هم‌زمان توسط کاربر دیگری تغییر کرده است. صفحه را دوباره باز کنید و تغییرات را از نو وارد کنید."
)

HTTP_MESSAGES = {
    400: "درخواست نامعتبر است.",
    401: "برای این کار باید وارد سامانه شوید.",
    403: "شما اجازه دسترسی به این بخش را ندارید.",
    404: "صفحه یا رکورد مورد نظر یافت نشد.",
    405: "این روش درخواست پذیرفته نیست.",
    409: "این درخواست با وضعیت فعلی رکورد سازگار نیست.",
    413: "حجم فایل یا درخواست بیش از حد مجاز است.",
    422: "داده‌های ارسالی معتبر نیست.",
    429: "تعداد درخواست‌ها بیش از حد مجاز است. کمی بعد دوباره تلاش کنید.",
    500: "خطای داخلی رخ داد. موضوع ثبت شد؛ لطفاً دوباره تلاش کنید.",
}


def wants_json() -> bool:
    """API calls (and clients that ask for JSON) get JSON errors, never an HTML page."""
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def error_response(
    status: int, message: str | None = None, code: str | None = None, fields: dict | None = None
):
    message = message or HTTP_MESSAGES.get(status, HTTP_MESSAGES[500])
    if wants_json():
        body = {"error": {"code": code or str(status), "message": message, "fields": fields or {}}}
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Persian pages for every HTTP error, CSRF failure and stale edit."""

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return error_response(
            400,
            "نشست فرم منقضی شده یا نامعتبر است. صفحه را دوباره باز کنید و فرم را از نو بفرستید.",
            code="csrf",
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return error_response(exc.code or 500)

    @app.errorhandler(StaleDataError)
    def _stale(exc):
        from core.extensions import db

        db.session.rollback()
        if wants_json():
            return error_response(409, STALE_MESSAGE, code="stale")
        flash(STALE_MESSAGE, "danger")
        return redirect(request.referrer or "/")

    @app.errorhandler(Exception)
    def _unexpected(exc):
        from core.extensions import db

        if app.testing and not app.config.get("HANDLE_UNEXPECTED_IN_TESTS"):
            raise exc
        app.logger.exception("unhandled error")
        db.session.rollback()
        return error_response(500)
