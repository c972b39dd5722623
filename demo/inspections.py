"""Inspection demo data on top of the registry and licensing demos.

A year of past visits by the two demo inspectors (most offices visited once, some twice, a share
never, so the due list has both kinds; a few visits logged far from the office or with a poor
fix; some with failed items), and for each inspector today's and tomorrow's assignments among
nearby offices of one county, so that the desk, the route and the tablet form have work to show.
Visits go through submit_visit, as the tablet would send them (without photos).
"""

from __future__ import annotations

import hashlib
import io
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from accounts.models import User
from core.clock import today_tehran
from core.geo import distance_m
from core.persian import jalali_year_bounds
from core.security import Role
from inspections import operations as ops
from inspections.models import AnswerType
from registry.models import OFFICE_KINDS, Site, SiteKind, SiteStatus

SEED = 4004
FAILURE_RATE = 0.08
# A few visits whose photos never arrived, so the "awaiting photos" list is not empty.
MISSING_PHOTO_RATE = 0.03


def _photo(rng: random.Random) -> bytes:
    """A small plain JPEG standing in for a photo of the site."""
    from PIL import Image

    buffer = io.BytesIO()
    colour = (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200))
    Image.new("RGB", (160, 120), colour).save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


def _payload(rng: random.Random, site: Site, purpose: str, when: datetime) -> tuple[dict, list] | None:
    checklist = ops.checklist_for(purpose, site.kind)
    if checklist is None or checklist.current_version is None or site.lat is None:
        return None
    version = checklist.current_version
    answers, photos = [], []
    for item in version.items:
        if item.answer_type == AnswerType.PHOTO and item.required:
            content = _photo(rng)
            photos.append((content, {"sha256": hashlib.sha256(content).hexdigest(), "item_id": item.id}))
        if item.answer_type == AnswerType.YES_NO:
            failed = item.violation_type_id is not None and rng.random() < FAILURE_RATE
            answers.append({"item_id": item.id, "choice": "no" if failed else "yes"})
        elif item.answer_type == AnswerType.NUMBER:
            answers.append({"item_id": item.id, "number": rng.randint(1, 4)})
        elif item.answer_type == AnswerType.TEXT and item.required:
            answers.append({"item_id": item.id, "text": "بازدید دوره‌ای"})
    # Most fixes on the doorstep; some across town (too far) or under a roof (poor accuracy).
    roll = rng.random()
    spread, accuracy = (0.0003, rng.uniform(5, 40))
    if roll < 0.05:
        spread = 0.02
    elif roll < 0.12:
        accuracy = rng.uniform(120, 400)
    lat = site.lat + rng.uniform(-spread, spread)
    lon = site.lon + rng.uniform(-spread, spread)
    return {
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "purpose": purpose,
        "site_id": site.id,
        "visit_request_id": None,
        "assignment_id": None,
        "checklist_version_id": version.id,
        "started_at": when.isoformat(),
        "saved_at": (when + timedelta(minutes=rng.randint(20, 50))).isoformat(),
        "gps": {"lat": lat, "lon": lon, "accuracy_m": round(accuracy, 1), "fix_at": when.isoformat()},
        "person_met": None,
        "person_met_role": "متصدی",
        "notes": None,
        "verdict": None,
        "answers": answers,
        "photos": [declared for _content, declared in photos],
    }, [content for content, _declared in photos]


# Seed 004: by 25 Shahrivar 1401 the directorate had made 120 visits to offices, rural ICT offices,
# ATMs and bank booths (performance, health protocols, ...): the demo's 1401 tells the same story.
VISITS_1401 = 120
LAST_DAY_REPORTED_1401 = date(2022, 9, 15)  # 1401/06/24, the day before the announcement


def _visits_of_1401(rng, inspectors, offices, bank_sites) -> int:
    first, _ = jalali_year_bounds(1401)
    span = (LAST_DAY_REPORTED_1401 - first).days
    made_count = 0
    while made_count < VISITS_1401:
        if rng.random() < 0.75:
            site = rng.choice(offices)
            purpose = rng.choices(("performance", "health"), weights=(0.6, 0.4))[0]
        else:
            site = rng.choice(bank_sites)
            purpose = "atm_kiosk"
        if site.established_on and site.established_on > LAST_DAY_REPORTED_1401:
            continue
        day = first + timedelta(days=rng.randint(0, span))
        when = datetime.combine(day, time(rng.randint(5, 10), rng.choice((0, 30))), tzinfo=UTC)
        made = _payload(rng, site, purpose, when)
        if made is None:
            continue
        payload, photos = made
        inspector = rng.choice(inspectors)
        visit, _ = ops.submit_visit(payload, actor=inspector)
        for content in photos:
            ops.store_photo(visit, hashlib.sha256(content).hexdigest(), content, actor=inspector)
        made_count += 1
    return made_count


def seed_inspections_demo() -> str:
    """Past visits and today's assignments for the demo inspectors."""
    from core.extensions import db

    rng = random.Random(SEED)  # nosec B311  # demo data, reproducible on purpose
    today = today_tehran()
    inspectors = db.session.scalars(
        select(User).where(User.role == Role.INSPECTOR).order_by(User.username)
    ).all()
    if not inspectors:
        return "inspections: no inspectors, nothing seeded"
    sites = db.session.scalars(
        select(Site).where(Site.status == SiteStatus.ACTIVE, Site.lat.is_not(None)).order_by(Site.id)
    ).all()
    offices = [s for s in sites if s.kind in OFFICE_KINDS]
    bank_sites = [s for s in sites if s.kind in (SiteKind.ATM, SiteKind.BANK_KIOSK)]

    visits = 0
    for site in offices + rng.sample(bank_sites, k=min(len(bank_sites), 40)):
        times = rng.choices((0, 1, 2), weights=(0.3, 0.5, 0.2))[0]
        for _ in range(times):
            day = today - timedelta(days=rng.randint(3, 400))
            when = datetime.combine(day, time(rng.randint(5, 10), rng.choice((0, 15, 30, 45))), tzinfo=UTC)
            if site.kind in OFFICE_KINDS:
                purpose = rng.choices(("performance", "health", "complaint"), weights=(0.75, 0.2, 0.05))[0]
            else:
                purpose = "atm_kiosk"
            made = _payload(rng, site, purpose, when)
            if made is None:
                continue
            payload, photos = made
            inspector = rng.choice(inspectors)
            visit, _ = ops.submit_visit(payload, actor=inspector)
            if rng.random() >= MISSING_PHOTO_RATE:
                for content in photos:
                    ops.store_photo(visit, hashlib.sha256(content).hexdigest(), content, actor=inspector)
            visits += 1

    visits += _visits_of_1401(rng, inspectors, offices, bank_sites)

    # Each inspector: a day's round of nearby offices in one county, today and tomorrow.
    assignments = 0
    due = db.session.scalars(ops.due_sites(today)).all()
    free = [s for s in due if s.kind in OFFICE_KINDS]
    for inspector in inspectors:
        if not free:
            break
        anchor = free.pop(0)
        nearby = sorted(
            (s for s in free if s.county_id == anchor.county_id),
            key=lambda s: distance_m((anchor.lat, anchor.lon), (s.lat, s.lon)),
        )[:6]
        for n, site in enumerate([anchor, *nearby]):
            day = today if n < 4 else today + timedelta(days=1)
            ops.assign_visit(
                inspector=inspector, planned_on=day, purpose="performance", site=site, actor=None
            )
            if site in free:
                free.remove(site)
            assignments += 1
    db.session.flush()
    return f"inspections: {visits} past visits, {assignments} assignments for {len(inspectors)} inspectors"
