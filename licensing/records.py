"""Records kept beside an application or a licence: the site visits asked for, the fees paid, each
check's result as it stood when a step was taken, and the temporary booths a licensed office ran."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, TimestampMixin, enum_type, utcnow


class VisitRequestState(StrEnum):
    REQUESTED = "requested"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"requested": "درخواست شده", "done": "انجام شده", "cancelled": "لغو شده"}[self.value]


if TYPE_CHECKING:
    from licensing.models import Application, ApplicationStep, Licence
    from registry.models import Site


class Payment(Base):
    """A fee (حق امتیاز) paid for an application: integer rials, the bank's receipt."""

    __tablename__ = "payments"
    __label__ = "پرداخت"
    __table_args__ = (UniqueConstraint("bank", "receipt_number"),)
    __field_labels__ = {
        "amount_rials": "مبلغ (ریال)",
        "receipt_number": "شماره رسید",
        "bank": "بانک",
        "paid_on": "تاریخ پرداخت",
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    amount_rials: Mapped[int] = mapped_column(BigInteger)
    receipt_number: Mapped[str] = mapped_column(String(40))
    bank: Mapped[str] = mapped_column(String(60))
    paid_on: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    application: Mapped[Application] = relationship(back_populates="payments")

    def __repr__(self) -> str:
        return f"<Payment {self.receipt_number} {self.amount_rials}>"


class CheckRecord(Base):
    """The result of one eligibility check as it stood when a step was taken (put to the working
    group, decided, licence issued): what was decided on stays readable after the data moves."""

    __tablename__ = "check_records"
    __label__ = "نتیجه ثبت‌شده شرط"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("application_steps.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    passed: Mapped[bool]
    detail: Mapped[str] = mapped_column(Text)
    rule_class: Mapped[str] = mapped_column(String(20))
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_by: Mapped[str | None] = mapped_column(String(150))

    application: Mapped[Application] = relationship(back_populates="check_records")
    step: Mapped[ApplicationStep] = relationship()

    def __repr__(self) -> str:
        return f"<CheckRecord {self.code} {self.passed}>"


class TempBooth(TimestampMixin, Base):
    """باجه موقت: a licensed office serves for a few days at an event, with the working group's
    leave; the days of a Jalali year are counted against the setting."""

    __tablename__ = "temp_booths"
    __label__ = "باجه موقت"
    __field_labels__ = {
        "event": "مناسبت",
        "address": "نشانی",
        "starts_on": "از تاریخ",
        "ends_on": "تا تاریخ",
        "approval_ref": "شماره مصوبه کارگروه",
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    event: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    approval_ref: Mapped[str] = mapped_column(String(60))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    licence: Mapped[Licence] = relationship()

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def __repr__(self) -> str:
        return f"<TempBooth {self.licence_id} {self.starts_on}..{self.ends_on}>"


class VisitRequest(TimestampMixin, Base):
    """A site visit the licensing office asks inspectors for; the inspections module fills it in."""

    __tablename__ = "visit_requests"
    __label__ = "درخواست بازدید"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    purpose: Mapped[str] = mapped_column(String(40))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    address: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date]
    state: Mapped[VisitRequestState] = mapped_column(
        enum_type(VisitRequestState), default=VisitRequestState.REQUESTED
    )
    passed: Mapped[bool | None]
    result_notes: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    application: Mapped[Application | None] = relationship(back_populates="visit_requests")
    site: Mapped[Site | None] = relationship()

    def __repr__(self) -> str:
        return f"<VisitRequest {self.id} {self.state}>"
