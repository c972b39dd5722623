"""The demo province: Lorestan in 1401, as reported by its ICT directorate.

`flask seed-demo` calls seed_demo(): twelve accounts (one or more per role, the five committee
members from the bodies seed 004 names), the eleven counties, 255 active counter offices and
43 active rural ICT offices (the counts of seed 004), a few offices that were suspended, closed
or revoked, their operators, ATMs and bank kiosks. The data is built first as a plan from a
seeded random generator, so every run loads the same rows, then applied through the registry's
operations (validation, normalisation and the audit log included).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import iranian_national_code
import jdatetime

from core.persian import ZWNJ, to_persian_digits
from demo import registry_data as data
from demo.accounts import DEMO_ACCOUNTS, seed_accounts
from registry.models import Education, LocalityType, SiteKind, SiteStatus
from registry.operations import (
    change_site_status,
    create_person,
    create_site,
    get_or_create_county,
    get_or_create_province,
)
from registry.reference_import import DEFAULT_FILE, import_reference

SEED = 1401

# The one office a browser test looks up by its Arabic spelling («كوثر»); imported as-is.
KOWSAR_NAME = "دفتر پيشخوان كوثر"
KOWSAR_ADDRESS = "خرم آباد، خيابان كمالوند، كوچه ۱۴، پلاك ۲۷"

EXTRA_COUNTER_COUNTIES = ("خرم‌آباد", "بروجرد", "خرم‌آباد", "دورود", "کوهدشت", "الیگودرز")
NEW_IN_1401 = {SiteKind.COUNTER_OFFICE: 6, SiteKind.RURAL_ICT_OFFICE: 8}  # seed 004
ATMS = 120
KIOSKS = 30
HOSTED_ATMS = 20
RURAL_HOSTED_KIOSKS = 18


@dataclass
class DemoPlan:
    """Everything seed_demo() will create, in order; site dicts name their county, not its id."""

    people: list[dict[str, Any]] = field(default_factory=list)
    offices: list[dict[str, Any]] = field(default_factory=list)
    devices: list[dict[str, Any]] = field(default_factory=list)
    status_changes: list[tuple[str, str, date, str]] = field(default_factory=list)


# ---------------------------------------------------------------- helpers


def _largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Split total into integer parts proportional to weights."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _jalali_day(rng: random.Random, year: int, first=(1, 1), last=(12, 29)) -> date:
    start = jdatetime.date(year, *first).togregorian()
    end = jdatetime.date(year, *last).togregorian()
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _near(rng: random.Random, lat: float, lon: float, radius_m: float) -> tuple[float, float]:
    """A point uniformly inside a circle of radius_m around (lat, lon)."""
    r = radius_m * math.sqrt(rng.random())
    theta = rng.random() * 2 * math.pi
    dlat = r * math.cos(theta) / 111_000
    dlon = r * math.sin(theta) / (111_000 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _as_imported(rng: random.Random, text: str, share: float = 0.05) -> str:
    """Now and then spell the text as old imported data does: Arabic ي/ك, ZWNJs dropped."""
    roll = rng.random()
    if roll < share / 2:
        return text.replace("ی", "ي").replace("ک", "ك")
    if roll < share:
        return text.replace(ZWNJ, rng.choice(("", " ")))
    return text


class _Generator:
    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)  # nosec B311  # demo data, reproducible on purpose
        self.national_ids: set[str] = set()
        self.terminal_ids: set[str] = set()
        self.plan = DemoPlan()

    # -- people

    def national_id(self, county: dict) -> str:
        while True:
            base = self.rng.choice(county["nid"]) + f"{self.rng.randrange(1_000_000):06d}"
            rest = sum(int(d) * (10 - i) for i, d in enumerate(base)) % 11
            code = base + str(rest if rest < 2 else 11 - rest)
            if code not in self.national_ids and iranian_national_code.validate(code):
                self.national_ids.add(code)
                return code

    def person(self, county: dict, *, rural: bool) -> str:
        rng = self.rng
        female = rng.random() < 0.27
        first = rng.choice(data.FEMALE_FIRST_NAMES if female else data.MALE_FIRST_NAMES)
        education = rng.choices(
            (
                Education.DIPLOMA,
                Education.ASSOCIATE,
                Education.BACHELOR,
                Education.MASTER,
                Education.DOCTORATE,
            ),
            weights=(8, 6, 66, 19, 1) if rural else (2, 3, 72, 21, 2),
        )[0]
        nid = self.national_id(county)
        self.plan.people.append(
            {
                "national_id": nid,
                "first_name": _as_imported(rng, first, 0.03),
                "last_name": _as_imported(rng, rng.choice(data.LAST_NAMES), 0.03),
                "father_name": rng.choice(data.MALE_FIRST_NAMES),
                "birth_date": _jalali_day(rng, rng.randint(1345, 1375)),
                "mobile": rng.choice(data.MOBILE_PREFIXES) + f"{rng.randrange(10_000_000):07d}",
                "education": education,
                "field_of_study": (
                    None if education == Education.DIPLOMA else rng.choice(data.FIELDS_OF_STUDY)
                ),
            }
        )
        return nid

    # -- addresses

    def street(self, town: str) -> str:
        name = self.rng.choice(data.STREETS + data.LOCAL_STREETS.get(town, ()) * 2)
        return name if name.startswith(("میدان", "۶۰")) else f"خیابان {name}"

    def town_address(self, town: str) -> str:
        rng = self.rng
        alley = rng.choice(
            (
                f"کوچه {to_persian_digits(rng.randint(1, 40))}",
                f"کوچه شهید {rng.choice(data.LAST_NAMES)}",
                f"نبش کوچه {rng.choice(data.OFFICE_BRANDS)}",
                f"روبه‌روی بانک {rng.choice(('ملی', 'سپه', 'ملت', 'تجارت', 'صادرات'))}",
            )
        )
        text = f"{town}، {self.street(town)}، {alley}، پلاک {to_persian_digits(rng.randint(1, 240))}"
        if rng.random() < 0.3:
            text += rng.choice(("، طبقه همکف", "، طبقه اول", "، مجتمع تجاری نگین، واحد ۳"))
        return _as_imported(rng, text)

    def village_address(self, county: str, village: str) -> str:
        place = self.rng.choice(
            (
                "جنب دهیاری",
                "روبه‌روی مسجد جامع",
                "خیابان اصلی، جنب مدرسه ابتدایی",
                "میدان روستا، جنب خانه بهداشت",
                "جنب شورای اسلامی روستا",
                "خیابان اصلی، پلاک ۱۲",
            )
        )
        return _as_imported(self.rng, f"شهرستان {county}، روستای {village}، {place}")

    def postal_code(self, county: dict) -> str:
        rng = self.rng
        return (
            county["postal"]
            + rng.choice("13456789")
            + rng.choice("134679")
            + "".join(rng.choice("013456789") for _ in range(5))
        )

    def phone(self, county: dict) -> str:
        rng = self.rng
        return f"{county['phone']}{rng.randint(2, 4)}{rng.randrange(1_000_000):06d}"

    def terminal_id(self) -> str:
        while True:
            tid = f"{self.rng.randrange(10_000_000, 100_000_000)}"
            if tid not in self.terminal_ids:
                self.terminal_ids.add(tid)
                return tid

    # -- sites

    def established(self, kind: SiteKind, new_in_1401: bool, *, before: int = 1400) -> date:
        if new_in_1401:
            return _jalali_day(self.rng, 1401, (1, 15), (6, 20))
        if kind == SiteKind.COUNTER_OFFICE:  # most counter offices opened in the first years
            years = list(range(1390, before + 1))
            weights = [max(12 - 1.4 * (y - 1390), 2) for y in years]
        else:
            years = list(range(1390, before + 1))
            weights = [4] * len(years)
        return _jalali_day(self.rng, self.rng.choices(years, weights=weights)[0])

    def counter_offices(self) -> None:
        rng = self.rng
        counties = data.COUNTIES
        per_county = _largest_remainder(data.ACTIVE_COUNTER_OFFICES, [c["population"] for c in counties])
        total = data.ACTIVE_COUNTER_OFFICES
        new_ones = set(rng.sample(range(total), NEW_IN_1401[SiteKind.COUNTER_OFFICE]))
        extras = {name: EXTRA_COUNTER_COUNTIES.count(name) for name in EXTRA_COUNTER_COUNTIES}
        index = 0
        for county, active in zip(counties, per_county, strict=True):
            stopped = extras.get(county["name"], 0)
            towns = county["towns"]
            per_town = _largest_remainder(active, [t[3] for t in towns])
            # The stopped offices sit in the county's main town.
            per_town[0] += stopped
            brands = rng.sample(data.OFFICE_BRANDS, active + stopped)
            serial = 0
            for (town, lat, lon, _share), count in zip(towns, per_town, strict=True):
                for _ in range(count):
                    serial += 1
                    is_stopped = serial <= stopped
                    name = f"دفتر پیشخوان خدمات دولت {brands[serial - 1]}"
                    address = self.town_address(town)
                    if county["no"] == 1 and serial == stopped + 1:
                        name, address = KOWSAR_NAME, KOWSAR_ADDRESS
                    new = not is_stopped and index in new_ones
                    if not is_stopped:
                        index += 1
                    self.office(
                        SiteKind.COUNTER_OFFICE,
                        county,
                        serial,
                        _as_imported(rng, name),
                        town,
                        LocalityType.CITY,
                        address,
                        _near(rng, lat, lon, 3000),
                        self.established(SiteKind.COUNTER_OFFICE, new, before=1396 if is_stopped else 1400),
                        stopped=is_stopped,
                    )

    def rural_offices(self) -> None:
        rng = self.rng
        by_name = {c["name"]: c for c in data.COUNTIES}
        new_ones = set(rng.sample(range(data.ACTIVE_RURAL_OFFICES), NEW_IN_1401[SiteKind.RURAL_ICT_OFFICE]))
        serials: dict[str, int] = {}
        for index, (county_name, village) in enumerate(data.VILLAGES):
            county = by_name[county_name]
            is_stopped = index >= data.ACTIVE_RURAL_OFFICES
            serials[county_name] = serials.get(county_name, 500) + 1
            # A village lies 6–25 km from the county's centre; the office near its middle.
            distance = rng.uniform(6_000, 25_000)
            bearing = rng.random() * 2 * math.pi
            v_lat = county["lat"] + distance * math.cos(bearing) / 111_000
            v_lon = county["lon"] + distance * math.sin(bearing) / (
                111_000 * math.cos(math.radians(county["lat"]))
            )
            self.office(
                SiteKind.RURAL_ICT_OFFICE,
                county,
                serials[county_name],
                _as_imported(rng, f"دفتر ICT روستایی {village}"),
                village,
                LocalityType.VILLAGE,
                self.village_address(county_name, village),
                _near(rng, v_lat, v_lon, 300),
                self.established(
                    SiteKind.RURAL_ICT_OFFICE,
                    index in new_ones,
                    before=1396 if is_stopped else 1400,
                ),
                stopped=is_stopped,
            )

    def office(
        self,
        kind: SiteKind,
        county: dict,
        serial: int,
        name: str,
        locality: str,
        locality_type: LocalityType,
        address: str,
        point: tuple[float, float],
        established_on: date,
        *,
        stopped: bool,
    ) -> None:
        operator = self.person(county, rural=kind == SiteKind.RURAL_ICT_OFFICE)
        code = f"{data.PROVINCE_CODE}{county['no']:02d}{serial:03d}"
        self.plan.offices.append(
            {
                "kind": kind,
                "code": code,
                "name": name,
                "county": county["name"],
                "locality": locality,
                "locality_type": locality_type,
                "address": address,
                "postal_code": self.postal_code(county),
                "phone": self.phone(county),
                "lat": point[0],
                "lon": point[1],
                "established_on": established_on,
                "operator_nid": operator,
            }
        )
        if stopped:
            status, reason = data.STATUS_CHANGES[len(self.plan.status_changes)]
            effective = _jalali_day(self.rng, self.rng.choice((1400, 1401)), (1, 1), (6, 20))
            self.plan.status_changes.append((code, status, effective, reason))

    def devices(self) -> None:
        rng = self.rng
        banks, weights = zip(*data.BANK_WEIGHTS.items(), strict=True)
        stopped = {code for code, *_ in self.plan.status_changes}
        active_offices = [o for o in self.plan.offices if o["code"] not in stopped]
        counter = [o for o in active_offices if o["kind"] == SiteKind.COUNTER_OFFICE]
        rural = [o for o in active_offices if o["kind"] == SiteKind.RURAL_ICT_OFFICE]
        serials: dict[str, int] = {}

        def device(
            kind: SiteKind,
            county: dict,
            bank: str,
            name: str,
            locality: str,
            locality_type: LocalityType,
            address: str,
            point,
            host: dict | None,
        ) -> None:
            serials[county["name"]] = serials.get(county["name"], 0) + 1
            established = self.established(kind, False, before=1401)
            if host:  # a device arrives after the office that hosts it
                latest = jdatetime.date(1401, 6, 20).togregorian()
                established = min(max(established, host["established_on"] + timedelta(days=30)), latest)
            prefix = "ATM" if kind == SiteKind.ATM else "KIOSK"
            code = f"{prefix}-{data.PROVINCE_CODE}{county['no']:02d}-{serials[county['name']]:03d}"
            self.plan.devices.append(
                {
                    "kind": kind,
                    "code": code,
                    "name": name,
                    "county": county["name"],
                    "locality": locality,
                    "locality_type": locality_type,
                    "address": address,
                    "postal_code": host["postal_code"] if host else self.postal_code(county),
                    "phone": None,
                    "lat": point[0],
                    "lon": point[1],
                    "established_on": established,
                    "bank": bank,
                    "terminal_id": self.terminal_id(),
                    "host_code": host["code"] if host else None,
                }
            )

        by_name = {c["name"]: c for c in data.COUNTIES}
        hosted = rng.sample(counter, HOSTED_ATMS)
        for host in hosted:
            bank = rng.choices(banks, weights=weights)[0]
            device(
                SiteKind.ATM,
                by_name[host["county"]],
                bank,
                f"خودپرداز {bank} ({host['name']})",
                host["locality"],
                host["locality_type"],
                host["address"],
                (host["lat"], host["lon"]),
                host,
            )
        per_county = _largest_remainder(ATMS - HOSTED_ATMS, [c["population"] for c in data.COUNTIES])
        for county, count in zip(data.COUNTIES, per_county, strict=True):
            towns = county["towns"]
            for _ in range(count):
                town, lat, lon, _share = rng.choices(towns, weights=[t[3] for t in towns])[0]
                bank = rng.choices(banks, weights=weights)[0]
                street = self.street(town)
                branch = street.removeprefix("خیابان ")
                device(
                    SiteKind.ATM,
                    county,
                    bank,
                    f"خودپرداز {bank} شعبه {branch}",
                    town,
                    LocalityType.CITY,
                    f"{town}، {street}، {bank} شعبه {branch}",
                    _near(rng, lat, lon, 3000),
                    None,
                )
        for host in rng.sample(rural, RURAL_HOSTED_KIOSKS):
            bank = rng.choices(("پست بانک ایران", "بانک کشاورزی"), weights=(4, 1))[0]
            device(
                SiteKind.BANK_KIOSK,
                by_name[host["county"]],
                bank,
                f"باجه {bank} روستای {host['locality']}",
                host["locality"],
                LocalityType.VILLAGE,
                host["address"],
                (host["lat"], host["lon"]),
                host,
            )
        for _ in range(KIOSKS - RURAL_HOSTED_KIOSKS):
            county = rng.choices(data.COUNTIES, weights=[c["population"] for c in data.COUNTIES])[0]
            town, lat, lon, _share = county["towns"][0]
            bank = rng.choices(banks, weights=weights)[0]
            place = f"{rng.choice(data.KIOSK_HOSTS)} {town}"
            device(
                SiteKind.BANK_KIOSK,
                county,
                bank,
                f"باجه {bank} {place}",
                town,
                LocalityType.CITY,
                f"{town}، {self.street(town)}، ساختمان {place}",
                _near(rng, lat, lon, 3000),
                None,
            )


def build_plan(seed: int = SEED) -> DemoPlan:
    """The demo's rows, from a seeded generator: the same plan on every call."""
    generator = _Generator(seed)
    generator.counter_offices()
    generator.rural_offices()
    generator.devices()
    return generator.plan


# ---------------------------------------------------------------- loading


def seed_demo(password: str) -> str:
    """Load the Lorestan demo (accounts, counties, people, sites); flush, never commit."""
    seed_accounts(password)

    # The province, its counties and towns come from the shipped reference file, as a directorate's would.
    import_reference(DEFAULT_FILE, province_code=data.PROVINCE_CODE)
    province = get_or_create_province(data.PROVINCE_NAME, data.PROVINCE_CODE)
    counties = {c["name"]: get_or_create_county(province, c["name"]) for c in data.COUNTIES}

    plan = build_plan()
    people = {p["national_id"]: create_person(p, actor=None) for p in plan.people}
    sites = {}
    for row in plan.offices:
        row = dict(row)
        row["county_id"] = counties[row.pop("county")].id
        row["operator_id"] = people[row.pop("operator_nid")].id
        sites[row["code"]] = create_site(row, actor=None)
    for row in plan.devices:
        row = dict(row)
        row["county_id"] = counties[row.pop("county")].id
        host = row.pop("host_code")
        row["host_site_id"] = sites[host].id if host else None
        sites[row["code"]] = create_site(row, actor=None)
    for code, status, effective_on, reason in plan.status_changes:
        change_site_status(
            sites[code], SiteStatus(status), effective_on=effective_on, reason=reason, actor=None
        )

    return (
        f"demo loaded: {len(counties)} counties, {len(people)} people, {len(sites)} sites, "
        f"{len(DEMO_ACCOUNTS)} users"
    )
