"""`flask committees daily`: the scheduled job that makes rulings final when their appeal window
has passed. Safe to run twice; run it after `flask licensing daily` (which lifts suspensions)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from committees import operations as ops
from core.audit import SYSTEM, acting_as
from core.cli import anchor_head
from core.clock import today_tehran
from core.extensions import db
from core.persian import parse_jalali

committees_cli = AppGroup("committees", help="Violations committee jobs.")


@committees_cli.command("daily")
@click.option(
    "--today",
    "today_text",
    default=None,
    help="Run as if today were this Jalali date (e.g. 1401/07/30); default: today.",
)
def daily_command(today_text: str | None):
    """Served rulings whose appeal window has passed without an appeal become final."""
    today = parse_jalali(today_text) if today_text else today_tehran()
    with acting_as(SYSTEM):
        final = ops.finalise_rulings(today)
        db.session.commit()
    click.echo(f"rulings made final: {len(final)}")
    anchor_head()
