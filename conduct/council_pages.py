"""What every public page of a council shares: the council from its address, and scope.

`/<council>/...`: the council is looked up by its slug (404 if there is none),
case data is limited to it (core/tenancy.py), and `url_for` puts the slug back.
The host's pages, which list every council's published records, scope to all.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g
from flask.ctx import _AppCtxGlobals
from sqlalchemy import Row, bindparam, select

from core import permissions
from core.db import SINGLE_READ, db
from core.tenancy import set_scope
from tenants.models import Council

_COUNCILS = Council.__table__
_BY_SLUG = select(_COUNCILS).where(_COUNCILS.c.slug == bindparam("slug"))


def council_row(slug: str) -> Row | None:
    """The council's row as plain values, on a connection of its own.

    A public page that was rendered before (core/pagecache.py) needs nothing
    else from the database: reading the row without the ORM session saves
    that session's start, its tenancy hooks and its end, which were half of
    such a request's time.
    """
    with db.engine.connect() as connection:
        connection = connection.execution_options(**{SINGLE_READ: True})
        return connection.execute(_BY_SLUG, {"slug": slug}).first()


def enter_council_row(slug: str | None) -> Row:
    """Scope the request to the council at this address (404 if none); `g.council`
    is then loaded from the session when first used."""
    row = council_row(slug) if slug else None
    if row is None:
        abort(404)
    g.council_row = row
    set_scope({row.id})
    return row


def enter_council(slug: str | None) -> Council:
    enter_council_row(slug)
    return g.council


class Globals(_AppCtxGlobals):
    """Flask's `g`, where `g.council` of a council's page is loaded on first use."""

    def __getattr__(self, name: str) -> Any:
        row = self.__dict__.get("council_row")
        if name != "council" or row is None:
            return super().__getattr__(name)
        council = db.session.get(Council, row.id)
        if council is None:  # deleted since the row was read
            abort(404)
        self.__dict__["council"] = council
        return council

    def get(self, name: str, default: Any = None) -> Any:
        if name == "council" and "council_row" in self.__dict__:
            return self.council
        return super().get(name, default)

    def __contains__(self, item: str) -> bool:
        return super().__contains__(item) or (item == "council" and "council_row" in self.__dict__)


def scope_to_every_council() -> None:
    """The host's pages: every council's published records (their ids alone are needed)."""
    set_scope(db.session.scalars(select(Council.id)))


def enter_every_council() -> list[Council]:
    councils = list(db.session.scalars(select(Council).order_by(Council.name)))
    set_scope({c.id for c in councils})
    return councils


def _load_council(_endpoint: str | None, values: dict | None) -> None:
    enter_council_row((values or {}).pop("council", None))


def _add_council(_endpoint: str, values: dict) -> None:
    if "council" not in values and "council" in g:
        values["council"] = g.council.slug


def council_blueprint(name: str, import_name: str, url_prefix: str) -> Blueprint:
    """A blueprint of public pages under /<council>/ (declared public)."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    permissions.declare(bp, permissions.PUBLIC)
    bp.url_value_preprocessor(_load_council)
    bp.url_defaults(_add_council)
    return bp
