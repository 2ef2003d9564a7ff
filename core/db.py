"""The database handle, the model base and the engine settings every process needs."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Named constraints so that Alembic migrations work the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Execution option: the connection runs one read alone (SQLite: no BEGIN is sent).
SINGLE_READ = "single_read"


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, busy timeout, foreign keys, and BEGIN IMMEDIATE for writers.

    pysqlite's own transaction handling starts transactions late and loses
    updates under concurrency (see ENGINEERING.md), so SQLAlchemy takes over
    BEGIN as its SQLite dialect documentation shows. Requests that change
    things (POST and friends) and everything outside a request (CLI,
    scheduler) take the write lock at BEGIN, so two writers queue on the busy
    timeout instead of failing with "database is locked" on lock upgrade.
    Read-only requests keep a deferred BEGIN so readers never queue.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        if connection.get_execution_options().get(SINGLE_READ):
            return  # one SELECT on a connection of its own: no transaction to hold
        reading = has_request_context() and request.method in _READ_METHODS
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def configure_engines(app) -> None:
    """Install per-backend settings on the engine Flask-SQLAlchemy created."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
