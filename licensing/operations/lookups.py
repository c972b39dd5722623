"""Records by the keys users type: a person by national ID, a licence by its number.

Screens and the API both go through these, so both answer a wrong key with the same message
next to the same field.
"""

from __future__ import annotations

from sqlalchemy import select

from core.errors import DomainError
from core.extensions import db
from core.persian import normalize_for_search
from licensing.models import Licence
from registry import operations as registry_ops
from registry.models import Company, Person

# Longest input treated as a licence number; anything longer cannot be one.
_MAX_NUMBER = 40


def find_licence(number: str | None) -> Licence | None:
    """A licence by its number (any digit forms)."""
    if not number or len(number) > _MAX_NUMBER or not number.isprintable():
        return None
    wanted = normalize_for_search(number).replace(" ", "").upper()
    return db.session.scalar(select(Licence).where(Licence.number == wanted))


def licence_by_number(number: str | None, *, field: str = "licence_number") -> Licence:
    """The licence with this number, or a Persian message on the field that named it."""
    if not (number or "").strip():
        raise DomainError("شماره پروانه را وارد کنید.", field=field)
    licence = find_licence(number)
    if licence is None:
        raise DomainError("پروانه‌ای با این شماره یافت نشد.", field=field)
    return licence


def person_by_national_id(national_id: str | None, *, field: str = "applicant_national_id") -> Person:
    """The registered person with this national ID, or a Persian message on the field."""
    person = registry_ops.find_person_by_national_id(national_id) if national_id else None
    if person is None:
        raise DomainError("شخصی با این کد ملی ثبت نشده است؛ نخست او را در «اشخاص» ثبت کنید.", field=field)
    return person


def company_by_national_id(
    national_id: str | None, *, field: str = "applicant_company_national_id"
) -> Company:
    """The registered company with this 11-digit national identifier, or a Persian message."""
    company = registry_ops.find_company_by_national_id(national_id) if national_id else None
    if company is None:
        raise DomainError(
            "شرکتی با این شناسه ملی ثبت نشده است؛ نخست آن را در «شرکت‌ها» ثبت کنید.", field=field
        )
    return company
