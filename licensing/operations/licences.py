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
from core.extensions import db
from core.persian import clean_text, format_jalali, isolate_code, normalize_for_search
from core.settings import get_setting
from licensing.models import Application, ApplicationKind, Licence, LicenceStatus
from licensing.operations._common import LICENSING, S, jalali_year
from licensing.operations.applications import _move
from licensing.operations.eligibility import _require_still_eligible
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
    holder_company: Company | None = None,
) -> Licence:
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


def _supersede(licence: Licence, reason: str) -> None:
    licence.status = LicenceStatus.SUPERSEDED
    licence.status_reason = reason


def issue_licence(application: Application, *, actor, issued_on: date | None = None) -> Licence:
    """Act on an approved application: issue, transfer, extend or reissue the licence."""
    if application.state != S.APPROVED:
        raise DomainError("فقط برای درخواست تصویب‌شده در کارگروه پروانه صادر می‌شود.")
    issued_on = issued_on or today_tehran()
    kind = application.kind
    old = application.licence
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
        )
    elif kind == ApplicationKind.TRANSFER:
        site = old.site
        _supersede(old, f"انتقال به {application.applicant_name} (درخواست {application.number})")
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
        _supersede(old, f"تغییر نشانی (درخواست {application.number})")
        licence = _new_licence(
            office_kind=old.office_kind,
            site=site,
            holder=old.holder,
            holder_company=old.holder_company,
            issued_on=issued_on,
            expires_on=old.expires_on,
            application=application,
            previous=old,
        )
    else:  # renewal extends the same licence from its current expiry
        licence = old
        licence.expires_on = old.expires_on + _validity(old.office_kind)
        licence.renewed_on = issued_on
    _move(application, S.LICENCE_ISSUED, actor=actor, note=f"پروانه {isolate_code(licence.number)}")
    db.session.flush()
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
    licence: Licence, *, until: date, reason: str, actor, effective_on: date | None = None
) -> Licence:
    """Suspend a licence and its office until a date (a committee ruling does this)."""
    if licence.status != LicenceStatus.ACTIVE:
        raise DomainError(f"پروانه «{licence.status.label}» است و تعلیق نمی‌شود.")
    licence.status = LicenceStatus.SUSPENDED
    licence.suspended_until = until
    licence.status_reason = clean_text(reason)
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


def revoke_licence(licence: Licence, *, reason: str, actor, effective_on: date | None = None) -> Licence:
    """Revoke a licence; its office is marked revoked."""
    if licence.status in (LicenceStatus.REVOKED, LicenceStatus.SUPERSEDED):
        raise DomainError(f"پروانه «{licence.status.label}» است و لغو نمی‌شود.")
    reason = clean_text(reason)
    if not reason:
        raise DomainError("دلیل لغو را بنویسید.", field="reason")
    licence.status = LicenceStatus.REVOKED
    licence.status_reason = reason
    licence.suspended_until = None
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
    licence: Licence, *, until: date | None, reason: str, actor, effective_on: date
) -> Licence:
    """Put a licence back in force (active, or suspended until a day) when an appeal replaced the
    ruling that suspended or revoked it; the office follows."""
    licence.status = LicenceStatus.SUSPENDED if until else LicenceStatus.ACTIVE
    licence.suspended_until = until
    licence.status_reason = clean_text(reason)
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
        licence.status = LicenceStatus.ACTIVE
        licence.status_reason = f"پایان تعلیق در {format_jalali(licence.suspended_until)}"
        until = licence.suspended_until
        licence.suspended_until = None
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
        licence.status = LicenceStatus.EXPIRED
        licence.status_reason = "پایان مدت اعتبار"
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
