"""`flask audit verify | checkpoint | init-keys | lock-down`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from core.audit_anchor import AnchorError, generate_keys, verify_anchored, write_checkpoint
from core.extensions import db

audit_cli = AppGroup("audit", help="Check and anchor the audit log.")


@audit_cli.command("verify")
def verify_command():
    """Recompute the keyed hash chain and compare it with the signed checkpoints (exit 1 if not intact)."""
    try:
        report = verify_anchored(db.session)
    except AnchorError as error:
        click.echo(f"audit: {error}", err=True)
        sys.exit(2)
    if not report.ok:
        click.echo("audit log NOT intact:", err=True)
        for problem in report.problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)
    chain = report.chain
    click.echo(f"audit chain intact: {chain.checked} events, head {chain.head_hash[:16]}")
    latest = report.latest
    if latest is None:
        click.echo(
            "warning: no signed checkpoint to compare with yet (`flask audit checkpoint`); "
            "a removed tail or an emptied table cannot be told without one",
            err=True,
        )
    else:
        click.echo(f"matches {len(report.checkpoints)} checkpoint(s); latest {latest.describe()}")


def anchor_head() -> None:
    """Write a checkpoint and print the head; the daily jobs end with this (exit 1 if it fails)."""
    try:
        checkpoint = write_checkpoint(db.session)
    except AnchorError as error:
        click.echo(f"audit checkpoint NOT written: {error}", err=True)
        sys.exit(1)
    click.echo(f"audit head: #{checkpoint.seq} {checkpoint.hash} (checkpoint {checkpoint.path})")


@audit_cli.command("checkpoint")
def checkpoint_command():
    """Verify the chain, then sign its head into AUDIT_CHECKPOINT_DIR."""
    anchor_head()


@audit_cli.command("init-keys")
@click.argument("directory", type=click.Path(file_okay=False))
def init_keys_command(directory: str):
    """Make the HMAC key, the checkpoint signing key and its public key in DIRECTORY (mode 0600)."""
    try:
        paths = generate_keys(directory)
    except AnchorError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo("keys written; put these in the server's environment:")
    for name, path in paths.items():
        click.echo(f"{name}={path}")


@audit_cli.command("lock-down")
@click.option("--app-role", required=True, help="The role in the application server's DATABASE_URL.")
@click.option(
    "--owner-role",
    default=None,
    help="The role that will own the tables (default: the role this command connects as).",
)
def lock_down_command(app_role: str, owner_role: str | None):
    """PostgreSQL: make the owner role own the tables and leave the app role SELECT and INSERT on
    audit_events only. Run as the owner role (DATABASE_URL of the owner) after every `db upgrade`."""
    from core.audit_lockdown import lock_down_current_database

    try:
        statements, problems = lock_down_current_database(app_role, owner_role)
    except ValueError as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    for statement in statements:
        click.echo(statement + ";")
    if problems:
        click.echo("the audit log is NOT locked down:", err=True)
        for problem in problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)
    click.echo(f"locked down: {app_role} may only SELECT and INSERT audit_events")
