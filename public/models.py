"""The service catalogue, an office's public profile and citizens' complaints."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, TimestampMixin, VersionMixin, enum_type, utcnow
from registry.models import Site


class ServiceType(TimestampMixin, Base):
    """A service an office may offer citizens (the catalogue the admin keeps)."""

    __tablename__ = "service_types"
    __label__ = "خدمت"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    name_norm: Mapped[str] = mapped_column(String(150), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<ServiceType {self.name}>"


class OfficeService(Base):
    """That an office offers a service."""

    __tablename__ = "office_services"
    __label__ = "خدمت دفتر"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_types.id"), primary_key=True, index=True)

    service_type: Mapped[ServiceType] = relationship()

    def __repr__(self) -> str:
        return f"<OfficeService {self.site_id}:{self.service_type_id}>"


class OfficeHours(Base):
    """An office's working hours as shown to citizens."""

    __tablename__ = "office_hours"
    __label__ = "ساعات کار دفتر"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    hours: Mapped[str] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"<OfficeHours {self.site_id}>"


class ComplaintState(StrEnum):
    RECEIVED = "received"
    DISMISSED = "dismissed"
    AWAITING_ANSWER = "awaiting_answer"
    ANSWERED = "answered"
    INSPECTION = "inspection"
    REFERRED = "referred"

    @property
    def label(self) -> str:
        return COMPLAINT_STATE_LABELS[self]

    @property
    def public_label(self) -> str:
        """What the citizen following the code reads."""
        return COMPLAINT_PUBLIC_LABELS[self]


COMPLAINT_STATE_LABELS = {
    ComplaintState.RECEIVED: "دریافت شده، در انتظار بررسی",
    ComplaintState.DISMISSED: "رد شده",
    ComplaintState.AWAITING_ANSWER: "در انتظار پاسخ دفتر",
    ComplaintState.ANSWERED: "پاسخ دفتر دریافت شد",
    ComplaintState.INSPECTION: "بازرسی برنامه‌ریزی شد",
    ComplaintState.REFERRED: "ارجاع به کمیته تخلفات",
}
COMPLAINT_PUBLIC_LABELS = {
    ComplaintState.RECEIVED: "شکایت شما دریافت شده و در نوبت بررسی است.",
    ComplaintState.DISMISSED: "شکایت بررسی شد و قابل پیگیری تشخیص داده نشد.",
    ComplaintState.AWAITING_ANSWER: "از دفتر خواسته شده است به شکایت شما پاسخ دهد.",
    ComplaintState.ANSWERED: "پاسخ دفتر دریافت شده و در حال بررسی است.",
    ComplaintState.INSPECTION: "بازدید بازرس از دفتر برنامه‌ریزی شده است.",
    ComplaintState.REFERRED: "شکایت برای رسیدگی به کمیته تخلفات فرستاده شده است.",
}
# States a complaint may leave for the next; DISMISSED and REFERRED are final.
COMPLAINT_TRANSITIONS: dict[ComplaintState, frozenset[ComplaintState]] = {
    ComplaintState.RECEIVED: frozenset(
        {
            ComplaintState.DISMISSED,
            ComplaintState.AWAITING_ANSWER,
            ComplaintState.INSPECTION,
            ComplaintState.REFERRED,
        }
    ),
    ComplaintState.AWAITING_ANSWER: frozenset(
        {
            ComplaintState.ANSWERED,
            ComplaintState.DISMISSED,
            ComplaintState.INSPECTION,
            ComplaintState.REFERRED,
        }
    ),
    ComplaintState.ANSWERED: frozenset(
        {ComplaintState.DISMISSED, ComplaintState.INSPECTION, ComplaintState.REFERRED}
    ),
    ComplaintState.INSPECTION: frozenset({ComplaintState.DISMISSED, ComplaintState.REFERRED}),
    ComplaintState.DISMISSED: frozenset(),
    ComplaintState.REFERRED: frozenset(),
}


class Complaint(TimestampMixin, VersionMixin, Base):
    """A citizen's complaint about an office, followed by its tracking code."""

    __tablename__ = "complaints"
    __label__ = "شکایت"
    __audit_exclude__ = ("client_key",)
    __field_labels__ = {
        "tracking_code": "کد پیگیری",
        "site_id": "دفتر",
        "happened_on": "تاریخ رخداد",
        "description": "شرح شکایت",
        "complainant_name": "نام شاکی",
        "complainant_mobile": "تلفن همراه شاکی",
        "complainant_email": "پست الکترونیک شاکی",
        "state": "وضعیت",
        "decision_note": "توضیح رسیدگی",
        "answer_due_on": "مهلت پاسخ دفتر",
        "office_answer": "پاسخ دفتر",
    }
    __table_args__ = (
        Index("ix_complaints_state_received", "state", "received_at"),
        Index("ix_complaints_client_received", "client_key", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(12), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    happened_on: Mapped[date]
    description: Mapped[str] = mapped_column(Text)
    complainant_name: Mapped[str | None] = mapped_column(String(150))
    complainant_mobile: Mapped[str | None] = mapped_column(String(11))
    complainant_email: Mapped[str | None] = mapped_column(String(200))
    photo_key: Mapped[str | None] = mapped_column(String(100))
    # A keyed hash of the sender's address: enough to limit the rate, not to know who sent it.
    client_key: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[ComplaintState] = mapped_column(enum_type(ComplaintState), default=ComplaintState.RECEIVED)
    decision_note: Mapped[str | None] = mapped_column(Text)
    answer_due_on: Mapped[date | None]
    office_answer: Mapped[str | None] = mapped_column(Text)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_assignments.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    site: Mapped[Site] = relationship()

    @property
    def has_contact(self) -> bool:
        return bool(self.complainant_name or self.complainant_mobile or self.complainant_email)

    def __repr__(self) -> str:
        return f"<Complaint {self.tracking_code} {self.state}>"
