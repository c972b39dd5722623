"""Licences: issuing one on an approved application (new, transfer, address change, renewal),
suspending, revoking and reinstating it, and the daily job that keeps statuses true to dates."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from core.clock import today_tehran
from core.counters import next_value
from core.errors import DomainError
from core.events import announce
from core.extensions import db
from core.persian import clean_text, format_jalali, isolate_code, normalize_for_search
from core.settings import get_setting
from licensing.models import Application, ApplicationKind, Licence, LicenceStatus, TermKind
from licensing.operations import _dates as dates
from licensing.operations._common import LICENSING, S, jalali_year
from licensing.operations.applications import _move
from licensing.operations.eligibility import _require_still_eligible
from licensing.operations.terms import record_term
from registry import operations as registry_ops
from registry.models import Company, Person, Site, SiteKind, SiteStatus


def next_licence_number(office_kind: SiteKind, issued_on: date, province_code: str) -> str:
    """A number no other licence has: province-kind-year-serial, serial under a row lock.

    Serials run per province and year, so every province can issue from the same database.
    """
    year = jalali_year(issued_on)
    serial = next_value(f"licence:{province_code}:{year}")
    kind_code = {"counter_office": "P", "rural_ict_office": "R"}[office_kind.value]
    return f"{province_code}-{kind_code}-{year}-{serial:05d}"


def _new_licence(
    *,
    office_kind: SiteKind,
    site: Site,
    holder: Person,
    issued_on: date,
    expires_on: date,
    application: Application | None,
    previous: Licence | None = None,
    actor=None,
    term: TermKind = TermKind.ISSUE,
    note: str | None = None,
    holder_company: Company | None = None,
) -> Licence:
    """A numbered licence (numbered by its issue day's Jalali year) with its first term."""
    licence = Licence(
        number=next_licence_number(office_kind, issued_on, site.county.province.code),
        office_kind=office_kind,
        site=site,
        holder=holder,
        holder_company=holder_company,
        application=application,
        previous_licence=previous,
        issued_on=issued_on,
        expires_on=expires_on,
        status=LicenceStatus.ACTIVE,
        office_name=site.name,
        address=site.address,
        verify_token=secrets.token_urlsafe(18),
    )
    db.session.add(licence)
    db.session.flush()
    record_term(
        licence,
        term,
        on=issued_on,
        actor=actor,
        valid_from=issued_on,
        valid_to=expires_on,
        application=application,
        from_holder=previous.holder if previous is not None else None,
        to_holder=holder,
        note=note,
    )
    return licence


def _validity(office_kind: SiteKind) -> relativedelta:
    return relativedelta(years=get_setting(f"licence.validity_years.{office_kind.value}"))


@registry_ops.guard_site_changes
def _licensed_office_guard(site: Site, changed: set[str], authority: str | None) -> None:
    """A licensed office's operator, address and status change only through licensing: a
    transfer, an address change, a ruling. Direct edits would be an informal transfer."""
    if authority == LICENSING or not site.kind.is_office or site.id is None:
        return
    live = db.session.scalar(
        select(func.count())
        .select_from(Licence)
        .where(
            Licence.site_id == site.id, Licence.status.in_([LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED])
        )
    )
    if live:
        raise DomainError(
            "این دفتر پروانه معتبر دارد؛ متصدی، نشانی و وضعیت آن فقط با درخواست انتقال یا تغییر "
            "نشانی در کارگروه، یا رأی کمیته تخلفات تغییر می‌کند.",
            field="status" if changed == {"status"} else next(iter(sorted(changed))),
        )


def _supersede(licence: Licence, reason: str, *, on: date, application: Application, actor) -> None:
    record_term(licence, TermKind.SUPERSEDED, on=on, actor=actor, application=application, note=reason)


def issue_licence(application: Application, *, actor, issued_on: date | None = None) -> Licence:
    """Act on an approved application: issue, transfer, extend or reissue the licence."""
    if application.state != S.APPROVED:
        raise DomainError("فقط برای درخواست تصویب‌شده در کارگروه پروانه صادر می‌شود.")
    issued_on = issued_on or today_tehran()
    kind = application.kind
    old = application.licence
    dates.require_issue_date(application, issued_on)
    _require_still_eligible(application, at_issue=True)
    if old is not None and old.status != LicenceStatus.ACTIVE:
        raise DomainError(
            f"پروانه {isolate_code(old.number)} «{old.status.label}» است و این درخواست بر آن اجرا نمی‌شود."
        )
    if kind == ApplicationKind.NEW:
        site = registry_ops.create_site(
            {
                "kind": application.office_kind,
                "code": _new_site_code(application),
                "name": application.office_name,
                "county_id": application.county_id,
                "locality": application.locality,
                "locality_type": application.locality_type,
                "address": application.address,
                "postal_code": application.postal_code,
                "lat": application.lat,
                "lon": application.lon,
                "established_on": issued_on,
                "operator_id": _operator_id(application),
            },
            actor=actor,
        )
        application.site = site
        licence = _new_licence(
            office_kind=application.office_kind,
            site=site,
            holder=application.applicant,
            holder_company=application.applicant_company,
            issued_on=issued_on,
            expires_on=issued_on + _validity(application.office_kind),
            application=application,
            actor=actor,
        )
    elif kind == ApplicationKind.TRANSFER:
        site = old.site
        _supersede(
            old,
            f"انتقال به {application.applicant_name} (درخواست {application.number})",
            on=issued_on,
            application=application,
            actor=actor,
        )
        site_data = {k: getattr(site, k) for k in registry_ops.SITE_FIELDS}
        registry_ops.update_site(
            site,
            {**site_data, "operator_id": _operator_id(application)},
            actor=actor,
            authority=LICENSING,
        )
        licence = _new_licence(
            office_kind=old.office_kind,
            site=site,
            holder=application.applicant,
            holder_company=application.applicant_company,
            issued_on=issued_on,
            expires_on=old.expires_on,
            application=application,
            previous=old,
            actor=actor,
            term=TermKind.TRANSFER,
        )
    elif kind == ApplicationKind.ADDRESS_CHANGE:
        site = old.site
        site_data = {k: getattr(site, k) for k in registry_ops.SITE_FIELDS}
        registry_ops.update_site(
            site,
            {
                **site_data,
                "address": application.address,
                "lat": application.lat,
                "lon": application.lon,
                "postal_code": application.postal_code or site.postal_code,
                "locality": application.locality or site.locality,
            },
            actor=actor,
            authority=LICENSING,
        )
        _supersede(
            old,
            f"تغییر نشانی (درخواست {application.number})",
            on=issued_on,
            application=application,
            actor=actor,
        )
        licence = _new_licence(
            office_kind=old.office_kind,
            site=site,
            holder=old.holder,
            holder_company=old.holder_company,
            issued_on=issued_on,
            expires_on=old.expires_on,
            application=application,
            previous=old,
            actor=actor,
            term=TermKind.ADDRESS_CHANGE,
        )
    else:  # renewal extends the same licence from its current expiry
        licence = old
        record_term(
            licence,
            TermKind.RENEWAL,
            on=issued_on,
            actor=actor,
            valid_from=old.expires_on,
            valid_to=old.expires_on + _validity(old.office_kind),
            application=application,
        )
    _move(application, S.LICENCE_ISSUED, actor=actor, note=f"پروانه {isolate_code(licence.number)}")
    db.session.flush()
    announce("licence_issued", licence, actor=actor)
    return licence


def _operator_id(application: Application) -> int:
    """Who runs the office: a company's office manager (else its managing director), or the
    natural person who holds the licence."""
    if application.applicant_company is not None and application.manager_id is not None:
        return application.manager_id
    return application.applicant_id


def _new_site_code(application: Application) -> str:
    year = jalali_year(application.received_on)
    return f"L{year}{application.id:05d}"


def _office_follows(
    licence: Licence,
    to: SiteStatus,
    *,
    effective_on: date | None,
    reason: str,
    actor,
    only_from: SiteStatus | None = None,
) -> None:
    """The licensed office takes the licence's new state (through the registry, as licensing);
    with only_from, only an office in that state changes."""
    site = licence.site
    if site.status == to or (only_from is not None and site.status != only_from):
        return
    registry_ops.change_site_status(
        site, to, effective_on=effective_on, reason=reason, actor=actor, authority=LICENSING
    )


def suspend_licence(
    licence: Licence,
    *,
    until: date,
    reason: str,
    actor,
    effective_on: date | None = None,
    ruling_id: int | None = None,
) -> Licence:
    """Suspend a licence and its office until a date (a committee ruling does this)."""
    if licence.status != LicenceStatus.ACTIVE:
        raise DomainError(f"پروانه «{licence.status.label}» است و تعلیق نمی‌شود.")
    record_term(
        licence,
        TermKind.SUSPENSION,
        on=effective_on or today_tehran(),
        actor=actor,
        valid_from=effective_on or today_tehran(),
        valid_to=until,
        ruling_id=ruling_id,
        note=reason,
    )
    _office_follows(
        licence,
        SiteStatus.SUSPENDED,
        effective_on=effective_on,
        reason=reason,
        actor=actor,
        only_from=SiteStatus.ACTIVE,
    )
    db.session.flush()
    return licence


def revoke_licence(
    licence: Licence,
    *,
    reason: str,
    actor,
    effective_on: date | None = None,
    ruling_id: int | None = None,
) -> Licence:
    """Revoke a licence; its office is marked revoked."""
    if licence.status in (LicenceStatus.REVOKED, LicenceStatus.SUPERSEDED):
        raise DomainError(f"پروانه «{licence.status.label}» است و لغو نمی‌شود.")
    reason = clean_text(reason)
    if not reason:
        raise DomainError("دلیل لغو را بنویسید.", field="reason")
    record_term(
        licence,
        TermKind.REVOCATION,
        on=effective_on or today_tehran(),
        actor=actor,
        ruling_id=ruling_id,
        note=reason,
    )
    _office_follows(
        licence,
        SiteStatus.REVOKED,
        effective_on=effective_on,
        reason=reason,
        actor=actor,
    )
    db.session.flush()
    return licence


def reinstate_licence(
    licence: Licence,
    *,
    until: date | None,
    reason: str,
    actor,
    effective_on: date,
    ruling_id: int | None = None,
) -> Licence:
    """Put a licence back in force (active, or suspended until a day) when an appeal replaced the
    ruling that suspended or revoked it; the office follows."""
    record_term(
        licence,
        TermKind.REINSTATEMENT,
        on=effective_on,
        actor=actor,
        valid_from=effective_on,
        valid_to=until,
        ruling_id=ruling_id,
        note=reason,
    )
    site_status = SiteStatus.SUSPENDED if until else SiteStatus.ACTIVE
    _office_follows(
        licence,
        site_status,
        effective_on=effective_on,
        reason=reason,
        actor=actor,
    )
    db.session.flush()
    return licence


def lift_ended_suspensions(today: date | None = None, *, actor=None) -> list[Licence]:
    """Restore licences whose suspension ended before today. Safe to run twice."""
    today = today or today_tehran()
    ended = db.session.scalars(
        select(Licence).where(Licence.status == LicenceStatus.SUSPENDED, Licence.suspended_until < today)
    ).all()
    for licence in ended:
        until = licence.suspended_until
        record_term(
            licence,
            TermKind.LIFTING,
            on=until + timedelta(days=1),
            actor=actor,
            note=f"پایان تعلیق در {format_jalali(until)}",
        )
        _office_follows(
            licence,
            SiteStatus.ACTIVE,
            effective_on=until + timedelta(days=1),
            reason="پایان دوره تعلیق",
            actor=actor,
            only_from=SiteStatus.SUSPENDED,
        )
    db.session.flush()
    return list(ended)


def expire_licences(today: date | None = None) -> list[Licence]:
    """Mark active licences past their expiry date as expired. Safe to run twice."""
    today = today or today_tehran()
    expired = db.session.scalars(
        select(Licence).where(Licence.status == LicenceStatus.ACTIVE, Licence.expires_on < today)
    ).all()
    for licence in expired:
        record_term(
            licence,
            TermKind.EXPIRY,
            on=licence.expires_on + timedelta(days=1),
            actor=None,
            valid_to=licence.expires_on,
            note="پایان مدت اعتبار",
        )
        # A lapsed licence is given up (DOMAIN §1): the office stops counting as active.
        _office_follows(
            licence,
            SiteStatus.CLOSED,
            effective_on=licence.expires_on + timedelta(days=1),
            reason="پایان اعتبار پروانه",
            actor=None,
            only_from=SiteStatus.ACTIVE,
        )
    db.session.flush()
    return list(expired)


def open_renewal_windows(today: date | None = None, *, actor=None) -> list[Licence]:
    """Active licences whose renewal window is open today and that have no renewal request yet;
    each holder is reminded (once per term: the letters package keeps it to one). Safe to run
    twice."""
    today = today or today_tehran()
    opens = today + timedelta(days=get_setting("licence.renewal_window_open_days"))
    closes = today + timedelta(days=get_setting("licence.renewal_request_min_days_before_expiry"))
    pending_renewal = (
        select(Application.id)
        .where(
            Application.licence_id == Licence.id,
            Application.kind == ApplicationKind.RENEWAL,
            Application.state.not_in([S.CLOSED, S.REJECTED]),
        )
        .exists()
    )
    due = db.session.scalars(
        select(Licence)
        .where(
            Licence.status == LicenceStatus.ACTIVE,
            Licence.expires_on <= opens,
            Licence.expires_on >= closes,
            ~pending_renewal,
        )
        .order_by(Licence.expires_on, Licence.id)
    ).all()
    for licence in due:
        announce("expiry_reminder", licence, actor=actor)
    return list(due)


def expiring_licences(today: date | None = None) -> Select:
    """Active licences expiring within the follow-up window, soonest first."""
    today = today or today_tehran()
    horizon = today + timedelta(days=get_setting("licence.expiry_followup_days"))
    return (
        select(Licence)
        .options(joinedload(Licence.site), joinedload(Licence.holder))
        .where(Licence.status == LicenceStatus.ACTIVE, Licence.expires_on.between(today, horizon))
        .order_by(Licence.expires_on)
    )


def licence_history(site: Site) -> list[Licence]:
    """Every licence an office has had, newest first."""
    return list(
        db.session.scalars(
            select(Licence)
            .where(Licence.site_id == site.id)
            .order_by(Licence.issued_on.desc(), Licence.id.desc())
        )
    )


def application_licences(application: Application) -> list[Licence]:
    """The licences issued on an application (none until it is acted on)."""
    return list(db.session.scalars(select(Licence).where(Licence.application_id == application.id)))


def search_licences(
    *, status: LicenceStatus | str | None = None, q: str | None = None, expiring: bool = False
) -> Select:
    """Licences newest first, by status and part of the number; or those expiring soon."""
    if expiring:
        return expiring_licences()
    stmt = (
        select(Licence)
        .options(joinedload(Licence.holder))
        .order_by(Licence.issued_on.desc(), Licence.id.desc())
    )
    if status:
        stmt = stmt.where(Licence.status == LicenceStatus(status))
    if q:
        stmt = stmt.where(Licence.number.contains(normalize_for_search(q).upper(), autoescape=True))
    return stmt
