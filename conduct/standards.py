"""The host's standards pages: every council's published notices, hearings and committees.

The tenant scope here is every council: these pages list what each council
publishes on its own pages, and link there for the detail.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort
from flask_babel import gettext as _
from sqlalchemy import select

from conduct import feeds, publication
from conduct.council_pages import scope_to_every_council
from conduct.transparency_common import (
    committee_groups,
    feed_entries,
    now,
    page_number,
    template_helpers,
)
from core import permissions
from core.db import db, utcnow
from core.rendering import render
from tenants.committee_services import councils_heard_by, members_of
from tenants.models import Council
from tenants.services import external_url

bp = Blueprint("standards", __name__, url_prefix="/standards")
permissions.declare(bp, permissions.PUBLIC)


@bp.before_request
def _scope_to_every_council() -> None:
    scope_to_every_council()


@bp.context_processor
def _helpers() -> dict:
    return template_helpers()


def _councils() -> list[Council]:
    return list(db.session.scalars(select(Council).order_by(Council.name)))


@bp.get("/")
def index():
    return render("standards/index.html", councils=_councils())


@bp.get("/notices")
def notices():
    page = publication.latest_notices(page_number())
    if page is None:
        abort(404)
    return render("standards/notices.html", page=page)


@bp.get("/hearings")
def hearings():
    return render(
        "standards/hearings.html", forthcoming=publication.hearings(now=now(), forthcoming=True)
    )


@bp.get("/committees")
def committees():
    councils = _councils()
    # A committee is listed once, under the council it belongs to, with whom it hears.
    hearing_councils = [c for c in councils if c.committee_council_id is None]
    return render(
        "standards/committees.html",
        committees=[
            (
                council,
                committee_groups(members_of(council, active_only=True)),
                councils_heard_by(council),
            )
            for council in hearing_councils
        ],
    )


@bp.get("/notices.atom")
def feed() -> Response:
    body = feeds.atom(
        identifier=feeds.feed_id("host"),
        title=_("Decision notices: all councils"),
        self_link=external_url("standards.feed"),
        page_link=external_url("standards.notices"),
        author=_("Conduct complaints"),
        entries=feed_entries(publication.recent_versions()),
        fallback_updated=_epoch(),
    )
    return Response(body, content_type=feeds.CONTENT_TYPE)


def _epoch():
    """When nothing is published yet, the feed's date is the oldest council's."""
    first = db.session.scalar(select(Council.created_at).order_by(Council.created_at).limit(1))
    return first or utcnow()
