"""A national-size database, generated fast: rows are built in Python from a seeded generator and
written in batches — COPY on PostgreSQL, SQLAlchemy Core executemany on SQLite — never through the
per-row operations (no validation, no audit events: this is load, not business).

At scale 1.0: 31 provinces and 430 counties, 20,000 offices (counter and rural ICT), 60,000 ATMs
and bank kiosks, their operators, ~23,000 licences with their applications, working-group
sessions and decisions, 1,000,000 visits from 1 Farvardin 1400 to today, ~13,000 cases with
committee sessions and rulings, and the inspectors' assignments for today.
"""

from __future__ import annotations

import bisect
import json
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import jdatetime
from sqlalchemy import JSON, Connection, select, text

from core.clock import today_tehran
from core.extensions import db
from core.forms import complete_national_id
from core.persian import normalize_for_search

SEED = 8_000_000
BATCH = 20_000
KINDS_OFFICE = ("counter_office", "rural_ict_office")
PENALTIES = (
    ("acquittal", 0.10),
    ("written_warning", 0.35),
    ("filed_notice", 0.20),
    ("fine", 0.20),
    ("suspension", 0.13),
    ("revocation", 0.02),
)
VIOLATIONS = [f"V{n:02d}" for n in range(1, 11)]


def j(year: int, month: int = 1, day: int = 1) -> date:
    return jdatetime.date(year, month, day).togregorian()


@dataclass
class Sizes:
    offices: int
    devices: int
    visits: int
    counties: int
    inspectors: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        return cls(
            offices=max(int(20_000 * scale), 50),
            devices=max(int(60_000 * scale), 100),
            visits=max(int(1_000_000 * scale), 1_000),
            counties=min(430, max(int(430 * scale), 31)),
            inspectors=max(int(300 * scale), 5),
        )


@dataclass
class Loaded:
    """What was written, table by table, and how long it took."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())


# ---------------------------------------------------------------- writing


def _copy(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    target = db.metadata.tables[table]
    as_json = [i for i, name in enumerate(columns) if isinstance(target.c[name].type, JSON)]
    raw = conn.connection.driver_connection
    n = 0
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            if as_json:
                row = [json.dumps(v) if i in as_json else v for i, v in enumerate(row)]
            copy.write_row(row)
            n += 1
    return n


def _executemany(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    target = db.metadata.tables[table]
    n = 0
    batch: list[dict] = []
    for row in rows:
        batch.append(dict(zip(columns, row, strict=True)))
        if len(batch) >= BATCH:
            conn.execute(target.insert(), batch)
            n += len(batch)
            batch = []
    if batch:
        conn.execute(target.insert(), batch)
        n += len(batch)
    return n


class Writer:
    def __init__(self, conn: Connection, loaded: Loaded):
        self.conn = conn
        self.loaded = loaded
        self.postgres = conn.dialect.name == "postgresql"

    def __call__(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        write = _copy if self.postgres else _executemany
        self.loaded.rows[table] = self.loaded.rows.get(table, 0) + write(self.conn, table, columns, rows)

    def reset_sequences(self) -> None:
        if not self.postgres:
            return
        for table in self.loaded.rows:
            self.conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
                )
            )


# ---------------------------------------------------------------- the generator


@dataclass
class Site:
    id: int
    kind: str
    county: int
    province: int
    lat: float
    lon: float
    established: date
    status: str


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _weighted(rng: random.Random, pairs) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def generate(conn: Connection, scale: float = 1.0, *, log=print) -> Loaded:
    """Fill an empty, migrated database; returns the row counts."""
    started = time.perf_counter()
    rng = random.Random(SEED)
    sizes = Sizes.at(scale)
    loaded = Loaded()
    write = Writer(conn, loaded)
    today = today_tehran()
    now = datetime.now(UTC)
    first_visit_day = j(1400)

    def step(name: str) -> None:
        log(f"  {name:<28} {time.perf_counter() - started:6.1f} s")

    versions = {
        (purpose, kind): version_id
        for purpose, kind, version_id in conn.execute(
            text(
                "SELECT c.purpose, c.site_kind, v.id FROM checklists c "
                "JOIN checklist_versions v ON v.checklist_id = c.id"
            )
        )
    }
    violation_ids = dict(conn.execute(text("SELECT code, id FROM violation_types")).all())

    # ------------------------------------------------------------ places and people
    provinces = [(p, f"استان {p}", f"{p:02d}") for p in range(1, 32)]
    write("provinces", ("id", "name", "code"), provinces)
    counties = []
    for c in range(1, sizes.counties + 1):
        province = (c - 1) % 31 + 1
        lat, lon = rng.uniform(26.5, 38.5), rng.uniform(45.0, 61.0)
        name = f"شهرستان {c}"
        counties.append(
            (
                c,
                province,
                name,
                normalize_for_search(name).replace(" ", ""),
                rng.randint(30, 900) * 1000,
                lat,
                lon,
            )
        )
    write(
        "counties",
        ("id", "province_id", "name", "name_norm", "population", "center_lat", "center_lon"),
        counties,
    )
    centre = {c[0]: (c[1], c[5], c[6]) for c in counties}

    first_inspector = (
        conn.execute(select(db.metadata.tables["users"].c.id).order_by(text("id DESC")).limit(1)).scalar() + 1
    )
    inspectors = list(range(first_inspector, first_inspector + sizes.inspectors))
    write(
        "users",
        (
            "id",
            "username",
            "full_name",
            "full_name_norm",
            "role",
            "password_hash",
            "is_active_account",
            "created_at",
            "updated_at",
        ),
        (
            (u, f"inspector{u}", f"بازرس {u}", f"بازرس {u}", "inspector", "!", True, now, now)
            for u in inspectors
        ),
    )

    people_count = int(sizes.offices * 1.25)

    def people() -> Iterator[tuple]:
        for p in range(1, people_count + 1):
            first, last = f"نام{p % 97}", f"خانواده{p}"
            yield (
                p,
                complete_national_id(f"{100_000_000 + p:09d}"[-9:]),
                first,
                last,
                normalize_for_search(f"{first} {last}"),
                "bachelor",
                now,
                now,
                1,
            )

    write(
        "people",
        (
            "id",
            "national_id",
            "first_name",
            "last_name",
            "name_norm",
            "education",
            "created_at",
            "updated_at",
            "version",
        ),
        people(),
    )
    step("places and people")

    # ------------------------------------------------------------ sites and their status history
    sites: list[Site] = []
    n_counter = int(sizes.offices * 0.7)
    for s in range(1, sizes.offices + sizes.devices + 1):
        if s <= sizes.offices:
            kind = "counter_office" if s <= n_counter else "rural_ict_office"
            status = _weighted(
                rng, (("active", 0.94), ("suspended", 0.02), ("closed", 0.02), ("revoked", 0.02))
            )
            established = _day_between(rng, j(1385), today - timedelta(days=30))
        else:
            kind = "atm" if rng.random() < 0.75 else "bank_kiosk"
            status = "active" if rng.random() < 0.95 else "closed"
            established = _day_between(rng, j(1390), today - timedelta(days=30))
        county = rng.randint(1, sizes.counties)
        province, lat, lon = centre[county]
        sites.append(
            Site(
                s,
                kind,
                county,
                province,
                lat + rng.uniform(-0.2, 0.2),
                lon + rng.uniform(-0.2, 0.2),
                established,
                status,
            )
        )

    def site_rows() -> Iterator[tuple]:
        for s in sites:
            office = s.kind in KINDS_OFFICE
            name = f"{'دفتر پیشخوان' if office else 'پایانه'} {s.id}"
            address = f"شهرستان {s.county}، خیابان {s.id % 50}، پلاک {s.id % 300}"
            yield (
                s.id,
                s.kind,
                f"B{s.id:07d}",
                name,
                normalize_for_search(name),
                s.county,
                f"شهر {s.county}",
                "village" if s.kind == "rural_ict_office" else "city",
                address,
                normalize_for_search(address),
                s.lat,
                s.lon,
                s.status,
                s.established,
                s.established,
                s.id if office else None,
                None if office else "بانک ملی ایران",
                None if office else f"{s.id:08d}",
                now,
                now,
                1,
            )

    write(
        "sites",
        (
            "id",
            "kind",
            "code",
            "name",
            "name_norm",
            "county_id",
            "locality",
            "locality_type",
            "address",
            "address_norm",
            "lat",
            "lon",
            "status",
            "status_since",
            "established_on",
            "operator_id",
            "bank",
            "terminal_id",
            "created_at",
            "updated_at",
            "version",
        ),
        site_rows(),
    )

    def status_rows() -> Iterator[tuple]:
        n = 0
        for s in sites:
            n += 1
            yield (n, s.id, "active", s.established, "ثبت در سامانه", now)
            if s.status != "active":
                n += 1
                yield (n, s.id, s.status, _day_between(rng, s.established, today), "تغییر وضعیت", now)

    write(
        "site_status_changes",
        ("id", "site_id", "status", "effective_on", "reason", "recorded_at"),
        status_rows(),
    )
    step("sites and status history")

    # ------------------------------------------------------------ licences, applications, working group
    sessions_by_province: dict[int, list[date]] = {}
    wg_rows, session_ids = [], {}
    wg_id = 0
    for province in range(1, 32):
        days = []
        day = j(1384, 12, 1) + timedelta(days=rng.randrange(40))
        while day <= today:
            wg_id += 1
            days.append(day)
            session_ids[(province, day)] = wg_id
            year = jdatetime.date.fromgregorian(date=day).year
            wg_rows.append(
                (wg_id, f"{province:02d}-{year}-{wg_id:05d}", day, "سالن جلسات", day < today, now, now, 1)
            )
            day += timedelta(days=rng.randint(30, 60))
        sessions_by_province[province] = days
    write(
        "wg_sessions",
        ("id", "number", "held_on", "place", "closed", "created_at", "updated_at", "version"),
        wg_rows,
    )

    def session_before(province: int, day: date) -> int:
        days = sessions_by_province[province]
        i = max(bisect.bisect_right(days, day - timedelta(days=5)) - 1, 0)
        return session_ids[(province, days[i])]

    applications, licences, agenda = [], [], []

    def application(kind, office_kind, holder, received, state, licence_id=None, site_id=None) -> int:
        app_id = len(applications) + 1
        year = jdatetime.date.fromgregorian(date=received).year
        applications.append(
            (
                app_id,
                f"{year}-{app_id:07d}",
                kind,
                office_kind,
                state,
                holder,
                licence_id,
                site_id,
                received,
                received + timedelta(days=60),
                now,
                now,
                1,
            )
        )
        return app_id

    def licence(
        site: Site, holder, issued, expires, app_id, previous=None, status="active", renewed=None
    ) -> int:
        lic_id = len(licences) + 1
        year = jdatetime.date.fromgregorian(date=issued).year
        code = "P" if site.kind == "counter_office" else "R"
        licences.append(
            [
                lic_id,
                f"{site.province:02d}-{code}-{year}-{lic_id:06d}",
                site.kind,
                site.id,
                holder,
                app_id,
                previous,
                issued,
                expires,
                status,
                f"دفتر پیشخوان {site.id}",
                "نشانی",
                f"t{lic_id:016d}",
                renewed,
                now,
                now,
                1,
            ]
        )
        return lic_id

    def decide(app_id: int, province: int, day: date, decision: str = "approved") -> None:
        agenda.append(
            (len(agenda) + 1, session_before(province, day), app_id, 1, decision, "شرایط احراز شد.")
        )

    extra_people = iter(range(sizes.offices + 1, people_count + 1))
    new_site_requests = []
    for s in sites[: sizes.offices]:
        holder = s.id
        app_id = application(
            "new", s.kind, holder, s.established - timedelta(days=50), "licence_issued", site_id=s.id
        )
        decide(app_id, s.province, s.established)
        if s.established >= first_visit_day:
            new_site_requests.append((s, app_id))
        status = {"active": "active", "suspended": "suspended", "revoked": "revoked", "closed": "expired"}[
            s.status
        ]
        roll = rng.random()
        if roll < 0.12 and (today - s.established).days > 400:
            # Transferred (or moved) once, on a day after the first licence.
            changed = _day_between(rng, s.established + timedelta(days=200), today - timedelta(days=30))
            first = licence(
                s, holder, s.established, s.established + timedelta(days=1826), app_id, status="superseded"
            )
            if roll < 0.08:
                new_holder = next(extra_people, holder)
                kind = "transfer"
            else:
                new_holder, kind = holder, "address_change"
            second_app = application(
                kind, s.kind, new_holder, changed - timedelta(days=40), "licence_issued", first, s.id
            )
            decide(second_app, s.province, changed)
            licence(
                s,
                new_holder,
                changed,
                s.established + timedelta(days=1826),
                second_app,
                previous=first,
                status=status,
            )
        else:
            licence(s, holder, s.established, s.established + timedelta(days=1826), app_id, status=status)
        # Renewals every five years up to today; the licence keeps its last renewal day.
        current = licences[-1]
        while current[8] < today and status == "active":
            renewed = current[8] - timedelta(days=rng.randint(20, 100))
            renewal = application(
                "renewal",
                s.kind,
                current[4],
                renewed - timedelta(days=30),
                "licence_issued",
                current[0],
                s.id,
            )
            decide(renewal, s.province, renewed)
            current[13], current[8], current[5] = renewed, current[8] + timedelta(days=1826), renewal
    # Today's open requests, some turned down or deferred.
    for _ in range(sizes.offices // 30):
        s = sites[rng.randrange(sizes.offices)]
        received = today - timedelta(days=rng.randint(1, 120))
        state = _weighted(
            rng, (("received", 3), ("under_review", 4), ("ready_for_wg", 2), ("rejected", 1), ("deferred", 1))
        )
        app_id = application("new", s.kind, next(extra_people, s.id), received, state)
        if state in ("rejected", "deferred"):
            decide(app_id, s.province, received + timedelta(days=20), state)

    # applications.licence_id and licences.application_id point at each other: the requests go in
    # without their licence, which is filled in once the licences are there.
    acted_on = [{"app": row[0], "licence": row[6]} for row in applications if row[6] is not None]
    write(
        "applications",
        (
            "id",
            "number",
            "kind",
            "office_kind",
            "state",
            "applicant_id",
            "site_id",
            "received_on",
            "due_on",
            "created_at",
            "updated_at",
            "version",
        ),
        (row[:6] + row[7:] for row in applications),
    )
    write(
        "licences",
        (
            "id",
            "number",
            "office_kind",
            "site_id",
            "holder_id",
            "application_id",
            "previous_licence_id",
            "issued_on",
            "expires_on",
            "status",
            "office_name",
            "address",
            "verify_token",
            "renewed_on",
            "created_at",
            "updated_at",
            "version",
        ),
        (tuple(row) for row in licences),
    )
    conn.execute(text("CREATE TEMPORARY TABLE bench_acted_on (app INTEGER PRIMARY KEY, licence INTEGER)"))
    conn.execute(text("INSERT INTO bench_acted_on (app, licence) VALUES (:app, :licence)"), acted_on)
    conn.execute(
        text(
            "UPDATE applications SET licence_id = "
            "(SELECT licence FROM bench_acted_on WHERE app = applications.id) "
            "WHERE id IN (SELECT app FROM bench_acted_on)"
        )
    )
    conn.execute(text("DROP TABLE bench_acted_on"))
    write(
        "wg_agenda_items", ("id", "session_id", "application_id", "position", "decision", "reasons"), agenda
    )
    request_rows = [
        (n, app_id, "new_site", s.lat, s.lon, s.established - timedelta(days=35), "done", True, now, now)
        for n, (s, app_id) in enumerate(new_site_requests, 1)
    ]
    write(
        "visit_requests",
        (
            "id",
            "application_id",
            "purpose",
            "lat",
            "lon",
            "due_on",
            "state",
            "passed",
            "created_at",
            "updated_at",
        ),
        request_rows,
    )
    step("licences and working group")

    # ------------------------------------------------------------ visits
    offices, devices = sites[: sizes.offices], sites[sizes.offices :]
    span = (today - first_visit_day).days
    office_purposes = (("performance", 0.72), ("health", 0.16), ("complaint", 0.12))
    cases = []

    def visit_rows() -> Iterator[tuple]:
        # Every 200th visit is to the proposed site of a new office (no site row yet), while any last.
        requests = iter(zip(request_rows, new_site_requests, strict=True))
        # Visits arrive in the order they are made: ids follow the days, as in a real database.
        offsets = sorted(rng.randrange(span + 1) for _ in range(sizes.visits))
        for v in range(1, sizes.visits + 1):
            request = None
            if v % 200 == 0:
                request, (s, _app_id) = next(requests, (None, (None, None)))
            if request is not None:
                site_id, purpose, kind = None, "new_site", s.kind
                day = min(request[5] + timedelta(days=10), today)
            else:
                s = rng.choice(offices) if rng.random() < 0.6 else rng.choice(devices)
                site_id, kind = s.id, s.kind
                purpose = _weighted(rng, office_purposes) if kind in KINDS_OFFICE else "atm_kiosk"
                day = first_visit_day + timedelta(days=offsets[v - 1])
            start = datetime(
                day.year, day.month, day.day, rng.randint(4, 10), rng.choice((0, 15, 30, 45)), tzinfo=UTC
            )
            failed = 1 if rng.random() < 0.05 else 0
            uuid = f"00000000-0000-4000-8000-{v:012x}"
            if failed and site_id is not None and kind in KINDS_OFFICE and day < today - timedelta(days=3):
                cases.append((s, day, uuid))
            yield (
                v,
                uuid,
                purpose,
                site_id,
                request[0] if request else None,
                versions[(purpose, kind)],
                inspectors[v % len(inspectors)],
                start,
                start + timedelta(minutes=35),
                start + timedelta(hours=2),
                day,
                s.lat,
                s.lon,
                12.0,
                start,
                s.lat,
                s.lon,
                8.0,
                False,
                False,
                False,
                False,
                "pass" if request else None,
                failed,
                f"{rng.getrandbits(256):064x}",
                1,
                True,
                bool(request),
            )

    write(
        "visits",
        (
            "id",
            "uuid",
            "purpose",
            "site_id",
            "visit_request_id",
            "checklist_version_id",
            "inspector_id",
            "started_at",
            "device_saved_at",
            "received_at",
            "visited_on",
            "lat",
            "lon",
            "accuracy_m",
            "fix_at",
            "ref_lat",
            "ref_lon",
            "distance_m",
            "flag_too_far",
            "flag_poor_fix",
            "flag_no_fix",
            "flag_clock",
            "verdict",
            "failed_count",
            "payload_hash",
            "photos_expected",
            "complete",
            "request_result_returned",
        ),
        visit_rows(),
    )
    step("visits")

    # ------------------------------------------------------------ committee
    committee_days: dict[int, list[date]] = {}
    committee_rows, committee_ids = [], {}
    for province in range(1, 32):
        days = []
        day = j(1399, 12, 1) + timedelta(days=rng.randrange(60))
        while day <= today:
            committee_ids[(province, day)] = len(committee_rows) + 1
            year = jdatetime.date.fromgregorian(date=day).year
            committee_rows.append(
                (
                    len(committee_rows) + 1,
                    f"{province:02d}-{year}-{len(committee_rows) + 1:05d}",
                    day,
                    "سالن جلسات",
                    day < today,
                    now,
                    now,
                    1,
                )
            )
            days.append(day)
            day += timedelta(days=rng.randint(45, 75))
        committee_days[province] = days
    write(
        "committee_sessions",
        ("id", "number", "held_on", "place", "closed", "created_at", "updated_at", "version"),
        committee_rows,
    )

    case_rows, violation_rows, ruling_rows = [], [], []
    for n, (s, offence_on, uuid) in enumerate(cases, 1):
        opened = offence_on + timedelta(days=3)
        days = committee_days[s.province]
        i = bisect.bisect_left(days, opened + timedelta(days=20))
        heard = days[i] if i < len(days) and days[i] < today else None
        state = "closed" if heard else "ready"
        year = jdatetime.date.fromgregorian(date=opened).year
        case_rows.append(
            (
                n,
                f"{year}-{n:06d}",
                s.id,
                "inspection",
                state,
                opened,
                offence_on,
                "گزارش بازرسی",
                uuid,
                now,
                now,
                1,
            )
        )
        codes = rng.sample(VIOLATIONS, k=rng.choice((1, 1, 1, 2)))
        for code in codes:
            violation_rows.append((len(violation_rows) + 1, n, violation_ids[code]))
        if heard:
            penalty = _weighted(rng, PENALTIES)
            ruling_rows.append(
                (
                    len(ruling_rows) + 1,
                    f"{jdatetime.date.fromgregorian(date=heard).year}-{len(ruling_rows) + 1:06d}",
                    n,
                    committee_ids[(s.province, heard)],
                    heard,
                    penalty,
                    30 if penalty == "suspension" else None,
                    20_000_000 if penalty == "fine" else None,
                    [] if penalty == "acquittal" else codes,
                    "مصوبه کمیسیون",
                    "احراز شد",
                    "final",
                    now,
                    now,
                    1,
                )
            )
    write(
        "cases",
        (
            "id",
            "number",
            "site_id",
            "source",
            "state",
            "opened_on",
            "offence_on",
            "summary",
            "visit_uuid",
            "created_at",
            "updated_at",
            "version",
        ),
        case_rows,
    )
    write("case_violations", ("id", "case_id", "violation_type_id"), violation_rows)
    write(
        "rulings",
        (
            "id",
            "number",
            "case_id",
            "session_id",
            "ruled_on",
            "penalty",
            "suspension_days",
            "fine_amount",
            "violations_found",
            "legal_basis",
            "reasoning",
            "state",
            "created_at",
            "updated_at",
            "version",
        ),
        ruling_rows,
    )
    assignments = [
        (
            n,
            inspectors[n % len(inspectors)],
            rng.choice(offices).id,
            "performance",
            today + timedelta(days=n % 2),
            "planned",
            now,
            now,
        )
        for n in range(1, sizes.inspectors * 4 + 1)
    ]
    write(
        "inspection_assignments",
        ("id", "inspector_id", "site_id", "purpose", "planned_on", "state", "created_at", "updated_at"),
        assignments,
    )
    step("committee and assignments")
    write.reset_sequences()
    loaded.seconds = time.perf_counter() - started
    return loaded
