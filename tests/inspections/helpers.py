"""Building blocks for the inspection tests: inspectors, visit payloads as the tablet sends them,
real JPEG/PNG bytes, licensing visit requests."""

from __future__ import annotations

import hashlib
import io
import uuid as uuid_mod
from datetime import UTC, date, datetime, timedelta

from PIL import Image

from core.security import Role
from inspections import operations as ops
from inspections.models import AnswerType, VisitPurpose
from licensing import operations as lic_ops
from licensing.models import ApplicationKind
from registry.models import SiteKind
from tests import factories

# A counter office in Khorramabad and real points around it (WGS-84).
SITE_POINT = (33.487800, 48.355800)
NEAR_POINT = (33.488100, 48.356100)  # ~43 m away: on site
FAR_POINT = (33.505800, 48.355800)  # ~2.0 km north
STARTED = datetime(2022, 9, 16, 6, 30, tzinfo=UTC)


def make_inspector(**kwargs):
    return factories.make_user(role=Role.INSPECTOR, **kwargs)


def image_bytes(kind: str = "jpeg", size=(64, 48), color=(200, 30, 30)) -> bytes:
    """A real, decodable image (JPEG or PNG)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=kind.upper())
    return buffer.getvalue()


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def checklist_version(purpose="performance", kind=SiteKind.COUNTER_OFFICE):
    return ops.checklist_for(purpose, kind).current_version


def answers_for(version, *, fail: tuple[str, ...] = (), number: float = 2) -> list[dict]:
    """An answer for every non-photo item: "yes" unless the item's violation code is in fail."""
    answers = []
    for item in version.items:
        if item.answer_type == AnswerType.YES_NO:
            code = item.violation_type.code if item.violation_type else None
            entry = {"item_id": item.id, "choice": "no" if code in fail else "yes"}
            if code in fail:
                entry["note"] = "مشاهده شد"
            answers.append(entry)
        elif item.answer_type == AnswerType.NUMBER:
            answers.append({"item_id": item.id, "number": number})
        elif item.answer_type == AnswerType.TEXT and item.required:
            answers.append({"item_id": item.id, "text": "توضیح"})
    return answers


def photo_items(version) -> list:
    return [i for i in version.items if i.answer_type == AnswerType.PHOTO]


def visit_payload(
    site=None,
    *,
    request=None,
    purpose="performance",
    point=NEAR_POINT,
    accuracy=12.0,
    photos: list[bytes] | None = None,
    fail=(),
    uuid=None,
    verdict=None,
    started=STARTED,
    **extra,
) -> dict:
    """The JSON the tablet posts for a visit; photos go to the required photo items first."""
    kind = site.kind if site is not None else request.application.office_kind
    version = checklist_version(purpose, kind)
    photos = [image_bytes()] if photos is None else photos
    targets = [i.id for i in photo_items(version) if i.required]
    declared = []
    for n, content in enumerate(photos):
        declared.append(
            {
                "sha256": sha(content),
                "item_id": targets[n] if n < len(targets) else None,
                "taken_at": (started + timedelta(minutes=5)).isoformat(),
            }
        )
    payload = {
        "uuid": uuid or str(uuid_mod.uuid4()),
        "purpose": purpose,
        "site_id": site.id if site is not None else None,
        "visit_request_id": request.id if request is not None else None,
        "assignment_id": None,
        "checklist_version_id": version.id,
        "started_at": started.isoformat(),
        "saved_at": (started + timedelta(minutes=40)).isoformat(),
        "gps": None
        if point is None
        else {
            "lat": point[0],
            "lon": point[1],
            "accuracy_m": accuracy,
            "fix_at": (started + timedelta(minutes=1)).isoformat(),
        },
        "person_met": "مریم احمدی",
        "person_met_role": "متصدی",
        "notes": "بازدید عادی",
        "verdict": verdict,
        "answers": answers_for(version, fail=fail),
        "photos": declared,
    }
    payload.update(extra)
    return payload


def new_site_request(*, point=SITE_POINT, kind=SiteKind.COUNTER_OFFICE):
    """A new-office application waiting for its site visit (no site exists yet)."""
    county = factories.make_county(population=2_000_000)
    application = lic_ops.create_application(
        ApplicationKind.NEW,
        applicant=factories.make_person("سارا", "محمدی"),
        actor=None,
        office_kind=kind,
        office_name="دفتر پیشخوان خدمات دولت مهر",
        county_id=county.id,
        locality="خرم‌آباد",
        address="خیابان امام، پلاک ۲۰",
        lat=point[0],
        lon=point[1],
        received_on=date(2022, 9, 1),
    )
    lic_ops.start_review(application, actor=None)
    return lic_ops.request_site_visit(application, actor=None, due_on=date(2022, 9, 20))


def purposes() -> list[str]:
    return [p.value for p in VisitPurpose]


def violation_type(code: str):
    from sqlalchemy import select

    from committees.models import ViolationType
    from core.extensions import db

    return db.session.scalar(select(ViolationType).where(ViolationType.code == code))


class UserClient:
    """A test client logged in as its own user. Requests in a test share the test's app context
    and so Flask-Login's cached user in g; each call here drops that cache first."""

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name):
        method = getattr(self.client, name)
        if name not in ("get", "post", "put", "open", "delete"):
            return method

        def call(*args, **kwargs):
            from flask import g

            g.pop("_login_user", None)
            return method(*args, **kwargs)

        return call


def client_for(app, role, **kwargs) -> UserClient:
    """A new client logged in as a new user of this role."""
    from core.extensions import db

    user = factories.make_user(role=role, **kwargs)
    db.session.commit()
    client = UserClient(app.test_client())
    response = client.post("/login", data={"username": user.username, "password": factories.DEFAULT_PASSWORD})
    assert response.status_code == 302
    client.user = user
    return client
