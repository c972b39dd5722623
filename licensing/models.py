"""Applications and their workflow, documents, site-visit requests, working-group sessions, licences."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, TimestampMixin, VersionMixin, enum_type, utcnow
from registry.models import Company, County, HolderType, LocalityType, Person, Site, SiteKind


class ApplicationKind(StrEnum):
    NEW = "new"
    TRANSFER = "transfer"
    RENEWAL = "renewal"
    ADDRESS_CHANGE = "address_change"

    @property
    def label(self) -> str:
        return {
            "new": "صدور پروانه",
            "transfer": "انتقال",
            "renewal": "تمدید",
            "address_change": "تغییر نشانی",
        }[self.value]


class ApplicationState(StrEnum):
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    SITE_VISIT_REQUESTED = "site_visit_requested"
    READY_FOR_WG = "ready_for_wg"
    APPROVED = "approved"
    REJECTED = "rejected"
    DEFERRED = "deferred"
    LICENCE_ISSUED = "licence_issued"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            "received": "دریافت شده",
            "under_review": "در حال بررسی",
            "site_visit_requested": "در انتظار بازدید محل",
            "ready_for_wg": "آماده طرح در کارگروه",
            "approved": "تصویب شده",
            "rejected": "رد شده",
            "deferred": "مسکوت (تعویق)",
            "licence_issued": "پروانه صادر شد",
            "closed": "مختومه",
        }[self.value]

    @property
    def badge(self) -> str:
        return {
            "approved": "success",
            "licence_issued": "success",
            "rejected": "danger",
            "closed": "secondary",
            "deferred": "warning",
            "site_visit_requested": "info",
        }.get(self.value, "primary")

    @property
    def is_open(self) -> bool:
        return self not in (ApplicationState.LICENCE_ISSUED, ApplicationState.CLOSED)


# The one table of allowed workflow steps. WG decisions (approved/rejected/deferred) are taken only
# through a working-group session; issuing only through issue_licence.
TRANSITIONS: dict[ApplicationState, frozenset[ApplicationState]] = {
    ApplicationState.RECEIVED: frozenset({ApplicationState.UNDER_REVIEW, ApplicationState.CLOSED}),
    ApplicationState.UNDER_REVIEW: frozenset(
        {
            ApplicationState.SITE_VISIT_REQUESTED,
            ApplicationState.READY_FOR_WG,
            ApplicationState.CLOSED,
        }
    ),
    ApplicationState.SITE_VISIT_REQUESTED: frozenset(
        {ApplicationState.UNDER_REVIEW, ApplicationState.CLOSED}
    ),
    ApplicationState.READY_FOR_WG: frozenset(
        {
            ApplicationState.APPROVED,
            ApplicationState.REJECTED,
            ApplicationState.DEFERRED,
            ApplicationState.UNDER_REVIEW,
        }
    ),
    ApplicationState.DEFERRED: frozenset(
        {ApplicationState.READY_FOR_WG, ApplicationState.UNDER_REVIEW, ApplicationState.CLOSED}
    ),
    # An approved application the licence can no longer follow (expired or suspended meanwhile)
    # is closed with a reason rather than left blocking the licence forever.
    ApplicationState.APPROVED: frozenset({ApplicationState.LICENCE_ISSUED, ApplicationState.CLOSED}),
    ApplicationState.REJECTED: frozenset({ApplicationState.CLOSED}),
    ApplicationState.LICENCE_ISSUED: frozenset(),
    ApplicationState.CLOSED: frozenset(),
}

WG_DECISIONS = (ApplicationState.APPROVED, ApplicationState.REJECTED, ApplicationState.DEFERRED)


class LicenceStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return {
            "active": "معتبر",
            "suspended": "تعلیق",
            "revoked": "لغو شده",
            "expired": "منقضی",
            "superseded": "جایگزین شده",
        }[self.value]

    @property
    def badge(self) -> str:
        return {
            "active": "success",
            "suspended": "warning",
            "revoked": "danger",
            "expired": "secondary",
            "superseded": "secondary",
        }[self.value]


class DocumentType(Base):
    """An item of the document checklist for one kind of application (admin-editable data)."""

    __tablename__ = "document_types"
    __label__ = "نوع مدرک"
    __table_args__ = (UniqueConstraint("kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ApplicationKind] = mapped_column(enum_type(ApplicationKind))
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    required: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<DocumentType {self.kind}:{self.code}>"


OPEN_ON_LICENCE = "licence_id IS NOT NULL AND state NOT IN ('licence_issued', 'closed', 'rejected')"


class Application(TimestampMixin, VersionMixin, Base):
    __tablename__ = "applications"
    __label__ = "درخواست"
    __field_labels__ = {
        "state": "وضعیت",
        "number": "شماره",
        "kind": "نوع درخواست",
        "office_kind": "نوع دفتر",
        "applicant_id": "متقاضی",
        "received_on": "تاریخ دریافت",
        "due_on": "مهلت رسیدگی",
        "office_name": "نام دفتر",
        "address": "نشانی",
        "lat": "عرض جغرافیایی",
        "lon": "طول جغرافیایی",
        "postal_code": "کد پستی",
        "premises_m2": "مساحت محل",
        "notes": "یادداشت",
        "county_id": "شهرستان",
        "locality": "شهر یا روستا",
        "applicant_company_id": "شرکت متقاضی",
        "manager_id": "مدیر دفتر",
        "deputy_id": "جانشین مدیر دفتر",
        "via_power_of_attorney": "انتقال با وکالت‌نامه",
        "lease_ends_on": "پایان اجاره‌نامه محل",
        "premises_owned": "محل ملکی (سند)",
        "old_lease_ends_on": "پایان اجاره‌نامه محل فعلی",
    }
    __table_args__ = (
        Index("ix_applications_state_due", "state", "due_on"),
        # One open request per licence (a renewal and a transfer may not race each other).
        Index(
            "uq_applications_open_per_licence",
            "licence_id",
            unique=True,
            sqlite_where=text(
                "licence_id IS NOT NULL AND state NOT IN ('licence_issued', 'closed', 'rejected')"
            ),
            postgresql_where=text(
                "licence_id IS NOT NULL AND state NOT IN ('licence_issued', 'closed', 'rejected')"
            ),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[ApplicationKind] = mapped_column(enum_type(ApplicationKind))
    office_kind: Mapped[SiteKind] = mapped_column(enum_type(SiteKind))
    state: Mapped[ApplicationState] = mapped_column(
        enum_type(ApplicationState), default=ApplicationState.RECEIVED
    )
    # The natural person who applies and answers for the file; for a company, its managing director.
    applicant_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # Set when the applicant (transferee, new holder) is a company (legal person).
    applicant_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    # The office's manager and deputy (جانشین) who answer for it with the managing director.
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    via_power_of_attorney: Mapped[bool] = mapped_column(default=False, server_default=false())
    premises_owned: Mapped[bool] = mapped_column(default=False, server_default=false())
    lease_ends_on: Mapped[date | None]
    old_lease_ends_on: Mapped[date | None]
    # The licence acted on (transfer, renewal, address change) and its office.
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id", use_alter=True), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    received_on: Mapped[date]
    due_on: Mapped[date]
    # Proposed office (new) or proposed new address (address change).
    office_name: Mapped[str | None] = mapped_column(String(200))
    county_id: Mapped[int | None] = mapped_column(ForeignKey("counties.id"))
    locality: Mapped[str | None] = mapped_column(String(100))
    locality_type: Mapped[LocalityType | None] = mapped_column(enum_type(LocalityType))
    address: Mapped[str | None] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(String(10))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    premises_m2: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    closed_reason: Mapped[str | None] = mapped_column(Text)

    applicant: Mapped[Person] = relationship(foreign_keys=[applicant_id])
    applicant_company: Mapped[Company | None] = relationship()
    manager: Mapped[Person | None] = relationship(foreign_keys=[manager_id])
    deputy: Mapped[Person | None] = relationship(foreign_keys=[deputy_id])
    licence: Mapped[Licence | None] = relationship(foreign_keys=[licence_id])
    site: Mapped[Site | None] = relationship()
    county: Mapped[County | None] = relationship()
    steps: Mapped[list[ApplicationStep]] = relationship(
        back_populates="application", order_by="ApplicationStep.id"
    )
    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application", order_by="ApplicationDocument.id"
    )
    overrides: Mapped[list[CheckOverride]] = relationship(back_populates="application")
    visit_requests: Mapped[list[VisitRequest]] = relationship(
        back_populates="application", order_by="VisitRequest.id"
    )
    payments: Mapped[list[Payment]] = relationship(back_populates="application", order_by="Payment.id")
    check_records: Mapped[list[CheckRecord]] = relationship(
        back_populates="application", order_by="CheckRecord.id"
    )

    @property
    def holder_type(self) -> HolderType:
        return HolderType.LEGAL if self.applicant_company_id else HolderType.NATURAL

    @property
    def applicant_name(self) -> str:
        if self.applicant_company is not None:
            return f"{self.applicant_company.name} (مدیرعامل: {self.applicant.full_name})"
        return self.applicant.full_name

    def __repr__(self) -> str:
        return f"<Application {self.number} {self.kind} {self.state}>"


class ApplicationStep(Base):
    """One workflow step: who moved the application, from which state to which, when, why."""

    __tablename__ = "application_steps"
    __label__ = "گام درخواست"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    from_state: Mapped[ApplicationState | None] = mapped_column(enum_type(ApplicationState))
    to_state: Mapped[ApplicationState] = mapped_column(enum_type(ApplicationState))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(150))
    note: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="steps")

    def __repr__(self) -> str:
        return f"<ApplicationStep {self.from_state}->{self.to_state}>"


class ApplicationDocument(Base):
    __tablename__ = "application_documents"
    __label__ = "مدرک درخواست"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    document_type_id: Mapped[int] = mapped_column(ForeignKey("document_types.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    application: Mapped[Application] = relationship(back_populates="documents")
    document_type: Mapped[DocumentType] = relationship()

    def __repr__(self) -> str:
        return f"<ApplicationDocument {self.filename}>"


class CheckOverride(Base):
    """A failed eligibility check overruled by an officer, with the written reason (audited)."""

    __tablename__ = "check_overrides"
    __label__ = "نادیده گرفتن شرط"
    __table_args__ = (UniqueConstraint("application_id", "check_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    check_code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    application: Mapped[Application] = relationship(back_populates="overrides")
    actor = relationship("User")

    @property
    def actor_name(self) -> str:
        return (self.actor.full_name or self.actor.username) if self.actor is not None else "سامانه"

    def __repr__(self) -> str:
        return f"<CheckOverride {self.check_code}>"


class Licence(TimestampMixin, VersionMixin, Base):
    """پروانه: a numbered licence for one office and holder, with validity dates and a status."""

    __tablename__ = "licences"
    __label__ = "پروانه"
    __field_labels__ = {
        "status": "وضعیت",
        "expires_on": "تاریخ انقضا",
        "issued_on": "تاریخ صدور",
        "holder_id": "دارنده",
        "address": "نشانی",
        "suspended_until": "تعلیق تا",
        "holder_company_id": "شرکت دارنده",
    }
    __table_args__ = (
        # One live (active or suspended) licence per office.
        Index(
            "uq_licences_live_per_site",
            "site_id",
            unique=True,
            sqlite_where=text("status IN ('active', 'suspended')"),
            postgresql_where=text("status IN ('active', 'suspended')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    office_kind: Mapped[SiteKind] = mapped_column(enum_type(SiteKind))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    # The natural person who answers for the licence: the holder, or the holding company's
    # managing director when it was issued.
    holder_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    holder_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    previous_licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id"))
    issued_on: Mapped[date] = mapped_column(index=True)
    expires_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[LicenceStatus] = mapped_column(enum_type(LicenceStatus), default=LicenceStatus.ACTIVE)
    status_reason: Mapped[str | None] = mapped_column(Text)
    suspended_until: Mapped[date | None]
    # Snapshot printed on the certificate.
    office_name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)
    # Unguessable token in the QR code's verification URL.
    verify_token: Mapped[str] = mapped_column(String(40), unique=True)
    renewed_on: Mapped[date | None]

    site: Mapped[Site] = relationship()
    holder: Mapped[Person] = relationship()
    holder_company: Mapped[Company | None] = relationship()
    application: Mapped[Application | None] = relationship(foreign_keys=[application_id], post_update=True)
    previous_licence: Mapped[Licence | None] = relationship(remote_side=[id])
    terms: Mapped[list[LicenceTerm]] = relationship(
        back_populates="licence", order_by="(LicenceTerm.effective_on, LicenceTerm.id)"
    )

    @property
    def holder_name(self) -> str:
        """Who holds the licence, as printed: the company, or the person."""
        return self.holder_company.name if self.holder_company is not None else self.holder.full_name

    def is_valid_on(self, day: date) -> bool:
        """Whether the licence is in force on that day."""
        return self.status == LicenceStatus.ACTIVE and self.issued_on <= day <= self.expires_on

    def __repr__(self) -> str:
        return f"<Licence {self.number} {self.status}>"


class WorkingGroupSession(TimestampMixin, VersionMixin, Base):
    """جلسه کارگروه استانی"""

    __tablename__ = "wg_sessions"
    __label__ = "جلسه کارگروه"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    held_on: Mapped[date] = mapped_column(index=True)
    place: Mapped[str | None] = mapped_column(String(200))
    closed: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(Text)

    attendees: Mapped[list[WorkingGroupAttendee]] = relationship(
        back_populates="session", order_by="WorkingGroupAttendee.id", cascade="all, delete-orphan"
    )
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="session", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<WorkingGroupSession {self.number}>"


class WorkingGroupAttendee(Base):
    __tablename__ = "wg_attendees"
    __label__ = "حاضر در کارگروه"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("wg_sessions.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(150))
    title: Mapped[str | None] = mapped_column(String(150))
    organisation: Mapped[str] = mapped_column(String(200))

    session: Mapped[WorkingGroupSession] = relationship(back_populates="attendees")

    def __repr__(self) -> str:
        return f"<WorkingGroupAttendee {self.full_name}>"


class AgendaItem(Base):
    __tablename__ = "wg_agenda_items"
    __label__ = "دستور جلسه کارگروه"
    __table_args__ = (UniqueConstraint("session_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("wg_sessions.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    decision: Mapped[ApplicationState | None] = mapped_column(enum_type(ApplicationState))
    reasons: Mapped[str | None] = mapped_column(Text)

    session: Mapped[WorkingGroupSession] = relationship(back_populates="items")
    application: Mapped[Application] = relationship()

    def __repr__(self) -> str:
        return f"<AgendaItem {self.session_id}:{self.application_id} {self.decision}>"


# Site-visit requests, payments, stored check results and temporary booths live in
# licensing/records.py; imported here so that `licensing.models` names every licensing table.
from licensing.records import CheckRecord, Payment, TempBooth, VisitRequest, VisitRequestState  # noqa: E402
from licensing.terms_model import LicenceTerm, TermKind  # noqa: E402

__all__ = [
    "CheckRecord",
    "LicenceTerm",
    "Payment",
    "TempBooth",
    "TermKind",
    "VisitRequest",
    "VisitRequestState",
]
