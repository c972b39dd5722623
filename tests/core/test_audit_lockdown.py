"""PostgreSQL: after `flask audit lock-down` the application's role can add and read audit events but
cannot TRUNCATE, UPDATE or DELETE them, nor drop the table or its triggers; the owner's TRUNCATE is
refused by the statement trigger (issue 17, point 1)."""

from __future__ import annotations

import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from config import TestingConfig
from core.app import create_app
from core.audit import log_event
from core.audit_anchor import verify_anchored
from core.extensions import db as _db


@pytest.fixture
def roles_and_database(app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL roles: the SQLite run has no roles (the file's permissions are the boundary)")
    suffix = uuid.uuid4().hex[:8]
    names = {"app": f"pk_app_{suffix}", "owner": f"pk_owner_{suffix}", "db": f"pk_lock_{suffix}"}
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {names['app']} LOGIN"))
        conn.execute(text(f"CREATE ROLE {names['owner']} LOGIN"))
        conn.execute(text(f"CREATE DATABASE {names['db']}"))
    base = make_url(database_url).set(database=names["db"])
    lock_db = create_engine(base, isolation_level="AUTOCOMMIT")
    with lock_db.connect() as conn:
        # As a database first set up with one role: the app's role creates and owns the tables.
        conn.execute(text(f"GRANT CREATE, USAGE ON SCHEMA public TO {names['app']}"))
    lock_db.dispose()
    names["app_url"] = base.set(username=names["app"]).render_as_string(hide_password=False)
    names["owner_url"] = base.set(username=names["owner"]).render_as_string(hide_password=False)
    yield names
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {names['db']} WITH (FORCE)"))
        conn.execute(text(f"DROP ROLE IF EXISTS {names['app']}"))
        conn.execute(text(f"DROP ROLE IF EXISTS {names['owner']}"))
    admin.dispose()


def _app_for(url: str, app):
    return create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=url,
        AUDIT_KEY_FILE=app.config["AUDIT_KEY_FILE"],
        AUDIT_SIGNING_KEY_FILE=app.config["AUDIT_SIGNING_KEY_FILE"],
        AUDIT_CHECKPOINT_DIR=app.config["AUDIT_CHECKPOINT_DIR"],
    )


def test_app_role_cannot_truncate_update_or_delete_audit_events(app, roles_and_database, database_url):
    names = roles_and_database
    app_side = _app_for(names["app_url"], app)
    with app_side.app_context():
        upgrade()  # the app's role owns every table, as before the lock-down
        log_event(_db.session, "login", object_type="users", object_id=1)
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"GRANT {names['app']} TO {names['owner']}"))  # so the owner may take the tables
    admin.dispose()

    owner_side = _app_for(names["owner_url"], app)
    with owner_side.app_context():  # (the CLI runs in the app context it finds pushed)
        result = owner_side.test_cli_runner().invoke(args=["audit", "lock-down", "--app-role", names["app"]])
        _db.session.remove()
        _db.engine.dispose()
    assert result.exit_code == 0, result.output + result.stderr
    assert f"locked down: {names['app']} may only SELECT and INSERT audit_events" in result.output
    assert "ALTER TABLE public.audit_events OWNER TO" in result.output

    app_engine = create_engine(names["app_url"])
    forbidden = [
        "TRUNCATE audit_events",
        "UPDATE audit_events SET actor_name = 'mallory'",
        "DELETE FROM audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update",
        "DROP TABLE audit_events",
        "DROP TRIGGER audit_events_no_truncate ON audit_events",
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN NULL; END $$",
    ]
    for statement in forbidden:
        with app_engine.connect() as conn, pytest.raises(DBAPIError) as refused:
            conn.execute(text(statement))
        assert "permission denied" in str(refused.value) or "must be owner" in str(refused.value), statement
    with app_engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM audit_events")).scalar_one() == 1
    app_engine.dispose()

    # The app still works through its role: it writes new events and the chain verifies.
    with app_side.app_context():
        log_event(_db.session, "login", object_type="users", object_id=2)
        _db.session.commit()
        report = verify_anchored(_db.session)
        assert report.ok, report.problems
        assert report.chain.checked == 2
        _db.session.remove()
        _db.engine.dispose()

    # Belt and braces: even the owner's TRUNCATE is refused by the statement trigger.
    owner_engine = create_engine(names["owner_url"])
    with owner_engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("TRUNCATE audit_events"))
    owner_engine.dispose()


def test_lock_down_names_what_is_still_open(app, roles_and_database):
    names = roles_and_database
    owner_side = _app_for(names["owner_url"], app)
    with owner_side.app_context():
        result = owner_side.test_cli_runner().invoke(
            args=["audit", "lock-down", "--app-role", names["owner"]]
        )
        _db.session.remove()
        _db.engine.dispose()
    assert result.exit_code == 2
    assert "must be different roles" in result.stderr
