"""Applications: registering a request, its workflow steps, and the officer's inbox."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from core.calendar import deadline_from
from core.clock import today_tehran
from core.counters import next_value
from core.db import actor_id
from core.errors import DomainError
from core.events import announce
from core.extensions import db
from core.persian import clean_text, search_terms
from core.settings import get_setting
from licensing.models import (
    TRANSITIONS,
    WG_DECISIONS,
    Application,
    ApplicationKind,
    ApplicationState,
    ApplicationStep,
    Licence,
)
from licensing.operations._common import S, jalali_year
from licensing.operations.documents import missing_documents
from licensing.operations.eligibility import _require_ready
from licensing.operations.kept_checks import keep_check_results
from licensing.operations.lookups import company_by_national_id, licence_by_number, person_by_national_id
from registry import operations as registry_ops
from registry.models import OFFICE_KINDS, Company, LocalityType, Person, SiteKind
from registry.postal import postal_code_problem


def _actor_name(actor) -> str:
    return getattr(actor, "full_name", None) or getattr(actor, "username", None) or "سامانه"


APPLICATION_FIELDS = (
    "office_name",
    "county_id",
    "locality",
    "locality_type",
    "address",
    "postal_code",
    "lat",
    "lon",
    "premises_m2",
    "notes",
    "via_power_of_attorney",
    "premises_owned",
    "lease_ends_on",
    "old_lease_ends_on",
)


# Requests on a licence that only its holder makes (a transfer is made by the transferee).
HOLDER_ONLY = (ApplicationKind.RENEWAL, ApplicationKind.ADDRESS_CHANGE)


def _holder_as_applicant(kind: ApplicationKind, licence: Licence, applicant: Person | None) -> Person:
    """Only the holder (a holding company's managing director) asks to renew a licence or move
    its office."""
    responsible = (
        licence.holder_company.managing_director if licence.holder_company is not None else licence.holder
    )
    if applicant is not None and applicant.id != responsible.id:
        who = (
            f"مدیرعامل شرکت دارنده ({responsible.full_name})"
            if licence.holder_company is not None
            else f"دارنده پروانه ({responsible.full_name})"
        )
        raise DomainError(f"درخواست {kind.label} را فقط {who} می‌دهد.", field="applicant_national_id")
    return responsible


def create_application(
    kind: ApplicationKind | str,
    *,
    actor,
    applicant: Person | None = None,
    applicant_national_id: str | None = None,
    licence: Licence | None = None,
    licence_number: str | None = None,
    office_kind: SiteKind | str | None = None,
    received_on: date | None = None,
    applicant_company: Company | None = None,
    applicant_company_national_id: str | None = None,
    manager: Person | None = None,
    deputy: Person | None = None,
    manager_national_id: str | None = None,
    deputy_national_id: str | None = None,
    **details: Any,
) -> Application:
    """Register a request; it starts as 'received' with its statutory deadline.

    The applicant and the licence are given as records or by the keys users type (national ID,
    licence number). A new office or a transfer is asked for by the applicant named; a renewal or
    an address change only by the licence's holder, who is the applicant when none is named.
    A company applies through its managing director, naming the office's manager and deputy.
    """
    kind = ApplicationKind(kind)
    received_on = received_on or today_tehran()
    if received_on > today_tehran():
        raise DomainError("تاریخ دریافت نمی‌تواند پس از امروز باشد.", field="received_on")
    if applicant_company is None and applicant_company_national_id:
        applicant_company = company_by_national_id(applicant_company_national_id)
    if applicant is None and applicant_national_id:
        applicant = person_by_national_id(applicant_national_id)
    if manager is None and manager_national_id:
        manager = person_by_national_id(manager_national_id, field="manager_national_id")
    if deputy is None and deputy_national_id:
        deputy = person_by_national_id(deputy_national_id, field="deputy_national_id")
    if kind != ApplicationKind.NEW and licence is None:
        licence = licence_by_number(licence_number)
    if kind in HOLDER_ONLY:
        applicant = _holder_as_applicant(kind, licence, applicant)
        applicant_company = licence.holder_company
    elif applicant_company is not None:
        if applicant is not None and applicant.id != applicant_company.managing_director_id:
            raise DomainError(
                f"درخواست شرکت را مدیرعامل آن ({applicant_company.managing_director.full_name}) می‌دهد.",
                field="applicant_national_id",
            )
        applicant = applicant_company.managing_director
    if applicant is None:
        raise DomainError("متقاضی را مشخص کنید.", field="applicant_national_id")
    data = {k: details.get(k) for k in APPLICATION_FIELDS}
    for key in ("office_name", "locality", "address", "notes"):
        data[key] = clean_text(data[key]) or None
    data["via_power_of_attorney"] = bool(data["via_power_of_attorney"])
    data["premises_owned"] = bool(data["premises_owned"])
    if data["postal_code"]:
        data["postal_code"] = registry_ops.digits_only(data["postal_code"])
        problem = postal_code_problem(data["postal_code"])
        if problem:
            raise DomainError(problem, field="postal_code")
    if kind == ApplicationKind.NEW:
        office_kind = SiteKind(office_kind or SiteKind.COUNTER_OFFICE)
        if office_kind not in OFFICE_KINDS:
            raise DomainError("پروانه فقط برای دفاتر پیشخوان و ICT روستایی صادر می‌شود.", field="office_kind")
        for key, label in (
            ("office_name", "نام دفتر"),
            ("county_id", "شهرستان"),
            ("locality", "شهر یا روستا"),
            ("address", "نشانی"),
        ):
            if not data[key]:
                raise DomainError(f"{label} را وارد کنید.", field=key)
        if data["lat"] is None or data["lon"] is None:
            raise DomainError("مختصات محل پیشنهادی را وارد کنید.", field="lat")
        data["locality_type"] = LocalityType(
            data["locality_type"]
            or (LocalityType.VILLAGE if office_kind == SiteKind.RURAL_ICT_OFFICE else LocalityType.CITY)
        )
        site = None
    else:
        office_kind = licence.office_kind
        site = licence.site
        if kind == ApplicationKind.ADDRESS_CHANGE:
            if not data["address"]:
                raise DomainError("نشانی جدید را وارد کنید.", field="address")
            if data["lat"] is None or data["lon"] is None:
                raise DomainError("مختصات نشانی جدید را وارد کنید.", field="lat")
        open_same = db.session.scalar(
            select(func.count())
            .select_from(Application)
            .where(
                Application.licence_id == licence.id,
                Application.state.not_in([S.LICENCE_ISSUED, S.CLOSED, S.REJECTED]),
            )
        )
        if open_same:
            raise DomainError("برای این پروانه درخواست باز دیگری در جریان است.", field="licence_number")
    year = jalali_year(received_on)
    application = Application(
        number=f"{year}-{next_value(f'application:{year}'):05d}",
        kind=kind,
        office_kind=office_kind,
        state=S.RECEIVED,
        applicant=applicant,
        applicant_company=applicant_company,
        manager=manager,
        deputy=deputy,
        licence=licence,
        site=site,
        received_on=received_on,
        due_on=deadline_from(received_on, f"licensing.deadline_days.{kind.value}"),
        **data,
    )
    db.session.add(application)
    db.session.flush()
    _record_step(application, None, S.RECEIVED, actor, "ثبت درخواست")
    return application


def _record_step(application: Application, from_state, to_state, actor, note=None) -> ApplicationStep:
    step = ApplicationStep(
        application=application,
        from_state=from_state,
        to_state=to_state,
        actor_id=actor_id(actor),
        actor_name=_actor_name(actor),
        note=note,
    )
    db.session.add(step)
    db.session.flush()
    return step


# Steps whose decision rests on the checks: their results are kept with the step.
CHECKS_KEPT_AT = frozenset({S.READY_FOR_WG, *WG_DECISIONS, S.LICENCE_ISSUED})


def transition(
    application: Application, to_state: ApplicationState | str, *, actor, note: str | None = None
) -> Application:
    """Move an application one step along its workflow; an illegal step is refused in Persian.

    The working group's decisions are taken only through record_decision, and the licence is
    issued only through issue_licence: this function refuses those steps.
    """
    to_state = ApplicationState(to_state)
    if to_state in (*WG_DECISIONS, S.LICENCE_ISSUED):
        raise DomainError("تصمیم کارگروه فقط در جلسه کارگروه و صدور پروانه فقط با دکمه صدور ثبت می‌شود.")
    return _move(application, to_state, actor=actor, note=note)


def _move(application: Application, to_state: ApplicationState, *, actor, note: str | None) -> Application:
    from_state = application.state
    if to_state not in TRANSITIONS[from_state]:
        raise DomainError(
            f"درخواست در وضعیت «{from_state.label}» است و نمی‌توان آن را به «{to_state.label}» برد."
        )
    if to_state == S.CLOSED and not clean_text(note):
        raise DomainError("دلیل مختومه کردن درخواست را بنویسید.", field="note")
    if to_state == S.READY_FOR_WG:
        _require_ready(application)
    application.state = to_state
    if to_state == S.CLOSED:
        application.closed_reason = clean_text(note)
    step = _record_step(application, from_state, to_state, actor, clean_text(note) or None)
    if to_state in CHECKS_KEPT_AT:
        keep_check_results(application, step)
    return application


# Applications whose applicant is vetted by other organisations (DOMAIN §1, §2).
INQUIRY_KINDS = (ApplicationKind.NEW, ApplicationKind.TRANSFER)


def start_review(application: Application, *, actor) -> Application:
    """دریافت → در حال بررسی: the applicant is told what is missing and the inquiries go out."""
    transition(application, S.UNDER_REVIEW, actor=actor)
    missing = missing_documents(application)
    if missing:
        announce("missing_documents", application, actor=actor, documents=missing)
    if application.kind in INQUIRY_KINDS:
        for organisation in get_setting("licensing.inquiry_organisations"):
            announce("inquiry_request", application, actor=actor, organisation=organisation)
    return application


def is_overdue(application: Application, today: date | None = None) -> bool:
    """Open and past its statutory deadline."""
    return application.state.is_open and application.due_on < (today or today_tehran())


def inbox(
    *,
    state: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    overdue_only: bool = False,
) -> Select:
    """Applications for the officer's day, by deadline; filters by state, kind and text."""
    stmt = select(Application).options(joinedload(Application.applicant))
    if state:
        stmt = stmt.where(Application.state == ApplicationState(state))
    else:
        stmt = stmt.where(Application.state.not_in([S.LICENCE_ISSUED, S.CLOSED]))
    if kind:
        stmt = stmt.where(Application.kind == ApplicationKind(kind))
    if overdue_only:
        stmt = stmt.where(
            Application.due_on < today_tehran(),
            Application.state.not_in([S.LICENCE_ISSUED, S.CLOSED]),
        )
    for term in search_terms(q):
        stmt = stmt.join(Person, Application.applicant).where(
            or_(
                Person.name_norm.contains(term, autoescape=True),
                Person.national_id.startswith(term, autoescape=True),
                Application.number.contains(term, autoescape=True),
            )
        )
    return stmt.order_by(Application.due_on, Application.id)
