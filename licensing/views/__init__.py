"""Licensing screens, one module per part: applications (and site visits), the working group,
licences. One blueprint, "licensing"; importing the modules registers their routes."""

from flask import Blueprint, flash

from core.errors import DomainError
from core.extensions import db

bp = Blueprint("licensing", __name__)


def run_and_flash(action, success: str, back):
    """Run an operation for a POST from a detail page: commit and say so, or roll back and show
    the operation's Persian refusal; either way go back to the page."""
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(success, "success")
    return back


def flash_form_errors(form) -> None:
    """Each of a posted form's errors as a message, for the forms posted from a detail page."""
    for errors in form.errors.values():
        for error in errors:
            flash(error, "danger")


from licensing.views import applications, importing, licences, working_group  # noqa: E402  (routes on bp)

__all__ = [
    "applications",
    "bp",
    "flash_form_errors",
    "importing",
    "licences",
    "run_and_flash",
    "working_group",
]
