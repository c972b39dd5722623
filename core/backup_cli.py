"""`flask backup create | list | restore`."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from core.backup import BackupError, archives, create_backup, read_manifest, restore_backup

backup_cli = AppGroup("backup", help="Back up and restore the database, uploads and audit checkpoints.")


@backup_cli.command("create")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--keep", type=int, default=None, help="Keep this many newest archives (default BACKUP_KEEP).")
def create_command(directory: Path | None, keep: int | None):
    """One archive of the database, the uploads and the audit checkpoints (default BACKUP_DIR)."""
    try:
        backup, removed = create_backup(directory, keep)
    except BackupError as error:
        click.echo(f"backup failed: {error}", err=True)
        sys.exit(1)
    manifest = backup.manifest
    uploads = sum(1 for name in manifest["files"] if name.startswith("uploads/"))
    click.echo(
        f"backup written: {backup.path} ({manifest['engine']}, {sum(manifest['counts'].values())} rows, "
        f"{uploads} uploaded files, audit #{manifest['audit']['events']})"
    )
    for warning in manifest["warnings"]:
        click.echo(f"warning: {warning}", err=True)
    for path in removed:
        click.echo(f"removed old backup: {path}")


@backup_cli.command("list")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def list_command(directory: Path | None):
    """The archives, newest first."""
    found = archives(directory)
    if not found:
        click.echo("no backups")
        return
    for path in found:
        try:
            manifest = read_manifest(path)
        except (BackupError, OSError, ValueError) as error:
            click.echo(f"{path.name}  unreadable: {error}")
            continue
        created = datetime.fromisoformat(manifest["created_at"])
        click.echo(
            f"{path.name}  {created:%Y-%m-%d %H:%M}Z  {manifest['engine']}  "
            f"{path.stat().st_size / 1e6:.1f} MB  {sum(manifest['counts'].values())} rows  "
            f"audit #{manifest['audit']['events']}"
        )


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--database-url",
    required=True,
    help="A NEW database: an SQLite file that does not exist, or an empty PostgreSQL database.",
)
@click.option(
    "--uploads-dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A new (or empty) uploads directory.",
)
@click.option(
    "--checkpoint-dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the audit checkpoints go (default: audit-checkpoints beside the uploads).",
)
def restore_command(archive: Path, database_url: str, uploads_dir: Path, checkpoint_dir: Path | None):
    """Check the archive's hashes, restore it and compare the row counts with its manifest."""
    try:
        restored = restore_backup(archive, database_url, uploads_dir, checkpoint_dir)
    except BackupError as error:
        click.echo(f"restore failed: {error}", err=True)
        sys.exit(1)
    if restored.mismatches:
        for table, (expected, found) in restored.mismatches.items():
            click.echo(f"row count differs in {table}: manifest {expected}, restored {found}", err=True)
        sys.exit(1)
    click.echo(
        f"restored {sum(restored.counts.values())} rows in {len(restored.counts)} tables "
        "as the manifest says; "
        f"uploads in {uploads_dir}, audit checkpoints in {restored.checkpoint_dir}"
    )
    click.echo(
        "next: run the app on it with DATABASE_URL, UPLOAD_DIR and AUDIT_CHECKPOINT_DIR set to these, "
        "then `flask audit verify`"
    )
