"""`flask licensing daily`: the scheduled job that keeps licence statuses true to their dates."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.audit import SYSTEM, acting_as
from core.cli import anchor_head
from core.clock import today_tehran
from core.extensions import db
from core.persian import parse_jalali
from licensing import operations as ops

licensing_cli = AppGroup("licensing", help="Licensing jobs.")


@licensing_cli.command("daily")
@click.option(
    "--today",
    "today_text",
    default=None,
    help="Run as if today were this Jalali date (e.g. 1401/06/25); default: today.",
)
def daily_command(today_text: str | None):
    """Lift suspensions that ended, mark expired licences, remind holders whose renewal window
    is open (a letter, once per term). Safe to run twice a day.

    Run it once a day from cron or a systemd timer, e.g. `flask --app wsgi licensing daily`.
    """
    today = parse_jalali(today_text) if today_text else today_tehran()
    with acting_as(SYSTEM):
        lifted = ops.lift_ended_suspensions(today)
        expired = ops.expire_licences(today)
        reminded = ops.open_renewal_windows(today)
        db.session.commit()
    click.echo(
        f"suspensions lifted: {len(lifted)}; licences expired: {len(expired)}; "
        f"renewal windows open: {len(reminded)}"
    )
    anchor_head()
