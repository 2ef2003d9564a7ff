"""Staff statistics at /cases/statistics: figures of the cases each user may read.

Routes on the staff blueprint, so its sign-in check, tenant scope and
`g.readable` apply: an officer sees figures of the councils where they hold
a casework role, and within them only the cases they may read.
"""

from __future__ import annotations

from flask import abort, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from conduct import access, engine
from conduct.caselist import councils_in_scope
from conduct.retention import records as retention_records
from conduct.staff import bp
from conduct.statistics import figures, service
from conduct.statistics.forms import StatisticsFilterForm
from core.formutil import choices
from core.rendering import render, wants_fragment


@bp.app_template_global("reads_cases")
def _reads_cases() -> bool:
    """For the staff navigation: whether the signed-in user reads any cases."""
    return bool(current_user.is_authenticated and access.reads_any(current_user))


def _filtered(councils: list) -> tuple[StatisticsFilterForm, service.Period | None, list[int]]:
    """The filter form, and the period and councils it asks for (None if it has errors)."""
    form = StatisticsFilterForm(request.args)
    form.council.choices = choices(
        [("", _("All councils")), *((c.slug, c.display_name) for c in councils)]
    )
    if not form.validate():
        return form, None, []
    period = service.Period.chosen(form.received_from.data, form.received_to.data, engine.today())
    chosen = [c.id for c in councils if c.slug == form.council.data]
    return form, period, chosen or [c.id for c in councils]


def _sections(period: service.Period, council_ids: list[int], councils: list):
    stats = service.compute(
        council_ids,
        period,
        visible=g.readable,
        retained_visible=retention_records.readable(current_user),
    )
    return figures.build(stats, {c.id: c for c in councils})


@bp.get("/statistics")
def statistics():
    councils = councils_in_scope(g.case_council_ids)
    has_casework = access.reads_any(current_user)
    form, period, council_ids = _filtered(councils)
    sections = _sections(period, council_ids, councils) if period and has_casework else None
    return render(
        "statistics/staff.html",
        "filtered",
        # An htmx swap must show the errors too: htmx does not swap a 400.
        status=400 if form.errors and not wants_fragment() else 200,
        form=form,
        period=period,
        sections=sections,
        councils=councils,
        chosen=[c for c in councils if c.id in council_ids and len(council_ids) == 1],
        has_casework=has_casework,
        query=request.args.to_dict(flat=False),
    )


@bp.get("/statistics.csv")
def statistics_csv():
    if not access.reads_any(current_user):
        abort(403)
    councils = councils_in_scope(g.case_council_ids)
    form, period, council_ids = _filtered(councils)
    if period is None:
        # The page says what is wrong with the filter, next to the field.
        return redirect(url_for("staff.statistics", **request.args.to_dict(flat=False)), 303)
    stem = f"statistics-{form.council.data}" if form.council.data else "statistics"
    return figures.csv_download(_sections(period, council_ids, councils), stem, period)
