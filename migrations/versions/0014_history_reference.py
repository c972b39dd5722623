"""licence terms (every licence event a row never rewritten; today's licences get theirs) and reference data
(provinces' and counties' census, cities and villages with centre and radius)

Revision ID: 0014_history_reference
Revises: 0012_rulebook
Create Date: 2026-11-30 02:00:00.000000

The terms of the licences already in the database are built from the licences themselves, their
applications and the audit log: the first term from how the licence was issued (new, transfer,
address change) with its original expiry as first recorded, one renewal term per recorded change of
expiry, one term per recorded status change, dated as recorded, with the actor who made it. Where the
log holds nothing (a licence written before the log), the licence's current state is kept as a term
so that nothing is lost: every licence's status, expiry and suspension end, derived from its terms,
are what they were before.
"""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0014_history_reference"
down_revision = "0012_rulebook"
branch_labels = None
depends_on = None

TERM_KINDS = (
    "issue",
    "renewal",
    "transfer",
    "address_change",
    "suspension",
    "lifting",
    "revocation",
    "reinstatement",
    "expiry",
    "superseded",
)
TEHRAN = timedelta(hours=3, minutes=30)


def upgrade():
    op.add_column("provinces", sa.Column("population", sa.Integer(), nullable=True))
    op.add_column("provinces", sa.Column("census_year", sa.Integer(), nullable=True))
    op.add_column("counties", sa.Column("census_year", sa.Integer(), nullable=True))
    op.create_table(
        "localities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.Enum("city", "village", name="localitytype", native_enum=False, length=30), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_norm", sa.String(length=100), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("census_year", sa.Integer(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("radius_m", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["county_id"], ["counties.id"], name=op.f("fk_localities_county_id_counties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_localities")),
        sa.UniqueConstraint("county_id", "name_norm", name=op.f("uq_localities_county_id_name_norm")),
    )
    op.create_index(op.f("ix_localities_county_id"), "localities", ["county_id"], unique=False)
    op.create_table(
        "licence_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum(*TERM_KINDS, name="termkind", native_enum=False, length=30), nullable=False
        ),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("from_holder_id", sa.Integer(), nullable=True),
        sa.Column("to_holder_id", sa.Integer(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("ruling_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=150), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_licence_terms_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_licence_terms_application_id_applications")
        ),
        sa.ForeignKeyConstraint(
            ["from_holder_id"], ["people.id"], name=op.f("fk_licence_terms_from_holder_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["licence_id"], ["licences.id"], name=op.f("fk_licence_terms_licence_id_licences")
        ),
        sa.ForeignKeyConstraint(
            ["ruling_id"], ["rulings.id"], name=op.f("fk_licence_terms_ruling_id_rulings")
        ),
        sa.ForeignKeyConstraint(
            ["to_holder_id"], ["people.id"], name=op.f("fk_licence_terms_to_holder_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_terms")),
    )
    op.create_index("ix_licence_terms_kind_on", "licence_terms", ["kind", "effective_on"], unique=False)
    op.create_index(op.f("ix_licence_terms_licence_id"), "licence_terms", ["licence_id"], unique=False)
    op.create_index(
        op.f("ix_licence_terms_application_id"), "licence_terms", ["application_id"], unique=False
    )
    _build_terms(op.get_bind())


def downgrade():
    op.drop_index(op.f("ix_licence_terms_application_id"), table_name="licence_terms")
    op.drop_index(op.f("ix_licence_terms_licence_id"), table_name="licence_terms")
    op.drop_index("ix_licence_terms_kind_on", table_name="licence_terms")
    op.drop_table("licence_terms")
    op.drop_index(op.f("ix_localities_county_id"), table_name="localities")
    op.drop_table("localities")
    op.drop_column("counties", "census_year")
    op.drop_column("provinces", "census_year")
    op.drop_column("provinces", "population")


# ---------------------------------------------------------------- building today's licences' terms

licences = sa.table(
    "licences",
    sa.column("id", sa.Integer),
    sa.column("previous_licence_id", sa.Integer),
    sa.column("site_id", sa.Integer),
    sa.column("holder_id", sa.Integer),
    sa.column("application_id", sa.Integer),
    sa.column("issued_on", sa.Date),
    sa.column("expires_on", sa.Date),
    sa.column("status", sa.String),
    sa.column("status_reason", sa.Text),
    sa.column("suspended_until", sa.Date),
    sa.column("renewed_on", sa.Date),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
applications = sa.table(
    "applications",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("state", sa.String),
    sa.column("licence_id", sa.Integer),
)
events = sa.table(
    "audit_events",
    sa.column("seq", sa.Integer),
    sa.column("occurred_at", sa.DateTime(timezone=True)),
    sa.column("actor_id", sa.Integer),
    sa.column("actor_name", sa.String),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
)
status_changes = sa.table(
    "site_status_changes",
    sa.column("site_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("effective_on", sa.Date),
    sa.column("recorded_at", sa.DateTime(timezone=True)),
)
terms = sa.table(
    "licence_terms",
    sa.column("licence_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("effective_on", sa.Date),
    sa.column("valid_from", sa.Date),
    sa.column("valid_to", sa.Date),
    sa.column("from_holder_id", sa.Integer),
    sa.column("to_holder_id", sa.Integer),
    sa.column("application_id", sa.Integer),
    sa.column("note", sa.Text),
    sa.column("entered_at", sa.DateTime(timezone=True)),
    sa.column("actor_id", sa.Integer),
    sa.column("actor_name", sa.String),
)


def _day(value):
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    return date.fromisoformat(str(value)[:10])


def _tehran_day(moment) -> date:
    """The Tehran day of a stored moment (UTC, with or without its zone)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return (moment + TEHRAN).date()


def _build_terms(bind) -> None:
    rows = bind.execute(sa.select(licences).order_by(licences.c.id)).mappings().all()
    by_id = {row["id"]: row for row in rows}
    successor = {row["previous_licence_id"]: row for row in rows if row["previous_licence_id"]}
    renewal_apps: dict[int, list[int]] = {}
    for app in bind.execute(
        sa.select(applications.c.id, applications.c.licence_id)
        .where(applications.c.kind == "renewal", applications.c.state == "licence_issued")
        .order_by(applications.c.id)
    ):
        renewal_apps.setdefault(app.licence_id, []).append(app.id)
    app_kind = dict(bind.execute(sa.select(applications.c.id, applications.c.kind)).all())
    out = []
    for row in rows:
        out.extend(_terms_of(bind, row, by_id, successor, renewal_apps.get(row["id"], []), app_kind))
    if out:
        bind.execute(terms.insert(), out)


def _terms_of(bind, row, by_id, successor, renewal_apps, app_kind) -> list[dict]:
    log = (
        bind.execute(
            sa.select(events)
            .where(events.c.object_type == "licences", events.c.object_id == str(row["id"]))
            .order_by(events.c.seq)
        )
        .mappings()
        .all()
    )
    created = next((e for e in log if e["action"] == "create"), None)

    office_changes = (
        bind.execute(sa.select(status_changes).where(status_changes.c.site_id == row["site_id"]))
        .mappings()
        .all()
    )
    effective = _effective_day(office_changes)

    def term(kind, on, *, event=None, **extra):
        entered = event["occurred_at"] if event else row["created_at"]
        return {
            "licence_id": row["id"],
            "kind": kind,
            "effective_on": on,
            "valid_from": extra.get("valid_from"),
            "valid_to": extra.get("valid_to"),
            "from_holder_id": extra.get("from_holder_id"),
            "to_holder_id": extra.get("to_holder_id"),
            "application_id": extra.get("application_id"),
            "note": extra.get("note"),
            "entered_at": entered,
            "actor_id": event["actor_id"] if event else None,
            "actor_name": event["actor_name"] if event else "سامانه",
        }

    previous = by_id.get(row["previous_licence_id"])
    if previous is None:
        first_kind = "issue"
    elif previous["holder_id"] != row["holder_id"]:
        first_kind = "transfer"
    else:
        first_kind = "address_change"
    renewals = [e for e in log if e["action"] == "update" and "expires_on" in (e["after"] or {})]
    if created is not None:
        first_expiry = _day(created["after"].get("expires_on"))
    elif renewals:
        first_expiry = _day(renewals[0]["before"]["expires_on"])
    elif row["renewed_on"] is None:
        first_expiry = row["expires_on"]
    else:
        first_expiry = None  # renewed before the log: the renewal term below carries the expiry
    application_id = row["application_id"]
    if application_id is not None and app_kind.get(application_id) == "renewal":
        application_id = None
    out = [
        term(
            first_kind,
            row["issued_on"],
            event=created,
            valid_from=row["issued_on"],
            valid_to=first_expiry,
            from_holder_id=previous["holder_id"] if previous is not None else None,
            to_holder_id=row["holder_id"],
            application_id=application_id,
        )
    ]
    renewal_apps = list(renewal_apps)
    for event in renewals:
        before, after = event["before"], event["after"]
        out.append(
            term(
                "renewal",
                _day(after.get("renewed_on")) or _tehran_day(event["occurred_at"]),
                event=event,
                valid_from=_day(before.get("expires_on")),
                valid_to=_day(after["expires_on"]),
                application_id=renewal_apps.pop(0) if renewal_apps else None,
            )
        )
    if not renewals and first_expiry is None:
        out.append(
            term("renewal", row["renewed_on"], valid_to=row["expires_on"], note="تمدید ثبت‌شده پیش از سابقه")
        )
    status = "active"
    for event in log:
        after, before = event["after"] or {}, event["before"] or {}
        if event["action"] != "update" or "status" not in after:
            continue
        new, old = after["status"], before.get("status")
        reason = after.get("status_reason")
        out.append(_status_term(term, row, event, new, old, before, after, reason, successor, effective))
        status = new
    if status != row["status"]:
        out.append(
            _status_term(
                term, row, None, row["status"], status, {}, {}, row["status_reason"], successor, effective
            )
        )
    return out


def _as_naive_utc(moment):
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _effective_day(office_changes):
    """The effective day the office's status change recorded with a licence's change carries (the
    licence's own row kept only when it was recorded): the change of that status recorded in the
    same minute."""

    def find(status, moment):
        moment = _as_naive_utc(moment)
        near = [
            c
            for c in office_changes
            if c["status"] == status and abs(_as_naive_utc(c["recorded_at"]) - moment) <= timedelta(minutes=1)
        ]
        return near[0]["effective_on"] if near else None

    return find


OFFICE_STATUS = {"suspended": "suspended", "revoked": "revoked", "active": "active"}


def _status_term(term, row, event, new, old, before, after, reason, successor, effective):
    moment = event["occurred_at"] if event else (row["updated_at"] or row["created_at"])
    on = _tehran_day(moment)
    if new in OFFICE_STATUS:
        on = _day(effective(OFFICE_STATUS[new], moment)) or on
    if new == "suspended":
        until = _day(after.get("suspended_until")) if event else row["suspended_until"]
        if old == "active":
            return term("suspension", on, event=event, valid_from=on, valid_to=until, note=reason)
        return term("reinstatement", on, event=event, valid_from=on, valid_to=until, note=reason)
    if new == "active":
        ended = _day(before.get("suspended_until"))
        if old == "suspended" and ended is not None and (reason or "").startswith("پایان تعلیق"):
            return term("lifting", ended + timedelta(days=1), event=event, note=reason)
        return term("reinstatement", on, event=event, valid_from=on, note=reason)
    if new == "revoked":
        return term("revocation", on, event=event, note=reason)
    if new == "expired":
        expiry = row["expires_on"]
        return term("expiry", expiry + timedelta(days=1), event=event, valid_to=expiry, note=reason)
    if new == "superseded":
        following = successor.get(row["id"])
        day = following["issued_on"] if following is not None else on
        application_id = following["application_id"] if following is not None else None
        return term("superseded", day, event=event, note=reason, application_id=application_id)
    raise ValueError(f"licence {row['id']}: unknown status {new}")
