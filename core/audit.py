"""The append-only, keyed hash chain of the audit log.

Every flush that changes an audited row writes one event per row from the session's
``after_flush`` hook, so no operation can forget it. Each event carries the hash of the one
before it; ``verify_chain`` recomputes the chain and names the first broken link.

The hash is an HMAC-SHA256 under a key kept outside the database (``AUDIT_KEY`` or the key file
``AUDIT_KEY_FILE``), so whoever can write to the database cannot recompute the chain after an edit.
Each event names how it was hashed in ``hash_alg``: ``hmac-sha256:<key id>`` for keyed events, and
``sha256`` for the events written before keys existed (plain SHA-256, as they were). Plain events
are accepted only before the first keyed one: once the chain is keyed, it stays keyed. The head is
anchored outside the database by signed checkpoint files (``core/audit_anchor.py``).
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Index, String, Text, event, insert, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.audit_keys import HMAC_ALG, ChainKeys, chain_keys
from core.clock import as_utc
from core.db import Base, utcnow

GENESIS_HASH = "0" * 64
PLAIN_ALG = "sha256"


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None]
    actor_name: Mapped[str] = mapped_column(String(150))
    actor_role: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(80))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    client_address: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # "sha256" (events from before the key) or "hmac-sha256:<key id>".
    hash_alg: Mapped[str] = mapped_column(String(40), server_default=PLAIN_ALG)

    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    def __repr__(self) -> str:
        return f"<AuditEvent #{self.seq} {self.action} {self.object_type}:{self.object_id}>"


class AuditHead(Base):
    """One row: the last event's sequence number and hash. Locked to append in order."""

    __tablename__ = "audit_head"
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)

    def __repr__(self) -> str:
        return f"<AuditHead seq={self.seq}>"


# ---------------------------------------------------------------- who is acting


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str
    role: str
    address: str | None = None


SYSTEM = Actor(None, "system", "system")
_cli_actor: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)
_reason: ContextVar[str | None] = ContextVar("audit_reason", default=None)


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Attribute changes outside a request (CLI, jobs) to this actor."""
    token = _cli_actor.set(actor)
    try:
        yield
    finally:
        _cli_actor.reset(token)


@contextlib.contextmanager
def because(reason: str) -> Iterator[None]:
    """Attach a written reason to every event recorded inside the block."""
    token = _reason.set(reason)
    try:
        yield
    finally:
        _reason.reset(token)


def current_actor() -> Actor:
    """The request's logged-in user, else the CLI actor, else the system."""
    actor = _cli_actor.get()
    if actor is not None:
        return actor
    try:
        from flask import has_request_context, request
        from flask_login import current_user
    except ImportError:  # pragma: no cover
        return SYSTEM
    if has_request_context():
        address = request.remote_addr
        if current_user and current_user.is_authenticated:
            return Actor(current_user.id, current_user.username, str(current_user.role), address)
        return Actor(None, "anonymous", "anonymous", address)
    return SYSTEM


# ---------------------------------------------------------------- serialising values


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    return value


def _excluded(obj: object) -> set[str]:
    return set(getattr(obj, "__audit_exclude__", ()))


def _redacted(obj: object) -> set[str]:
    return set(getattr(obj, "__audit_redact__", ()))


def _snapshot(obj: object) -> dict[str, Any]:
    state = inspect(obj)
    out = {}
    skip, hide = _excluded(obj), _redacted(obj)
    for attr in state.mapper.column_attrs:
        if attr.key in skip:
            continue
        out[attr.key] = "***" if attr.key in hide else _jsonable(getattr(obj, attr.key))
    return out


def _changes(obj: object) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before, after = {}, {}
    skip, hide = _excluded(obj) | {"updated_at", "version"}, _redacted(obj)
    for attr in state.mapper.column_attrs:
        if attr.key in skip:
            continue
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if old == new:
            continue
        before[attr.key] = "***" if attr.key in hide else _jsonable(old)
        after[attr.key] = "***" if attr.key in hide else _jsonable(new)
    return before, after


def _object_id(obj: object) -> str | None:
    # The primary key is already set by the INSERT, though the identity key is assigned later.
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    if any(part is None for part in key):
        return None
    return "/".join(str(part) for part in key)


def _is_audited(obj: object) -> bool:
    return getattr(type(obj), "__audit__", True)


# ---------------------------------------------------------------- the chain


def event_hash(fields: dict[str, Any], prev_hash: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 (or plain SHA-256 for the events from before the key) over the event's
    canonical JSON and the previous hash."""
    payload = (
        prev_hash + json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    ).encode("utf-8")
    if key is None:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def _hashed_fields(row: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "seq",
        "actor_id",
        "actor_name",
        "actor_role",
        "action",
        "object_type",
        "object_id",
        "before",
        "after",
        "reason",
        "client_address",
    )
    fields = {k: row.get(k) for k in keys}
    # PostgreSQL answers in the session's time zone: hash the instant, always written in UTC.
    fields["occurred_at"] = as_utc(row["occurred_at"]).isoformat()
    return fields


def _append(connection, entries: list[dict[str, Any]]) -> None:
    if not entries:
        return
    head = connection.execute(
        select(AuditHead.seq, AuditHead.last_hash).where(AuditHead.id == 1).with_for_update()
    ).first()
    if head is None:
        connection.execute(insert(AuditHead).values(id=1, seq=0, last_hash=GENESIS_HASH))
        seq, prev = 0, GENESIS_HASH
    else:
        seq, prev = head
    keys = chain_keys()
    rows = []
    for entry in entries:
        seq += 1
        row = {**entry, "seq": seq, "occurred_at": utcnow().replace(microsecond=0)}
        row["prev_hash"] = prev
        row["hash"] = prev = event_hash(_hashed_fields(row), prev, keys.current)
        row["hash_alg"] = keys.alg
        rows.append(row)
    connection.execute(insert(AuditEvent), rows)
    connection.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, last_hash=prev))


def _entry(
    action: str,
    object_type: str,
    object_id: str | None,
    before,
    after,
    actor: Actor,
    reason: str | None,
) -> dict[str, Any]:
    return {
        "actor_id": actor.id,
        "actor_name": actor.name,
        "actor_role": actor.role,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
        "reason": reason,
        "client_address": actor.address,
    }


def log_event(
    session: Session,
    action: str,
    *,
    object_type: str,
    object_id: object = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
    actor: Actor | None = None,
) -> None:
    """Record an event that is not a row change (a login, an overruled check, an export)."""
    actor = actor or current_actor()
    _append(
        session.connection(),
        [
            _entry(
                action,
                object_type,
                None if object_id is None else str(object_id),
                before,
                after,
                actor,
                reason or _reason.get(),
            )
        ],
    )


@event.listens_for(Session, "after_flush")
def _record_flush(session: Session, _flush_context) -> None:
    actor = None
    entries = []
    reason = _reason.get()
    for kind, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not _is_audited(obj):
                continue
            if kind == "create":
                before, after = None, _snapshot(obj)
            elif kind == "delete":
                before, after = _snapshot(obj), None
            else:
                before, after = _changes(obj)
                if not after:
                    continue
            actor = actor or current_actor()
            entries.append(_entry(kind, obj.__tablename__, _object_id(obj), before, after, actor, reason))
    entries.sort(key=lambda e: (e["object_type"], e["object_id"] or "", e["action"]))
    _append(session.connection(), entries)


# ---------------------------------------------------------------- reading and verifying


@dataclass
class ChainReport:
    checked: int
    broken_seq: int | None = None
    problem: str | None = None
    head_hash: str = GENESIS_HASH
    first_keyed_seq: int | None = None
    hashes: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain(
    session: Session, batch: int = 5000, *, keys: ChainKeys | None = None, want: Iterable[int] = ()
) -> ChainReport:
    """Recompute every hash in order; report the first event whose link, content or key is wrong.

    ``want``: sequence numbers whose hashes the report should carry (to compare with checkpoints).
    """
    keys = keys or chain_keys()
    # The head first: events committed while we read (READ COMMITTED on PostgreSQL) come after it.
    head = session.execute(select(AuditHead.seq, AuditHead.last_hash).where(AuditHead.id == 1)).first()
    wanted = set(want) | ({head.seq} if head is not None else set())
    report = ChainReport(0)
    prev = GENESIS_HASH
    expected_seq = 1
    last_id = 0

    def broken(seq: int, problem: str) -> ChainReport:
        report.broken_seq, report.problem, report.head_hash = seq, problem, prev
        return report

    while True:
        rows = (
            session.execute(
                select(AuditEvent.__table__)
                .where(AuditEvent.id > last_id)
                .order_by(AuditEvent.id)
                .limit(batch)
            )
            .mappings()
            .all()
        )
        if not rows:
            break
        for row in rows:
            last_id = row["id"]
            if row["seq"] != expected_seq:
                return broken(row["seq"], f"expected event #{expected_seq}")
            if row["prev_hash"] != prev:
                return broken(row["seq"], "link to the previous event is broken")
            alg = row["hash_alg"] or PLAIN_ALG
            if alg == PLAIN_ALG:
                if report.first_keyed_seq is not None:
                    return broken(row["seq"], "an event without the key after keyed events")
                key = None
            elif alg.startswith(HMAC_ALG + ":"):
                key = keys.keys.get(alg.split(":", 1)[1])
                if key is None:
                    return broken(row["seq"], f"hashed with a key this server does not have ({alg})")
                if report.first_keyed_seq is None:
                    report.first_keyed_seq = row["seq"]
            else:
                return broken(row["seq"], f"unknown hash algorithm {alg!r}")
            if not hmac.compare_digest(event_hash(_hashed_fields(dict(row)), prev, key), row["hash"]):
                return broken(row["seq"], "content does not match its hash")
            prev = row["hash"]
            if row["seq"] in wanted:
                report.hashes[row["seq"]] = prev
            expected_seq += 1
            report.checked += 1
    report.head_hash = prev
    if head is not None and head.seq > 0:
        if report.checked < head.seq:
            return broken(report.checked + 1, "events after the last one are missing")
        if report.hashes.get(head.seq) != head.last_hash:
            return broken(head.seq, "the head does not match this event")
    return report


def history(session: Session, object_type: str, object_id: object) -> list[AuditEvent]:
    """Events about one record, oldest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
            .order_by(AuditEvent.seq)
        )
    )


__all__ = ["Actor", "AuditEvent", "acting_as", "because", "history", "log_event", "verify_chain"]
