"""Business rules for letters: numbering, wording, producing and writing letters, attachments,
the outbox (SMS and e-mail with retries), hand-recorded delivery and service."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from core import storage
from core.clock import today_tehran, utcnow
from core.counters import next_value
from core.db import actor_id
from core.errors import DomainError
from core.extensions import db
from core.persian import (
    clean_text,
    digits_only,
    jalali,
    normalize_for_search,
    search_terms,
    to_persian_digits,
)
from core.settings import get_setting
from letters.models import (
    Correspondent,
    Delivery,
    DeliveryAttempt,
    DeliveryChannel,
    DeliveryStatus,
    Letter,
    LetterAttachment,
    LetterKind,
    LetterTemplate,
)
from letters.wording import DEFAULT_SMS, DEFAULTS, allowed_fields
from registry.models import Person, Site

LIMITS = {"name": 200, "subject": 300, "text": 20000, "email": 200, "address": 2000}

# ---------------------------------------------------------------- wording (sandboxed Jinja)

_env = SandboxedEnvironment(autoescape=False, keep_trailing_newline=False)


@dataclass
class Wording:
    subject: str
    body: str
    sms_text: str


def wording_for(kind: LetterKind) -> Wording:
    """The admin's wording of a kind of letter, else the default."""
    row = db.session.scalar(select(LetterTemplate).where(LetterTemplate.kind == kind))
    if row is not None:
        return Wording(row.subject, row.body, row.sms_text)
    subject, body = DEFAULTS[kind]
    return Wording(subject, body, DEFAULT_SMS)


def _check_template(text: str, kind: LetterKind, field_name: str) -> None:
    try:
        parsed = _env.parse(text)
    except TemplateSyntaxError as exc:
        line = to_persian_digits(exc.lineno)
        raise DomainError(f"قالب در سطر {line} نادرست است: {exc.message}", field=field_name) from exc
    unknown = sorted(meta.find_undeclared_variables(parsed) - set(allowed_fields(kind)))
    if unknown:
        raise DomainError("این نام‌ها در فیلدهای این نوع نامه نیستند: " + "، ".join(unknown), field=field_name)


def render_text(text: str, context: dict[str, Any]) -> str:
    """Render an admin's template in the sandbox; a failure is a Persian error, never a 500."""
    try:
        return _env.from_string(text).render(**context).strip()
    except Exception as exc:  # the sandbox refuses unsafe access with SecurityError, and so on
        raise DomainError(f"قالب نامه اجرا نشد: {exc}") from exc


def save_template(kind: LetterKind | str, data: dict[str, str], *, actor) -> LetterTemplate:
    """Store the admin's wording of a kind of letter after checking it parses and uses known fields."""
    kind = LetterKind(kind)
    if kind == LetterKind.HANDWRITTEN:
        raise DomainError("نامه دستی قالب ندارد.")
    values = {}
    for key, limit in (("subject", LIMITS["subject"]), ("body", LIMITS["text"]), ("sms_text", 1000)):
        text = (data.get(key) or "").strip()
        if not text:
            raise DomainError("این بخش قالب را بنویسید.", field=key)
        if len(text) > limit:
            raise DomainError("متن بیش از اندازه بلند است.", field=key)
        _check_template(text, kind, key)
        values[key] = text
    row = db.session.scalar(select(LetterTemplate).where(LetterTemplate.kind == kind))
    if row is None:
        row = LetterTemplate(kind=kind, **values)
        db.session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    db.session.flush()
    return row


def reset_template(kind: LetterKind | str, *, actor) -> None:
    """Go back to the default wording."""
    row = db.session.scalar(select(LetterTemplate).where(LetterTemplate.kind == LetterKind(kind)))
    if row is not None:
        db.session.delete(row)
        db.session.flush()


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


def _directorate() -> str:
    from registry.operations import province_name

    name = clean_text(get_setting("letters.directorate_name"))
    province = province_name()
    return f"{name} {province}" if province and province not in name else name


def _base_context(number: str, day: date, recipient: Recipient, signer: str) -> dict[str, Any]:
    from core.persian import format_jalali

    return {
        "number": number,
        "date": format_jalali(day),
        "recipient": recipient.name,
        "directorate": _directorate(),
        "signer": signer,
    }


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
    context = {**_base_context(number, letter_date, recipient, signer_name), **draft.fields}
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
    _queue_deliveries(letter, sms_text)
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


# ---------------------------------------------------------------- hand-written letters


def _valid_email(value: str | None, field: str = "recipient_email") -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or " " in value or len(value) > LIMITS["email"]:
        raise DomainError("نشانی رایانامه معتبر نیست.", field=field)
    return value


def _valid_mobile(value: str | None, field: str = "recipient_mobile") -> str | None:
    value = digits_only(value or "")
    if not value:
        return None
    if len(value) != 11 or not value.startswith("09"):
        raise DomainError("شماره همراه باید ۱۱ رقم و با ۰۹ آغاز شود.", field=field)
    return value


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
        mobile=_valid_mobile(data.get("recipient_mobile")) or (known.mobile if known else None),
        email=_valid_email(data.get("recipient_email")) or (known.email if known else None),
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


# ---------------------------------------------------------------- attachments


def attachment_path(attachment: LetterAttachment) -> Path:
    return storage.path(attachment.storage_key)


def add_attachment(letter: Letter, filename: str, content: bytes, *, actor) -> LetterAttachment:
    """Attach a PDF, PNG or JPEG file (its type read from its content) to a letter."""
    stored = storage.store(
        content,
        types=storage.DOCUMENTS,
        max_mb=get_setting("licensing.document_max_mb"),
        folder="letters",
    )
    attachment = LetterAttachment(
        letter=letter,
        filename=storage.display_name(filename),
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_by_id=actor_id(actor),
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


# ---------------------------------------------------------------- correspondents


def find_correspondent(name: str | None) -> Correspondent | None:
    """An organisation of the correspondents list by name (spelling variants folded)."""
    wanted = normalize_for_search(name)
    if not wanted:
        return None
    for row in db.session.scalars(select(Correspondent)):
        if normalize_for_search(row.name) == wanted:
            return row
    return None


def save_correspondent(row: Correspondent | None, data: dict[str, Any], *, actor) -> Correspondent:
    """Add or change an organisation of the correspondents list."""
    name = clean_text(data.get("name"))
    if not name:
        raise DomainError("نام سازمان را بنویسید.", field="name")
    other = find_correspondent(name)
    if other is not None and other is not row:
        raise DomainError("این سازمان پیش‌تر ثبت شده است.", field="name")
    values = {
        "name": name[: LIMITS["name"]],
        "email": _valid_email(data.get("email"), "email"),
        "mobile": _valid_mobile(data.get("mobile"), "mobile"),
        "address": clean_text(data.get("address")) or None,
    }
    if row is None:
        row = Correspondent(**values)
        db.session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    db.session.flush()
    return row


# ---------------------------------------------------------------- the outbox


def _queue_deliveries(letter: Letter, sms_text: str) -> None:
    now = utcnow()
    if letter.recipient_mobile:
        db.session.add(
            Delivery(
                letter=letter,
                channel=DeliveryChannel.SMS,
                address=letter.recipient_mobile,
                status=DeliveryStatus.PENDING,
                next_attempt_at=now,
                note=sms_text,
            )
        )
    if letter.recipient_email:
        db.session.add(
            Delivery(
                letter=letter,
                channel=DeliveryChannel.EMAIL,
                address=letter.recipient_email,
                status=DeliveryStatus.PENDING,
                next_attempt_at=now,
            )
        )
    db.session.flush()


def due_deliveries(now: datetime | None = None, limit: int = 200) -> list[Delivery]:
    """Outbox entries whose next attempt is due, oldest first."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Delivery)
            .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now)
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(limit)
        )
    )


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the n-th failed attempt: the setting's minutes, doubled each time."""
    return timedelta(minutes=get_setting("letters.delivery_retry_minutes") * 2 ** max(attempts - 1, 0))


def send_delivery(delivery: Delivery, *, actor=None, now: datetime | None = None) -> Delivery:
    """Try one outbox entry once through its channel; log the try; on failure schedule the next
    (with back-off) or give up after the allowed attempts; on success serve the letter."""
    from letters.channels import DeliveryError, send_email, send_sms

    if delivery.status != DeliveryStatus.PENDING:
        raise DomainError("این ارسال در صف نیست.")
    now = now or utcnow()
    delivery.attempts += 1
    try:
        if delivery.channel == DeliveryChannel.SMS:
            detail = send_sms(delivery.address, delivery.note or delivery.letter.subject)
        elif delivery.channel == DeliveryChannel.EMAIL:
            detail = send_email(delivery.letter, delivery.address)
        else:
            raise DomainError("تحویل حضوری و پستی با دست ثبت می‌شود.")
    except DeliveryError as exc:
        delivery.last_error = str(exc)[:2000]
        db.session.add(DeliveryAttempt(delivery=delivery, at=now, ok=False, detail=delivery.last_error))
        if delivery.attempts >= get_setting("letters.delivery_max_attempts"):
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        db.session.flush()
        return delivery
    delivery.status = DeliveryStatus.DELIVERED
    delivery.delivered_at = now
    delivery.next_attempt_at = None
    delivery.last_error = None
    delivery.served_on = now.astimezone(_tehran()).date()
    db.session.add(DeliveryAttempt(delivery=delivery, at=now, ok=True, detail=detail[:2000]))
    db.session.flush()
    problem = _served(delivery.letter, delivery.served_on, actor=actor, strict=False)
    if problem:
        db.session.add(DeliveryAttempt(delivery=delivery, at=now, ok=False, detail=problem))
        db.session.flush()
    return delivery


def _tehran():
    from core.clock import TEHRAN

    return TEHRAN


def process_outbox(*, actor=None, now: datetime | None = None, commit: bool = False) -> list[Delivery]:
    """Try every due outbox entry once (`flask letters send`); commit after each when asked."""
    done = []
    for delivery in due_deliveries(now):
        send_delivery(delivery, actor=actor, now=now)
        done.append(delivery)
        if commit:
            db.session.commit()
    return done


def retry_failed(delivery: Delivery, *, actor) -> Delivery:
    """Put a failed SMS or e-mail back in the outbox (after the address was corrected)."""
    if delivery.status != DeliveryStatus.FAILED:
        raise DomainError("فقط ارسال ناموفق دوباره در صف قرار می‌گیرد.")
    letter = delivery.letter
    delivery.address = (
        letter.recipient_mobile if delivery.channel == DeliveryChannel.SMS else letter.recipient_email
    ) or delivery.address
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    db.session.flush()
    return delivery


def update_contact(letter: Letter, *, mobile: str | None, email: str | None, actor) -> Letter:
    """Correct the recipient's mobile or e-mail; a new address gets its own outbox entry."""
    mobile, email = _valid_mobile(mobile), _valid_email(email)
    channels = {d.channel for d in letter.deliveries if d.status != DeliveryStatus.FAILED}
    letter.recipient_mobile, letter.recipient_email = mobile, email
    now = utcnow()
    for channel, address in ((DeliveryChannel.SMS, mobile), (DeliveryChannel.EMAIL, email)):
        if address and channel not in channels:
            note = None
            if channel == DeliveryChannel.SMS:
                context = {
                    **_base_context(letter.number, letter.letter_date, Recipient(letter.recipient_name), ""),
                    "subject": letter.subject,
                }
                note = render_text(DEFAULT_SMS, context)
            db.session.add(
                Delivery(
                    letter=letter,
                    channel=channel,
                    address=address,
                    status=DeliveryStatus.PENDING,
                    next_attempt_at=now,
                    note=note,
                )
            )
    db.session.flush()
    return letter


def record_delivery(
    letter: Letter,
    *,
    channel: DeliveryChannel | str,
    served_on: date | None,
    note: str | None,
    actor,
    today: date | None = None,
) -> Delivery:
    """Record a letter handed over in person or sent by post, with the day it was received."""
    try:
        channel = DeliveryChannel(channel)
    except ValueError as exc:
        raise DomainError("روش تحویل را انتخاب کنید.", field="channel") from exc
    if channel.automatic:
        raise DomainError("پیامک و رایانامه از صف ارسال فرستاده می‌شوند.", field="channel")
    today = today or today_tehran()
    if served_on is None:
        raise DomainError("تاریخ تحویل را وارد کنید.", field="served_on")
    if served_on > today:
        raise DomainError("تاریخ تحویل نمی‌تواند پس از امروز باشد.", field="served_on")
    if served_on < letter.letter_date:
        raise DomainError("تاریخ تحویل نمی‌تواند پیش از تاریخ نامه باشد.", field="served_on")
    delivery = Delivery(
        letter=letter,
        channel=channel,
        address=letter.recipient_address,
        status=DeliveryStatus.DELIVERED,
        attempts=1,
        delivered_at=utcnow(),
        served_on=served_on,
        note=clean_text(note) or None,
        recorded_by_id=actor_id(actor),
    )
    db.session.add(delivery)
    db.session.add(DeliveryAttempt(delivery=delivery, ok=True, detail=f"ثبت دستی: {channel.label}"))
    db.session.flush()
    _served(letter, served_on, actor=actor)
    return delivery


def _served(letter: Letter, day: date, *, actor, strict: bool = True) -> str | None:
    """The first delivery that reached the recipient is the letter's service date; a ruling's
    notice then serves the ruling (its appeal window opens from that day).

    strict: a refusal (e.g. the licence is suspended by another ruling) is raised to the clerk;
    otherwise (the outbox) it is returned for the delivery log and the letter stays delivered.
    """
    from letters.events import on_served

    if letter.served_on is not None:
        return None
    letter.served_on = day
    db.session.flush()
    if strict:
        on_served(letter, day, actor=actor)
        return None
    try:
        with db.session.begin_nested():
            on_served(letter, day, actor=actor)
    except DomainError as exc:
        return f"نامه تحویل شد ولی ابلاغ ثبت نشد: {exc.message}"
    return None


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
