"""A licence's history as terms: every event (issue, renewal, transfer, address change, suspension and
its lifting, revocation, reinstatement, expiry) is one row that is never rewritten. The licence's
status, expiry, suspension end and last renewal are derived from its terms; the licence row keeps
them as a cache (so lists and reports stay indexable) written only here, by `record_term`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import event, select

from core.clock import today_tehran
from core.errors import DomainError
from core.extensions import db
from core.persian import clean_text, local_datetime
from licensing.models import Application, Licence, LicenceStatus, LicenceTerm, TermKind
from registry.models import Person

# The terms that give a licence its validity (from–to), and those counted as a licence issued.
ISSUING = (TermKind.ISSUE, TermKind.TRANSFER, TermKind.ADDRESS_CHANGE)


@event.listens_for(LicenceTerm, "before_update")
def _never_rewritten(_mapper, _connection, term: LicenceTerm) -> None:
    raise DomainError("سابقه پروانه بازنویسی نمی‌شود؛ رویداد تازه ثبت کنید.")


@event.listens_for(LicenceTerm, "before_delete")
def _never_deleted(_mapper, _connection, term: LicenceTerm) -> None:
    raise DomainError("سابقه پروانه حذف نمی‌شود.")


def _actor_name(actor) -> str:
    return getattr(actor, "full_name", None) or getattr(actor, "username", None) or "سامانه"


@dataclass(frozen=True)
class LicenceState:
    status: LicenceStatus
    expires_on: date
    suspended_until: date | None
    renewed_on: date | None
    status_reason: str | None


def derive_state(terms: list[LicenceTerm]) -> LicenceState:
    """The licence's status and dates after its terms, applied in the order they happened."""
    status, expires, until, renewed, reason = LicenceStatus.ACTIVE, None, None, None, None
    for term in sorted(terms, key=lambda t: (t.effective_on, t.id or 0)):
        kind = term.kind
        if kind in ISSUING:
            status, expires, until = LicenceStatus.ACTIVE, term.valid_to, None
        elif kind == TermKind.RENEWAL:
            expires, renewed = term.valid_to, term.effective_on
        elif kind == TermKind.SUSPENSION:
            status, until = LicenceStatus.SUSPENDED, term.valid_to
        elif kind in (TermKind.LIFTING, TermKind.REINSTATEMENT):
            status = LicenceStatus.SUSPENDED if term.valid_to else LicenceStatus.ACTIVE
            until = term.valid_to
        elif kind == TermKind.REVOCATION:
            status, until = LicenceStatus.REVOKED, None
        elif kind == TermKind.EXPIRY:
            status = LicenceStatus.EXPIRED
            if term.valid_to:
                expires = term.valid_to
        elif kind == TermKind.SUPERSEDED:
            status = LicenceStatus.SUPERSEDED
        reason = term.note
    if expires is None:
        raise DomainError("پروانه هیچ رویداد صدوری ندارد.")
    return LicenceState(status, expires, until, renewed, reason)


def record_term(
    licence: Licence,
    kind: TermKind,
    *,
    on: date,
    actor,
    valid_from: date | None = None,
    valid_to: date | None = None,
    application: Application | None = None,
    ruling_id: int | None = None,
    from_holder: Person | None = None,
    to_holder: Person | None = None,
    note: str | None = None,
) -> LicenceTerm:
    """Append one event to a licence's history and bring the licence's cached state up to date."""
    if on > today_tehran():
        raise DomainError("رویداد پروانه به تاریخی پس از امروز ثبت نمی‌شود.", field="effective_on")
    term = LicenceTerm(
        licence=licence,
        kind=kind,
        effective_on=on,
        valid_from=valid_from,
        valid_to=valid_to,
        application=application,
        ruling_id=ruling_id,
        from_holder=from_holder,
        to_holder=to_holder,
        note=clean_text(note) or None,
        actor_id=getattr(actor, "id", None),
        actor_name=_actor_name(actor),
    )
    db.session.add(term)
    if term not in licence.terms:
        licence.terms.append(term)
    db.session.flush()
    _refresh_cache(licence)
    return term


def _refresh_cache(licence: Licence) -> None:
    state = derive_state(licence.terms)
    licence.status = state.status
    licence.expires_on = state.expires_on
    licence.suspended_until = state.suspended_until
    licence.renewed_on = state.renewed_on
    if state.status_reason is not None:
        licence.status_reason = state.status_reason


def entered_late(term: LicenceTerm) -> bool:
    """«ثبت با تأخیر»: the term was entered on a later Tehran day than the one it happened on."""
    return local_datetime(term.entered_at).date() != term.effective_on


def licence_terms(licence: Licence) -> list[LicenceTerm]:
    """The licence's history, and that of the licences it replaced, oldest first."""
    chain, seen = [], set()
    current: Licence | None = licence
    while current is not None and current.id not in seen:
        seen.add(current.id)
        chain.append(current.id)
        current = current.previous_licence
    return list(
        db.session.scalars(
            select(LicenceTerm)
            .where(LicenceTerm.licence_id.in_(chain))
            .order_by(LicenceTerm.effective_on, LicenceTerm.id)
        )
    )


def cache_disagreements() -> list[str]:
    """Licence numbers whose cached status or expiry is not what their terms say (should be none)."""
    wrong = []
    for licence in db.session.scalars(select(Licence).order_by(Licence.id)):
        state = derive_state(licence.terms)
        if (licence.status, licence.expires_on, licence.suspended_until) != (
            state.status,
            state.expires_on,
            state.suspended_until,
        ):
            wrong.append(licence.number)
    return wrong
