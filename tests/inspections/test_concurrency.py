"""One row per visit UUID and one stored file per photo, also when the tablet's retries arrive
at the same moment (a flaky network resends while the first request is still being answered).

Each thread has its own test client and no app context of its own: every request pushes and pops
its own, so no thread keeps a database transaction (SQLite's BEGIN IMMEDIATE lock) across the
barrier.
"""

from __future__ import annotations

import json
import threading
from collections import Counter

from sqlalchemy import func, select

from inspections.models import Visit, VisitAnswer, VisitPhoto
from tests import factories
from tests.inspections import helpers as h

SENDERS = 20
API = "/api/v1/inspections"


def _clients(app, db, count):
    """count clients sharing one inspector's session cookie."""
    inspector = h.make_inspector()
    db.session.commit()
    first = app.test_client()
    response = first.post(
        "/login", data={"username": inspector.username, "password": factories.DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    cookie = first.get_cookie("session")
    clients = []
    for _ in range(count):
        client = app.test_client()
        client.set_cookie("session", cookie.value)
        clients.append(client)
    return clients


def _race(calls):
    """Run the calls at the same instant, one thread each; return their status codes."""
    barrier = threading.Barrier(len(calls))
    statuses, errors = [], []

    def run(call):
        try:
            barrier.wait(timeout=30)
            statuses.append(call().status_code)
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return Counter(statuses)


def test_twenty_simultaneous_posts_of_one_visit_store_one_row(app, db):
    site = factories.make_site()
    db.session.commit()
    payload = h.visit_payload(site)
    body = json.dumps(payload, ensure_ascii=False)
    clients = _clients(app, db, SENDERS)
    db.session.remove()

    statuses = _race([lambda c=c: c.post(API, data=body, content_type="application/json") for c in clients])

    assert statuses == Counter({201: 1, 200: SENDERS - 1})
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
    visit = db.session.scalar(select(Visit))
    assert visit.uuid == payload["uuid"]
    answers = db.session.scalar(select(func.count()).select_from(VisitAnswer))
    assert answers == len(visit.answers) > 0


def test_simultaneous_posts_with_other_content_under_one_uuid(app, db):
    site = factories.make_site()
    db.session.commit()
    payload = h.visit_payload(site)
    bodies = [json.dumps({**payload, "notes": f"نسخه {n}"}, ensure_ascii=False) for n in range(SENDERS // 2)]
    clients = _clients(app, db, len(bodies))
    db.session.remove()

    statuses = _race(
        [
            lambda c=c, b=b: c.post(API, data=b, content_type="application/json")
            for c, b in zip(clients, bodies, strict=True)
        ]
    )

    assert statuses == Counter({201: 1, 409: len(bodies) - 1})
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1


def test_simultaneous_photos_are_each_stored_once_and_complete_the_visit(app, db):
    site = factories.make_site()
    db.session.commit()
    photos = [h.image_bytes(color=(n * 20, 10, 10)) for n in range(6)]
    payload = h.visit_payload(site, photos=photos)
    clients = _clients(app, db, len(photos) * 2)
    response = clients[0].post(API, data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 201
    db.session.remove()

    def put(client, content):
        return client.put(
            f"{API}/{payload['uuid']}/photos/{h.sha(content)}", data=content, content_type="image/jpeg"
        )

    # Every photo twice, all at once.
    calls = [lambda c=c, p=p: put(c, p) for c, p in zip(clients, photos + photos, strict=True)]
    statuses = _race(calls)

    assert statuses == Counter({201: len(photos), 200: len(photos)})
    assert db.session.scalar(select(func.count()).select_from(VisitPhoto)) == len(photos)
    visit = db.session.scalar(select(Visit))
    assert visit.complete and all(p.arrived for p in visit.photos)
