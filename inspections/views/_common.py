"""What the inspection screens share: the blueprint, query-string enums, the visit by UUID and the
inspector choices."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user

from core.forms import choices
from core.security import require
from inspections import operations as ops
from inspections import permissions as perms
from inspections.models import Visit

bp = Blueprint("inspections", __name__)


def enum_arg(name: str, enum_cls) -> str | None:
    value = request.args.get(name) or None
    return value if value in {m.value for m in enum_cls} else None


def visit_or_404(uuid: str) -> Visit:
    visit_uuid = ops.valid_uuid(uuid)
    visit = ops.find_visit(visit_uuid) if visit_uuid else None
    if visit is None:
        abort(404)
    require(perms.can_view_visit(current_user, visit))
    return visit


def inspector_choices(blank: str | None = None):
    pairs = [(u.id, u.full_name) for u in ops.inspectors()]
    return choices([(0, blank), *pairs] if blank else pairs)
