"""The register: numbering, producing a letter for an event or writing one by hand, finding letters."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from core.clock import today_tehran
from core.counters import next_value
from core.db import actor_id
from core.errors import DomainError
from core.extensions import db
from core.persian import clean_text, jalali, search_terms
from core.settings import get_setting
from letters.models import Delivery, DeliveryStatus, Letter, LetterKind
from letters.operations._common import LIMITS, base_context, valid_email, valid_mobile
from letters.operations.correspondents import find_correspondent
from letters.operations.outbox import queue_deliveries
from letters.operations.templates import render_text, wording_for
from letters.wording import DEFAULT_SMS
from registry.models import Person, Site

# ---------------------------------------------------------------- numbering


def next_letter_number(day: date) -> tuple[str, int, int]:
    """(number, Jalali year, serial): prefix/year/serial, the serial counting per Jalali year."""
    year = jalali(day).year
    serial = next_value(f"letter:{year}")
    prefix = clean_text(get_setting("letters.number_prefix"))
    number = f"{year}/{serial}" if not prefix else f"{prefix}/{year}/{serial}"
    return number, year, serial


# ---------------------------------------------------------------- producing letters


@dataclass
class Recipient:
    """Who a letter goes to and how to reach them."""

    name: str
    person: Person | None = None
    site: Site | None = None
    company: str | None = None
    organisation: str | None = None
    mobile: str | None = None
    email: str | None = None
    address: str | None = None

    @classmethod
    def of_person(cls, person: Person, *, site: Site | None = None) -> Recipient:
        return cls(
            name=person.full_name,
            person=person,
            site=site,
            mobile=person.mobile,
            address=site.address if site else None,
        )

    @classmethod
    def of_organisation(cls, name: str, *, site: Site | None = None) -> Recipient:
        """An organisation; its e-mail, mobile and address come from the correspondents list."""
        name = clean_text(name)
        known = find_correspondent(name)
        return cls(
            name=name,
            organisation=name,
            site=site,
            mobile=known.mobile if known else None,
            email=known.email if known else None,
            address=known.address if known else None,
        )


@dataclass
class Draft:
    """What an event's letter says: recipient, the template's fields, the record it is about."""

    kind: LetterKind
    recipient: Recipient
    fields: dict[str, Any]
    record_type: str | None = None
    record_id: int | None = None
    due_on: date | None = None
    # A letter that must go once per record (an expiry reminder) is not produced twice.
    once: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _already_produced(draft: Draft) -> Letter | None:
    return db.session.scalar(
        select(Letter).where(
            Letter.kind == draft.kind,
            Letter.record_type == draft.record_type,
            Letter.record_id == draft.record_id,
            # An expiry reminder is once per term: the same licence renewed has a new last day.
            Letter.due_on.is_(None) if draft.due_on is None else Letter.due_on == draft.due_on,
        )
    )


def issue_letter(
    draft: Draft,
    *,
    actor,
    letter_date: date | None = None,
    subject: str | None = None,
    body: str | None = None,
    signer_name: str | None = None,
    signer_title: str | None = None,
) -> Letter:
    """Number a letter, word it (from its template unless the text is given) and queue its SMS
    and e-mail deliveries."""
    letter_date = letter_date or today_tehran()
    signer_name = clean_text(signer_name) or clean_text(get_setting("letters.signer_name"))
    signer_title = clean_text(signer_title) or clean_text(get_setting("letters.signer_title")) or None
    number, year, serial = next_letter_number(letter_date)
    recipient = draft.recipient
    context = {**base_context(number, letter_date, recipient.name, signer_name), **draft.fields}
    wording = wording_for(draft.kind) if draft.kind != LetterKind.HANDWRITTEN else None
    subject = subject if subject is not None else render_text(wording.subject, context)
    context["subject"] = subject
    body = body if body is not None else render_text(wording.body, context)
    letter = Letter(
        number=number,
        year=year,
        serial=serial,
        kind=draft.kind,
        letter_date=letter_date,
        recipient_name=recipient.name[: LIMITS["name"]],
        recipient_company=recipient.company,
        recipient_organisation=recipient.organisation,
        person=recipient.person,
        site=recipient.site,
        recipient_mobile=recipient.mobile,
        recipient_email=recipient.email,
        recipient_address=recipient.address,
        subject=subject[: LIMITS["subject"]],
        body=body,
        signer_name=signer_name,
        signer_title=signer_title,
        record_type=draft.record_type,
        record_id=draft.record_id,
        due_on=draft.due_on,
        verify_token=secrets.token_urlsafe(18),
        created_by_id=actor_id(actor),
    )
    db.session.add(letter)
    db.session.flush()
    sms_text = render_text(wording.sms_text if wording else DEFAULT_SMS, context)
    queue_deliveries(letter, sms_text)
    return letter


def produce_letter(kind: LetterKind | str, record: Any, *, actor, **details: Any) -> Letter | None:
    """The letter an event calls for (see letters/events.py for each kind's recipient and
    fields); None when a once-only letter was already produced or nobody can receive it."""
    from letters.events import draft_for

    draft = draft_for(LetterKind(kind), record, **details)
    if draft is None:
        return None
    if draft.once and _already_produced(draft) is not None:
        return None
    return issue_letter(draft, actor=actor)


def letters_about(record_type: str, record_id: int) -> list[Letter]:
    """The letters produced for one record, oldest first."""
    return list(
        db.session.scalars(
            select(Letter)
            .where(Letter.record_type == record_type, Letter.record_id == record_id)
            .order_by(Letter.id)
        )
    )


def write_letter(data: dict[str, Any], *, actor, today: date | None = None) -> Letter:
    """A letter written by hand: recipient, subject and text as typed, numbered like the rest."""
    today = today or today_tehran()
    letter_date = data.get("letter_date") or today
    if letter_date > today:
        raise DomainError("تاریخ نامه نمی‌تواند پس از امروز باشد.", field="letter_date")
    name = clean_text(data.get("recipient_name"))
    organisation = clean_text(data.get("recipient_organisation")) or None
    if not name and not organisation:
        raise DomainError("نام گیرنده یا سازمان را بنویسید.", field="recipient_name")
    subject = clean_text(data.get("subject"))
    if not subject:
        raise DomainError("موضوع نامه را بنویسید.", field="subject")
    body = (data.get("body") or "").strip()
    if not body:
        raise DomainError("متن نامه را بنویسید.", field="body")
    if len(body) > LIMITS["text"]:
        raise DomainError("متن نامه بیش از اندازه بلند است.", field="body")
    known = find_correspondent(organisation) if organisation else None
    recipient = Recipient(
        name=(name or organisation)[: LIMITS["name"]],
        company=clean_text(data.get("recipient_company")) or None,
        organisation=organisation,
        site=data.get("site"),
        person=data.get("person"),
        mobile=valid_mobile(data.get("recipient_mobile")) or (known.mobile if known else None),
        email=valid_email(data.get("recipient_email")) or (known.email if known else None),
        address=clean_text(data.get("recipient_address")) or (known.address if known else None),
    )
    return issue_letter(
        Draft(kind=LetterKind.HANDWRITTEN, recipient=recipient, fields={}),
        actor=actor,
        letter_date=letter_date,
        subject=subject[: LIMITS["subject"]],
        body=body,
        signer_name=data.get("signer_name"),
        signer_title=data.get("signer_title"),
    )


# ---------------------------------------------------------------- the register


@dataclass
class LetterFilters:
    kind: str | None = None
    q: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    delivery: str | None = None  # pending, failed, delivered, none


def search_letters(filters: LetterFilters) -> Select:
    """The register, newest first, with its filters."""
    stmt = select(Letter).options(selectinload(Letter.deliveries))
    if filters.kind:
        stmt = stmt.where(Letter.kind == LetterKind(filters.kind))
    if filters.date_from:
        stmt = stmt.where(Letter.letter_date >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(Letter.letter_date <= filters.date_to)
    if filters.delivery in ("pending", "failed", "delivered"):
        status = DeliveryStatus(filters.delivery)
        stmt = stmt.where(Letter.deliveries.any(Delivery.status == status))
    elif filters.delivery == "none":
        stmt = stmt.where(~Letter.deliveries.any())
    for term in search_terms(filters.q):
        like = f"%{term}%"
        stmt = stmt.where(
            or_(
                Letter.number.contains(term, autoescape=True),
                Letter.recipient_name.ilike(like),
                Letter.recipient_organisation.ilike(like),
                Letter.subject.ilike(like),
            )
        )
    return stmt.order_by(Letter.letter_date.desc(), Letter.id.desc())


def find_by_token(token: str) -> Letter | None:
    """The letter a verification QR code points to."""
    if not token or len(token) > 40:
        return None
    return db.session.scalar(select(Letter).where(Letter.verify_token == token))
