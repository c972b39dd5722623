"""Committee members and their alternates."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.models import User
from committees import operations as ops
from committees.forms import MemberForm
from committees.models import CommitteeMember
from committees.permissions import MEMBERS
from committees.views._common import attempt, bp
from core.db import get_or_404
from core.extensions import db
from core.forms import choices
from core.security import Role, allow


def _member_choices(form: MemberForm, member: CommitteeMember | None) -> None:
    principals = db.session.scalars(
        select(CommitteeMember).where(CommitteeMember.alternate_for_id.is_(None)).order_by(CommitteeMember.id)
    ).all()
    form.alternate_for_id.choices = choices(
        [
            (0, "— عضو اصلی است —"),
            *((m.id, f"{m.full_name} ({m.organisation})") for m in principals if m is not member),
        ]
    )
    users = db.session.scalars(
        select(User)
        .where(User.role.in_([Role.COMMITTEE_MEMBER, Role.COMMITTEE_SECRETARY, Role.ADMIN]))
        .order_by(User.full_name)
    ).all()
    form.user_id.choices = choices(
        [(0, "— بدون حساب —"), *((u.id, f"{u.full_name} ({u.username})") for u in users)]
    )


def _member_data(form: MemberForm) -> dict:
    return {
        "full_name": form.full_name.data,
        "title": form.title.data,
        "national_id": form.national_id.data,
        "organisation": form.organisation.data,
        "alternate_for_id": form.alternate_for_id.data or None,
        "user_id": form.user_id.data or None,
        "active": form.active.data,
    }


@bp.route("/members", methods=["GET", "POST"])
@allow(*MEMBERS)
def member_list():
    form = MemberForm(data={"active": True})
    _member_choices(form, None)
    if form.validate_on_submit() and attempt(
        form, lambda: ops.save_member(None, _member_data(form), actor=current_user)
    ):
        flash(f"«{form.full_name.data}» به اعضای کمیته افزوده شد.", "success")
        return redirect(url_for("committees.member_list"))
    return render_template("committees/member_list.html", members=ops.members_in_order(), form=form)


@bp.route("/members/<int:member_id>", methods=["GET", "POST"])
@allow(*MEMBERS)
def member_edit(member_id: int):
    member = get_or_404(CommitteeMember, member_id)
    form = MemberForm(
        data={
            "full_name": member.full_name,
            "title": member.title,
            "national_id": member.national_id,
            "organisation": member.organisation,
            "alternate_for_id": member.alternate_for_id or 0,
            "user_id": member.user_id or 0,
            "active": member.active,
        }
    )
    _member_choices(form, member)
    if form.validate_on_submit() and attempt(
        form, lambda: ops.save_member(member, _member_data(form), actor=current_user)
    ):
        flash(f"«{member.full_name}» ذخیره شد.", "success")
        return redirect(url_for("committees.member_list"))
    return render_template("committees/member_form.html", form=form, member=member)
