"""The Lorestan demo loads the counts seed 004 reports, with valid, searchable, audited rows."""

from collections import Counter

import iranian_national_code
from sqlalchemy import func, select

from accounts.models import User
from core.audit import verify_chain
from core.geo import in_iran
from core.security import Role
from demo.registry import DEMO_ACCOUNTS, build_plan, seed_demo
from registry.models import County, Person, Site, SiteKind, SiteStatus
from registry.operations import SiteFilters, search_sites


def test_plan_is_deterministic():
    first, second = build_plan(), build_plan()
    assert first == second
    assert len(first.people) == len({p["national_id"] for p in first.people})


def test_seed_demo_loads_lorestan(db):
    summary = seed_demo(password="pishkhan-demo")
    db.session.commit()

    sites = db.session.scalars(select(Site)).all()
    people = db.session.scalars(select(Person)).all()
    counties = db.session.scalars(select(County)).all()
    users = db.session.scalars(select(User)).all()
    assert summary == (
        f"demo loaded: {len(counties)} counties, {len(people)} people, {len(sites)} sites, {len(users)} users"
    )

    active = Counter(s.kind for s in sites if s.status == SiteStatus.ACTIVE)
    assert active[SiteKind.COUNTER_OFFICE] == 255
    assert active[SiteKind.RURAL_ICT_OFFICE] == 43
    assert 110 <= active[SiteKind.ATM] <= 130
    assert 25 <= active[SiteKind.BANK_KIOSK] <= 35
    stopped = {s.status for s in sites if s.status != SiteStatus.ACTIVE}
    assert stopped == {SiteStatus.SUSPENDED, SiteStatus.CLOSED, SiteStatus.REVOKED}

    assert {u.role for u in users} == set(Role)
    assert {u.username for u in users} == {a[0] for a in DEMO_ACCOUNTS}
    members = {u.organisation for u in users if u.role == Role.COMMITTEE_MEMBER}
    assert len(members) == 5 and "استانداری لرستان" in members

    national_ids = [p.national_id for p in people]
    assert len(set(national_ids)) == len(national_ids)
    assert all(iranian_national_code.validate(n) for n in national_ids)
    assert all(p.mobile.startswith("09") and len(p.mobile) == 11 for p in people)

    assert all(s.lat is not None and in_iran(s.lat, s.lon) for s in sites)
    assert len({s.code for s in sites}) == len(sites)
    terminals = [s.terminal_id for s in sites if s.terminal_id]
    assert (
        len(terminals)
        == len(set(terminals))
        == len([s for s in sites if s.kind in (SiteKind.ATM, SiteKind.BANK_KIOSK)])
    )
    assert any(s.host_site_id for s in sites)
    assert all(s.operator_id for s in sites if s.kind.is_office)

    found = db.session.scalars(search_sites(SiteFilters(q="كوثر"))).all()
    assert [s.name for s in found] == ["دفتر پیشخوان کوثر"]
    assert found[0].county.name == "خرم‌آباد"
    assert found[0].kind == SiteKind.COUNTER_OFFICE

    assert db.session.scalar(select(func.count()).select_from(County)) == 11
    assert verify_chain(db.session).ok
