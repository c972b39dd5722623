"""Login, logout, one's own password, and the admin's user pages."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from accounts import operations as ops
from accounts import tokens as token_ops
from accounts.forms import LoginForm, PasswordForm, TokenForm, UserForm
from accounts.models import ApiToken, User
from core.clock import utcnow
from core.db import get_or_404
from core.errors import DomainError
from core.extensions import db
from core.forms import show_domain_error
from core.security import ALL_ROLES, Role, allow, public, require
from core.settings import get_setting

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("core.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        result = ops.authenticate(form.username.data, form.password.data, address=request.remote_addr)
        db.session.commit()
        if result.user is not None:
            hours = get_setting("security.remember_me_hours")
            login_user(result.user, remember=bool(form.remember.data), duration=timedelta(hours=hours))
            return redirect(_safe_next(request.args.get("next")))
        form.form_errors.append(result.message)
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@allow(*ALL_ROLES)
def logout():
    # The cookie the browser held could have been copied: it must not work again, so the account's
    # session generation moves on (every session of the account ends).
    ops.end_sessions(current_user, actor=current_user, reason="logout")
    db.session.commit()
    logout_user()
    flash("از سامانه خارج شدید.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(*ALL_ROLES)
def own_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            ops.change_password(current_user, form.password.data, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this browser stays signed in
            flash("گذرواژه شما تغییر کرد؛ نشست‌های شما در دستگاه‌های دیگر بسته شد.", "success")
            return redirect(url_for("core.dashboard"))
    return render_template("accounts/password.html", form=form, user=current_user)


@bp.post("/account/sign-out-everywhere")
@allow(*ALL_ROLES)
def own_sign_out_everywhere():
    ops.sign_out_everywhere(current_user, actor=current_user)
    db.session.commit()
    logout_user()
    flash("از همه دستگاه‌ها خارج شدید و توکن‌های API شما باطل شد.", "info")
    return redirect(url_for("accounts.login"))


@bp.post("/admin/users/<int:user_id>/sign-out-everywhere")
@allow(Role.ADMIN)
def user_sign_out_everywhere(user_id: int):
    user = get_or_404(User, user_id)
    ops.sign_out_everywhere(user, actor=current_user)
    db.session.commit()
    if user.id == current_user.id:
        logout_user()
        return redirect(url_for("accounts.login"))
    flash(f"همه نشست‌ها و توکن‌های «{user.full_name}» بسته شد.", "success")
    return redirect(url_for("accounts.user_edit", user_id=user.id))


@bp.get("/admin/users")
@allow(Role.ADMIN)
def user_list():
    q = request.args.get("q", "")[:100]
    users = db.session.scalars(ops.search_users(q)).all()
    return render_template("accounts/user_list.html", users=users, q=q)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def user_new():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = ops.create_user(
                form.username.data,
                full_name=form.full_name.data,
                role=form.role.data,
                password=form.password.data or "",
                organisation=form.organisation.data,
                mobile=form.mobile.data,
                actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"حساب «{user.username}» ساخته شد.", "success")
            return redirect(url_for("accounts.user_list"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def user_edit(user_id: int):
    user = get_or_404(User, user_id)
    form = UserForm(obj=user, active=user.is_active_account)
    form.username.data = user.username
    if form.validate_on_submit():
        try:
            ops.update_user(
                user,
                full_name=form.full_name.data,
                role=form.role.data,
                organisation=form.organisation.data,
                mobile=form.mobile.data,
                active=form.active.data,
                actor=current_user,
            )
            if form.password.data:
                ops.change_password(user, form.password.data, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            if user.id == current_user.id:
                login_user(user)  # an admin's own new password: this browser stays signed in
            flash("تغییرات حساب ذخیره شد.", "success")
            return redirect(url_for("accounts.user_list"))
    return render_template("accounts/user_form.html", form=form, user=user)


# ---------------------------------------------------------------- API tokens (issue 7)


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@allow(*ALL_ROLES)
def api_tokens():
    form = TokenForm()
    issued = None
    if form.validate_on_submit():
        try:
            issued = token_ops.issue_token(
                current_user, name=form.name.data, actor=current_user, address=request.remote_addr
            )
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            form = TokenForm(formdata=None)
    tokens = db.session.scalars(token_ops.tokens_query(user=current_user)).all()
    response = make_response(
        render_template("accounts/api_tokens.html", form=form, tokens=tokens, issued=issued, now=utcnow())
    )
    response.headers["Cache-Control"] = "no-store"  # the new token is on this page, once
    return response


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@allow(*ALL_ROLES)
def api_token_revoke(token_id: int):
    token = get_or_404(ApiToken, token_id)
    require(token_ops.can_revoke_token(current_user, token))
    try:
        token_ops.revoke_token(token, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(f"توکن «{token.name}» باطل شد.", "success")
    back = request.form.get("next")
    return redirect(_safe_next(back) if back else url_for("accounts.api_tokens"))


@bp.get("/admin/api-tokens")
@allow(Role.ADMIN)
def api_token_admin():
    from core.args import page_arg

    show_all = request.args.get("all") == "1"
    page = db.paginate(
        token_ops.tokens_query(active_only=not show_all),
        page=page_arg(),
        per_page=50,
        max_per_page=50,
        error_out=False,
    )
    return render_template("accounts/api_tokens_admin.html", page=page, show_all=show_all)
