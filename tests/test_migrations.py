"""Flask-Migrate: the migrations build exactly the schema the models declare, both ways.

Each test migrates an empty database of its own: a new SQLite file, or on
PostgreSQL a new schema in the test database (found first on the search
path), so the tables the rest of the suite uses are never touched.
"""

from __future__ import annotations

import logging
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from core.db import db
from tests.conftest import build_app

VERSIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"


@pytest.fixture
def empty_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on a database with no tables at all."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield build_app(f"sqlite:///{tmp_path / 'migrated.sqlite'}", tmp_path / "uploads")
        return
    schema = f"migrations_{secrets.token_hex(4)}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    own_url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    app = build_app(own_url.render_as_string(hide_password=False), tmp_path / "uploads")
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _flask_db(app: Flask, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, (result.output, result.exception)


def _tables(app: Flask) -> set[str]:
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
        return tables


def _model_tables() -> set[str]:
    return set(db.metadata.tables)


def test_upgrade_on_an_empty_database_creates_every_table_the_models_declare(empty_app):
    assert _tables(empty_app) == set()

    _flask_db(empty_app, "upgrade")

    assert _tables(empty_app) == _model_tables() | {"alembic_version"}


def test_migrations_and_models_do_not_differ(empty_app):
    _flask_db(empty_app, "upgrade")

    with empty_app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
    # The same check as the team runs it, through env.py's settings.
    _flask_db(empty_app, "check")


def test_downgrade_to_base_removes_everything_and_upgrade_works_again(empty_app):
    _flask_db(empty_app, "upgrade")

    _flask_db(empty_app, "downgrade", "base")
    assert _tables(empty_app) <= {"alembic_version"}

    _flask_db(empty_app, "upgrade")
    assert _tables(empty_app) == _model_tables() | {"alembic_version"}


def test_running_migrations_leaves_the_apps_loggers_working(empty_app):
    _flask_db(empty_app, "upgrade")

    for name in ("core.errors", "core.outbox"):
        assert not logging.getLogger(name).disabled, f"migrations disabled the {name} logger"


def test_migration_scripts_import_no_application_code():
    scripts = sorted(VERSIONS.glob("*.py"))
    assert scripts, "no migration scripts found"
    app_import = re.compile(
        r"^\s*(?:from|import)\s+(?:core|conduct|tenants|config|wsgi)\b", re.MULTILINE
    )
    offenders = [
        f"{script.name}: {match.group(0).strip()}"
        for script in scripts
        for match in app_import.finditer(script.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_web_app_does_not_load_alembic_until_a_migration_is_asked_for(tmp_path: Path):
    """alembic is ~10 MB in every gunicorn worker, which never migrates (core/migrations.py)."""
    script = (
        "import sys\n"
        "from core.app import create_app\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path / 'w.sqlite'}',"
        f" 'SECRET_KEY': 'x', 'DATA_KEYS_FROM_SECRET_KEY': True,"
        f" 'UPLOAD_FOLDER': '{tmp_path / 'uploads'}'}})\n"
        "assert 'alembic' not in sys.modules and 'flask_migrate' not in sys.modules\n"
        "with app.app_context():\n"
        "    assert app.extensions['migrate'].directory.endswith('migrations')\n"
        "    assert app.extensions['migrate'].db is not None\n"
        "assert 'flask_migrate' in sys.modules\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
