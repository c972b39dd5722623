"""`make bench`: the annual report, the dashboard and the map on a national-size database.

For each engine (SQLite in a temporary file; PostgreSQL on a throwaway server started with
scripts/pg-test-server.sh), migrate an empty database, generate the national data (bench/generate.py),
ANALYZE it, then time — median of --repeat runs after one warm-up:

  annual_report()       every figure of a Jalali year (reports.operations.annual_report)
  report page           GET /reports/annual?year=… (figures, summary, chart series, HTML)
  dashboard             GET / as the administrator (every feature's panel)
  map JSON              GET /reports/map/sites.json (every site with coordinates)
  records page          GET /reports/records?figure=visits&year=… (a drill-down of ~175,000 visits)

The table is printed and written to bench/out/results.md.

    .venv/bin/python -m bench.run [--scale 1.0] [--engines sqlite,postgresql] [--repeat 5] [--year 1403]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PASSWORD = "bench-password-1"


@dataclass
class Result:
    engine: str
    what: str
    rows: str
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _timed(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm-up: caches, the PDF-free templates, the database's own pages
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def _app(url: str, instance: Path):
    os.environ["PISHKHAN_INSTANCE_DIR"] = str(instance)
    from config import TestingConfig
    from core.app import create_app

    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)


def run_engine(engine: str, url: str, scale: float, repeat: int, year: int, instance: Path) -> list[Result]:
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from accounts.operations import create_user
    from bench.generate import generate
    from core.extensions import db
    from core.security import Role
    from reports import operations as ops

    app = _app(url, instance)
    results = []
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        create_user("benchadmin", full_name="مدیر سنجش", role=Role.ADMIN, password=PASSWORD)
        db.session.commit()
        print(f"{engine}: migrated in {time.perf_counter() - started:.1f} s; generating (scale {scale})…")
        with db.engine.begin() as conn:
            loaded = generate(conn, scale)
        # Statistics (and PostgreSQL's visibility map, for index-only scans), as a live database's
        # autovacuum would have them.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE"))
        print(f"{engine}: {loaded.total:,} rows in {loaded.seconds:.1f} s")
        results.append(Result(engine, "generate (bulk insert)", f"{loaded.total:,}", [loaded.seconds]))
        visits = db.session.scalar(text("SELECT count(*) FROM visits"))
        sites = db.session.scalar(text("SELECT count(*) FROM sites"))
        db.session.remove()

        period = ops.Period.jalali_year(year)

        def report():
            ops.annual_report(period)
            db.session.remove()

        results.append(Result(engine, f"annual_report({year})", f"{visits:,} visits", _timed(report, repeat)))
        in_year = ops.count_by("visits", period)
        db.session.remove()

        client = app.test_client()
        assert client.post("/login", data={"username": "benchadmin", "password": PASSWORD}).status_code == 302

        def get(path: str) -> Callable[[], None]:
            def fetch():
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                response.get_data()

            return fetch

        pages = (
            (f"report page ({year})", f"{visits:,} visits", f"/reports/annual?year={year}"),
            ("dashboard (admin)", f"{sites:,} sites", "/"),
            ("map JSON", f"{sites:,} markers", "/reports/map/sites.json"),
            (
                f"records page (visits {year})",
                f"{in_year:,} listed",
                f"/reports/records?figure=visits&year={year}",
            ),
        )
        for what, rows, path in pages:
            results.append(Result(engine, what, rows, _timed(get(path), repeat)))
            print(f"{engine}: {what:<32} {results[-1].median:7.3f} s")
        markers = len(client.get("/reports/map/sites.json").json["sites"])
        assert markers == db.session.scalar(select(func.count()).select_from(db.metadata.tables["sites"])), (
            markers
        )
        db.session.remove()
        db.engine.dispose()
    return results


def table(results: list[Result], *, scale: float, repeat: int) -> str:
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPU cores, scale {scale}, "
        f"median of {repeat} runs after a warm-up (seconds).",
        "",
        "| engine | what | rows | median s | min s | max s |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        spread = f"{min(r.seconds):.3f} | {max(r.seconds):.3f}"
        lines.append(f"| {r.engine} | {r.what} | {r.rows} | {r.median:.3f} | {spread} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = 20,000 offices, 60,000 devices, 1M visits"
    )
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--year", type=int, default=1403, help="the Jalali year to report (default 1403)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite database (for profiling)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)

    results: list[Result] = []
    for engine in args.engines.split(","):
        if engine not in ("sqlite", "postgresql"):
            parser.error(f"unknown engine {engine}")
        work = Path(tempfile.mkdtemp(prefix=f"pishkhan-bench-{engine}-"))
        pg_root = None
        try:
            if engine == "sqlite":
                url = f"sqlite:///{work / 'bench.sqlite3'}"
            else:
                # Its own directory right under /tmp: the server runs as the postgres user.
                pg_root = Path(tempfile.mkdtemp(prefix="pishkhan-bench-pg-"))
                started = subprocess.run(
                    [str(ROOT / "scripts" / "pg-test-server.sh"), "start", str(pg_root)],
                    capture_output=True,
                    text=True,
                )
                if started.returncode != 0:
                    sys.exit(f"could not start PostgreSQL: {started.stderr.strip()} (make system-deps-test)")
                url = started.stdout.strip()
            results += run_engine(engine, url, args.scale, args.repeat, args.year, work / "instance")
        finally:
            if pg_root is not None:
                stop = [str(ROOT / "scripts" / "pg-test-server.sh"), "stop", str(pg_root)]
                subprocess.run(stop, check=False)
            if args.keep and engine == "sqlite":
                print(f"kept {work / 'bench.sqlite3'}")
            else:
                shutil.rmtree(work, ignore_errors=True)

    text = table(results, scale=args.scale, repeat=args.repeat)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.md").write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"written to {OUT / 'results.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
