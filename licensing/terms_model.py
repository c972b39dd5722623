"""A licence's history: one row per event, never rewritten (issue, renewal, transfer, address
change, suspension and its lifting, revocation, expiry); the licence's state is derived from them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, enum_type, utcnow

if TYPE_CHECKING:
    from licensing.models import Application, Licence
    from registry.models import Person


class TermKind(StrEnum):
    """What one row of a licence's history records (DOMAIN §1: issue, renewal, transfer, ...)."""

    ISSUE = "issue"
    RENEWAL = "renewal"
    TRANSFER = "transfer"
    ADDRESS_CHANGE = "address_change"
    SUSPENSION = "suspension"
    LIFTING = "lifting"
    REVOCATION = "revocation"
    REINSTATEMENT = "reinstatement"
    EXPIRY = "expiry"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return {
            "issue": "صدور",
            "renewal": "تمدید",
            "transfer": "انتقال",
            "address_change": "تغییر نشانی",
            "suspension": "تعلیق",
            "lifting": "رفع تعلیق",
            "revocation": "لغو",
            "reinstatement": "اعاده به اعتبار",
            "expiry": "انقضا",
            "superseded": "جایگزینی با پروانه تازه",
        }[self.value]


class LicenceTerm(Base):
    """One event of a licence's history, never rewritten: the licence's status and expiry are what
    its terms say, in order (Licence.status, expires_on, suspended_until and renewed_on are their
    cache, written only by licensing.operations.terms)."""

    __tablename__ = "licence_terms"
    __label__ = "سابقه پروانه"
    __table_args__ = (Index("ix_licence_terms_kind_on", "kind", "effective_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    kind: Mapped[TermKind] = mapped_column(enum_type(TermKind))
    # When it happened (may be earlier than when it was entered).
    effective_on: Mapped[date]
    # The validity the event gives: issue and renewal (from–to), a suspension's last day.
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    from_holder_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    to_holder_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    ruling_id: Mapped[int | None] = mapped_column(ForeignKey("rulings.id"))
    note: Mapped[str | None] = mapped_column(Text)
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(150))

    licence: Mapped[Licence] = relationship(back_populates="terms")
    application: Mapped[Application | None] = relationship()
    from_holder: Mapped[Person | None] = relationship(foreign_keys=[from_holder_id])
    to_holder: Mapped[Person | None] = relationship(foreign_keys=[to_holder_id])

    def __repr__(self) -> str:
        return f"<LicenceTerm {self.licence_id} {self.kind} {self.effective_on}>"
