"""`flask letters send`: the outbox job. `flask calendar load`: a year's official holidays."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core import calendar
from core.audit import SYSTEM, acting_as
from core.extensions import db
from letters import operations as ops
from letters.models import DeliveryStatus

letters_cli = AppGroup("letters", help="Letters: the delivery outbox.")


@letters_cli.command("send")
def send_command():
    """Send the SMS and e-mail deliveries that are due (retrying failed ones with back-off).

    Run it every few minutes from cron or a systemd timer; safe to run twice at once is not
    needed — each delivery is committed as soon as it has been tried.
    """
    with acting_as(SYSTEM):
        done = ops.process_outbox(commit=True)
    delivered = sum(1 for d in done if d.status == DeliveryStatus.DELIVERED)
    failed = sum(1 for d in done if d.status == DeliveryStatus.FAILED)
    click.echo(
        f"tried: {len(done)}; delivered: {delivered}; gave up: {failed}; will retry: "
        f"{len(done) - delivered - failed}"
    )


calendar_cli = AppGroup("calendar", help="The working-day calendar.")


@calendar_cli.command("load")
@click.argument("jalali_year", type=int)
def load_command(jalali_year: int):
    """Copy the official holidays of a Jalali year (e.g. 1404) from the holidays library."""
    from core.persian import jalali_year_bounds

    first, last = jalali_year_bounds(jalali_year)
    with acting_as(SYSTEM):
        added = []
        for year in sorted({first.year, last.year}):
            added += calendar.load_official_holidays(year)
        db.session.commit()
    click.echo(f"holidays added: {len(added)}")
