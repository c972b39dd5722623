"""Backups: the database, the uploaded files and the audit checkpoints in one archive.

An archive ``pishkhan-backup-<UTC time>.tar.gz`` holds
- ``database.sqlite3`` (SQLite's online backup API: one consistent copy while writers go on) or
  ``database.pgdump`` (``pg_dump -Fc`` run on a snapshot exported from an open transaction, so the
  row counts in the manifest are those of the dump itself);
- ``uploads/`` — documents, photos and evidence, archived after the database snapshot, so every file
  a committed row names is there (a file uploaded later may be there too, unreferenced);
- ``audit-checkpoints/`` — the signed checkpoints, copied before the snapshot, so none claims more
  events than the copy holds;
- ``manifest.json`` — engine, migration revision, row counts per table, the audit head, and the
  SHA-256 and size of every other member.

``restore`` checks every hash, then restores into a NEW database (an SQLite file that does not exist
yet, or an empty PostgreSQL database, through ``pg_restore``) and a new uploads directory, and
compares the restored row counts with the manifest.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump and pg_restore, each run with an argument list
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from core import storage
from core.audit_anchor import AnchorError, checkpoint_dir, write_checkpoint
from core.clock import utcnow
from core.extensions import db

FORMAT = "pishkhan-backup/1"
PREFIX = "pishkhan-backup-"
SUFFIX = ".tar.gz"


class BackupError(RuntimeError):
    pass


# ---------------------------------------------------------------- settings and tools


def backup_dir() -> Path:
    return Path(current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups")


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: from PG_BIN_DIR, else the newest /usr/lib/postgresql/*/bin, else PATH."""
    configured = current_app.config.get("PG_BIN_DIR") or os.environ.get("PG_BIN_DIR")
    candidates = [os.path.join(configured, name)] if configured else []
    candidates += [
        os.path.join(d, name)
        for d in sorted(
            glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True
        )
    ]
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(f"{name} was not found (install postgresql-client or set PG_BIN_DIR)")


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment that carries it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return plain, env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _table_names() -> list[str]:
    return [table.name for table in db.metadata.sorted_tables]


def _count_rows(connection, tables: list[str]) -> dict[str, int]:
    # The names come from our own metadata, never from input.
    sql = 'SELECT COUNT(*) FROM "{}"'  # nosec B608  # a table name of ours, quoted
    return {name: connection.execute(text(sql.format(name))).scalar_one() for name in tables}


def _audit_head(connection) -> dict[str, Any]:
    row = connection.execute(text("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")).first()
    return {"events": row[0] if row else 0, "head_hash": row[1] if row else None}


def _revision(connection) -> str | None:
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


# ---------------------------------------------------------------- create


@dataclass
class Backup:
    path: Path
    manifest: dict[str, Any]


def _snapshot_sqlite(url: URL, staging: Path) -> tuple[str, dict[str, int], dict[str, Any], str | None]:
    source_path = url.database
    if not source_path or source_path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    target = staging / "database.sqlite3"
    source = sqlite3.connect(source_path, timeout=30)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)  # all pages in one step: one consistent snapshot
        finally:
            destination.close()
    finally:
        source.close()
    copy = sqlite3.connect(target)
    try:
        ok = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise BackupError(f"the copy fails PRAGMA integrity_check: {ok}")
        copy.execute("PRAGMA journal_mode=DELETE")
        counts = {
            name: copy.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]  # nosec B608  # our tables
            for name in _table_names()
        }
        last = copy.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
        head = {"events": last[0] if last else 0, "head_hash": last[1] if last else None}
        revision = copy.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        copy.close()
    return target.name, counts, head, revision[0] if revision else None


def _snapshot_postgres(url: URL, staging: Path) -> tuple[str, dict[str, int], dict[str, Any], str | None]:
    target = staging / "database.pgdump"
    conninfo, env = _libpq(url)
    engine = create_engine(url)
    try:
        with engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        ) as connection:
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts = _count_rows(connection, _table_names())
            head = _audit_head(connection)
            revision = _revision(connection)
            # pg_dump reads the very snapshot the counts came from (the transaction stays open).
            result = subprocess.run(  # nosec B603  # our pg_dump, an argument list, no shell
                [pg_tool("pg_dump"), "-Fc", "--snapshot", snapshot, "-f", str(target), "-d", conninfo],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            connection.commit()
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    finally:
        engine.dispose()
    return target.name, counts, head, revision


def create_backup(directory: Path | None = None, keep: int | None = None) -> tuple[Backup, list[Path]]:
    """Write one archive into DIRECTORY and delete the oldest beyond ``keep`` (BACKUP_KEEP)."""
    directory = Path(directory) if directory else backup_dir()
    directory.mkdir(parents=True, exist_ok=True)
    keep = current_app.config.get("BACKUP_KEEP", 14) if keep is None else keep
    if keep < 1:
        raise BackupError("BACKUP_KEEP must be at least 1")
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    warnings = []
    try:
        write_checkpoint(db.session)  # anchor the head first (it also verifies the chain)
    except AnchorError as error:
        warnings.append(f"no new audit checkpoint: {error}")
    db.session.rollback()
    created = utcnow().replace(microsecond=0)
    name = f"{PREFIX}{created:%Y%m%dT%H%M%SZ}"
    with tempfile.TemporaryDirectory(dir=directory, prefix=".staging-") as staging_text:
        staging = Path(staging_text)
        checkpoints = staging / "audit-checkpoints"
        checkpoints.mkdir()
        source_checkpoints = checkpoint_dir()
        if source_checkpoints.is_dir():
            for path in sorted(source_checkpoints.glob("checkpoint-*.json")):
                shutil.copy2(path, checkpoints / path.name)
        if url.get_backend_name() == "sqlite":
            database, counts, head, revision = _snapshot_sqlite(url, staging)
        elif url.get_backend_name() == "postgresql":
            database, counts, head, revision = _snapshot_postgres(url, staging)
        else:
            raise BackupError(f"no backup method for {url.get_backend_name()}")
        files: dict[str, dict[str, Any]] = {}
        archive_tmp = staging / (name + SUFFIX)
        with tarfile.open(archive_tmp, "w:gz") as archive:

            def add(path: Path, arcname: str) -> None:
                files[arcname] = {"sha256": _sha256(path), "size": path.stat().st_size}
                archive.add(path, arcname=arcname, recursive=False)

            add(staging / database, database)
            for path in sorted(checkpoints.iterdir()):
                add(path, f"audit-checkpoints/{path.name}")
            uploads = storage.root()
            if uploads.is_dir():
                for path in sorted(uploads.rglob("*")):
                    if path.is_file() and not path.name.startswith(".upload-"):
                        add(path, f"uploads/{path.relative_to(uploads).as_posix()}")
            manifest = {
                "format": FORMAT,
                "created_at": created.isoformat(),
                "engine": url.get_backend_name(),
                "database": database,
                "alembic_revision": revision,
                "counts": counts,
                "audit": head,
                "files": files,
                "warnings": warnings,
            }
            manifest_path = staging / "manifest.json"
            manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
            archive.add(manifest_path, arcname="manifest.json")
        with open(archive_tmp, "rb") as handle:
            os.fsync(handle.fileno())
        final = directory / (name + SUFFIX)
        if final.exists():
            raise BackupError(f"{final} already exists")
        os.replace(archive_tmp, final)
    removed = prune(directory, keep)
    return Backup(final, manifest), removed


def archives(directory: Path | None = None) -> list[Path]:
    """The archives in DIRECTORY, newest first."""
    directory = Path(directory) if directory else backup_dir()
    if not directory.is_dir():
        return []
    return sorted(directory.glob(f"{PREFIX}*{SUFFIX}"), reverse=True)


def prune(directory: Path, keep: int) -> list[Path]:
    removed = archives(directory)[keep:]
    for path in removed:
        path.unlink()
    return removed


def read_manifest(archive_path: Path) -> dict[str, Any]:
    with tarfile.open(archive_path, "r:gz") as archive:
        member = archive.extractfile("manifest.json")
        if member is None:
            raise BackupError(f"{archive_path} has no manifest")
        manifest = json.loads(member.read().decode("utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive_path}: unknown format {manifest.get('format')!r}")
    return manifest


# ---------------------------------------------------------------- restore


@dataclass
class Restored:
    manifest: dict[str, Any]
    counts: dict[str, int]
    mismatches: dict[str, tuple[int, int]]
    checkpoint_dir: Path


def _empty_dir(path: Path, what: str) -> None:
    if path.exists() and any(path.iterdir()):
        raise BackupError(f"the {what} {path} is not empty: restore into a new one")
    path.mkdir(parents=True, exist_ok=True)


def restore_backup(
    archive_path: Path, database_url: str, uploads: Path, checkpoints: Path | None = None
) -> Restored:
    """Check the archive, then restore it into a new database, uploads and checkpoint directory."""
    manifest = read_manifest(archive_path)
    target = make_url(database_url)
    current = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if target.render_as_string(hide_password=False) == current.render_as_string(hide_password=False):
        raise BackupError("restore goes into a new database, not the one this app is using")
    if target.get_backend_name() != manifest["engine"]:
        raise BackupError(
            f"the archive is a {manifest['engine']} backup; the target is {target.get_backend_name()}"
        )
    checkpoints = checkpoints or uploads.parent / "audit-checkpoints"
    if target.get_backend_name() == "sqlite" and (not target.database or Path(target.database).exists()):
        raise BackupError(f"the SQLite file {target.database} exists: restore into a new file")
    _empty_dir(uploads, "uploads directory")
    _empty_dir(checkpoints, "checkpoint directory")
    with tempfile.TemporaryDirectory(prefix="pishkhan-restore-") as work_text:
        work = Path(work_text)
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(work, filter="data")
        for arcname, meta in manifest["files"].items():
            path = work / arcname
            if not path.is_file() or _sha256(path) != meta["sha256"]:
                raise BackupError(f"{arcname} in the archive does not match its manifest hash")
        if target.get_backend_name() == "sqlite":
            Path(target.database).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / manifest["database"], target.database)
        else:
            _restore_postgres(work / manifest["database"], target)
        for arcname in manifest["files"]:
            if arcname.startswith("uploads/"):
                destination = uploads / arcname.removeprefix("uploads/")
            elif arcname.startswith("audit-checkpoints/"):
                destination = checkpoints / arcname.removeprefix("audit-checkpoints/")
            else:
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(work / arcname, destination)
    engine = create_engine(target)
    try:
        with engine.connect() as connection:
            counts = _count_rows(connection, list(manifest["counts"]))
    finally:
        engine.dispose()
    mismatches = {
        name: (expected, counts[name])
        for name, expected in manifest["counts"].items()
        if counts[name] != expected
    }
    return Restored(manifest, counts, mismatches, checkpoints)


def _restore_postgres(dump: Path, target: URL) -> None:
    engine = create_engine(target)
    try:
        with engine.connect() as connection:
            tables = connection.execute(
                text("SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()")
            ).scalar_one()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(f"the database {target.database} has tables: restore into a new, empty database")
    conninfo, env = _libpq(target)
    result = subprocess.run(  # nosec B603  # our pg_restore, an argument list, no shell
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "-d",
            conninfo,
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
