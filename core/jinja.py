"""Jinja filters and globals: Jalali dates, Persian digits, navigation rights."""

from __future__ import annotations

from flask import Flask, request, url_for

from core import calendar, clock, persian
from core.security import Role, can_reach, has_role


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (for filters and pagination)."""
    view_args = request.view_args or {}
    # Names url_for itself uses (endpoint, _external, ...) or the route's own arguments are not
    # filters: a query string carrying them must not break the page.
    args = {
        k: v
        for k, v in request.args.to_dict().items()
        if k != "endpoint" and not k.startswith("_") and k not in view_args
    }
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **view_args, **args)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        jdate=persian.format_jalali,
        jdate_long=persian.format_jalali_long,
        jdatetime=persian.format_jalali_datetime,
        fa=persian.to_persian_digits,
        num=persian.format_number,
        coord=persian.format_coordinate,
        filesize=persian.format_filesize,
        fa_code=persian.isolate_code,
    )
    app.jinja_env.globals.update(
        can_reach=can_reach,
        has_role=has_role,
        Role=Role,
        url_with=url_with,
        today_jalali=lambda: persian.format_jalali_long(clock.today_tehran()),
        reachable=lambda items: [(e, label) for e, label in items if can_reach(e)],
        due_text=calendar.due_text,
    )
    register_label_helpers(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


# ---------------------------------------------------------------- labels for the audit history

ACTION_LABELS = {
    "create": "ثبت",
    "update": "ویرایش",
    "delete": "حذف",
    "login": "ورود",
    "login_failed": "ورود ناموفق",
    "login_refused_locked": "ورود رد شد (حساب قفل)",
}


def _model_for_table(table: str):
    from core.db import Base

    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table:
            return mapper.class_
    return None


def table_label(table: str) -> str:
    model = _model_for_table(table)
    return getattr(model, "__label__", table) if model else table


def field_label(table: str, key: str) -> str:
    model = _model_for_table(table)
    return (getattr(model, "__field_labels__", {}) or {}).get(key, key) if model else key


def audit_value(table: str, key: str, value) -> str:
    """A stored value as a person reads it: enum labels, Jalali dates, Persian digits."""
    from datetime import date

    if value is None or value == "":
        return "—"
    model = _model_for_table(table)
    if model is not None and key in model.__table__.c:
        enum_cls = getattr(model.__table__.c[key].type, "enum_class", None)
        if enum_cls is not None:
            try:
                return enum_cls(value).label
            except (ValueError, AttributeError):
                pass
    if isinstance(value, bool):
        return "بله" if value else "خیر"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return persian.format_jalali(date.fromisoformat(value))
        except ValueError:
            pass
    return persian.to_persian_digits(value)


def role_label(role: str) -> str:
    try:
        return Role(role).label
    except ValueError:
        return {"system": "سامانه", "anonymous": "ناشناس"}.get(role, role)


def register_label_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        action_label=lambda a: ACTION_LABELS.get(a, a),
        table_label=table_label,
        field_label=field_label,
        audit_value=audit_value,
        role_label=role_label,
    )
