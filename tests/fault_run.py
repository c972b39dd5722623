"""The fault test (not a test module): gunicorn with the repository's config, writes acknowledged by
the API, a worker and then the master killed with SIGKILL, a restart, and the count of what survived.

    python -m tests.fault_run [--seconds S] [--engine sqlite|postgresql] [--workdir DIR]

On a fresh SQLite file in DIR (or a new database on the PostgreSQL server of DATABASE_URL) it applies
the migrations, makes an inspector with an API token and a site, then serves the app with
`gunicorn -c deploy/gunicorn.conf.py wsgi:app` in production configuration on a free 127.0.0.1 port.
Writer threads post visits (POST /api/v1/inspections) each with a new UUID, re-posting the same UUID
until the server acknowledges it (201 stored or 200 already stored), as the tablet's outbox does.
Phases of S seconds each: writing; a worker SIGKILLed; the master SIGKILLed (its workers then
stop by themselves, or are SIGKILLed), gunicorn started again; four slow clients (headers sent byte
by byte, a body never finished) held open while /healthz is asked again and again. At the end: every
acknowledged visit is in the database, `PRAGMA integrity_check` is ok (SQLite), `flask audit verify`
is intact, every /healthz answered 200 within the limit. Prints one JSON summary; exit 1 on a loss.
Every loop is bounded in count and in time; only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid as uuid_mod
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
HEALTH_LIMIT_S = 3.0
MAX_WRITES_PER_WRITER = 2000
WRITERS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_database(engine: str, workdir: Path) -> str:
    if engine == "sqlite":
        return f"sqlite:///{workdir / 'fault.sqlite3'}"
    import psycopg
    from sqlalchemy.engine import make_url

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        raise SystemExit("the PostgreSQL run needs DATABASE_URL=postgresql+psycopg://... (a server to use)")
    parsed = make_url(url)
    name = f"pishkhan_fault_{uuid_mod.uuid4().hex[:8]}"
    with psycopg.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False)) as conn:
        conn.autocommit = True
        conn.execute(f"CREATE DATABASE {name}")
    return parsed.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = make_url(os.environ["DATABASE_URL"]).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False)) as conn:
        conn.autocommit = True
        conn.execute(f"DROP DATABASE IF EXISTS {parsed.database} WITH (FORCE)")


def server_env(workdir: Path, database_url: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PISHKHAN_ENV": "production",
            "SECRET_KEY": "fault-test-" + "k" * 32,
            "SESSION_COOKIE_SECURE": "0",
            "DATABASE_URL": database_url,
            "PISHKHAN_INSTANCE_DIR": str(workdir / "instance"),
            "AUDIT_KEY_FILE": str(workdir / "keys" / "audit.key"),
            "AUDIT_SIGNING_KEY_FILE": str(workdir / "keys" / "audit-signing.pem"),
            "AUDIT_CHECKPOINT_DIR": str(workdir / "checkpoints"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            # The config's own threads (8 per worker); two workers whatever the number of cores.
            "GUNICORN_WORKERS": "2",
            "GUNICORN_ACCESS_LOG": str(workdir / "access.log"),
            "GUNICORN_ERROR_LOG": str(workdir / "error.log"),
            "FLASK_APP": "wsgi",
        }
    )
    env.pop("PISHKHAN_TEST_NOW", None)
    return env


PREPARE = r"""
import json, sys
from flask_migrate import upgrade
from core.app import create_app
from core.audit import SYSTEM, acting_as
from core.extensions import db
from accounts import tokens as token_ops
from core.security import Role
from tests import factories
from tests.inspections import helpers as h

app = create_app()
with app.app_context():
    upgrade()
    with acting_as(SYSTEM):
        inspector = factories.make_user(role=Role.INSPECTOR, username="fault_inspector")
        site = factories.make_site(lat=h.SITE_POINT[0], lon=h.SITE_POINT[1])
        db.session.flush()
        secret = token_ops.issue_token(inspector, name="fault test", actor=None).secret
        payload = h.visit_payload(site)  # its photo is declared; the visit is stored waiting for it
        db.session.commit()
    json.dump({"token": secret, "payload": payload}, sys.stdout, ensure_ascii=False)
"""


def prepare(env: dict[str, str]) -> tuple[str, dict]:
    subprocess.run(
        [PYTHON, "-m", "core.audit_anchor", "init-keys", str(Path(env["AUDIT_KEY_FILE"]).parent)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        [PYTHON, "-c", PREPARE], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    data = json.loads(out)
    return data["token"], data["payload"]


class Server:
    def __init__(self, env: dict[str, str], port: int):
        self.env, self.port, self.process = env, port, None

    def start(self, wait_s: float = 60) -> None:
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "wsgi:app"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            if health(self.port, 2.0)[0] == 200 and len(self.workers()) >= 2:
                return
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not become healthy")

    def workers(self) -> list[int]:
        if self.process is None:
            return []
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def kill_worker(self) -> int:
        victim = self.workers()[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def kill_master(self, wait_s: float = 15) -> None:
        workers = self.workers()
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and any(_alive(p) for p in workers):
            time.sleep(0.1)
        for pid in workers:  # an orphan that did not notice: as after a machine crash
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def health(port: int, timeout: float) -> tuple[int, float]:
    started = time.monotonic()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", "/healthz")
        status = conn.getresponse().status
        conn.close()
    except OSError:
        status = 0
    return status, time.monotonic() - started


class Writers:
    """Threads that post visits and keep the UUIDs the server acknowledged."""

    def __init__(self, port: int, token: str, payload: dict):
        self.port, self.token, self.payload = port, token, payload
        self.acked: set[str] = set()
        self.attempts = 0
        self.errors: dict[str, int] = {}
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(WRITERS)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _post(self, body: bytes) -> int:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            conn.request(
                "POST",
                "/api/v1/inspections",
                body=body,
                headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            )
            status = conn.getresponse().status
            conn.close()
            return status
        except OSError:
            return 0

    def _run(self) -> None:
        for _ in range(MAX_WRITES_PER_WRITER):
            if self.stop.is_set():
                return
            visit_uuid = str(uuid_mod.uuid4())
            body = json.dumps({**self.payload, "uuid": visit_uuid}, ensure_ascii=False).encode()
            for _retry in range(200):  # the outbox: the same UUID again until it is acknowledged
                with self.lock:
                    self.attempts += 1
                status = self._post(body)
                if status in (200, 201):
                    with self.lock:
                        self.acked.add(visit_uuid)
                    break
                with self.lock:
                    self.errors[str(status)] = self.errors.get(str(status), 0) + 1
                if self.stop.is_set():
                    return
                time.sleep(0.1)


class SlowClients:
    """Connections that never complete a request: two send their headers one byte at a time, two
    send full headers announcing a body that never comes."""

    REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\nX-Padding: " + b"a" * 200

    def __init__(self, port: int, count: int = 4):
        self.port, self.count = port, count
        self.stop = threading.Event()
        self.sockets: list[socket.socket] = []
        self.threads: list[threading.Thread] = []

    def __enter__(self):
        for n in range(self.count):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            self.sockets.append(sock)
            if n % 2 == 0:
                thread = threading.Thread(target=self._drip, args=(sock,), daemon=True)
                thread.start()
                self.threads.append(thread)
            else:
                sock.sendall(
                    b"POST /api/v1/inspections HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b'Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"uuid":'
                )
        return self

    def _drip(self, sock: socket.socket) -> None:
        for byte in self.REQUEST:
            if self.stop.wait(0.2):
                return
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                return

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


def probe_health_under_slow_clients(port: int, seconds: float) -> list[float]:
    """Ask /healthz (at least 8 times, every 0.25 s for SECONDS) while four slow clients hold their
    connections open; a probe that fails or takes HEALTH_LIMIT_S or more counts as infinite."""
    times = []
    with SlowClients(port):
        time.sleep(0.5)
        for _ in range(max(8, int(seconds * 4))):
            status, took = health(port, HEALTH_LIMIT_S)
            times.append(took if status == 200 else float("inf"))
            time.sleep(0.25)
    return times


def stored_uuids(env: dict[str, str]) -> set[str]:
    script = (
        "import json,sys\nfrom sqlalchemy import create_engine, text\n"
        "e=create_engine(sys.argv[1])\n"
        "with e.connect() as c:\n"
        "    print(json.dumps([r[0] for r in c.execute(text('SELECT uuid FROM visits'))]))\n"
        "e.dispose()\n"
    )
    out = subprocess.run(
        [PYTHON, "-c", script, env["DATABASE_URL"]],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {str(u) for u in json.loads(out)}


def integrity(env: dict[str, str]) -> str:
    url = env["DATABASE_URL"]
    if not url.startswith("sqlite"):
        return "n/a (PostgreSQL)"
    import sqlite3

    with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def audit_verify(env: dict[str, str]) -> tuple[int, str]:
    result = subprocess.run(
        [str(BIN / "flask"), "audit", "verify"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, (result.stdout + result.stderr).strip()


def run(engine: str, seconds: float, workdir: Path) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    database_url = new_database(engine, workdir)
    env = server_env(workdir, database_url, port)
    summary: dict = {"engine": engine, "phase_seconds": seconds}
    began = time.monotonic()
    marks = summary["timeline_s"] = {}

    def mark(what: str) -> None:
        marks[what] = round(time.monotonic() - began, 2)

    server = Server(env, port)
    try:
        token, payload = prepare(env)
        mark("prepared")
        server.start()
        mark("started")
        writers = Writers(port, token, payload)
        writers.start()
        time.sleep(seconds)
        summary["worker_killed"] = server.kill_worker()
        time.sleep(seconds)
        # A checkpoint of the head while the writes go on, then the master killed hard.
        checkpoint = subprocess.run(
            [str(BIN / "flask"), "audit", "checkpoint"], env=env, cwd=ROOT, capture_output=True, text=True
        )
        summary["checkpoint_before_crash"] = checkpoint.returncode
        summary["checkpoint_output"] = (checkpoint.stdout + checkpoint.stderr).strip()[-500:]
        mark("worker killed, checkpoint")
        server.kill_master()
        mark("master killed")
        time.sleep(min(seconds, 2))
        server.start()
        mark("restarted")
        time.sleep(seconds)
        summary["health_s"] = probe_health_under_slow_clients(port, max(seconds, 3))
        writers.finish()
        server.stop()
        mark("stopped")
        stored = stored_uuids(env)
        summary.update(
            {
                "acknowledged": len(writers.acked),
                "attempts": writers.attempts,
                "refused_or_failed": writers.errors,
                "stored": len(stored),
                "lost": sorted(writers.acked - stored),
                "stored_unacknowledged": len(stored - writers.acked),
                "integrity_check": integrity(env),
            }
        )
        code, output = audit_verify(env)
        summary["audit_verify"] = output
        summary["ok"] = (
            not summary["lost"]
            and summary["acknowledged"] > 0
            and summary["stored_unacknowledged"] <= WRITERS
            and summary["integrity_check"] in ("ok", "n/a (PostgreSQL)")
            and code == 0
            and summary["checkpoint_before_crash"] == 0
            and bool(summary["health_s"])
            and max(summary["health_s"]) < HEALTH_LIMIT_S
        )
    finally:
        server.stop()
        if engine == "postgresql":
            drop_database(database_url)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.seconds > 600:
        parser.error("--seconds must be within (0, 600]")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="pishkhan-fault-") as tmp:
        summary = run(args.engine, args.seconds, args.workdir or Path(tmp))
    print(json.dumps(summary, ensure_ascii=False, default=str))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
