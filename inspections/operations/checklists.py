"""Checklists: each purpose and site kind has one, edited as numbered versions (a visit keeps the
version it was filled on), and drawn on the tablet from checklist_data()."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from committees.models import Severity, ViolationType
from core.db import actor_id
from core.errors import DomainError
from core.extensions import db
from core.persian import clean_text, to_persian_digits
from inspections.models import AnswerType, Checklist, ChecklistItem, ChecklistVersion, VisitPurpose
from registry.models import SiteKind

ITEM_TEXT_MAX = 300


def checklists_in_order() -> list[Checklist]:
    return list(
        db.session.scalars(
            select(Checklist)
            .options(selectinload(Checklist.versions))
            .order_by(Checklist.purpose, Checklist.site_kind)
        )
    )


def checklist_for(purpose: VisitPurpose | str, site_kind: SiteKind | str) -> Checklist | None:
    """The active checklist for a purpose and site kind, if the administrator has one."""
    return db.session.scalar(
        select(Checklist).where(
            Checklist.purpose == VisitPurpose(purpose),
            Checklist.site_kind == SiteKind(site_kind),
            Checklist.active.is_(True),
        )
    )


def _item_key(item: dict[str, Any]) -> tuple:
    return (
        item["text"],
        item["answer_type"],
        item["severity"],
        item["violation_type_id"],
        item["required"],
        item["min_value"],
    )


def version_items(version: ChecklistVersion) -> list[dict[str, Any]]:
    """A version's items as plain data (what an edit starts from and is compared with)."""
    return [
        {
            "text": i.text,
            "answer_type": i.answer_type,
            "severity": i.severity,
            "violation_type_id": i.violation_type_id,
            "required": i.required,
            "min_value": i.min_value,
        }
        for i in version.items
    ]


def _validate_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    active_types = set(db.session.scalars(select(ViolationType.id).where(ViolationType.active.is_(True))))
    for n, raw in enumerate(items, start=1):
        text = clean_text(raw.get("text"))
        if not text:
            continue  # an empty row of the form: dropped
        where = f"بند {to_persian_digits(n)}"
        if len(text) > ITEM_TEXT_MAX:
            raise DomainError(
                f"{where}: متن بند حداکثر {to_persian_digits(ITEM_TEXT_MAX)} نویسه است.", field="items"
            )
        try:
            answer_type = AnswerType(raw.get("answer_type"))
            severity = Severity(raw.get("severity") or Severity.MEDIUM)
        except ValueError as exc:
            raise DomainError(f"{where}: نوع پاسخ یا شدت معتبر نیست.", field="items") from exc
        violation_type_id = raw.get("violation_type_id") or None
        if violation_type_id is not None and violation_type_id not in active_types:
            raise DomainError(f"{where}: تخلف انتخاب‌شده در فهرست تخلفات فعال نیست.", field="items")
        min_value = raw.get("min_value")
        if min_value is not None and answer_type != AnswerType.NUMBER:
            min_value = None
        cleaned.append(
            {
                "text": text,
                "answer_type": answer_type,
                "severity": severity,
                "violation_type_id": violation_type_id,
                "required": bool(raw.get("required", True)),
                "min_value": None if min_value is None else float(min_value),
            }
        )
    if not cleaned:
        raise DomainError("چک‌لیست دست‌کم یک بند لازم دارد.", field="items")
    return cleaned


def _add_version(
    checklist: Checklist, items: list[dict[str, Any]], note: str | None, actor
) -> ChecklistVersion:
    number = (checklist.current_version.number + 1) if checklist.current_version else 1
    version = ChecklistVersion(
        checklist=checklist, number=number, note=clean_text(note) or None, created_by_id=actor_id(actor)
    )
    db.session.add(version)
    for position, item in enumerate(items, start=1):
        version.items.append(ChecklistItem(position=position, **item))
    db.session.flush()
    return version


def create_checklist(
    purpose: VisitPurpose | str, site_kind: SiteKind | str, *, title: str, items: list[dict[str, Any]], actor
) -> Checklist:
    """A new checklist for a purpose and site kind, with its first version."""
    purpose, site_kind = VisitPurpose(purpose), SiteKind(site_kind)
    if site_kind not in purpose.site_kinds:
        raise DomainError(
            f"بازدید «{purpose.label}» برای «{site_kind.label}» انجام نمی‌شود.", field="site_kind"
        )
    if db.session.scalar(
        select(Checklist.id).where(Checklist.purpose == purpose, Checklist.site_kind == site_kind)
    ):
        raise DomainError("برای این هدف و نوع محل چک‌لیست وجود دارد؛ همان را ویرایش کنید.", field="site_kind")
    title = clean_text(title)
    if not title:
        raise DomainError("عنوان چک‌لیست را بنویسید.", field="title")
    items = _validate_items(items)
    checklist = Checklist(purpose=purpose, site_kind=site_kind, title=title[:200])
    db.session.add(checklist)
    _add_version(checklist, items, "نسخه نخست", actor)
    return checklist


def save_checklist_version(
    checklist: Checklist, items: list[dict[str, Any]], *, note: str | None = None, actor
) -> ChecklistVersion:
    """Save an edit as a new version; earlier versions (and the visits filled on them) stay."""
    items = _validate_items(items)
    current = checklist.current_version
    if current is not None and [_item_key(i) for i in items] == [
        _item_key(i) for i in version_items(current)
    ]:
        raise DomainError("بندها تغییری نکرده‌اند؛ نسخه تازه‌ای ساخته نشد.", field="items")
    return _add_version(checklist, items, note, actor)


def set_checklist_active(checklist: Checklist, active: bool, *, actor) -> Checklist:
    checklist.active = active
    db.session.flush()
    return checklist


def checklist_data(version: ChecklistVersion) -> dict[str, Any]:
    """A version as the tablet needs it to draw the form (also offline)."""
    checklist = version.checklist
    return {
        "checklist_id": checklist.id,
        "version_id": version.id,
        "version": version.number,
        "purpose": checklist.purpose.value,
        "site_kind": checklist.site_kind.value,
        "title": checklist.title,
        "items": [
            {
                "id": i.id,
                "text": i.text,
                "answer_type": i.answer_type.value,
                "answer_label": i.answer_type.label,
                "severity": i.severity.value,
                "severity_label": i.severity.label,
                "required": i.required,
                "min_value": i.min_value,
                "violation": (
                    f"{i.violation_type.code} — {i.violation_type.title}" if i.violation_type else None
                ),
            }
            for i in version.items
        ],
    }
