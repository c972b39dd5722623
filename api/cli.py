"""`flask api ...`: tokens for scripts and the description as a file."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from accounts import tokens as ops
from accounts.models import User
from core.audit import SYSTEM, acting_as
from core.errors import DomainError
from core.extensions import db

api_cli = AppGroup("api", help="API tokens and the OpenAPI description.")


@api_cli.command("token")
@click.argument("username")
@click.option("--name", default="script", help="A name to tell the token apart.")
def token_command(username: str, name: str):
    """Issue a token for an account and print it (shown once; only its hash is stored)."""
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise click.ClickException(f"no such user: {username}")
    with acting_as(SYSTEM):
        try:
            issued = ops.issue_token(user, name=name, actor=None)
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from exc
        db.session.commit()
    click.echo(issued.secret)


@api_cli.command("openapi")
def openapi_command():
    """Print the OpenAPI description (the same document as /api/v1/openapi.json)."""
    from api.docs import openapi_document

    click.echo(json.dumps(openapi_document(current_app), ensure_ascii=False, indent=2))
