"""Public statistics: a council's at /<council>/standards/statistics, the host's at
/standards/statistics (every council), each also as CSV.

Small counts are suppressed and small medians withheld (conduct/statistics/
figures.py); no page or file holds a reference, a name or free text. The
period is fixed (the last 12 months): a period of the reader's choosing would
let them isolate single cases by comparing two periods a day apart.
"""

from __future__ import annotations

from flask import Blueprint

from conduct import engine
from conduct.council_pages import enter_council, enter_every_council
from conduct.statistics import charts, figures, service
from core import permissions
from core.rendering import render
from tenants.models import Council

bp = Blueprint("public_statistics", __name__)
permissions.declare(bp, permissions.PUBLIC)


def _sections(councils: list[Council]) -> tuple[service.Period, list[figures.Section]]:
    period = service.Period.last_12_months(engine.today())
    stats = service.compute([c.id for c in councils], period)
    return period, figures.build(stats, {c.id: c for c in councils}, public=True)


def _page(template: str, councils: list[Council], **context):
    period, sections = _sections(councils)
    return render(
        template,
        period=period,
        sections=sections,
        display=figures.display,
        chart_of=charts.chart_of,
        **context,
    )


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
