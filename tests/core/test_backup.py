"""`flask backup create | list | restore`: the restore drill on both engines (issue 17, point 8).

A thread keeps writing while the backup runs; the archive restores into a new database and a new
uploads directory with the row counts of its manifest, every row committed before the backup began is
there, the uploaded files are the same bytes, and `flask audit verify` finds the restored chain intact
against the signed checkpoint that travelled with it."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from config import TestingConfig
from core.app import create_app
from core.backup import archives, read_manifest
from core.extensions import db as _db
from registry.models import Person
from tests import factories

WRITER_MAX_ROWS = 400


@pytest.fixture
def uploads(app, tmp_path):
    """This test's own uploads directory with one stored document."""
    previous = app.config["UPLOAD_DIR"]
    directory = tmp_path / "uploads"
    (directory / "documents" / "2026").mkdir(parents=True)
    (directory / "documents" / "2026" / "licence-scan.pdf").write_bytes(b"%PDF-1.7 scan " + bytes(range(256)))
    app.config["UPLOAD_DIR"] = str(directory)
    yield directory
    app.config["UPLOAD_DIR"] = previous


@pytest.fixture
def new_database(database_url, tmp_path):
    """The URL of a database that does not exist yet (SQLite) or is empty (PostgreSQL)."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'restored' / 'pishkhan.sqlite3'}"
        return
    name = f"pk_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def _writer(app, stop: threading.Event, written: list[int]) -> None:
    """Commit people one by one until told to stop (bounded in count)."""
    with app.app_context():
        try:
            for n in range(WRITER_MAX_ROWS):
                if stop.is_set():
                    break
                person = factories.make_person(first_name=f"نویسنده{n}")
                _db.session.commit()
                written.append(person.id)
        finally:
            _db.session.remove()


def test_backup_while_writing_restores_into_a_new_database(app, db, tmp_path, uploads, new_database):
    for n in range(5):
        factories.make_person(first_name=f"پیشین{n}")
    db.session.commit()
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_writer, args=(app, stop, written))
    writer.start()
    try:
        deadline = time.monotonic() + 30
        while len(written) < 5 and writer.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        committed_before = set(db.session.scalars(select(Person.id)))
        db.session.rollback()
        assert len(committed_before) >= 10
        before_backup = len(written)
        result = app.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "backups")])
        during_backup = len(written) - before_backup
    finally:
        stop.set()
        writer.join(timeout=60)
    assert during_backup > 0  # the writer went on while the backup ran
    assert result.exit_code == 0, result.output + result.stderr
    assert "backup written:" in result.output
    [archive] = archives(tmp_path / "backups")
    manifest = read_manifest(archive)
    assert manifest["engine"] == make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    assert manifest["counts"]["people"] >= len(committed_before)
    assert "uploads/documents/2026/licence-scan.pdf" in manifest["files"]
    assert manifest["audit"]["events"] >= len(committed_before)

    restored_uploads = tmp_path / "restored-uploads"
    result = app.test_cli_runner().invoke(
        args=[
            "backup",
            "restore",
            str(archive),
            "--database-url",
            new_database,
            "--uploads-dir",
            str(restored_uploads),
        ]
    )
    assert result.exit_code == 0, result.output + result.stderr
    assert "as the manifest says" in result.output
    restored_file = restored_uploads / "documents" / "2026" / "licence-scan.pdf"
    assert restored_file.read_bytes() == (uploads / "documents" / "2026" / "licence-scan.pdf").read_bytes()

    engine = create_engine(new_database)
    with engine.connect() as conn:
        restored_ids = set(conn.execute(text("SELECT id FROM people")).scalars())
        for table, expected in manifest["counts"].items():
            assert conn.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one() == expected, table
    engine.dispose()
    assert committed_before <= restored_ids  # everything committed before the backup began

    # The restored copy, served with its own uploads and checkpoints, verifies.
    restored_app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=new_database,
        UPLOAD_DIR=str(restored_uploads),
        AUDIT_KEY_FILE=app.config["AUDIT_KEY_FILE"],
        AUDIT_SIGNING_KEY_FILE=app.config["AUDIT_SIGNING_KEY_FILE"],
        AUDIT_CHECKPOINT_DIR=str(tmp_path / "audit-checkpoints"),
    )
    with restored_app.app_context():
        verified = restored_app.test_cli_runner().invoke(args=["audit", "verify"])
        _db.session.remove()
        _db.engine.dispose()
    assert verified.exit_code == 0, verified.output + verified.stderr
    assert f"audit chain intact: {manifest['audit']['events']} events" in verified.output
    assert "matches 1 checkpoint(s)" in verified.output


def test_restore_refuses_a_database_or_directory_in_use(app, db, tmp_path, uploads, new_database):
    factories.make_person()
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", "create", str(tmp_path / "b")]).exit_code == 0
    [archive] = archives(tmp_path / "b")
    own = runner.invoke(
        args=[
            "backup",
            "restore",
            str(archive),
            "--database-url",
            app.config["SQLALCHEMY_DATABASE_URI"],
            "--uploads-dir",
            str(tmp_path / "u"),
        ]
    )
    assert own.exit_code == 1 and "not the one this app is using" in own.stderr
    busy = runner.invoke(
        args=[
            "backup",
            "restore",
            str(archive),
            "--database-url",
            new_database,
            "--uploads-dir",
            str(uploads),
        ]
    )
    assert busy.exit_code == 1 and "is not empty" in busy.stderr


def test_a_damaged_archive_is_refused(app, db, tmp_path, uploads, new_database):
    import tarfile

    factories.make_person()
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", "create", str(tmp_path / "b")]).exit_code == 0
    [archive] = archives(tmp_path / "b")
    # Rebuild the archive with one uploaded file changed but the old manifest kept.
    work = tmp_path / "work"
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(work, filter="data")
    (work / "uploads" / "documents" / "2026" / "licence-scan.pdf").write_bytes(b"changed")
    damaged = tmp_path / "pishkhan-backup-damaged.tar.gz"
    with tarfile.open(damaged, "w:gz") as tar:
        for path in sorted(work.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=path.relative_to(work).as_posix())
    result = runner.invoke(
        args=[
            "backup",
            "restore",
            str(damaged),
            "--database-url",
            new_database,
            "--uploads-dir",
            str(tmp_path / "u"),
        ]
    )
    assert result.exit_code == 1
    assert (
        "uploads/documents/2026/licence-scan.pdf in the archive does not match its manifest hash"
        in result.stderr
    )


def test_retention_keeps_the_newest_archives(app, db, tmp_path, frozen_at):
    factories.make_person()
    db.session.commit()
    runner = app.test_cli_runner()
    app.config["BACKUP_KEEP"] = 2
    try:
        for hour in (1, 2, 3):
            frozen_at(f"2026-11-29T0{hour}:00:00+00:00")
            result = runner.invoke(args=["backup", "create", str(tmp_path / "b")])
            assert result.exit_code == 0, result.output + result.stderr
    finally:
        app.config["BACKUP_KEEP"] = TestingConfig.BACKUP_KEEP
    assert "removed old backup" in result.output
    kept = [p.name for p in archives(tmp_path / "b")]
    assert kept == ["pishkhan-backup-20261129T030000Z.tar.gz", "pishkhan-backup-20261129T020000Z.tar.gz"]
    listing = runner.invoke(args=["backup", "list", str(tmp_path / "b")])
    assert listing.exit_code == 0
    assert [line.split()[0] for line in listing.output.splitlines()] == kept
    again = runner.invoke(args=["backup", "create", str(tmp_path / "b")])  # the same second: refused
    assert again.exit_code == 1 and "already exists" in again.stderr
    frozen_at("2026-11-29T04:00:00+00:00")
    assert runner.invoke(args=["backup", "create", str(tmp_path / "b"), "--keep", "1"]).exit_code == 0
    assert len(archives(tmp_path / "b")) == 1


def test_backup_dir_defaults_to_the_setting(app, db, tmp_path):
    factories.make_person()
    db.session.commit()
    app.config["BACKUP_DIR"] = str(tmp_path / "configured")
    try:
        result = app.test_cli_runner().invoke(args=["backup", "create"])
    finally:
        app.config["BACKUP_DIR"] = None
    assert result.exit_code == 0, result.output + result.stderr
    assert Path(result.output.split("backup written: ")[1].split(" (")[0]).parent == tmp_path / "configured"
