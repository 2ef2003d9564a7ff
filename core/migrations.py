"""Flask-Migrate (`flask db ...` and `flask_migrate.upgrade()`), loaded on first use.

Importing it imports alembic: about 10 MB in every process, and a gunicorn
worker never migrates. So the app gets a stand-in for the extension and for the
`db` command group; either loads Flask-Migrate the first time it is used, and
from then on it is exactly Flask-Migrate.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask

from core.db import db

OPTIONS: dict[str, Any] = {"render_as_batch": True}  # SQLite alters tables by copying them


def init_app(app: Flask, directory: str) -> None:
    app.extensions["migrate"] = _Deferred(app, directory)
    app.cli.add_command(_DeferredCommands("db", help="Perform database migrations."))


def _load(app: Flask) -> Any:
    """Flask-Migrate's own configuration of this app (set up on first call)."""
    found = app.extensions["migrate"]
    if isinstance(found, _Deferred):
        from flask_migrate import Migrate

        Migrate(app, db, directory=found.directory, **OPTIONS)  # replaces the stand-ins
    return app.extensions["migrate"]


class _Deferred:
    """Stands for app.extensions["migrate"] until an attribute of it is read."""

    def __init__(self, app: Flask, directory: str) -> None:
        self.app = app
        self.directory = directory

    def __getattr__(self, name: str) -> Any:
        return getattr(_load(self.app), name)


class _DeferredCommands(click.Group):
    """`flask db`: Flask-Migrate's commands, imported when the group is used."""

    @staticmethod
    def _real() -> click.Group:
        from flask_migrate.cli import db as commands

        return commands

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # The group's own options (--directory, --x-arg) and what it does with them.
        real = self._real()
        self.params, self.callback = real.params, real.callback
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._real().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._real().get_command(ctx, name)
