"""`flask audit verify`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from core.audit import verify_chain
from core.extensions import db

audit_cli = AppGroup("audit", help="Check the audit log.")


@audit_cli.command("verify")
def verify_command():
    """Recompute the hash chain; report the first broken link, if any (exit status 1)."""
    report = verify_chain(db.session)
    if report.ok:
        click.echo(f"audit chain intact: {report.checked} events")
        return
    click.echo(
        f"audit chain BROKEN at event #{report.broken_seq}: {report.problem} "
        f"({report.checked} events before it are intact)",
        err=True,
    )
    sys.exit(1)
