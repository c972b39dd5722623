"""A live server for the Schemathesis run of scripts/test.sh (not a test module).

    python -m tests.api.fuzz_server STATE_DIR

Builds a fresh database (a new database on the PostgreSQL server of DATABASE_URL, or an SQLite
file in STATE_DIR), runs the migrations, loads the demo province and issues a token for the demo
admin, then serves the app on a free loopback port. When it is ready it writes STATE_DIR/ready:
the base URL on the first line, the token on the second.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path


def _database(state: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return f"sqlite:///{state / 'fuzz.sqlite3'}"
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = "pishkhan_fuzz"
    admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return parsed.set(database=name).render_as_string(hide_password=False)


def main(state: Path) -> None:
    state.mkdir(parents=True, exist_ok=True)
    os.environ["PISHKHAN_INSTANCE_DIR"] = str(state / "instance")
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from accounts import tokens as token_ops
    from accounts.models import User
    from config import DevelopmentConfig
    from core.app import create_app
    from core.audit import SYSTEM, acting_as
    from core.extensions import db

    app = create_app(
        DevelopmentConfig,
        SQLALCHEMY_DATABASE_URI=_database(state),
        UPLOAD_DIR=str(state / "uploads"),
        # Fast hashing for the demo accounts; the server otherwise runs as in development.
        PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
    )
    with app.app_context():
        upgrade()
        from demo.committees import seed_committee_demo
        from demo.inspections import seed_inspections_demo
        from demo.licensing import seed_licensing_demo
        from demo.registry import seed_demo

        with acting_as(SYSTEM):
            seed_demo(password="fuzz-password-1")
            seed_licensing_demo()
            seed_inspections_demo()
            seed_committee_demo()
            admin = db.session.scalar(db.select(User).where(User.username == "admin"))
            secret = token_ops.issue_token(admin, name="schemathesis", actor=None).secret
            db.session.commit()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    (state / "ready.tmp").write_text(f"http://127.0.0.1:{server.server_port}\n{secret}\n")
    (state / "ready.tmp").rename(state / "ready")
    server.serve_forever()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
