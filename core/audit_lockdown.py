"""PostgreSQL: the application's role may add audit events and read them, nothing more.

Two roles (docs/deploy.md): an owner role that owns the schema, runs the migrations and this
lock-down, and the application's role (the one in the server's DATABASE_URL) that may
SELECT/INSERT/UPDATE/DELETE the ordinary tables but only SELECT and INSERT ``audit_events``. A role
that does not own a table cannot TRUNCATE, ALTER, disable its triggers or DROP it; the statement
trigger ``audit_events_no_truncate`` (migration 0007) refuses TRUNCATE even to the owner.

``lock_down`` runs as the owner role (or a superuser naming ``owner_role``). When the tables
still belong to the application's role (a database first set up with one role), the owner must be
a member of that role to take them over: ``GRANT pishkhan_app TO pishkhan_owner``.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from core.extensions import db

APPEND_ONLY_FUNCTION = "audit_events_append_only()"


def _quote(connection: Connection, name: str) -> str:
    return connection.execute(text("SELECT quote_ident(:n)"), {"n": name}).scalar_one()


def _tables(connection: Connection, schema: str) -> list[str]:
    return list(
        connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY tablename"), {"s": schema}
        ).scalars()
    )


def lock_down(connection: Connection, app_role: str, owner_role: str | None = None) -> list[str]:
    """Give the tables to the owner role and the app role only what it needs; return the statements."""
    if connection.dialect.name != "postgresql":
        raise ValueError("lock-down is for PostgreSQL; on SQLite the file's permissions are the boundary")
    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    owner = owner_role or connection.execute(text("SELECT current_user")).scalar_one()
    if owner == app_role:
        raise ValueError("the owner role and the application's role must be different roles")
    app_q, owner_q, schema_q = (
        _quote(connection, app_role),
        _quote(connection, owner),
        _quote(connection, schema),
    )
    statements: list[str] = []
    for table in _tables(connection, schema):
        table_owner = connection.execute(
            text("SELECT tableowner FROM pg_tables WHERE schemaname = :s AND tablename = :t"),
            {"s": schema, "t": table},
        ).scalar_one()
        if table_owner != owner:  # its sequences follow the table
            statements.append(f"ALTER TABLE {schema_q}.{_quote(connection, table)} OWNER TO {owner_q}")
    function_owner = connection.execute(
        text(
            "SELECT pg_get_userbyid(proowner) FROM pg_proc "
            "WHERE proname = 'audit_events_append_only' AND pronamespace = to_regnamespace(:s)"
        ),
        {"s": schema},
    ).scalar_one_or_none()
    if function_owner is not None and function_owner != owner:
        statements.append(f"ALTER FUNCTION {schema_q}.{APPEND_ONLY_FUNCTION} OWNER TO {owner_q}")
    schema_owner = connection.execute(
        text("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = :s"), {"s": schema}
    ).scalar_one()
    if schema_owner == app_role:  # a schema's owner may drop any table in it
        statements.append(f"ALTER SCHEMA {schema_q} OWNER TO {owner_q}")
    statements += [
        f"REVOKE CREATE ON SCHEMA {schema_q} FROM {app_q}",
        f"GRANT USAGE ON SCHEMA {schema_q} TO {app_q}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema_q} FROM {app_q}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema_q} TO {app_q}",
        f"REVOKE UPDATE, DELETE ON {schema_q}.audit_events FROM {app_q}",
        f"REVOKE INSERT, UPDATE, DELETE ON {schema_q}.alembic_version FROM {app_q}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema_q} TO {app_q}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_q} IN SCHEMA {schema_q} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app_q}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_q} IN SCHEMA {schema_q} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app_q}",
    ]
    for statement in statements:
        connection.execute(text(statement))
    return statements


def check_locked(connection: Connection, app_role: str) -> list[str]:
    """What the app role can still do to the audit log that it must not (empty when locked)."""
    problems = []
    role = connection.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": app_role}
    ).first()
    if role is None:
        return [f"role {app_role} does not exist"]
    if role.rolsuper:
        problems.append(f"{app_role} is a superuser")
    for privilege in ("UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"):
        if connection.execute(
            text("SELECT has_table_privilege(:r, 'audit_events', :p)"), {"r": app_role, "p": privilege}
        ).scalar_one():
            problems.append(f"{app_role} has {privilege} on audit_events")
    owner = connection.execute(
        text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events'")
    ).scalar()
    if (
        owner is not None
        and connection.execute(
            text("SELECT pg_has_role(:r, :o, 'USAGE')"), {"r": app_role, "o": owner}
        ).scalar_one()
    ):
        problems.append(f"{app_role} is (a member of) {owner}, the owner of audit_events")
    for needed in ("SELECT", "INSERT"):
        if not connection.execute(
            text("SELECT has_table_privilege(:r, 'audit_events', :p)"), {"r": app_role, "p": needed}
        ).scalar_one():
            problems.append(f"{app_role} lacks {needed} on audit_events (the app could not write events)")
    return problems


def lock_down_current_database(app_role: str, owner_role: str | None) -> tuple[list[str], list[str]]:
    with db.engine.begin() as connection:
        statements = lock_down(connection, app_role, owner_role)
    with db.engine.connect() as connection:
        problems = check_locked(connection, app_role)
    return statements, problems
