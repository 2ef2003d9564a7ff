"""Public statistics: a council's at /<council>/standards/statistics, the host's at
/standards/statistics (every council), each also as CSV.

Small counts are suppressed and small medians withheld (conduct/statistics/
figures.py); no page or file holds a reference, a name or free text. The
period is fixed (the last 12 months): a period of the reader's choosing would
let them isolate single cases by comparing two periods a day apart.

Being fixed and the same for everyone, the figures and their rendered tables
are kept a few minutes per process (conduct/statistics/cache.py says how stale
they may be).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, current_app, get_template_attribute
from flask_babel import get_locale
from markupsafe import Markup

from conduct import engine
from conduct.council_pages import enter_council, enter_every_council
from conduct.statistics import figures, service
from conduct.statistics.cache import cache_of
from core import permissions
from core.rendering import render
from tenants.models import Council

bp = Blueprint("public_statistics", __name__)
permissions.declare(bp, permissions.PUBLIC)


@dataclass
class Published:
    """The public figures of some councils on one day, in one language."""

    period: service.Period
    sections: list[figures.Section]
    html: Markup | None = field(default=None)  # the figures as the page shows them, once rendered


def _published(councils: list[Council]) -> Published:
    today = engine.today()
    ids = tuple(sorted(c.id for c in councils))

    def compute() -> Published:
        period = service.Period.last_12_months(today)
        stats = service.compute(ids, period)
        return Published(period, figures.build(stats, {c.id: c for c in councils}, public=True))

    key = (ids, str(get_locale()), today)
    seconds = current_app.config["STATISTICS_CACHE_SECONDS"]
    return cache_of(current_app).get_or_make(key, seconds, compute)


def _page(template: str, councils: list[Council], **context):
    found = _published(councils)
    if found.html is None:
        found.html = get_template_attribute("statistics/_figures.html", "sections")(found.sections)
    return render(template, period=found.period, figures_html=found.html, **context)


def _sections(councils: list[Council]) -> tuple[service.Period, list[figures.Section]]:
    found = _published(councils)
    return found.period, found.sections


@bp.get("/standards/statistics")
def host():
    return _page("statistics/public_host.html", enter_every_council())


@bp.get("/standards/statistics.csv")
def host_csv():
    period, sections = _sections(enter_every_council())
    return figures.csv_download(sections, "statistics", period)


@bp.get("/<council>/standards/statistics")
def council_page(council: str):
    found = enter_council(council)
    return _page("statistics/public_council.html", [found], council=found)


@bp.get("/<council>/standards/statistics.csv")
def council_csv(council: str):
    found = enter_council(council)
    period, sections = _sections([found])
    return figures.csv_download(sections, f"{found.slug}-statistics", period)
