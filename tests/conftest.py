"""Fixtures: the app on SQLite (default) or on PostgreSQL (DATABASE_URL), a clean database per test,
a client, login_as(role) and small factories."""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from flask_migrate import upgrade
from sqlalchemy import text

from config import TestingConfig
from core.app import create_app
from core.extensions import db as _db
from core.security import Role
from tests import factories

DEFAULT_PASSWORD = factories.DEFAULT_PASSWORD


def _is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    os.environ["PISHKHAN_INSTANCE_DIR"] = str(instance)
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_DIR=str(instance / "uploads"),
        AUDIT_KEY_FILE=str(instance / "audit.key"),
        AUDIT_SIGNING_KEY_FILE=str(instance / "audit-signing.pem"),
    )
    with app.app_context():
        if _is_postgres(database_url):
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        if _is_postgres(database_url):
            app.extensions["seeded_rows"] = _snapshot_seeded_rows()
        _db.engine.dispose()
    if not _is_postgres(database_url):
        path = Path(database_url.removeprefix("sqlite:///"))
        shutil.copy(path, path.with_suffix(".template"))
    yield app
    with app.app_context():
        _db.engine.dispose()


def _snapshot_seeded_rows() -> list[tuple]:
    """Rows the migrations themselves insert (reference data), to restore after each TRUNCATE."""
    rows = []
    with _db.engine.connect() as conn:
        for table in _db.metadata.sorted_tables:
            data = [dict(r) for r in conn.execute(table.select()).mappings()]
            if data:
                rows.append((table, data))
    return rows


def _reset_database(app) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if _is_postgres(url):
        tables = [t.name for t in _db.metadata.sorted_tables]
        with _db.engine.begin() as conn:
            # The test database's owner lifts the audit log's TRUNCATE trigger for the reset only.
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_truncate"))
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_truncate"))
            for table, data in app.extensions["seeded_rows"]:
                conn.execute(table.insert(), data)
                if "id" in table.c:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT MAX(id) FROM {table.name}))"
                        )
                    )
    else:
        _db.engine.dispose()
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        shutil.copy(path.with_suffix(".template"), path)


FROZEN_NOW_ENV = "PISHKHAN_TEST_NOW"


@pytest.fixture(autouse=True)
def _clock_at_test_now(request):
    """Run the test with the clock at $PISHKHAN_TEST_NOW (ISO instant), ticking from there.

    `make test` sets it for its extra runs at the awkward hours and days (after midnight in Tehran,
    1 Farvardin, the last day of Esfand); browser tests keep the real time, as the browser does.
    """
    when = os.environ.get(FROZEN_NOW_ENV)
    if not when or request.node.get_closest_marker("browser"):
        yield
        return
    with time_machine.travel(datetime.fromisoformat(when), tick=True):
        yield


@pytest.fixture
def frozen_at():
    """Move the clock to an instant for the rest of the test: frozen_at("2025-03-19T22:00:00+00:00")."""
    travels = []

    def _travel(when: str | datetime):
        instant = datetime.fromisoformat(when) if isinstance(when, str) else when
        traveller = time_machine.travel(instant, tick=False)
        traveller.start()
        travels.append(traveller)

    yield _travel
    for traveller in reversed(travels):
        traveller.stop()


@pytest.fixture(autouse=True)
def db(app):
    """A clean database for every test (the schema comes from the migrations, once)."""
    with app.app_context():
        _reset_database(app)
        yield _db
        _db.session.remove()


@pytest.fixture(autouse=True)
def _audit_checkpoints(app, tmp_path_factory):
    """Each test anchors its own database's audit chain in its own checkpoint directory."""
    app.config["AUDIT_CHECKPOINT_DIR"] = str(
        tmp_path_factory.getbasetemp() / "checkpoints" / uuid.uuid4().hex
    )
    yield
    app.config["AUDIT_CHECKPOINT_DIR"] = None


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def login_as(app, db, client):
    """Create a user with the role and log the client in as them."""

    def _login(role: Role | str, username: str | None = None, **kwargs):
        user = factories.make_user(role=Role(role), username=username, **kwargs)
        _db.session.commit()
        response = client.post("/login", data={"username": user.username, "password": DEFAULT_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return _login


@pytest.fixture
def csrf_enabled(app):
    """Switch CSRF protection on for one test (it is off in the test configuration)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False
