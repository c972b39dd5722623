"""Declarative base, naming convention, mixins and the Persian ordering expression."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from flask import abort
from sqlalchemy import DateTime, Enum, Integer, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.orm import registry as sa_registry
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

from core.clock import utcnow
from core.persian import persian_collation

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def actor_id(actor) -> int | None:
    """The id of the acting user, or None for the system (jobs, imports, demo)."""
    return getattr(actor, "id", None)


def enum_type(enum_cls) -> Enum:
    """A StrEnum stored as its values in a short string column (no native database enum)."""
    return Enum(enum_cls, native_enum=False, length=30, values_callable=lambda e: [m.value for m in e])


class Base(DeclarativeBase):
    registry = sa_registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: DateTime(timezone=True)},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VersionMixin:
    """Optimistic locking: a stale write raises StaleDataError, shown as 'changed by someone else'."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.version}


M = TypeVar("M")


def get_or_404(model: type[M], ident: object) -> M:
    """Load a row by primary key or answer 404."""
    from core.args import MAX_ID
    from core.extensions import db

    if isinstance(ident, int) and not 0 < ident <= MAX_ID:
        abort(404)
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


# ---------------------------------------------------------------- Persian ordering on both engines


class persian_order(FunctionElement):
    """ORDER BY a text column in Persian alphabetical order: ICU on PostgreSQL, a collation on SQLite."""

    type = String()
    inherit_cache = True
    name = "persian_order"


@compiles(persian_order)
def _persian_order_default(element, compiler, **kw):
    return f"{compiler.process(element.clauses, **kw)} COLLATE persian"


@compiles(persian_order, "postgresql")
def _persian_order_pg(element, compiler, **kw):
    return f'{compiler.process(element.clauses, **kw)} COLLATE "fa-x-icu"'


def fa_sorted(column: ColumnElement) -> persian_order:
    """Wrap a column so that ORDER BY sorts it in Persian alphabetical order."""
    return persian_order(column)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    """WAL, foreign keys, a busy timeout and the Persian collation for every SQLite connection."""
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # The driver's own transaction handling is switched off so that we can BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    dbapi_connection.create_collation("persian", persian_collation)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """Writers take SQLite's write lock at BEGIN (IMMEDIATE), so two writers queue instead of
    deadlocking; a read-only request (GET, HEAD) begins DEFERRED and, with WAL, never waits."""
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("BEGIN" if _read_only_request() else "BEGIN IMMEDIATE")


def _read_only_request() -> bool:
    from flask import has_request_context, request

    return has_request_context() and request.method in ("GET", "HEAD")
