"""Receiving a visit from the tablet: one row per UUID (the same content sent again is accepted,
other content refused), the licensing result sent back, and the declared photos arriving one by one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core import storage
from core.clock import TEHRAN, utcnow
from core.db import actor_id
from core.events import announce
from core.extensions import db
from core.persian import format_jalali, format_number, to_persian_digits
from core.security import Role
from core.settings import get_setting
from inspections.models import (
    Assignment,
    AssignmentState,
    ChecklistVersion,
    Verdict,
    Visit,
    VisitPhoto,
    VisitPurpose,
)
from inspections.operations._validation import (
    UUID_RE,
    Checker,
    as_datetime,
    as_int,
    check_gps,
    declared_photos,
    gps_fix,
    reference_point,
    text_field,
    visit_answers,
    visit_target,
)
from inspections.operations.errors import InspectionError, InvalidVisit, VisitConflict
from licensing import operations as licensing_ops
from licensing.models import VisitRequestState
from registry.models import BANK_KINDS


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


def _validated_visit(payload: dict, uuid: str, digest: str, actor, device_time: datetime | None) -> Visit:
    check = Checker()
    purpose = None
    try:
        purpose = VisitPurpose(payload.get("purpose"))
    except ValueError:
        check.add("purpose", "هدف بازدید معتبر نیست.")
    target = visit_target(check, payload, purpose)
    version = None
    version_id = payload.get("checklist_version_id")
    if as_int(version_id) is None:
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
    started_at, saved_at = as_datetime(payload.get("started_at")), as_datetime(payload.get("saved_at"))
    if started_at is None:
        check.add("started_at", "زمان آغاز بازدید (started_at) باید تاریخ و ساعت ISO باشد.")
    if saved_at is None:
        check.add("saved_at", "زمان ذخیره بازدید (saved_at) باید تاریخ و ساعت ISO باشد.")
    fix, accuracy, fix_at = gps_fix(check, payload.get("gps"))
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
        if as_int(payload["assignment_id"]) is None:
            check.add("assignment_id", "شناسه مأموریت باید عدد صحیح باشد.")
        else:
            assignment = db.session.get(Assignment, payload["assignment_id"])
            if assignment is None:
                check.add("assignment_id", "مأموریت بازدید یافت نشد.")
            elif assignment.inspector_id != actor_id(actor) and getattr(actor, "role", None) != Role.ADMIN:
                # Reassigned while the tablet was offline: keep the visit, leave the other
                # inspector's assignment alone.
                assignment = None
    photos = declared_photos(check, payload.get("photos"), version)
    answers = visit_answers(
        check, payload.get("answers"), version, {p.item_id for p in photos if p.item_id is not None}
    )
    texts = {key: text_field(check, payload, key) for key in ("person_met", "person_met_role", "notes")}
    check.raise_if_any()

    clock = clock_check(started_at, saved_at, fix_at, device_time)
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
        received_at=clock.received_at,
        device_sent_at=device_time,
        clock_skew_s=clock.server_skew_s,
        gps_skew_s=clock.gps_skew_s,
        visited_on=clock.visited_at.astimezone(TEHRAN).date(),
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
        flag_clock=clock.flagged,
        verdict=verdict,
        failed_count=sum(a.failed for a in answers),
        payload_hash=digest,
        photos_expected=len(photos),
        complete=not photos,
        answers=answers,
        photos=photos,
        **texts,
    )


@dataclass(frozen=True)
class ClockCheck:
    received_at: datetime
    server_skew_s: float | None
    gps_skew_s: float | None
    flagged: bool
    # The visit's start on the true clock: the device's start corrected by the skew found.
    visited_at: datetime


def clock_check(
    started_at: datetime, saved_at: datetime, fix_at: datetime | None, device_time: datetime | None
) -> ClockCheck:
    """The tablet's clock against the server's (at sending) and the GPS fix's (at the visit).

    A skew beyond inspection.max_clock_skew_min either way flags the visit and the visit's day is
    taken from the corrected start. Without the sending time (an API client), a start or save
    ahead of the server's clock is the only sign of a wrong clock.
    """
    received_at = utcnow()
    tolerance = timedelta(minutes=get_setting("inspection.max_clock_skew_min"))
    server_skew = (device_time - received_at) if device_time is not None else None
    gps_skew = None
    if fix_at is not None:
        # The fix belongs between the start and the save; outside, the device clock and the
        # satellites' disagree by at least the distance to the nearer end (device minus GPS).
        if fix_at < started_at:
            gps_skew = started_at - fix_at
        elif fix_at > saved_at:
            gps_skew = saved_at - fix_at
        else:
            gps_skew = timedelta(0)
    visited_at = started_at
    flagged = False
    if server_skew is not None and abs(server_skew) > tolerance:
        flagged, visited_at = True, started_at - server_skew
    elif gps_skew is not None and abs(gps_skew) > tolerance:
        flagged, visited_at = True, started_at - gps_skew
    if max(started_at, saved_at) > received_at + tolerance and visited_at > received_at:
        flagged, visited_at = True, received_at
    return ClockCheck(
        received_at=received_at,
        server_skew_s=server_skew.total_seconds() if server_skew is not None else None,
        gps_skew_s=gps_skew.total_seconds() if gps_skew is not None else None,
        flagged=flagged,
        visited_at=visited_at,
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
    # ATMs and kiosks are observe-and-report (DOMAIN §4): what failed is reported to the bank.
    if visit.site is not None and visit.site.kind in BANK_KINDS and visit.failed_count:
        announce("bank_report", visit, actor=actor)


def submit_visit(payload: Any, *, actor, device_time: datetime | None = None) -> tuple[Visit, bool]:
    """Store a visit sent by the tablet; (visit, True) when stored now, (visit, False) when the
    same UUID and content were stored before. Other content under a stored UUID: VisitConflict.

    device_time is the tablet's clock when it sent the visit (not part of the payload, so that a
    retry is the same visit): compared with the server's clock it shows the tablet's clock error.

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
    visit = _validated_visit(payload, uuid, digest, actor, device_time)
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

PHOTO_FOLDER = "inspections"  # visit photos live under UPLOAD_DIR/inspections/<sha256>.<ext>


def photo_path(photo: VisitPhoto) -> Path:
    return storage.path(f"{PHOTO_FOLDER}/{Path(photo.storage_key or '').name}")


def photo_max_bytes() -> int:
    return storage.max_bytes(get_setting("inspection.photo_max_mb"))


_REFUSALS = {
    "empty": ("فایل عکس خالی است.", "empty", 422),
    "too_large": ("حجم عکس بیش از {mb} مگابایت است.", "too_large", 413),
    "type": ("فقط عکس JPEG یا PNG پذیرفته می‌شود (نوع از محتوای فایل تشخیص داده شد).", "photo_type", 415),
}


def _refused(exc: storage.FileRefused) -> InspectionError:
    message, code, status = _REFUSALS[exc.reason]
    mb = to_persian_digits(get_setting("inspection.photo_max_mb"))
    return InspectionError(message.format(mb=mb), code=code, status=status)


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
    max_mb = get_setting("inspection.photo_max_mb")
    try:
        storage.check_size(content, max_mb)
    except storage.FileRefused as exc:
        raise _refused(exc) from exc
    if storage.sha256_of(content) != sha256:
        raise InspectionError(
            "چکیده SHA-256 عکس با نشانی آن یکی نیست؛ عکس ناقص رسیده است.", code="sha256_mismatch", status=422
        )
    if photo.arrived:
        return photo, False
    try:
        stored = storage.store(content, types=storage.IMAGES, max_mb=max_mb, folder=PHOTO_FOLDER)
    except storage.FileRefused as exc:
        raise _refused(exc) from exc
    photo.content_type, photo.size, photo.storage_key = stored.content_type, stored.size, stored.name
    photo.received_at = utcnow()
    visit.complete = all(p.arrived for p in visit.photos)
    db.session.flush()
    return photo, True
