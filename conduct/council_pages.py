"""What every public page of a council shares: the council from its address, and scope.

`/<council>/...`: the council is looked up by its slug (404 if there is none),
case data is limited to it (core/tenancy.py), and `url_for` puts the slug back.
The host's pages, which list every council's published records, scope to all.
"""

from __future__ import annotations

from flask import Blueprint, abort, g
from sqlalchemy import select

from core import permissions
from core.db import db
from core.tenancy import set_scope
from tenants.models import Council
from tenants.services import council_by_slug


def enter_council(slug: str | None) -> Council:
    council = council_by_slug(slug) if slug else None
    if council is None:
        abort(404)
    g.council = council
    set_scope({council.id})
    return council


def scope_to_every_council() -> None:
    """The host's pages: every council's published records (their ids alone are needed)."""
    set_scope(db.session.scalars(select(Council.id)))


def enter_every_council() -> list[Council]:
    councils = list(db.session.scalars(select(Council).order_by(Council.name)))
    set_scope({c.id for c in councils})
    return councils


def _load_council(_endpoint: str | None, values: dict | None) -> None:
    enter_council((values or {}).pop("council", None))


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
