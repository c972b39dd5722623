"""Refusals of inspection operations, with the HTTP status and code the API answers with."""

from __future__ import annotations

from core.errors import DomainError
from inspections.models import Visit


class InspectionError(DomainError):
    """A refusal with the HTTP status and code the API answers with (the views show the message)."""

    status = 422
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        status: int | None = None,
        fields: dict[str, str] | None = None,
    ):
        super().__init__(message, field=field)
        self.code = code or self.code
        self.status = status or self.status
        self.fields = fields or ({field: message} if field else {})


class InvalidVisit(InspectionError):
    """The visit's data does not pass validation; fields says which parts and why."""

    code = "validation"


class VisitConflict(InspectionError):
    """A visit with this UUID is already stored with other content (or by another inspector)."""

    status = 409
    code = "uuid_conflict"

    def __init__(self, visit: Visit):
        super().__init__(
            "بازدیدی با همین شناسه پیش‌تر با محتوای دیگری ثبت شده است؛ این نسخه "
            "ذخیره نشد. با کارشناس سامانه هماهنگ کنید."
        )
        self.visit = visit
