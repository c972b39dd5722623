"""Companies (legal persons, اشخاص حقوقی): the registry's records of them, their managing director
and their directors and shareholders of record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from core.clock import today_tehran
from core.errors import STALE_MESSAGE, DomainError
from core.extensions import db
from core.forms import valid_company_id
from core.persian import clean_text, digits_only, search_terms
from registry.models import Company, CompanyMember, CompanyRole, Person

COMPANY_FIELDS = (
    "name",
    "national_id",
    "registration_number",
    "registered_on",
    "registration_office",
    "managing_director_id",
)


def find_company_by_national_id(national_id: str | None) -> Company | None:
    """The company with this 11-digit national identifier (any digits accepted)."""
    return db.session.scalar(select(Company).where(Company.national_id == digits_only(national_id)))


def _validate_company(data: dict[str, Any], company: Company | None) -> dict[str, Any]:
    data = dict(data)
    nid = digits_only(data.get("national_id"))
    if not valid_company_id(nid):
        raise DomainError("شناسه ملی شرکت باید ۱۱ رقم با رقم کنترل درست باشد.", field="national_id")
    data["national_id"] = nid
    other = find_company_by_national_id(nid)
    if other is not None and other is not company:
        raise DomainError("شرکتی با این شناسه ملی پیش‌تر ثبت شده است.", field="national_id")
    data["name"] = clean_text(data.get("name"))
    if not data["name"]:
        raise DomainError("نام شرکت را وارد کنید.", field="name")
    data["registration_number"] = digits_only(data.get("registration_number"))
    if not data["registration_number"] or len(data["registration_number"]) > 20:
        raise DomainError("شماره ثبت شرکت را وارد کنید (رقم).", field="registration_number")
    if data.get("registered_on") and data["registered_on"] > today_tehran():
        raise DomainError("تاریخ ثبت نمی‌تواند پس از امروز باشد.", field="registered_on")
    data["registration_office"] = clean_text(data.get("registration_office")) or None
    director = data.get("managing_director_id") and db.session.get(Person, data["managing_director_id"])
    if not director:
        raise DomainError("مدیرعامل را از میان اشخاص ثبت‌شده برگزینید.", field="managing_director_id")
    return data


def create_company(data: dict[str, Any], *, actor) -> Company:
    """Register a company (legal person); its national identifier must be valid and unused."""
    data = _validate_company(data, None)
    company = Company(**{k: data.get(k) for k in COMPANY_FIELDS})
    company.refresh_search_fields()
    db.session.add(company)
    db.session.flush()
    return company


def update_company(
    company: Company, data: dict[str, Any], *, actor, expected_version: int | None = None
) -> Company:
    """Change a company's details, its managing director included."""
    if expected_version is not None and expected_version != company.version:
        raise DomainError(STALE_MESSAGE)
    data = _validate_company(data, company)
    for key in COMPANY_FIELDS:
        setattr(company, key, data.get(key))
    company.refresh_search_fields()
    db.session.flush()
    return company


def add_company_member(
    company: Company, person: Person, role: CompanyRole | str, *, actor, share_percent: float | None = None
) -> CompanyMember:
    """Record a director or shareholder of the company."""
    role = CompanyRole(role)
    if any(m.person_id == person.id and m.role == role for m in company.members):
        raise DomainError(f"{person.full_name} پیش‌تر به عنوان {role.label} ثبت شده است.", field="person")
    if share_percent is not None and not 0 < share_percent <= 100:
        raise DomainError("سهم باید بین ۰ و ۱۰۰ درصد باشد.", field="share_percent")
    member = CompanyMember(company=company, person=person, role=role, share_percent=share_percent)
    db.session.add(member)
    db.session.flush()
    return member


def search_companies(query: str | None = None) -> Select:
    """Companies matching every word of the query by name or national identifier."""
    stmt = select(Company)
    for term in search_terms(query):
        stmt = stmt.where(
            or_(Company.name_norm.contains(term, autoescape=True), Company.national_id.startswith(term))
        )
    return stmt.order_by(Company.name_norm)
