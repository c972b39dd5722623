"""Migration 0014 builds the terms of the licences already in a database from the licences, their
applications and the audit log: after the upgrade every licence's status and expiry, derived from
its terms, are what they were, and each renewal, transfer, suspension and lifting is its own row."""

from datetime import date

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from core.settings import set_setting
from licensing import operations as ops
from licensing.models import ApplicationKind, Licence, LicenceTerm
from registry.models import SiteKind
from tests import factories


def _populate(frozen_at):
    frozen_at("2023-03-01T08:00:00+00:00")
    renewed = factories.make_licence(SiteKind.RURAL_ICT_OFFICE, issued_on=date(2018, 3, 1))
    for received, issued in ((date(2023, 1, 10), date(2023, 2, 20)), (date(2023, 2, 21), date(2023, 2, 27))):
        application = ops.create_application(
            ApplicationKind.RENEWAL,
            applicant=renewed.holder,
            licence=renewed,
            actor=None,
            received_on=received,
        )
        # Two renewals months apart, the second outside its window: the migration must carry both,
        # so the window is made discretionary here and the override is named.
        set_setting("rules.class.renewal_window", "discretionary")
        overrides = (
            ()
            if next(c for c in ops.eligibility_checks(application) if c.code == "renewal_window").passed
            else ("renewal_window",)
        )
        factories.approve(application, held_on=issued, overrides=overrides)
        ops.issue_licence(application, actor=None, issued_on=issued)
    sold = factories.make_licence(SiteKind.RURAL_ICT_OFFICE, issued_on=date(2020, 5, 5))
    buyer = factories.make_person("نرگس", "حسینی")
    transfer = ops.create_application(
        ApplicationKind.TRANSFER, applicant=buyer, licence=sold, actor=None, received_on=date(2023, 1, 5)
    )
    factories.approve(transfer, held_on=date(2023, 2, 1))
    ops.issue_licence(transfer, actor=None, issued_on=date(2023, 2, 10))
    suspended = factories.make_licence(issued_on=date(2021, 6, 1))
    ops.suspend_licence(
        suspended, until=date(2023, 1, 31), reason="رأی کمیته", actor=None, effective_on=date(2023, 1, 1)
    )
    ops.lift_ended_suspensions(date(2023, 2, 15))
    revoked = factories.make_licence(issued_on=date(2019, 1, 1))
    ops.revoke_licence(revoked, reason="رأی کمیته تخلفات", actor=None, effective_on=date(2023, 2, 1))
    lapsed = factories.make_licence(issued_on=date(2017, 1, 1))
    ops.expire_licences(date(2023, 3, 1))
    return [renewed, sold, suspended, revoked, lapsed]


def _state(db):
    return {
        lic.number: (lic.status, lic.expires_on, lic.suspended_until)
        for lic in db.session.scalars(db.select(Licence))
    }


def _terms(db):
    return sorted(
        (t.licence.number, t.kind, t.effective_on, t.valid_from, t.valid_to, t.application_id, t.to_holder_id)
        for t in db.session.scalars(db.select(LicenceTerm))
    )


def test_upgrade_builds_the_same_terms_from_a_populated_database(app, db, frozen_at):
    _populate(frozen_at)
    db.session.commit()
    before_state, before_terms = _state(db), _terms(db)
    statuses = sorted(s.value for s, _, _ in before_state.values())
    assert statuses == ["active", "active", "active", "expired", "revoked", "superseded"]
    db.session.remove()
    # the schema before terms, with today's licences in it
    downgrade(revision="0012_rulebook")
    with db.engine.connect() as connection:
        assert "licence_terms" not in connection.dialect.get_table_names(connection)
        assert connection.execute(text("select count(*) from licences")).scalar() == 6
    upgrade()
    db.session.remove()
    assert _terms(db) == before_terms
    assert _state(db) == before_state
    for licence in db.session.scalars(db.select(Licence)):
        state = ops.derive_state(licence.terms)
        assert (state.status, state.expires_on, state.suspended_until) == before_state[licence.number]
    assert ops.cache_disagreements() == []
    kinds = sorted(t[1].value for t in _terms(db))
    assert kinds.count("renewal") == 2 and kinds.count("transfer") == 1 and kinds.count("superseded") == 1
    assert kinds.count("suspension") == 1 and kinds.count("lifting") == 1
    assert kinds.count("revocation") == 1 and kinds.count("expiry") == 1
