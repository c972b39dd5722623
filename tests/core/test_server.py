"""The production server set-up (issue 17, point 4): gunicorn's config in the repository, nginx's site
file in step with the app, /healthz that answers 503 without its database, and the short fault test:
writes acknowledged through a worker's and the master's SIGKILL are all there afterwards, and four
slow clients do not stop /healthz (the long run is `make reliability`)."""

from __future__ import annotations

import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from config import Config

ROOT = Path(__file__).resolve().parents[2]


def test_gunicorn_config_uses_threads_timeouts_and_limits(monkeypatch, tmp_path):
    for name in ("GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT", "GUNICORN_BIND"):
        monkeypatch.delenv(name, raising=False)
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert conf["worker_class"] == "gthread"
    assert conf["workers"] >= 2 and conf["threads"] >= 4
    assert conf["timeout"] == 60 and conf["graceful_timeout"] == 30
    assert conf["limit_request_line"] and conf["limit_request_fields"] and conf["limit_request_field_size"]
    assert conf["max_requests"] > 0 and conf["max_requests_jitter"] > 0
    assert conf["control_socket_disable"] is True
    assert conf["accesslog"] == "-"
    assert conf["bind"] == "127.0.0.1:8000"
    check = subprocess.run(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "--check-config",
            "wsgi:app",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PISHKHAN_INSTANCE_DIR": str(tmp_path), "PISHKHAN_ENV": "development"},
    )
    assert check.returncode == 0, check.stderr


def test_nginx_site_matches_the_app():
    site = (ROOT / "deploy" / "nginx" / "pishkhan.conf").read_text()
    size = re.search(r"client_max_body_size (\d+)m;", site)
    assert size and int(size.group(1)) * 1024 * 1024 == Config.MAX_CONTENT_LENGTH
    assert "proxy_buffering on;" in site and "proxy_request_buffering on;" in site
    assert "ssl_certificate " in site and "listen 443 ssl" in site
    assert re.search(r"proxy_read_timeout (\d+)s;", site)
    assert "immutable" in site and "alias /srv/pishkhan/static/;" in site
    assert "proxy_pass http://pishkhan_app;" in site and "server 127.0.0.1:8000" in site


def test_static_urls_carry_their_fingerprint(app, client):
    with app.test_request_context():
        from flask import url_for

        url = url_for("static", filename="css/app.css")
    assert re.fullmatch(r"/static/css/app\.css\?v=[0-9a-f]{12}", url)
    response = client.get(url)
    assert response.status_code == 200
    response.close()


def test_healthz_answers_503_without_its_database(client, monkeypatch):
    ok = client.get("/healthz")
    assert ok.status_code == 200 and ok.get_json() == {"status": "ok"}
    assert ok.headers["Cache-Control"] == "no-store"

    from core.extensions import db

    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", unreachable)
    down = client.get("/healthz")
    assert down.status_code == 503
    assert down.get_json() == {"status": "unavailable", "database": "unreachable"}


def test_kill_nine_loses_no_acknowledged_write_and_slow_clients_do_not_stall_healthz(database_url, tmp_path):
    """The short fault run on this suite's engine (phases of 2 s; the whole run is bounded)."""
    engine = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.fault_run",
            "--seconds",
            "2",
            "--engine",
            engine,
            "--workdir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "DATABASE_URL": database_url},
    )
    assert result.stdout.strip(), result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["acknowledged"] > 0, summary
    assert summary["lost"] == [], summary
    assert summary["integrity_check"] in ("ok", "n/a (PostgreSQL)"), summary
    assert summary["audit_verify"].startswith("audit chain intact"), summary
    assert "matches 1 checkpoint(s)" in summary["audit_verify"], summary
    assert summary["health_s"] and max(summary["health_s"]) < 3.0, summary
    assert summary["ok"] and result.returncode == 0, summary


@pytest.mark.parametrize("name", ["deploy/gunicorn.conf.py", "deploy/nginx/pishkhan.conf", "docs/deploy.md"])
def test_readme_points_to_the_production_files(name):
    assert name in (ROOT / "README.md").read_text() or name in (ROOT / "docs" / "deploy.md").read_text()
