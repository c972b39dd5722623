"""Letters, their templates and attachments; deliveries (the outbox) and the delivery log."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, TimestampMixin, enum_type, utcnow
from registry.models import Person, Site


class LetterKind(StrEnum):
    MISSING_DOCUMENTS = "missing_documents"
    INQUIRY_REQUEST = "inquiry_request"
    WG_DECISION = "wg_decision"
    PAYMENT_DUE = "payment_due"
    LICENCE_ISSUED = "licence_issued"
    EXPIRY_REMINDER = "expiry_reminder"
    COMMITTEE_SUMMONS = "committee_summons"
    RULING_NOTICE = "ruling_notice"
    APPEAL_DECISION = "appeal_decision"
    BANK_REPORT = "bank_report"
    HANDWRITTEN = "handwritten"

    @property
    def label(self) -> str:
        return {
            "missing_documents": "اعلام نقص مدارک",
            "inquiry_request": "استعلام از سازمان",
            "wg_decision": "اعلام تصمیم کارگروه",
            "payment_due": "اعلام پرداخت حق امتیاز",
            "licence_issued": "اعلام صدور پروانه",
            "expiry_reminder": "یادآوری پایان اعتبار پروانه",
            "committee_summons": "احضار به کمیته تخلفات",
            "ruling_notice": "ابلاغ رأی کمیته",
            "appeal_decision": "ابلاغ نتیجه اعتراض",
            "bank_report": "گزارش بازدید به بانک",
            "handwritten": "نامه دستی",
        }[self.value]


class DeliveryChannel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    IN_PERSON = "in_person"
    POST = "post"

    @property
    def label(self) -> str:
        return {"sms": "پیامک", "email": "رایانامه", "in_person": "تحویل حضوری", "post": "پست"}[self.value]

    @property
    def automatic(self) -> bool:
        return self in (DeliveryChannel.SMS, DeliveryChannel.EMAIL)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"pending": "در صف ارسال", "delivered": "تحویل شد", "failed": "ناموفق"}[self.value]

    @property
    def badge(self) -> str:
        return {"pending": "info", "delivered": "success", "failed": "danger"}[self.value]


class Letter(TimestampMixin, Base):
    """نامه صادره: numbered in the directorate's register, with its recipient, text and signer."""

    __tablename__ = "letters"
    __label__ = "نامه"
    __field_labels__ = {
        "number": "شماره",
        "kind": "نوع",
        "letter_date": "تاریخ",
        "recipient_name": "گیرنده",
        "recipient_company": "شرکت",
        "recipient_organisation": "سازمان",
        "recipient_mobile": "تلفن همراه گیرنده",
        "recipient_email": "رایانامه گیرنده",
        "recipient_address": "نشانی گیرنده",
        "subject": "موضوع",
        "body": "متن",
        "signer_name": "امضاکننده",
        "signer_title": "سمت امضاکننده",
        "due_on": "مهلت",
        "served_on": "تاریخ ابلاغ",
    }
    __table_args__ = (
        UniqueConstraint("year", "serial"),
        Index("ix_letters_record", "record_type", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    year: Mapped[int]
    serial: Mapped[int]
    kind: Mapped[LetterKind] = mapped_column(enum_type(LetterKind), index=True)
    letter_date: Mapped[date] = mapped_column(index=True)
    # Who receives it: a person (with the company, if any), an office or site, an organisation.
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_company: Mapped[str | None] = mapped_column(String(200))
    recipient_organisation: Mapped[str | None] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    recipient_mobile: Mapped[str | None] = mapped_column(String(11))
    recipient_email: Mapped[str | None] = mapped_column(String(200))
    recipient_address: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    signer_name: Mapped[str] = mapped_column(String(150))
    signer_title: Mapped[str | None] = mapped_column(String(150))
    # The record whose event produced the letter (application, licence, ruling, ...), if any.
    record_type: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[int | None]
    # The answer or payment the letter asks for is due on this day; the service date is the
    # first delivery that reached the recipient.
    due_on: Mapped[date | None]
    served_on: Mapped[date | None]
    verify_token: Mapped[str] = mapped_column(String(40), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    person: Mapped[Person | None] = relationship()
    site: Mapped[Site | None] = relationship()
    attachments: Mapped[list[LetterAttachment]] = relationship(
        back_populates="letter", order_by="LetterAttachment.id"
    )
    deliveries: Mapped[list[Delivery]] = relationship(back_populates="letter", order_by="Delivery.id")

    @property
    def has_failed_delivery(self) -> bool:
        return any(d.status == DeliveryStatus.FAILED for d in self.deliveries)

    def __repr__(self) -> str:
        return f"<Letter {self.number} {self.kind}>"


class LetterTemplate(TimestampMixin, Base):
    """The admin's wording of one kind of letter (a sandboxed Jinja text); without a row the
    default wording of letters/wording.py is used."""

    __tablename__ = "letter_templates"
    __label__ = "قالب نامه"
    __field_labels__ = {"kind": "نوع نامه", "subject": "موضوع", "body": "متن", "sms_text": "متن پیامک"}

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LetterKind] = mapped_column(enum_type(LetterKind), unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sms_text: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<LetterTemplate {self.kind}>"


class LetterAttachment(Base):
    __tablename__ = "letter_attachments"
    __label__ = "پیوست نامه"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    letter: Mapped[Letter] = relationship(back_populates="attachments")

    def __repr__(self) -> str:
        return f"<LetterAttachment {self.filename}>"


class Correspondent(TimestampMixin, Base):
    """An organisation letters go to (a bank, the tax office, the police), with its addresses."""

    __tablename__ = "correspondents"
    __label__ = "سازمان طرف مکاتبه"
    __field_labels__ = {"name": "نام", "email": "رایانامه", "mobile": "تلفن همراه", "address": "نشانی"}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str | None] = mapped_column(String(200))
    mobile: Mapped[str | None] = mapped_column(String(11))
    address: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Correspondent {self.name}>"


class Delivery(TimestampMixin, Base):
    """One way a letter goes to its recipient. SMS and e-mail wait in the outbox (pending, with
    the time of the next attempt); in-person and post deliveries are recorded by hand."""

    __tablename__ = "letter_deliveries"
    __label__ = "ارسال نامه"
    __field_labels__ = {
        "channel": "روش",
        "address": "نشانی یا شماره",
        "status": "وضعیت",
        "attempts": "تلاش‌ها",
        "served_on": "تاریخ تحویل",
        "last_error": "آخرین خطا",
    }
    __table_args__ = (Index("ix_letter_deliveries_outbox", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id"), index=True)
    channel: Mapped[DeliveryChannel] = mapped_column(enum_type(DeliveryChannel))
    address: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[DeliveryStatus] = mapped_column(enum_type(DeliveryStatus), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    # The day the letter reached the recipient (Tehran date of delivered_at, or as recorded).
    served_on: Mapped[date | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    letter: Mapped[Letter] = relationship(back_populates="deliveries")
    log: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="delivery", order_by="DeliveryAttempt.id"
    )

    def __repr__(self) -> str:
        return f"<Delivery {self.channel} {self.status}>"


class DeliveryAttempt(Base):
    """The delivery log: each try, what the gateway or server answered."""

    __tablename__ = "letter_delivery_attempts"
    __label__ = "تلاش ارسال نامه"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("letter_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool]
    detail: Mapped[str] = mapped_column(Text)

    delivery: Mapped[Delivery] = relationship(back_populates="log")

    def __repr__(self) -> str:
        return f"<DeliveryAttempt {self.delivery_id} ok={self.ok}>"
