"""What the committee's screens share: the blueprint, running an operation for a form, and the
choice of a case's violations."""

from __future__ import annotations

from flask import Blueprint

import committees.models  # noqa: F401  (the blueprint's models are part of the schema)
from committees.models import Case, penalty_text
from core.errors import DomainError
from core.extensions import db
from core.forms import choices, show_domain_error
from core.persian import to_persian_digits

bp = Blueprint("committees", __name__, url_prefix="/committees")


@bp.app_template_filter("penalty_text")
def _penalty_text_filter(step: dict) -> str:
    """A ladder step in words: {"penalty": "suspension", "days": 7} → «تعلیق پروانه به مدت ۷ روز»"""
    return penalty_text(step["penalty"], step.get("days"), step.get("amount"))


def attempt(form, action) -> bool:
    """Run an operation for a valid form: commit, or roll back and show the Persian refusal."""
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        show_domain_error(form, exc)
        return False
    db.session.commit()
    return True


def found_choices(case: Case):
    return choices(
        (v.violation_type.code, to_persian_digits(f"{v.violation_type.code} — {v.violation_type.title}"))
        for v in case.violations
    )
