"""A fresh database for the benchmark: its own SQLite file, or a PostgreSQL one it may wipe."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.settings import ROOT


class NotABenchDatabaseError(RuntimeError):
    """DATABASE_URL names a database the benchmark must not wipe."""


def reset(url: str) -> None:
    """Empty the database, refusing any PostgreSQL database not named for the benchmark."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    if "bench" not in (parsed.database or ""):
        raise NotABenchDatabaseError(
            f"DATABASE_URL names {parsed.database!r}: the benchmark replaces the whole "
            "database, so give it one whose name contains 'bench' (it is created if missing)"
        )
    _create_if_missing(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _create_if_missing(url: str) -> None:
    parsed = make_url(url)
    maintenance = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with maintenance.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    maintenance.dispose()


def migrate() -> None:
    """Bring the schema up to date, as `flask db upgrade` does (inside an app context)."""
    upgrade(directory=str(ROOT / "migrations"))


def settle(url: str) -> None:
    """Planner statistics and visibility maps as a database in service has them.

    Autovacuum keeps a live PostgreSQL vacuumed and analysed; a database just
    bulk-loaded (or given new indexes by a migration) is not yet, and its
    index-only scans would read the table. SQLite is analysed.
    """
    parsed = make_url(url)
    options = {} if parsed.get_backend_name() == "sqlite" else {"isolation_level": "AUTOCOMMIT"}
    engine = create_engine(url, **options)
    with engine.connect() as connection:
        sql = "ANALYZE" if parsed.get_backend_name() == "sqlite" else "VACUUM ANALYZE"
        connection.execute(text(sql))
        connection.commit()
    engine.dispose()
