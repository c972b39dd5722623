"""Committee members: the organisation each represents and the alternates (علی‌البدل) who fill
a principal's seat."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from committees.models import CommitteeMember
from committees.operations._common import LIMITS, insert_unique, optional_text, required_text
from core.args import MAX_ID
from core.errors import DomainError
from core.extensions import db
from core.forms import valid_national_id
from core.persian import clean_text, normalize_for_search, to_latin_digits


def seat_of(member: CommitteeMember) -> CommitteeMember:
    """The seat a member fills: an alternate stands in for their principal."""
    return member.alternate_for if member.alternate_for_id else member


def save_member(member: CommitteeMember | None, data: dict[str, Any], *, actor) -> CommitteeMember:
    """Add or change a committee member: the organisation they represent, and whom they stand in
    for if they are an alternate (علی‌البدل)."""
    from accounts.models import User

    full_name = required_text(
        data.get("full_name"), "نام عضو را وارد کنید.", "full_name", LIMITS["full_name"]
    )
    title = optional_text(data.get("title"), "title", LIMITS["title_member"])
    organisation = optional_text(data.get("organisation"), "organisation", LIMITS["organisation"])
    principal = None
    if data.get("alternate_for_id"):
        principal = db.session.get(CommitteeMember, data["alternate_for_id"])
        if principal is None or principal is member:
            raise DomainError("عضو اصلی انتخاب‌شده معتبر نیست.", field="alternate_for_id")
        if principal.alternate_for_id:
            raise DomainError(
                "عضو علی‌البدل نمی‌تواند جانشین عضو علی‌البدل دیگری باشد.", field="alternate_for_id"
            )
        if member is not None and _alternates_of(member):
            raise DomainError(
                "این عضو خود علی‌البدل دارد و نمی‌تواند علی‌البدل عضو دیگری باشد.", field="alternate_for_id"
            )
        if organisation and normalize_for_search(organisation) != normalize_for_search(
            principal.organisation
        ):
            raise DomainError(
                "عضو علی‌البدل نماینده همان سازمانِ عضو اصلی است؛ سازمان را خالی بگذارید یا همان را بنویسید.",
                field="organisation",
            )
        organisation = principal.organisation
    if not organisation:
        raise DomainError("سازمانی را که عضو نماینده آن است وارد کنید.", field="organisation")
    user = None
    if data.get("user_id"):
        user = db.session.get(User, data["user_id"])
        if user is None:
            raise DomainError("کاربر انتخاب‌شده یافت نشد.", field="user_id")
        linked = db.session.scalar(select(CommitteeMember).where(CommitteeMember.user_id == user.id))
        if linked is not None and linked is not member:
            raise DomainError(
                f"این کاربر پیش‌تر به عضو «{linked.full_name}» پیوند خورده است.", field="user_id"
            )
    national_id = to_latin_digits(clean_text(data.get("national_id"))) or None
    if national_id and not valid_national_id(national_id):
        raise DomainError("کد ملی درست نیست.", field="national_id")
    values = {
        "full_name": full_name,
        "national_id": national_id,
        "title": title,
        "organisation": organisation,
        "user_id": user.id if user else None,
        "alternate_for": principal,
        "active": bool(data.get("active", True)),
    }
    if member is None:
        member = CommitteeMember(**values)
        insert_unique(member, "این کاربر پیش‌تر به عضو دیگری پیوند خورده است.", field_name="user_id")
    else:
        for key, value in values.items():
            setattr(member, key, value)
    db.session.flush()
    return member


def _alternates_of(member: CommitteeMember) -> list[CommitteeMember]:
    return list(
        db.session.scalars(select(CommitteeMember).where(CommitteeMember.alternate_for_id == member.id))
    )


def members_in_order() -> list[CommitteeMember]:
    """Principals, each followed by their alternates."""
    members = db.session.scalars(select(CommitteeMember).order_by(CommitteeMember.id)).all()
    principals = [m for m in members if not m.alternate_for_id]
    ordered = []
    for principal in principals:
        ordered.append(principal)
        ordered.extend(m for m in members if m.alternate_for_id == principal.id)
    return ordered


def get_member(member_id: int | None) -> CommitteeMember:
    """A member chosen by their id (from a list or an API call); refused in Persian if there is none."""
    member = db.session.get(CommitteeMember, member_id) if member_id and 0 < member_id <= MAX_ID else None
    if member is None:
        raise DomainError("عضو انتخاب‌شده یافت نشد.", field="member_id")
    return member


def member_for_user(user) -> CommitteeMember | None:
    """The committee member the user's account is linked to, if any."""
    if user is None or getattr(user, "id", None) is None:
        return None
    return db.session.scalar(select(CommitteeMember).where(CommitteeMember.user_id == user.id))
