"""The dashboard, the settings page and the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from wtforms import StringField
from wtforms.validators import DataRequired

from core import settings as settings_mod
from core.args import page_arg
from core.audit import AuditEvent, verify_chain
from core.audit_anchor import AnchoredReport, AnchorError, verify_anchored
from core.dashboard import panels_for
from core.extensions import db
from core.forms import BaseForm
from core.persian import to_latin_digits, to_persian_digits
from core.security import ALL_ROLES, Role, allow, public

bp = Blueprint("core", __name__)


@bp.get("/")
@allow(*ALL_ROLES)
def dashboard():
    return render_template("core/dashboard.html", panels=panels_for(current_user.role))


@bp.get("/healthz")
@public
def health():
    """For the load balancer and the fault test: 200 when the database answers, else 503."""
    try:
        db.session.execute(select(1))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503, {"Cache-Control": "no-store"}
    return {"status": "ok"}, 200, {"Cache-Control": "no-store"}


class SettingForm(BaseForm):
    value = StringField(
        "مقدار",
        validators=[DataRequired("مقدار را وارد کنید.")],
        render_kw={"dir": "ltr", "inputmode": "decimal"},
    )


@bp.get("/admin/settings")
@allow(Role.ADMIN)
def settings_list():
    definitions = settings_mod.definitions()
    values = settings_mod.current_values()
    groups: dict[str, list] = {}
    for key, definition in definitions.items():
        groups.setdefault(definition.group, []).append((definition, values[key]))
    return render_template("core/settings.html", groups=groups)


@bp.route("/admin/settings/<key>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def setting_edit(key: str):
    definition = settings_mod.definitions().get(key)
    if definition is None:
        abort(404)
    current = settings_mod.get_setting(key)
    form = SettingForm(value="، ".join(current) if isinstance(current, list) else str(current))
    if definition.choices is not None and request.method == "GET":
        form.value.data = definition.choices.get(current, current)
    if definition.kind in (list, str):
        form.value.validators = []  # an empty text or list is a legitimate value
    if form.validate_on_submit():
        raw = to_latin_digits(form.value.data).replace("٫", ".")
        try:
            if definition.choices is not None:
                value = next(
                    (code for code, label in definition.choices.items() if raw.strip() in (code, label)),
                    None,
                )
                if value is None:
                    raise ValueError
            elif definition.kind is list:
                value = [part.strip() for part in raw.replace("،", ",").split(",") if part.strip()]
            elif definition.kind is str:
                value = raw
            else:
                value = definition.kind(raw)
            if definition.kind in (int, float) and not value >= definition.min:
                raise ValueError
        except ValueError:
            form.value.errors = [
                f"مقدار باید عددی دست‌کم {to_persian_digits(definition.min)} باشد."
                if definition.kind in (int, float)
                else "یکی از این‌ها را بنویسید: " + "، ".join(definition.choices.values())
                if definition.choices
                else "مقدار معتبر نیست."
            ]
        else:
            settings_mod.set_setting(key, value)
            db.session.commit()
            flash(f"«{definition.label}» ذخیره شد.", "success")
            return redirect(url_for("core.settings_list"))
    return render_template("core/setting_form.html", form=form, definition=definition)


@bp.get("/admin/audit")
@allow(Role.ADMIN)
def audit_log():
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc())
    object_type = request.args.get("object_type") or None
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    page = db.paginate(stmt, page=page_arg(), per_page=50, error_out=False)
    report = anchor_error = None
    if request.args.get("verify"):
        try:
            report = verify_anchored(db.session)
        except AnchorError:
            anchor_error = True
            report = AnchoredReport(verify_chain(db.session))
    return render_template(
        "core/audit.html", page=page, report=report, anchor_error=anchor_error, object_type=object_type
    )
