"""Reading what the tablet sends: every field of a visit checked, every problem collected so the
tablet shows them all at once, and the GPS fix measured against where the visit should be."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.args import MAX_ID
from core.clock import as_utc
from core.extensions import db
from core.geo import distance_m
from core.persian import clean_text, to_persian_digits
from core.settings import get_setting
from inspections.models import AnswerType, ChecklistVersion, Choice, VisitAnswer, VisitPhoto, VisitPurpose
from inspections.operations.errors import InvalidVisit
from licensing.models import VisitRequest
from registry.models import Site, SiteKind

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


@dataclass
class Checker:
    """Collects every problem of a submitted visit, so the tablet can show them all at once."""

    errors: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, message)

    def raise_if_any(self) -> None:
        if self.errors:
            first = next(iter(self.errors.values()))
            raise InvalidVisit(f"داده‌های بازدید کامل یا درست نیست: {first}", fields=self.errors)


def as_int(value: Any) -> int | None:
    """A JSON integer that can be a row id (no booleans, no 1e300)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        return None
    return value


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def as_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return as_utc(parsed)


def text_field(
    check: Checker, data: dict, key: str, limit_key: str | None = None, where: str | None = None
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
class Target:
    site: Site | None
    request: VisitRequest | None
    kind: SiteKind | None


def visit_target(check: Checker, data: dict, purpose: VisitPurpose | None) -> Target:
    site = request = None
    site_id, request_id = data.get("site_id"), data.get("visit_request_id")
    if site_id is not None:
        if as_int(site_id) is None:
            check.add("site_id", "شناسه محل باید عدد صحیح باشد.")
        else:
            site = db.session.get(Site, site_id)
            if site is None:
                check.add("site_id", "محل بازدید در سامانه یافت نشد.")
    if request_id is not None:
        if as_int(request_id) is None:
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
    return Target(site, request, kind)


def visit_answers(
    check: Checker, raw: Any, version: ChecklistVersion | None, photo_items: set[int]
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
        if not isinstance(entry, dict) or as_int(entry.get("item_id")) is None:
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
            note=text_field(check, entry, "note", "answer_note", f"{where}.note"),
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
                answer.number = as_number(entry["number"])
                if answer.number is None:
                    check.add(where, "پاسخ این بند باید عدد باشد.")
            answer.failed = bool(
                answer.number is not None and item.min_value is not None and answer.number < item.min_value
            )
        elif item.answer_type == AnswerType.TEXT:
            answer.text = text_field(check, entry, "text", "answer_text", f"{where}.text")
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


def declared_photos(check: Checker, raw: Any, version: ChecklistVersion | None) -> list[VisitPhoto]:
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
            as_int(item_id) is None or (version is not None and item_id not in item_ids)
        ):
            check.add(where, "عکس به بندی نسبت داده شده که در این چک‌لیست نیست.")
            item_id = None
        taken_at = entry.get("taken_at")
        photos[sha] = VisitPhoto(
            sha256=sha,
            item_id=item_id,
            caption=text_field(check, entry, "caption", where=f"{where}.caption"),
            taken_at=as_datetime(taken_at) if taken_at is not None else None,
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


def gps_fix(check: Checker, raw: Any) -> tuple[tuple[float, float] | None, float | None, datetime | None]:
    if raw is None:
        return None, None, None
    if not isinstance(raw, dict):
        check.add("gps", "موقعیت باید شامل lat، lon و accuracy_m باشد.")
        return None, None, None
    lat, lon, accuracy = (as_number(raw.get(k)) for k in ("lat", "lon", "accuracy_m"))
    if lat is None or not -90 <= lat <= 90:
        check.add("gps.lat", "عرض جغرافیایی باید عددی بین ۹۰- و ۹۰ باشد.")
    if lon is None or not -180 <= lon <= 180:
        check.add("gps.lon", "طول جغرافیایی باید عددی بین ۱۸۰- و ۱۸۰ باشد.")
    if raw.get("accuracy_m") is not None and (accuracy is None or accuracy < 0):
        check.add("gps.accuracy_m", "دقت موقعیت باید عددی نامنفی (متر) باشد.")
    fix_at = None
    if raw.get("fix_at") is not None:
        fix_at = as_datetime(raw["fix_at"])
        if fix_at is None:
            check.add("gps.fix_at", "زمان موقعیت‌یابی باید تاریخ و ساعت ISO باشد.")
    if "gps.lat" in check.errors or "gps.lon" in check.errors:
        return None, None, None
    return (lat, lon), accuracy, fix_at
