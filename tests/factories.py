"""Small factory functions for the tests; each flushes and returns the new row."""

from __future__ import annotations

import itertools

import iranian_national_code

from accounts import operations as account_ops
from core.extensions import db
from core.security import Role
from registry import operations as registry_ops
from registry.models import County, Person, Site, SiteKind

DEFAULT_PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def make_user(role: Role = Role.VIEWER, username: str | None = None, **kwargs):
    n = next(_counter)
    return account_ops.create_user(
        username or f"{role.value}{n}", full_name=kwargs.pop("full_name", f"کاربر {n}"),
        role=role, password=kwargs.pop("password", DEFAULT_PASSWORD), **kwargs)


def make_county(name: str = "خرم‌آباد", population: int | None = 500_000, **kwargs) -> County:
    province = registry_ops.get_or_create_province("لرستان", "15")
    return registry_ops.get_or_create_county(province, name, population=population, **kwargs)


def national_id(seed: int | None = None) -> str:
    """A checksum-valid national ID, different on each call."""
    base = f"{(seed if seed is not None else next(_counter)) + 100_000_000:09d}"[-9:]
    total = sum(int(d) * (10 - i) for i, d in enumerate(base))
    rest = total % 11
    code = base + str(rest if rest < 2 else 11 - rest)
    assert iranian_national_code.validate(code), code
    return code


def make_person(first_name: str = "علی", last_name: str = "رضایی", **kwargs) -> Person:
    data = {"national_id": kwargs.pop("national_id", None) or national_id(),
            "first_name": first_name, "last_name": last_name, **kwargs}
    return registry_ops.create_person(data, actor=None)


def make_site(kind: SiteKind = SiteKind.COUNTER_OFFICE, name: str | None = None, **kwargs) -> Site:
    n = next(_counter)
    county = kwargs.pop("county", None) or make_county()
    data = {
        "kind": kind, "code": kwargs.pop("code", f"66{n:06d}"),
        "name": name or f"دفتر پیشخوان شماره {n}", "county_id": county.id,
        "locality": kwargs.pop("locality", "خرم‌آباد"), "locality_type": kwargs.pop("locality_type", None),
        "address": kwargs.pop("address", "خیابان انقلاب، پلاک ۱۲"),
        "lat": kwargs.pop("lat", 33.4878), "lon": kwargs.pop("lon", 48.3558), **kwargs,
    }
    if kind in (SiteKind.ATM, SiteKind.BANK_KIOSK):
        data.setdefault("bank", "بانک ملی ایران")
        data.setdefault("terminal_id", f"{n:08d}")
    site = registry_ops.create_site(data, actor=None)
    db.session.flush()
    return site
