"""Business rules for inspections: checklists, receiving visits and photos, GPS flags, referrals,
planning and routes."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User
from committees import operations as committee_ops
from committees.models import Case, Severity, ViolationType
from core.args import MAX_ID
from core.clock import TEHRAN, today_tehran, utcnow
from core.db import actor_id
from core.errors import DomainError
from core.extensions import db
from core.geo import distance_m
from core.persian import (
    clean_text,
    format_jalali,
    format_jalali_datetime,
    format_number,
    to_persian_digits,
)
from core.security import Role
from core.settings import get_setting
from inspections.models import (
    AnswerType,
    Assignment,
    AssignmentState,
    Checklist,
    ChecklistItem,
    ChecklistVersion,
    Choice,
    Verdict,
    Visit,
    VisitAnswer,
    VisitPhoto,
    VisitPurpose,
)
from licensing import operations as licensing_ops
from licensing.models import VisitRequest, VisitRequestState
from registry.models import BANK_KINDS, Site, SiteKind, SiteStatus

# ---------------------------------------------------------------- errors the API tells apart


class InspectionError(DomainError):
    """A refusal with the HTTP status and code the API answers with (the views show the message)."""

    status = 422
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        status: int | None = None,
        fields: dict[str, str] | None = None,
    ):
        super().__init__(message, field=field)
        self.code = code or self.code
        self.status = status or self.status
        self.fields = fields or ({field: message} if field else {})


class InvalidVisit(InspectionError):
    """The visit's data does not pass validation; fields says which parts and why."""

    code = "validation"


class VisitConflict(InspectionError):
    """A visit with this UUID is already stored with other content (or by another inspector)."""

    status = 409
    code = "uuid_conflict"

    def __init__(self, visit: Visit):
        super().__init__(
            "بازدیدی با همین شناسه پیش‌تر با محتوای دیگری ثبت شده است؛ این نسخه "
            "ذخیره نشد. با کارشناس سامانه هماهنگ کنید."
        )
        self.visit = visit


# ---------------------------------------------------------------- checklists

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


# ---------------------------------------------------------------- receiving a visit

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
TEXT_LIMITS = {
    "person_met": 150,
    "person_met_role": 100,
    "notes": 4000,
    "answer_text": 2000,
    "answer_note": 1000,
    "caption": 200,
}
MAX_ANSWERS = 500
# The device may run a little ahead of the server without that meaning anything.
CLOCK_TOLERANCE = timedelta(minutes=10)


def canonical_json(payload: Any) -> str:
    """The payload as canonical JSON: sorted keys, no spaces, UTF-8 text as is."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def payload_hash(payload: Any) -> str:
    """SHA-256 of the canonical JSON: the same visit sent again hashes the same."""
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def valid_uuid(value: Any) -> str | None:
    """The UUID in canonical lower-case form, or None when it is not one."""
    if not isinstance(value, str):
        return None
    value = value.strip().lower()
    return value if UUID_RE.match(value) else None


def find_visit(uuid: str, *, lock: bool = False) -> Visit | None:
    """The visit with this UUID; lock=True holds its row until the transaction ends."""
    stmt = select(Visit).where(Visit.uuid == uuid)
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt)


@dataclass
class _Checker:
    """Collects every problem of a submitted visit, so the tablet can show them all at once."""

    errors: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, message)

    def raise_if_any(self) -> None:
        if self.errors:
            first = next(iter(self.errors.values()))
            raise InvalidVisit(f"داده‌های بازدید کامل یا درست نیست: {first}", fields=self.errors)


def _int(value: Any) -> int | None:
    """A JSON integer that can be a row id (no booleans, no 1e300)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        return None
    return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _text(
    check: _Checker, data: dict, key: str, limit_key: str | None = None, where: str | None = None
) -> str | None:
    value = data.get(key)
    where = where or key
    if value is None:
        return None
    if not isinstance(value, str):
        check.add(where, "باید متن باشد.")
        return None
    value = clean_text(value)
    limit = TEXT_LIMITS[limit_key or key]
    if len(value) > limit:
        check.add(where, f"حداکثر {to_persian_digits(limit)} نویسه است.")
    return value or None


@dataclass
class _Target:
    site: Site | None
    request: VisitRequest | None
    kind: SiteKind | None


def _target(check: _Checker, data: dict, purpose: VisitPurpose | None) -> _Target:
    site = request = None
    site_id, request_id = data.get("site_id"), data.get("visit_request_id")
    if site_id is not None:
        if _int(site_id) is None:
            check.add("site_id", "شناسه محل باید عدد صحیح باشد.")
        else:
            site = db.session.get(Site, site_id)
            if site is None:
                check.add("site_id", "محل بازدید در سامانه یافت نشد.")
    if request_id is not None:
        if _int(request_id) is None:
            check.add("visit_request_id", "شناسه درخواست بازدید باید عدد صحیح باشد.")
        else:
            request = db.session.get(VisitRequest, request_id)
            if request is None:
                check.add("visit_request_id", "درخواست بازدید در سامانه یافت نشد.")
    if site_id is None and request_id is None:
        check.add("site_id", "محل بازدید یا درخواست بازدید را مشخص کنید.")
    if request is not None:
        if site is None and request.site is not None and site_id is None:
            site = request.site
        if request.site_id is not None and site is not None and request.site_id != site.id:
            check.add("site_id", "این درخواست بازدید برای محل دیگری است.")
        if purpose is not None and request.purpose != purpose.value:
            check.add("purpose", "هدف بازدید با درخواست کارشناس صدور پروانه یکی نیست.")
    elif purpose is not None and purpose.for_licensing and "visit_request_id" not in check.errors:
        check.add("visit_request_id", "بازدید تأسیس یا نشانی جدید باید برای یک درخواست بازدید ثبت شود.")
    kind = site.kind if site is not None else None
    if kind is None and request is not None and request.application is not None:
        kind = request.application.office_kind
    if purpose is not None and kind is not None and kind not in purpose.site_kinds:
        check.add("purpose", f"بازدید «{purpose.label}» برای «{kind.label}» انجام نمی‌شود.")
    return _Target(site, request, kind)


def _answers(
    check: _Checker, raw: Any, version: ChecklistVersion | None, photo_items: set[int]
) -> list[VisitAnswer]:
    if not isinstance(raw, list):
        check.add("answers", "پاسخ‌ها باید فهرست باشند.")
        return []
    if len(raw) > MAX_ANSWERS:
        check.add("answers", "تعداد پاسخ‌ها بیش از حد است.")
        return []
    items = {i.id: i for i in version.items} if version is not None else {}
    answers: dict[int, VisitAnswer] = {}
    for n, entry in enumerate(raw):
        where = f"answers[{n}]"
        if not isinstance(entry, dict) or _int(entry.get("item_id")) is None:
            check.add(where, "هر پاسخ باید شناسه بند (item_id) داشته باشد.")
            continue
        item = items.get(entry["item_id"])
        if item is None:
            if version is not None:
                check.add(where, "این بند در نسخه چک‌لیست بازدید نیست.")
            continue
        if item.id in answers:
            check.add(where, "به این بند دو بار پاسخ داده شده است.")
            continue
        answer = VisitAnswer(
            item=item,
            item_id=item.id,
            failed=False,
            note=_text(check, entry, "note", "answer_note", f"{where}.note"),
        )
        if item.answer_type == AnswerType.YES_NO:
            choice = entry.get("choice")
            if choice is not None:
                try:
                    answer.choice = Choice(choice)
                except ValueError:
                    check.add(where, "پاسخ باید «بله»، «خیر» یا «موضوعیت ندارد» باشد.")
            answer.failed = answer.choice == Choice.NO
        elif item.answer_type == AnswerType.NUMBER:
            if entry.get("number") is not None:
                answer.number = _number(entry["number"])
                if answer.number is None:
                    check.add(where, "پاسخ این بند باید عدد باشد.")
            answer.failed = bool(
                answer.number is not None and item.min_value is not None and answer.number < item.min_value
            )
        elif item.answer_type == AnswerType.TEXT:
            answer.text = _text(check, entry, "text", "answer_text", f"{where}.text")
        answers[item.id] = answer
    for item in items.values():
        answer = answers.get(item.id)
        if item.answer_type == AnswerType.PHOTO:
            if item.required and item.id not in photo_items:
                check.add(f"item:{item.id}", f"برای بند «{item.text}» عکس لازم است.")
            if answer is None:
                answers[item.id] = VisitAnswer(item=item, item_id=item.id, failed=False)
            continue
        missing = answer is None or (answer.choice is None and answer.number is None and not answer.text)
        if item.required and missing:
            check.add(f"item:{item.id}", f"به بند «{item.text}» پاسخ داده نشده است.")
    return list(answers.values())


def _photos(check: _Checker, raw: Any, version: ChecklistVersion | None) -> list[VisitPhoto]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.add("photos", "فهرست عکس‌ها باید فهرست باشد.")
        return []
    limit = get_setting("inspection.max_photos_per_visit")
    if len(raw) > limit:
        check.add("photos", f"یک بازدید حداکثر {to_persian_digits(limit)} عکس دارد.")
        return []
    item_ids = {i.id for i in version.items} if version is not None else set()
    photos: dict[str, VisitPhoto] = {}
    for n, entry in enumerate(raw):
        where = f"photos[{n}]"
        sha = entry.get("sha256") if isinstance(entry, dict) else None
        if not isinstance(sha, str) or not SHA256_RE.match(sha):
            check.add(where, "هر عکس باید چکیده SHA-256 (۶۴ نویسه هگز کوچک) داشته باشد.")
            continue
        if sha in photos:
            check.add(where, "این عکس دو بار در فهرست آمده است.")
            continue
        item_id = entry.get("item_id")
        if item_id is not None and (
            _int(item_id) is None or (version is not None and item_id not in item_ids)
        ):
            check.add(where, "عکس به بندی نسبت داده شده که در این چک‌لیست نیست.")
            item_id = None
        taken_at = entry.get("taken_at")
        photos[sha] = VisitPhoto(
            sha256=sha,
            item_id=item_id,
            caption=_text(check, entry, "caption", where=f"{where}.caption"),
            taken_at=_datetime(taken_at) if taken_at is not None else None,
        )
    return list(photos.values())


@dataclass
class GpsCheck:
    """The distance from the fix to the reference point and the flags it raises."""

    distance_m: float | None
    too_far: bool
    poor_fix: bool
    no_fix: bool


def check_gps(
    fix: tuple[float, float] | None, accuracy_m: float | None, reference: tuple[float, float] | None
) -> GpsCheck:
    """Measure the fix against the registered location: flag it, never refuse it."""
    if fix is None:
        return GpsCheck(None, False, False, True)
    distance = distance_m(fix, reference) if reference is not None else None
    too_far = distance is not None and distance > get_setting("inspection.max_distance_m")
    poor = accuracy_m is None or accuracy_m > get_setting("inspection.max_accuracy_m")
    return GpsCheck(distance, too_far, poor, False)


def reference_point(
    purpose: VisitPurpose, site: Site | None, request: VisitRequest | None
) -> tuple[float, float] | None:
    """Where the visit should happen: the proposed address of a licensing request (new site or
    new address), else the site's registered location."""
    if (
        request is not None
        and request.lat is not None
        and request.lon is not None
        and (site is None or purpose == VisitPurpose.ADDRESS_CHANGE)
    ):
        return request.lat, request.lon
    if site is not None and site.lat is not None and site.lon is not None:
        return site.lat, site.lon
    return None


def _gps(check: _Checker, raw: Any) -> tuple[tuple[float, float] | None, float | None, datetime | None]:
    if raw is None:
        return None, None, None
    if not isinstance(raw, dict):
        check.add("gps", "موقعیت باید شامل lat، lon و accuracy_m باشد.")
        return None, None, None
    lat, lon, accuracy = (_number(raw.get(k)) for k in ("lat", "lon", "accuracy_m"))
    if lat is None or not -90 <= lat <= 90:
        check.add("gps.lat", "عرض جغرافیایی باید عددی بین ۹۰- و ۹۰ باشد.")
    if lon is None or not -180 <= lon <= 180:
        check.add("gps.lon", "طول جغرافیایی باید عددی بین ۱۸۰- و ۱۸۰ باشد.")
    if raw.get("accuracy_m") is not None and (accuracy is None or accuracy < 0):
        check.add("gps.accuracy_m", "دقت موقعیت باید عددی نامنفی (متر) باشد.")
    fix_at = None
    if raw.get("fix_at") is not None:
        fix_at = _datetime(raw["fix_at"])
        if fix_at is None:
            check.add("gps.fix_at", "زمان موقعیت‌یابی باید تاریخ و ساعت ISO باشد.")
    if "gps.lat" in check.errors or "gps.lon" in check.errors:
        return None, None, None
    return (lat, lon), accuracy, fix_at


def _validated_visit(payload: dict, uuid: str, digest: str, actor) -> Visit:
    check = _Checker()
    purpose = None
    try:
        purpose = VisitPurpose(payload.get("purpose"))
    except ValueError:
        check.add("purpose", "هدف بازدید معتبر نیست.")
    target = _target(check, payload, purpose)
    version = None
    version_id = payload.get("checklist_version_id")
    if _int(version_id) is None:
        check.add("checklist_version_id", "نسخه چک‌لیست (checklist_version_id) را بفرستید.")
    else:
        version = db.session.get(ChecklistVersion, version_id)
        if version is None:
            check.add("checklist_version_id", "نسخه چک‌لیست یافت نشد.")
        elif purpose is not None and (
            version.checklist.purpose != purpose
            or (target.kind is not None and version.checklist.site_kind != target.kind)
        ):
            check.add("checklist_version_id", "این چک‌لیست برای این هدف و نوع محل نیست.")
    started_at, saved_at = _datetime(payload.get("started_at")), _datetime(payload.get("saved_at"))
    if started_at is None:
        check.add("started_at", "زمان آغاز بازدید (started_at) باید تاریخ و ساعت ISO باشد.")
    if saved_at is None:
        check.add("saved_at", "زمان ذخیره بازدید (saved_at) باید تاریخ و ساعت ISO باشد.")
    fix, accuracy, fix_at = _gps(check, payload.get("gps"))
    verdict = None
    if payload.get("verdict") is not None:
        try:
            verdict = Verdict(payload["verdict"])
        except ValueError:
            check.add("verdict", "نتیجه باید «مورد تأیید است» یا «مورد تأیید نیست» باشد.")
    elif target.request is not None:
        check.add("verdict", "نتیجه کلی بازدید را برای کارشناس صدور پروانه مشخص کنید.")
    assignment = None
    if payload.get("assignment_id") is not None:
        if _int(payload["assignment_id"]) is None:
            check.add("assignment_id", "شناسه مأموریت باید عدد صحیح باشد.")
        else:
            assignment = db.session.get(Assignment, payload["assignment_id"])
            if assignment is None:
                check.add("assignment_id", "مأموریت بازدید یافت نشد.")
            elif assignment.inspector_id != actor_id(actor) and getattr(actor, "role", None) != Role.ADMIN:
                # Reassigned while the tablet was offline: keep the visit, leave the other
                # inspector's assignment alone.
                assignment = None
    photos = _photos(check, payload.get("photos"), version)
    answers = _answers(
        check, payload.get("answers"), version, {p.item_id for p in photos if p.item_id is not None}
    )
    texts = {key: _text(check, payload, key) for key in ("person_met", "person_met_role", "notes")}
    check.raise_if_any()

    received_at = utcnow()
    clock_ahead = max(started_at, saved_at) > received_at + CLOCK_TOLERANCE
    day_source = received_at if clock_ahead else started_at
    reference = reference_point(purpose, target.site, target.request)
    gps = check_gps(fix, accuracy, reference)
    return Visit(
        uuid=uuid,
        purpose=purpose,
        site=target.site,
        visit_request=target.request,
        # By id: the Assignment.visits backref must not see a visit that is not in the session.
        assignment_id=assignment.id if assignment else None,
        checklist_version=version,
        inspector_id=actor_id(actor),
        started_at=started_at,
        device_saved_at=saved_at,
        received_at=received_at,
        visited_on=day_source.astimezone(TEHRAN).date(),
        lat=fix[0] if fix else None,
        lon=fix[1] if fix else None,
        accuracy_m=accuracy,
        fix_at=fix_at,
        ref_lat=reference[0] if reference else None,
        ref_lon=reference[1] if reference else None,
        distance_m=gps.distance_m,
        flag_too_far=gps.too_far,
        flag_poor_fix=gps.poor_fix,
        flag_no_fix=gps.no_fix,
        flag_clock=clock_ahead,
        verdict=verdict,
        failed_count=sum(a.failed for a in answers),
        payload_hash=digest,
        photos_expected=len(photos),
        complete=not photos,
        answers=answers,
        photos=photos,
        **texts,
    )


def _same_or_conflict(existing: Visit, digest: str, actor) -> Visit:
    if existing.payload_hash != digest or existing.inspector_id != actor_id(actor):
        raise VisitConflict(existing)
    return existing


def _result_notes(visit: Visit) -> str:
    failed = [a.item.text for a in visit.answers if a.failed]
    parts = [f"بازدید {format_jalali(visit.visited_on)} (شناسه {visit.uuid[:8]})"]
    if visit.distance_m is not None:
        parts.append(f"فاصله از نشانی: {format_number(round(visit.distance_m))} متر")
    if failed:
        parts.append("موارد نامطلوب: " + "، ".join(failed))
    if visit.notes:
        parts.append(visit.notes)
    return " — ".join(parts)


def _after_store(visit: Visit, actor) -> None:
    """What a stored visit sets in motion: the licensing result and the assignment's state."""
    request = visit.visit_request
    if request is not None and request.state == VisitRequestState.REQUESTED:
        licensing_ops.record_visit_result(
            request, passed=visit.verdict == Verdict.PASS, notes=_result_notes(visit), actor=actor
        )
        visit.request_result_returned = True
    if visit.assignment is not None and visit.assignment.state == AssignmentState.PLANNED:
        visit.assignment.state = AssignmentState.DONE
    db.session.flush()


def submit_visit(payload: Any, *, actor) -> tuple[Visit, bool]:
    """Store a visit sent by the tablet; (visit, True) when stored now, (visit, False) when the
    same UUID and content were stored before. Other content under a stored UUID: VisitConflict.

    One row per UUID is guaranteed by the unique constraint: two requests racing past the first
    look-up meet at the INSERT, and the loser re-reads the winner's row and compares.
    """
    if not isinstance(payload, dict):
        raise InvalidVisit("بدنه درخواست باید یک شیء JSON باشد.", fields={"_": "شیء JSON لازم است."})
    uuid = valid_uuid(payload.get("uuid"))
    if uuid is None:
        raise InvalidVisit("شناسه بازدید (uuid) معتبر نیست.", field="uuid")
    digest = payload_hash(payload)
    existing = find_visit(uuid)
    if existing is not None:
        return _same_or_conflict(existing, digest, actor), False
    visit = _validated_visit(payload, uuid, digest, actor)
    try:
        with db.session.begin_nested():
            db.session.add(visit)
            db.session.flush()
    except IntegrityError:
        existing = find_visit(uuid)
        if existing is None:
            raise
        return _same_or_conflict(existing, digest, actor), False
    _after_store(visit, actor)
    return visit, True


def missing_photos(visit: Visit) -> list[str]:
    """SHA-256 of the declared photos that have not arrived yet."""
    return [p.sha256 for p in visit.photos if not p.arrived]


# ---------------------------------------------------------------- photos

PHOTO_TYPES = {b"\xff\xd8\xff": ("image/jpeg", ".jpg"), b"\x89PNG\r\n\x1a\n": ("image/png", ".png")}


def photo_type(content: bytes) -> tuple[str, str] | None:
    """The photo's real type from its first bytes (JPEG or PNG), whatever the request claims."""
    for magic, kind in PHOTO_TYPES.items():
        if content.startswith(magic):
            return kind
    return None


def photo_directory() -> Path:
    base = Path(current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / "uploads")
    path = base / "inspections"
    path.mkdir(parents=True, exist_ok=True)
    return path


def photo_path(photo: VisitPhoto) -> Path:
    return photo_directory() / Path(photo.storage_key or "").name


def photo_max_bytes() -> int:
    return int(get_setting("inspection.photo_max_mb") * 1024 * 1024)


def _write_once(target: Path, content: bytes) -> None:
    """Write the file under its content-derived name; a second writer finds it there."""
    if target.exists():
        return
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def store_photo(visit: Visit, sha256: str, content: bytes, *, actor) -> tuple[VisitPhoto, bool]:
    """Store one declared photo of a visit; (photo, False) when it had arrived before.

    Call with the visit's row locked (find_visit(uuid, lock=True)), so that two photos arriving
    together cannot both miss the moment the visit becomes complete.
    """
    photo = next((p for p in visit.photos if p.sha256 == sha256), None)
    if photo is None:
        raise InspectionError(
            "این عکس در فهرست عکس‌های بازدید نیامده است.", code="photo_not_declared", status=422
        )
    if not content:
        raise InspectionError("فایل عکس خالی است.", code="empty", status=422)
    if len(content) > photo_max_bytes():
        raise InspectionError(
            f"حجم عکس بیش از {to_persian_digits(get_setting('inspection.photo_max_mb'))} مگابایت است.",
            code="too_large",
            status=413,
        )
    if hashlib.sha256(content).hexdigest() != sha256:
        raise InspectionError(
            "چکیده SHA-256 عکس با نشانی آن یکی نیست؛ عکس ناقص رسیده است.", code="sha256_mismatch", status=422
        )
    if photo.arrived:
        return photo, False
    kind = photo_type(content)
    if kind is None:
        raise InspectionError(
            "فقط عکس JPEG یا PNG پذیرفته می‌شود (نوع از محتوای فایل تشخیص داده شد).",
            code="photo_type",
            status=415,
        )
    content_type, extension = kind
    storage_key = f"{sha256}{extension}"
    _write_once(photo_directory() / storage_key, content)
    photo.content_type, photo.size, photo.storage_key = content_type, len(content), storage_key
    photo.received_at = utcnow()
    visit.complete = all(p.arrived for p in visit.photos)
    db.session.flush()
    return photo, True


# ---------------------------------------------------------------- referral to the committee


def referable_answers(visit: Visit) -> list[VisitAnswer]:
    """Failed answers whose item points to a violation type."""
    return [a for a in visit.answers if a.failed and a.item.violation_type_id is not None]


def referral_site(visit: Visit) -> Site | None:
    """The office a case would be opened against: the site itself, or the licensed office that
    hosts an ATM or kiosk (the bank's own devices are reported, not tried)."""
    site = visit.site
    if site is None:
        return None
    if site.kind in BANK_KINDS:
        host = site.host_site
        return host if host is not None and host.kind.is_office else None
    return site


def visit_cases(visit: Visit) -> list[Case]:
    """Committee cases opened from this visit."""
    return list(db.session.scalars(select(Case).where(Case.visit_uuid == visit.uuid).order_by(Case.id)))


def refer_to_committee(
    visit: Visit, *, answer_ids: list[int] | None = None, summary: str | None = None, actor
) -> Case:
    """Open a committee case from a visit's failed items, with the visit and photos as evidence."""
    if visit_cases(visit):
        raise DomainError("این بازدید پیش‌تر به کمیته تخلفات ارجاع شده است.")
    target = referral_site(visit)
    if target is None:
        if visit.site is None:
            raise DomainError(
                "بازدید محل پیشنهادی (پیش از صدور پروانه) به کمیته ارجاع نمی‌شود؛ "
                "نتیجه آن به کارشناس صدور پروانه رفته است."
            )
        raise DomainError(
            "این پایانه در دفتر دارای پروانه مستقر نیست؛ یافته‌ها به بانک و اداره "
            "کل گزارش می‌شود و پرونده تخلف تشکیل نمی‌شود."
        )
    answers = referable_answers(visit)
    if answer_ids:
        answers = [a for a in answers if a.id in set(answer_ids)]
    if not answers:
        raise DomainError(
            "بند ناموفقی که به تخلفی از فهرست تخلفات اشاره کند انتخاب نشده است.", field="answer_ids"
        )
    violation_ids = list(dict.fromkeys(a.item.violation_type_id for a in answers))
    lines = "، ".join(a.item.text + (f" ({a.note})" if a.note else "") for a in answers)
    text = clean_text(summary) or (
        f"ارجاع از بازدید «{visit.purpose.label}» مورخ {format_jalali(visit.visited_on)} "
        f"بازرس {visit.inspector.full_name}: {lines}"
    )
    evidence = [
        committee_ops.EvidenceItem(
            kind="visit",
            reference=visit.uuid,
            description=(
                f"گزارش بازدید {format_jalali_datetime(visit.started_at)} — "
                f"{visit.place_name}؛ موارد: {lines}"
            ),
        )
    ]
    for photo in visit.photos:
        if not photo.arrived:
            continue
        evidence.append(
            committee_ops.EvidenceItem(
                kind="photo",
                reference=photo.sha256,
                description=photo.caption or (photo.item.text if photo.item else "عکس بازدید"),
                filename=photo.storage_key,
                content_type=photo.content_type,
                storage_key=f"inspections/{photo.storage_key}",
            )
        )
    offence_on = min(visit.visited_on, today_tehran())
    return committee_ops.open_case(
        target,
        source="inspection",
        summary=text,
        offence_on=offence_on,
        violation_type_ids=violation_ids,
        actor=actor,
        visit_uuid=visit.uuid,
        evidence=evidence,
    )


# ---------------------------------------------------------------- reading visits


@dataclass
class VisitFilters:
    purpose: str | None = None
    inspector_id: int | None = None
    site_id: int | None = None
    flagged: bool = False
    incomplete: bool = False


def search_visits(filters: VisitFilters, *, viewer) -> Select:
    """Visits newest first; an inspector sees only their own."""
    stmt = select(Visit).options(
        joinedload(Visit.site), joinedload(Visit.inspector), joinedload(Visit.visit_request)
    )
    if getattr(viewer, "role", None) == Role.INSPECTOR:
        stmt = stmt.where(Visit.inspector_id == viewer.id)
    if filters.purpose:
        stmt = stmt.where(Visit.purpose == VisitPurpose(filters.purpose))
    if filters.inspector_id:
        stmt = stmt.where(Visit.inspector_id == filters.inspector_id)
    if filters.site_id:
        stmt = stmt.where(Visit.site_id == filters.site_id)
    if filters.flagged:
        stmt = stmt.where(or_(Visit.flag_too_far, Visit.flag_poor_fix, Visit.flag_no_fix, Visit.flag_clock))
    if filters.incomplete:
        stmt = stmt.where(Visit.complete.is_(False))
    return stmt.order_by(Visit.visited_on.desc(), Visit.id.desc())


def visits_of_site(site: Site, *, viewer=None, limit: int = 50) -> list[Visit]:
    """A site's visits, newest first (for the site page), as far as the viewer may see them."""
    stmt = (
        select(Visit)
        .options(joinedload(Visit.inspector))
        .where(Visit.site_id == site.id)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(limit)
    )
    if viewer is not None and getattr(viewer, "role", None) == Role.INSPECTOR:
        stmt = stmt.where(Visit.inspector_id == viewer.id)
    return list(db.session.scalars(stmt))


def inspectors() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.INSPECTOR, User.is_active_account.is_(True))
            .order_by(User.full_name)
        )
    )


# ---------------------------------------------------------------- planning


def last_visits_subquery():
    return (
        select(Visit.site_id, func.max(Visit.visited_on).label("last_visit"))
        .where(Visit.site_id.is_not(None))
        .group_by(Visit.site_id)
        .subquery()
    )


def due_sites(today: date | None = None, *, kind: str | None = None, county_id: int | None = None) -> Select:
    """Active sites never visited or not visited within the interval, never-visited first, then
    the longest unvisited (see last_visit_days for the dates)."""
    today = today or today_tehran()
    cutoff = today - timedelta(days=get_setting("inspection.visit_interval_days"))
    last = last_visits_subquery()
    stmt = (
        select(Site)
        .options(joinedload(Site.county))
        .outerjoin(last, last.c.site_id == Site.id)
        .where(
            Site.status == SiteStatus.ACTIVE, or_(last.c.last_visit.is_(None), last.c.last_visit <= cutoff)
        )
    )
    if kind:
        stmt = stmt.where(Site.kind == SiteKind(kind))
    if county_id:
        stmt = stmt.where(Site.county_id == county_id)
    return stmt.order_by(last.c.last_visit.is_not(None), last.c.last_visit, Site.id)


def last_visit_days(site_ids: list[int]) -> dict[int, date]:
    """The day of each site's latest visit (sites never visited are absent)."""
    if not site_ids:
        return {}
    return dict(
        db.session.execute(
            select(Visit.site_id, func.max(Visit.visited_on))
            .where(Visit.site_id.in_(site_ids))
            .group_by(Visit.site_id)
        ).all()
    )


def planned_assignments_for_sites(site_ids: list[int]) -> dict[int, Assignment]:
    rows = db.session.scalars(
        select(Assignment)
        .options(joinedload(Assignment.inspector))
        .where(Assignment.site_id.in_(site_ids), Assignment.state == AssignmentState.PLANNED)
    )
    return {a.site_id: a for a in rows}


def assign_visit(
    *,
    inspector: User,
    planned_on: date,
    purpose: VisitPurpose | str,
    site: Site | None = None,
    visit_request: VisitRequest | None = None,
    note: str | None = None,
    actor,
    today: date | None = None,
) -> Assignment:
    """Plan a visit for an inspector on a day, to a site or for a licensing request."""
    purpose = VisitPurpose(purpose)
    if inspector is None or inspector.role != Role.INSPECTOR or not inspector.is_active:
        raise DomainError("مأموریت فقط به بازرس فعال داده می‌شود.", field="inspector_id")
    if planned_on is None or planned_on < (today or today_tehran()):
        raise DomainError("تاریخ برنامه نمی‌تواند گذشته باشد.", field="planned_on")
    if site is None and visit_request is None:
        raise DomainError("محل یا درخواست بازدید را انتخاب کنید.", field="site_id")
    if visit_request is not None:
        if visit_request.state != VisitRequestState.REQUESTED:
            raise DomainError("این درخواست بازدید باز نیست.", field="visit_request_id")
        purpose = VisitPurpose(visit_request.purpose)
        site = site or visit_request.site
    elif purpose.for_licensing:
        raise DomainError(
            "بازدید تأسیس یا نشانی جدید فقط برای یک درخواست بازدید برنامه‌ریزی می‌شود.", field="purpose"
        )
    if site is not None:
        if site.kind not in purpose.site_kinds:
            raise DomainError(
                f"بازدید «{purpose.label}» برای «{site.kind.label}» انجام نمی‌شود.", field="purpose"
            )
        if visit_request is None and site.status != SiteStatus.ACTIVE:
            raise DomainError("این محل فعال نیست.", field="site_id")
    clash = db.session.scalar(
        select(Assignment).where(
            Assignment.state == AssignmentState.PLANNED,
            (Assignment.visit_request_id == visit_request.id)
            if visit_request is not None
            else and_(Assignment.site_id == site.id, Assignment.visit_request_id.is_(None)),
        )
    )
    if clash is not None:
        raise DomainError(
            f"این بازدید پیش‌تر برای {clash.inspector.full_name} در "
            f"{format_jalali(clash.planned_on)} برنامه‌ریزی شده است."
        )
    assignment = Assignment(
        inspector=inspector,
        site=site,
        visit_request=visit_request,
        purpose=purpose,
        planned_on=planned_on,
        note=clean_text(note) or None,
        assigned_by_id=actor_id(actor),
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def cancel_assignment(assignment: Assignment, *, actor) -> Assignment:
    if assignment.state != AssignmentState.PLANNED:
        raise DomainError("فقط مأموریت برنامه‌ریزی‌شده لغو می‌شود.")
    assignment.state = AssignmentState.CANCELLED
    db.session.flush()
    return assignment


def assignments_for(
    viewer,
    *,
    inspector_id: int | None = None,
    day: date | None = None,
    state: AssignmentState | None = AssignmentState.PLANNED,
) -> Select:
    """Assignments, the viewer's own first, then by day."""
    stmt = select(Assignment).options(
        joinedload(Assignment.site), joinedload(Assignment.inspector), joinedload(Assignment.visit_request)
    )
    if inspector_id:
        stmt = stmt.where(Assignment.inspector_id == inspector_id)
    if day is not None:
        stmt = stmt.where(Assignment.planned_on == day)
    if state is not None:
        stmt = stmt.where(Assignment.state == state)
    own_first = case((Assignment.inspector_id == actor_id(viewer), 0), else_=1)
    return stmt.order_by(own_first, Assignment.planned_on, Assignment.id)


def open_assignments_of(inspector: User) -> list[Assignment]:
    """The inspector's planned visits (what the tablet keeps for offline use)."""
    return list(
        db.session.scalars(
            select(Assignment)
            .options(joinedload(Assignment.site), joinedload(Assignment.visit_request))
            .where(Assignment.inspector_id == inspector.id, Assignment.state == AssignmentState.PLANNED)
            .order_by(Assignment.planned_on, Assignment.id)
        )
    )


@dataclass
class RouteStop:
    assignment: Assignment
    leg_m: float | None


@dataclass
class RoutePlan:
    stops: list[RouteStop]
    total_m: float
    unplaced: list[Assignment]


def plan_route(start: tuple[float, float] | None, assignments: list[Assignment]) -> RoutePlan:
    """Order a day's visits by nearest neighbour from the start (geodesic distances).

    Greedy is not optimal, but a day has a handful of stops and the inspector can reorder;
    stops without coordinates are listed apart. Without a start, the route begins at the
    first stop.
    """
    placed = [(a, a.target_point) for a in assignments if a.target_point is not None]
    unplaced = [a for a in assignments if a.target_point is None]
    stops: list[RouteStop] = []
    total = 0.0
    here = start
    while placed:
        if here is None:
            index, leg = 0, None
        else:
            legs = [distance_m(here, point) for _a, point in placed]
            index = min(range(len(legs)), key=legs.__getitem__)
            leg = legs[index]
            total += leg
        assignment, here = placed.pop(index)
        stops.append(RouteStop(assignment, leg))
    return RoutePlan(stops, total, unplaced)


# ---------------------------------------------------------------- the tablet's offline data


def site_data(site: Site) -> dict[str, Any]:
    return {
        "id": site.id,
        "name": site.name,
        "code": site.code,
        "kind": site.kind.value,
        "kind_label": site.kind.label,
        "address": site.address,
        "lat": site.lat,
        "lon": site.lon,
    }


def request_data(request: VisitRequest) -> dict[str, Any]:
    application = request.application
    return {
        "id": request.id,
        "purpose": request.purpose,
        "site_id": request.site_id,
        "address": request.address,
        "lat": request.lat,
        "lon": request.lon,
        "due_on": format_jalali(request.due_on),
        "office_kind": application.office_kind.value if application else None,
        "office_name": application.office_name if application else None,
        "application_number": application.number if application else None,
    }


def offline_bundle(inspector: User) -> dict[str, Any]:
    """What the tablet keeps for a day without network: the checklists in force, the
    inspector's assigned sites and the open licensing visit requests."""
    assignments = open_assignments_of(inspector)
    requests = list(
        db.session.scalars(licensing_ops.open_visit_requests().options(joinedload(VisitRequest.application)))
    )
    sites = {a.site.id: a.site for a in assignments if a.site is not None}
    sites.update({r.site.id: r.site for r in requests if r.site is not None})
    checklists = [c for c in checklists_in_order() if c.active and c.current_version]
    return {
        "generated_at": utcnow().isoformat(),
        "user_id": inspector.id,
        "purposes": [
            {
                "value": p.value,
                "label": p.label,
                "site_kinds": [k.value for k in p.site_kinds],
                "for_licensing": p.for_licensing,
            }
            for p in VisitPurpose
        ],
        "checklists": [checklist_data(c.current_version) for c in checklists],
        "sites": [site_data(s) for s in sites.values()],
        "requests": [request_data(r) for r in requests],
        "assignments": [
            {
                "id": a.id,
                "site_id": a.site_id,
                "visit_request_id": a.visit_request_id,
                "purpose": a.purpose.value,
                "purpose_label": a.purpose.label,
                "planned_on": format_jalali(a.planned_on),
                "name": a.target_name,
            }
            for a in assignments
        ],
        "settings": {
            "max_distance_m": get_setting("inspection.max_distance_m"),
            "max_accuracy_m": get_setting("inspection.max_accuracy_m"),
            "max_photos": get_setting("inspection.max_photos_per_visit"),
        },
    }
