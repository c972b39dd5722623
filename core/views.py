"""The dashboard, the settings page and the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from wtforms import StringField
from wtforms.validators import DataRequired, InputRequired, Length

from core import calendar
from core import settings as settings_mod
from core.args import page_arg, parse_int
from core.audit import AuditEvent, verify_chain
from core.audit_anchor import AnchoredReport, AnchorError, verify_anchored
from core.dashboard import panels_for
from core.db import get_or_404
from core.extensions import db
from core.forms import BaseForm, JalaliDateField
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


class ChoiceError(ValueError):
    """A list item that is none of the setting's choices."""


def _fold(text: str) -> str:
    return text.replace(" ", "").replace("\u200c", "")


def _from_choices(items: list[str], allowed) -> list[str]:
    """Each item as its choice is spelled («پنج شنبه» is «پنجشنبه»); an unknown one is refused."""
    by_fold = {_fold(choice): choice for choice in allowed}
    out = []
    for item in items:
        if _fold(item) not in by_fold:
            raise ChoiceError(item)
        if by_fold[_fold(item)] not in out:
            out.append(by_fold[_fold(item)])
    return out


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
    if definition.choices is not None and definition.kind is not list and request.method == "GET":
        form.value.data = definition.choices.get(current, current)
    if definition.kind in (list, str):
        form.value.validators = []  # an empty text or list is a legitimate value
    if form.validate_on_submit():
        raw = to_latin_digits(form.value.data).replace("٫", ".")
        try:
            if definition.choices is not None and definition.kind is not list:
                value = next(
                    (code for code, label in definition.choices.items() if raw.strip() in (code, label)),
                    None,
                )
                if value is None:
                    raise ValueError
            elif definition.kind is list:
                value = [part.strip() for part in raw.replace("،", ",").split(",") if part.strip()]
                if definition.choices:
                    value = _from_choices(value, definition.choices)
            elif definition.kind is str:
                value = raw
            else:
                value = definition.kind(raw)
            if definition.kind in (int, float) and not value >= definition.min:
                raise ValueError
        except ChoiceError as exc:
            form.value.errors = [
                f"«{exc.args[0]}» پذیرفته نیست؛ مقدارهای ممکن: {'، '.join(definition.choices)}."
            ]
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


# ---------------------------------------------------------------- the working-day calendar


class ClosureForm(BaseForm):
    day = JalaliDateField("تاریخ", validators=[InputRequired("تاریخ را وارد کنید.")])
    name = StringField(
        "مناسبت یا دلیل تعطیلی", validators=[DataRequired("دلیل تعطیلی را بنویسید."), Length(max=200)]
    )


def _jalali_year_arg() -> int:
    from core.clock import today_tehran
    from core.persian import jalali

    year = parse_int(request.args.get("year", ""), minimum=1300, maximum=1500)
    return year or jalali(today_tehran()).year


@bp.get("/admin/holidays")
@allow(Role.ADMIN)
def holidays():
    from core.persian import jalali_year_bounds

    year = _jalali_year_arg()
    first, last = jalali_year_bounds(year)
    rows = db.session.scalars(
        select(calendar.Holiday)
        .where(calendar.Holiday.day.between(first, last))
        .order_by(calendar.Holiday.day)
    ).all()
    loaded = {r.day.year for r in rows if r.source == calendar.HolidaySource.OFFICIAL}
    pending = [
        (day, name)
        for g_year in sorted({first.year, last.year} - loaded)
        for day, name in sorted(calendar.library_holidays(g_year).items())
        if first <= day <= last
    ]
    return render_template(
        "core/holidays.html",
        year=year,
        rows=rows,
        pending=pending,
        form=ClosureForm(formdata=None),
        weekday=calendar.describe_day,
        weekly=settings_mod.get_setting("calendar.weekly_days_off"),
    )


@bp.post("/admin/holidays")
@allow(Role.ADMIN)
def holiday_add():
    form = ClosureForm()
    if form.validate_on_submit():
        existing = db.session.scalar(select(calendar.Holiday).where(calendar.Holiday.day == form.day.data))
        if existing is not None:
            existing.off = True
            existing.name = form.name.data
        else:
            db.session.add(
                calendar.Holiday(
                    day=form.day.data, name=form.name.data, source=calendar.HolidaySource.ANNOUNCED, off=True
                )
            )
        db.session.commit()
        flash(f"تعطیلی {calendar.describe_day(form.day.data)} ثبت شد.", "success")
    else:
        for field_ in form:
            for error in field_.errors:
                flash(error, "danger")
    return redirect(url_for("core.holidays", year=request.form.get("year") or None))


@bp.post("/admin/holidays/load")
@allow(Role.ADMIN)
def holidays_load():
    from core.persian import jalali_year_bounds

    year = int(request.form.get("year", "0")) if request.form.get("year", "").isdigit() else 0
    if not 1300 <= year <= 1500:
        abort(400)
    first, last = jalali_year_bounds(year)
    added = []
    for g_year in sorted({first.year, last.year}):
        added += calendar.load_official_holidays(g_year)
    db.session.commit()
    flash(f"{to_persian_digits(len(added))} روز تعطیل رسمی به تقویم افزوده شد.", "success")
    return redirect(url_for("core.holidays", year=year))


@bp.post("/admin/holidays/<int:holiday_id>/toggle")
@allow(Role.ADMIN)
def holiday_toggle(holiday_id: int):
    row = get_or_404(calendar.Holiday, holiday_id)
    row.off = not row.off
    db.session.commit()
    state = "تعطیل" if row.off else "کاری"
    flash(f"{calendar.describe_day(row.day)} روز {state} شد.", "success")
    from core.persian import jalali

    return redirect(url_for("core.holidays", year=jalali(row.day).year))
