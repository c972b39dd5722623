"""The outbox: SMS and e-mail deliveries tried with back-off and logged; in-person and postal
delivery recorded by hand; the first delivery serves the letter."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from core.clock import TEHRAN, today_tehran, utcnow
from core.db import actor_id
from core.errors import DomainError
from core.extensions import db
from core.persian import clean_text
from core.settings import get_setting
from letters.models import Delivery, DeliveryAttempt, DeliveryChannel, DeliveryStatus, Letter
from letters.operations._common import base_context, valid_email, valid_mobile
from letters.operations.templates import render_text
from letters.wording import DEFAULT_SMS


def queue_deliveries(letter: Letter, sms_text: str) -> None:
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
    delivery.served_on = now.astimezone(TEHRAN).date()
    db.session.add(DeliveryAttempt(delivery=delivery, at=now, ok=True, detail=detail[:2000]))
    db.session.flush()
    problem = _served(delivery.letter, delivery.served_on, actor=actor, strict=False)
    if problem:
        db.session.add(DeliveryAttempt(delivery=delivery, at=now, ok=False, detail=problem))
        db.session.flush()
    return delivery


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
    mobile, email = valid_mobile(mobile), valid_email(email)
    channels = {d.channel for d in letter.deliveries if d.status != DeliveryStatus.FAILED}
    letter.recipient_mobile, letter.recipient_email = mobile, email
    now = utcnow()
    for channel, address in ((DeliveryChannel.SMS, mobile), (DeliveryChannel.EMAIL, email)):
        if address and channel not in channels:
            note = None
            if channel == DeliveryChannel.SMS:
                context = {
                    **base_context(letter.number, letter.letter_date, letter.recipient_name, ""),
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
