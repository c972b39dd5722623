"""The audit chain is keyed (HMAC under a key outside the database) and anchored by signed checkpoint
files outside the database: a rewritten and rehashed chain, a removed tail with the head fixed, and
emptied tables are all found by `flask audit verify` (issue 17, point 1)."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, text

from config import ProductionConfig
from core.app import create_app
from core.audit import (
    GENESIS_HASH,
    PLAIN_ALG,
    AuditEvent,
    _hashed_fields,
    event_hash,
    verify_chain,
)
from core.audit_anchor import AnchorError, _canonical, checkpoint_dir, write_checkpoint
from core.audit_keys import AuditKeyError, chain_keys
from core.clock import utcnow
from tests import factories


def _make_events(db, n: int = 4) -> None:
    for i in range(n):
        factories.make_person(first_name=f"نام{i}")
        db.session.commit()


@pytest.fixture(autouse=True)
def _guards_back_on(db):
    """On PostgreSQL the database outlives the test: switch the append-only triggers back on."""
    yield
    if db.engine.dialect.name == "postgresql":
        db.session.rollback()
        db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        db.session.commit()


def _unguard(db) -> None:
    """Get round the append-only triggers, as an attacker with the database's owner role would."""
    if db.engine.dialect.name == "postgresql":
        for trigger in ("audit_events_no_update", "audit_events_no_truncate"):
            db.session.execute(text(f"ALTER TABLE audit_events DISABLE TRIGGER {trigger}"))
    else:
        for trigger in ("audit_events_no_update", "audit_events_no_delete"):
            db.session.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))


def _rehash_all(db, key: bytes | None, alg: str) -> None:
    """Recompute every hash after an edit and update the head: the forgery plain SHA-256 allowed."""
    prev = GENESIS_HASH
    rows = db.session.execute(select(AuditEvent.__table__).order_by(AuditEvent.seq)).mappings().all()
    for row in rows:
        new_hash = event_hash(_hashed_fields(dict(row)), prev, key)
        db.session.execute(
            text("UPDATE audit_events SET prev_hash=:p, hash=:h, hash_alg=:a WHERE seq=:s"),
            {"p": prev, "h": new_hash, "a": alg, "s": row["seq"]},
        )
        prev = new_hash
    db.session.execute(
        text("UPDATE audit_head SET seq=:s, last_hash=:h WHERE id=1"), {"s": len(rows), "h": prev}
    )
    db.session.commit()


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_new_events_are_hmac_keyed(app, db):
    _make_events(db, 2)
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    keys = chain_keys()
    assert {e.hash_alg for e in events} == {keys.alg}
    first = events[0]
    assert first.hash == event_hash(_hashed_fields(first.__dict__), GENESIS_HASH, keys.current)
    assert first.hash != event_hash(_hashed_fields(first.__dict__), GENESIS_HASH)  # not plain SHA-256


def test_plain_events_from_before_the_key_still_verify_but_not_after_keyed_ones(app, db):
    # Two events as the application wrote them before migration 0007: plain SHA-256, marked "sha256".
    db.session.execute(text("UPDATE audit_head SET seq=0 WHERE id=1"))
    prev = GENESIS_HASH
    for seq in (1, 2):
        row = {
            "seq": seq,
            "occurred_at": utcnow().replace(microsecond=0),
            "actor_id": None,
            "actor_name": "system",
            "actor_role": "system",
            "action": "login",
            "object_type": "users",
            "object_id": str(seq),
            "before": None,
            "after": {"n": seq},
            "reason": None,
            "client_address": None,
        }
        row["prev_hash"] = prev
        row["hash"] = prev = event_hash(_hashed_fields(row), prev)
        row["hash_alg"] = PLAIN_ALG
        db.session.execute(AuditEvent.__table__.insert(), row)
    db.session.execute(text("UPDATE audit_head SET seq=2, last_hash=:h WHERE id=1"), {"h": prev})
    db.session.commit()
    _make_events(db, 2)
    report = verify_chain(db.session)
    assert report.ok, report.problem
    assert report.first_keyed_seq == 3
    # Downgrading a keyed event to a plain hash is refused even when its link is right.
    _unguard(db)
    last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    plain = event_hash(_hashed_fields(last.__dict__), last.prev_hash)
    db.session.execute(
        text("UPDATE audit_events SET hash=:h, hash_alg='sha256' WHERE seq=:s"), {"h": plain, "s": last.seq}
    )
    db.session.execute(text("UPDATE audit_head SET last_hash=:h WHERE id=1"), {"h": plain})
    db.session.commit()
    report = verify_chain(db.session)
    assert not report.ok
    assert report.problem == "an event without the key after keyed events"


def test_a_chain_rehashed_without_the_key_is_found_even_without_a_checkpoint(app, db):
    _make_events(db)
    _unguard(db)
    db.session.execute(text("UPDATE audit_events SET actor_name='mallory' WHERE seq=2"))
    _rehash_all(db, b"x" * 32, chain_keys().alg)  # a guessed key cannot reproduce the HMAC
    result = _verify(app)
    assert result.exit_code == 1
    assert "BROKEN at event #1: content does not match its hash" in result.stderr


def test_rewritten_and_rehashed_chain_with_head_updated_is_found(app, db):
    """Forgery 1 of the issue: edit, rehash everything after (even with the key), update the head."""
    _make_events(db)
    checkpoint = write_checkpoint(db.session)
    _unguard(db)
    db.session.execute(text("UPDATE audit_events SET actor_name='mallory' WHERE seq=2"))
    _rehash_all(db, chain_keys().current, chain_keys().alg)
    assert verify_chain(db.session).ok  # the chain alone is consistent again...
    result = _verify(app)
    assert result.exit_code == 1  # ...but it no longer matches the signed checkpoint
    assert f"event #{checkpoint.seq} differs from checkpoint" in result.stderr
    assert "the chain was rewritten" in result.stderr
    # The same edit rehashed as plain SHA-256 events from before the key: found as well.
    _rehash_all(db, None, PLAIN_ALG)
    result = _verify(app)
    assert result.exit_code == 1 and "the chain was rewritten" in result.stderr


def test_removed_tail_with_head_fixed_is_found(app, db):
    """Forgery 2: delete the last events and set the head to the new last one."""
    _make_events(db)
    checkpoint = write_checkpoint(db.session)
    _unguard(db)
    keep = checkpoint.seq - 2
    db.session.execute(text("DELETE FROM audit_events WHERE seq > :k"), {"k": keep})
    new_last = db.session.execute(
        text("SELECT hash FROM audit_events WHERE seq=:k"), {"k": keep}
    ).scalar_one()
    db.session.execute(
        text("UPDATE audit_head SET seq=:s, last_hash=:h WHERE id=1"), {"s": keep, "h": new_last}
    )
    db.session.commit()
    assert verify_chain(db.session).ok
    result = _verify(app)
    assert result.exit_code == 1
    assert f"counts {checkpoint.seq} events but the log has {keep}: events were removed" in result.stderr


def test_emptied_tables_are_found(app, db):
    """Forgery 3: empty audit_events and reset audit_head ("intact: 0 events" before)."""
    _make_events(db)
    checkpoint = write_checkpoint(db.session)
    _unguard(db)
    db.session.execute(text("DELETE FROM audit_events"))
    db.session.execute(text("UPDATE audit_head SET seq=0, last_hash=:h WHERE id=1"), {"h": GENESIS_HASH})
    db.session.commit()
    assert verify_chain(db.session).checked == 0
    result = _verify(app)
    assert result.exit_code == 1
    assert f"counts {checkpoint.seq} events but the log has 0" in result.stderr


def test_intact_log_verifies_against_its_checkpoints(app, db):
    _make_events(db, 2)
    result = _verify(app)
    assert result.exit_code == 0
    assert "no signed checkpoint" in result.stderr
    first = write_checkpoint(db.session)
    _make_events(db, 2)
    runner = app.test_cli_runner()
    written = runner.invoke(args=["audit", "checkpoint"])
    assert written.exit_code == 0, written.stderr
    assert "audit head: #" in written.output
    result = _verify(app)
    assert result.exit_code == 0, result.stderr
    assert "matches 2 checkpoint(s)" in result.output
    assert first.seq < verify_chain(db.session).checked


def test_an_edited_or_foreign_checkpoint_is_refused(app, db):
    _make_events(db, 2)
    checkpoint = write_checkpoint(db.session)
    document = json.loads(checkpoint.path.read_text())
    document["body"]["seq"] = 0  # an edited count: the signature no longer holds
    checkpoint.path.write_text(json.dumps(document))
    result = _verify(app)
    assert result.exit_code == 1
    assert f"checkpoint {checkpoint.path.name}: its signature does not match" in result.stderr
    # One signed with somebody else's key.
    foreign = Ed25519PrivateKey.generate()
    document["signature"] = base64.b64encode(foreign.sign(_canonical(document["body"]))).decode()
    checkpoint.path.write_text(json.dumps(document))
    result = _verify(app)
    assert result.exit_code == 1
    assert "its signature does not match the signing key" in result.stderr


def test_no_checkpoint_is_written_over_a_broken_chain(app, db):
    _make_events(db, 2)
    _unguard(db)
    db.session.execute(text("UPDATE audit_events SET actor_name='mallory' WHERE seq=1"))
    db.session.commit()
    with pytest.raises(AnchorError):
        write_checkpoint(db.session)
    assert not checkpoint_dir().exists() or not list(checkpoint_dir().iterdir())


def test_daily_jobs_anchor_and_print_the_head(app, db):
    _make_events(db, 1)
    result = app.test_cli_runner().invoke(args=["licensing", "daily"])
    assert result.exit_code == 0, result.output
    head = verify_chain(db.session)
    assert f"audit head: #{head.checked} {head.head_hash}" in result.output
    assert len(list(checkpoint_dir().glob("checkpoint-*.json"))) == 1


def test_production_refuses_to_start_without_the_audit_key(monkeypatch, tmp_path):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "s" * 40)
    monkeypatch.setattr(ProductionConfig, "AUDIT_KEY", None)
    monkeypatch.setattr(ProductionConfig, "AUDIT_KEY_FILE", None)
    with pytest.raises(AuditKeyError, match="The audit log needs its key: set AUDIT_KEY"):
        create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    monkeypatch.setattr(ProductionConfig, "AUDIT_KEY", "short")
    with pytest.raises(AuditKeyError, match="shorter than 32"):
        create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert not list(tmp_path.iterdir())  # no key file was made up in production


def test_init_keys_writes_the_three_files_once(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "init-keys", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.stderr
    for name in ("audit.key", "audit-signing.pem", "audit-signing.pub"):
        assert f"{tmp_path / 'keys' / name}" in result.output
    assert (tmp_path / "keys" / "audit.key").stat().st_mode & 0o077 == 0
    again = runner.invoke(args=["audit", "init-keys", str(tmp_path / "keys")])
    assert again.exit_code == 1 and "never overwritten" in again.stderr


def test_admin_page_shows_the_checkpoints_and_a_removed_tail_in_persian(app, db, client, login_as):
    login_as("admin")
    _make_events(db, 3)
    body = client.get("/admin/audit?verify=1").get_data(as_text=True)
    assert "هنوز نقطه ثبت امضاشده‌ای نیست" in body
    checkpoint = write_checkpoint(db.session)
    body = client.get("/admin/audit?verify=1").get_data(as_text=True)
    assert "با ۱ نقطه ثبت امضاشده بیرون از پایگاه داده می‌خواند" in body
    _unguard(db)
    db.session.execute(text("DELETE FROM audit_events WHERE seq > 2"))
    last = db.session.execute(text("SELECT hash FROM audit_events WHERE seq=2")).scalar_one()
    db.session.execute(text("UPDATE audit_head SET seq=2, last_hash=:h WHERE id=1"), {"h": last})
    db.session.commit()
    body = client.get("/admin/audit?verify=1").get_data(as_text=True)
    assert "زنجیره رویدادها در خود سازگار است" in body  # the chain alone cannot tell...
    assert "زنجیره رویدادها سالم است" not in body
    assert "رویدادهایی حذف شده است" in body  # ...the checkpoint can
    assert checkpoint.path.name in body
