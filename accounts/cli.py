"""`flask users ...`: scripted provisioning of accounts."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from accounts import operations as ops
from core.audit import SYSTEM, acting_as
from core.errors import DomainError
from core.extensions import db
from core.security import Role

users_cli = AppGroup("users", help="Create and list user accounts.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="The account's role.")
@click.option("--password", help="The password (prompted for, hidden, when left out).")
@click.option("--full-name", default=None, help="Name shown on screens (Persian).")
@click.option(
    "--organisation",
    default=None,
    help="Organisation a committee or working-group member represents.",
)
def create_user_command(username, role, password, full_name, organisation):
    """Create an account with a role; the password must meet the minimum length."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with acting_as(SYSTEM):
        try:
            user = ops.create_user(
                username,
                full_name=full_name or username,
                role=role,
                password=password,
                organisation=organisation,
            )
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from exc
        db.session.commit()
    click.echo(f"created {user.username} ({user.role.value})")


@users_cli.command("list")
def list_users_command():
    """List accounts with their roles."""
    for user in db.session.scalars(ops.search_users(None)):
        state = "active" if user.is_active_account else "disabled"
        click.echo(f"{user.username}\t{user.role.value}\t{state}")
