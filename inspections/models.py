"""Checklists (versioned), visits with their answers and photos, and visit assignments."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from committees.models import Severity, ViolationType
from core.db import Base, TimestampMixin, enum_type, utcnow
from licensing.models import VisitRequest
from registry.models import OFFICE_KINDS, Site, SiteKind


class VisitPurpose(StrEnum):
    # The values of new_site, address_change and performance are the ones licensing's
    # VisitRequest.purpose uses.
    PERFORMANCE = "performance"
    HEALTH = "health"
    NEW_SITE = "new_site"
    ADDRESS_CHANGE = "address_change"
    COMPLAINT = "complaint"
    ATM_KIOSK = "atm_kiosk"

    @property
    def label(self) -> str:
        return {
            "performance": "کنترل عملکرد",
            "health": "شیوه‌نامه‌های بهداشتی",
            "new_site": "بازدید تأسیس (محل جدید)",
            "address_change": "بررسی نشانی جدید",
            "complaint": "پیگیری شکایت",
            "atm_kiosk": "بازدید خودپرداز / باجه",
        }[self.value]

    @property
    def for_licensing(self) -> bool:
        """Visits of this purpose answer a licensing application's site-visit request."""
        return self in (VisitPurpose.NEW_SITE, VisitPurpose.ADDRESS_CHANGE)

    @property
    def site_kinds(self) -> tuple[SiteKind, ...]:
        """The site kinds a visit of this purpose is made to."""
        if self == VisitPurpose.ATM_KIOSK:
            return (SiteKind.ATM, SiteKind.BANK_KIOSK)
        return OFFICE_KINDS


class AnswerType(StrEnum):
    YES_NO = "yes_no"
    NUMBER = "number"
    TEXT = "text"
    PHOTO = "photo"

    @property
    def label(self) -> str:
        return {"yes_no": "بله / خیر / موضوعیت ندارد", "number": "عدد", "text": "متن", "photo": "عکس الزامی"}[
            self.value
        ]


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_APPLICABLE = "na"

    @property
    def label(self) -> str:
        return {"yes": "بله", "no": "خیر", "na": "موضوعیت ندارد"}[self.value]


class Verdict(StrEnum):
    PASS = "pass"  # nosec B105  # a verdict, not a password
    FAIL = "fail"

    @property
    def label(self) -> str:
        return {"pass": "محل مورد تأیید است", "fail": "محل مورد تأیید نیست"}[self.value]  # nosec B105


class AssignmentState(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"planned": "برنامه‌ریزی شده", "done": "انجام شده", "cancelled": "لغو شده"}[self.value]

    @property
    def badge(self) -> str:
        return {"planned": "primary", "done": "success", "cancelled": "secondary"}[self.value]


# ---------------------------------------------------------------- checklists


class Checklist(TimestampMixin, Base):
    """The checklist for one purpose and site kind; its content lives in numbered versions."""

    __tablename__ = "checklists"
    __label__ = "چک‌لیست بازرسی"
    __field_labels__ = {"title": "عنوان", "active": "فعال", "purpose": "هدف بازدید", "site_kind": "نوع محل"}
    __table_args__ = (UniqueConstraint("purpose", "site_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[VisitPurpose] = mapped_column(enum_type(VisitPurpose))
    site_kind: Mapped[SiteKind] = mapped_column(enum_type(SiteKind))
    title: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)

    versions: Mapped[list[ChecklistVersion]] = relationship(
        back_populates="checklist", order_by="ChecklistVersion.number"
    )

    @property
    def current_version(self) -> ChecklistVersion | None:
        return self.versions[-1] if self.versions else None

    def __repr__(self) -> str:
        return f"<Checklist {self.purpose}:{self.site_kind}>"


class ChecklistVersion(Base):
    """One frozen edition of a checklist. Editing makes a new version; visits keep theirs."""

    __tablename__ = "checklist_versions"
    __label__ = "نسخه چک‌لیست"
    __table_args__ = (UniqueConstraint("checklist_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklists.id"), index=True)
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)

    checklist: Mapped[Checklist] = relationship(back_populates="versions")
    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="version", order_by="ChecklistItem.position"
    )
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ChecklistVersion {self.checklist_id} v{self.number}>"


class ChecklistItem(Base):
    __tablename__ = "checklist_items"
    __label__ = "بند چک‌لیست"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("checklist_versions.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(300))
    answer_type: Mapped[AnswerType] = mapped_column(enum_type(AnswerType))
    severity: Mapped[Severity] = mapped_column(enum_type(Severity), default=Severity.MEDIUM)
    # The violation a failed answer points to (the committee's catalogue), if any.
    violation_type_id: Mapped[int | None] = mapped_column(ForeignKey("violation_types.id"))
    required: Mapped[bool] = mapped_column(default=True)
    # Number items: an answer below this value counts as failed.
    min_value: Mapped[float | None] = mapped_column(Float)

    version: Mapped[ChecklistVersion] = relationship(back_populates="items")
    violation_type: Mapped[ViolationType | None] = relationship()

    def __repr__(self) -> str:
        return f"<ChecklistItem {self.version_id}:{self.position}>"


# ---------------------------------------------------------------- visits


class Visit(Base):
    """One visit, as the tablet sent it: one row per UUID, whatever the network did."""

    __tablename__ = "visits"
    __label__ = "بازدید"
    __field_labels__ = {
        "uuid": "شناسه بازدید",
        "purpose": "هدف بازدید",
        "site_id": "محل",
        "visit_request_id": "درخواست بازدید",
        "inspector_id": "بازرس",
        "complete": "کامل",
        "distance_m": "فاصله از محل ثبت‌شده",
        "verdict": "نتیجه",
    }
    __table_args__ = (
        CheckConstraint("site_id IS NOT NULL OR visit_request_id IS NOT NULL", name="target"),
        Index("ix_visits_site_visited", "site_id", "visited_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    purpose: Mapped[VisitPurpose] = mapped_column(enum_type(VisitPurpose))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    visit_request_id: Mapped[int | None] = mapped_column(ForeignKey("visit_requests.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_assignments.id"), index=True)
    checklist_version_id: Mapped[int] = mapped_column(ForeignKey("checklist_versions.id"))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The tablet's clock: when the visit was started and when it was saved.
    started_at: Mapped[datetime]
    device_saved_at: Mapped[datetime]
    # The server's clock when the visit arrived (maybe days later, after an offline trip).
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The tablet's clock when it sent the visit (X-Device-Time), beside the server's received_at:
    # their difference is the device clock's error, either way.
    device_sent_at: Mapped[datetime | None]
    clock_skew_s: Mapped[float | None]
    # The tablet's clock minus the GPS fix's own time (the satellites' clock).
    gps_skew_s: Mapped[float | None]
    # The day of the visit (Tehran), from the device clock unless it ran ahead of the server.
    visited_on: Mapped[date] = mapped_column(index=True)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    accuracy_m: Mapped[float | None]
    fix_at: Mapped[datetime | None]
    # The location the fix was compared with: the site's, or the request's proposed address.
    ref_lat: Mapped[float | None]
    ref_lon: Mapped[float | None]
    distance_m: Mapped[float | None]
    flag_too_far: Mapped[bool] = mapped_column(default=False)
    flag_poor_fix: Mapped[bool] = mapped_column(default=False)
    flag_no_fix: Mapped[bool] = mapped_column(default=False)
    flag_clock: Mapped[bool] = mapped_column(default=False)
    person_met: Mapped[str | None] = mapped_column(String(150))
    person_met_role: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    verdict: Mapped[Verdict | None] = mapped_column(enum_type(Verdict))
    failed_count: Mapped[int] = mapped_column(default=0)
    # SHA-256 of the canonical JSON the tablet sent: the same UUID must come with the same hash.
    payload_hash: Mapped[str] = mapped_column(String(64))
    photos_expected: Mapped[int] = mapped_column(default=0)
    complete: Mapped[bool] = mapped_column(default=True)
    # Whether this visit gave the licensing request its result (False if it was already closed).
    request_result_returned: Mapped[bool] = mapped_column(default=False)

    site: Mapped[Site | None] = relationship()
    visit_request: Mapped[VisitRequest | None] = relationship()
    assignment: Mapped[Assignment | None] = relationship(back_populates="visits")
    checklist_version: Mapped[ChecklistVersion] = relationship()
    inspector: Mapped[User] = relationship()
    answers: Mapped[list[VisitAnswer]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitAnswer.id"
    )
    photos: Mapped[list[VisitPhoto]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitPhoto.id"
    )

    @property
    def flagged(self) -> bool:
        return self.flag_too_far or self.flag_poor_fix or self.flag_no_fix or self.flag_clock

    @property
    def place_name(self) -> str:
        """The site's name, or the proposed office of a licensing request."""
        if self.site is not None:
            return self.site.name
        application = self.visit_request.application if self.visit_request else None
        return (application.office_name if application else None) or "محل پیشنهادی"

    @property
    def place_address(self) -> str:
        if (
            self.visit_request is not None
            and self.visit_request.address
            and (self.site is None or self.purpose == VisitPurpose.ADDRESS_CHANGE)
        ):
            return self.visit_request.address
        return self.site.address if self.site else ""

    def __repr__(self) -> str:
        return f"<Visit {self.uuid} {self.purpose}>"


class VisitAnswer(Base):
    """The answer to one checklist item. Not audited row by row: the visit's audited
    payload_hash already covers every answer, and answers are never edited."""

    __tablename__ = "visit_answers"
    __label__ = "پاسخ بازدید"
    __audit__ = False
    __table_args__ = (UniqueConstraint("visit_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"))
    choice: Mapped[Choice | None] = mapped_column(enum_type(Choice))
    number: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    failed: Mapped[bool] = mapped_column(default=False)

    visit: Mapped[Visit] = relationship(back_populates="answers")
    item: Mapped[ChecklistItem] = relationship()

    def __repr__(self) -> str:
        return f"<VisitAnswer {self.visit_id}:{self.item_id}>"


class VisitPhoto(Base):
    """A photo the visit declared; its bytes arrive in a separate request (received_at set)."""

    __tablename__ = "visit_photos"
    __label__ = "عکس بازدید"
    __table_args__ = (UniqueConstraint("visit_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_items.id"))
    caption: Mapped[str | None] = mapped_column(String(200))
    taken_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    content_type: Mapped[str | None] = mapped_column(String(30))
    size: Mapped[int | None]
    storage_key: Mapped[str | None] = mapped_column(String(120))

    visit: Mapped[Visit] = relationship(back_populates="photos")
    item: Mapped[ChecklistItem | None] = relationship()

    @property
    def arrived(self) -> bool:
        return self.received_at is not None

    def __repr__(self) -> str:
        return f"<VisitPhoto {self.visit_id}:{self.sha256[:12]}>"


# ---------------------------------------------------------------- planning


class Assignment(TimestampMixin, Base):
    """A visit planned for an inspector on a day, to a site or for a licensing request."""

    __tablename__ = "inspection_assignments"
    __label__ = "مأموریت بازدید"
    __field_labels__ = {
        "inspector_id": "بازرس",
        "planned_on": "تاریخ برنامه",
        "state": "وضعیت",
        "purpose": "هدف بازدید",
        "note": "یادداشت",
    }
    __table_args__ = (
        CheckConstraint("site_id IS NOT NULL OR visit_request_id IS NOT NULL", name="target"),
        Index("ix_inspection_assignments_inspector_day", "inspector_id", "planned_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    visit_request_id: Mapped[int | None] = mapped_column(ForeignKey("visit_requests.id"), index=True)
    purpose: Mapped[VisitPurpose] = mapped_column(enum_type(VisitPurpose))
    planned_on: Mapped[date]
    state: Mapped[AssignmentState] = mapped_column(
        enum_type(AssignmentState), default=AssignmentState.PLANNED
    )
    note: Mapped[str | None] = mapped_column(Text)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    inspector: Mapped[User] = relationship(foreign_keys=[inspector_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])
    site: Mapped[Site | None] = relationship()
    visit_request: Mapped[VisitRequest | None] = relationship()
    visits: Mapped[list[Visit]] = relationship(back_populates="assignment")

    @property
    def target_point(self) -> tuple[float, float] | None:
        """Where the inspector has to go: the request's proposed address, else the site."""
        request = self.visit_request
        if (
            request is not None
            and request.lat is not None
            and (self.site is None or self.purpose == VisitPurpose.ADDRESS_CHANGE)
        ):
            return request.lat, request.lon
        if self.site is not None and self.site.lat is not None:
            return self.site.lat, self.site.lon
        if request is not None and request.lat is not None:
            return request.lat, request.lon
        return None

    @property
    def target_name(self) -> str:
        if self.site is not None:
            return self.site.name
        application = self.visit_request.application if self.visit_request else None
        return (application.office_name if application else None) or "محل پیشنهادی"

    def __repr__(self) -> str:
        return f"<Assignment {self.id} {self.inspector_id} {self.planned_on}>"
