"""`flask seed-demo`: the demo province, loaded through the features' own operations."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from core.audit import SYSTEM, acting_as
from core.extensions import db


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@click.option("--password", default="pishkhan-demo", help="Password given to every demo account.")
@with_appcontext
def seed_demo_command(if_empty: bool, password: str):
    """Load a demo province (Lorestan): counties, a few hundred sites, people, users for every role."""
    from accounts.models import User
    from demo.accounts import DEMO_ACCOUNTS
    from demo.registry import seed_demo

    if not current_app.config.get("ALLOW_DEMO_DATA"):
        raise click.ClickException("demo data is refused in this configuration (production).")
    has_data = db.session.query(User.id).first() is not None
    if has_data and not if_empty:
        raise click.ClickException(
            "the database already has data; the demo loads only into an "
            "empty database (use --if-empty to skip quietly)"
        )
    if has_data:
        click.echo("database already has data; demo not loaded")
    else:
        from demo.committees import seed_committee_demo
        from demo.inspections import seed_inspections_demo
        from demo.licensing import seed_licensing_demo
        from demo.public import seed_public_demo

        with acting_as(SYSTEM):
            summaries = [
                seed_demo(password=password),
                seed_licensing_demo(),
                seed_inspections_demo(),
                seed_committee_demo(),
                seed_public_demo(),
            ]
            db.session.commit()
        for summary in summaries:
            click.echo(summary)
    click.echo(f"demo accounts (password: {password}):")
    for username, role, _name, _org in DEMO_ACCOUNTS:
        click.echo(f"  {username:<12} {role.value}")
