"""A council's standards pages: what seed 003 report §4 says a dedicated webpage publishes.

The procedure rules, guidance on complaining and on hearings, the conduct
committee, the hearing schedule with published agenda packs, and published
decision notices with an Atom feed. Like the council's other public pages,
the tenant scope is the council itself, so another council's hearing or
notice id is simply not found.
"""

from __future__ import annotations

from flask import Response, abort, g
from flask_babel import gettext as _

from conduct import feeds, publication
from conduct.council_pages import council_blueprint
from conduct.procedure_rules import assessment_factors, hearing_guide, rules_of
from conduct.procedures import PROCEDURES, PUBLIC_FORM_PROCEDURE
from conduct.transparency_common import (
    agenda_file_response,
    committee_groups,
    feed_entries,
    notice_pdf_response,
    now,
    page_number,
    template_helpers,
)
from core.rendering import render
from tenants.committee_services import councils_heard_by, members_of
from tenants.services import external_url

bp = council_blueprint("transparency", __name__, url_prefix="/<council>/standards")


@bp.context_processor
def _council_context() -> dict:
    council = g.get("council")
    enabled = [PROCEDURES[k] for k in council.procedure_keys if k in PROCEDURES] if council else []
    return {
        "council": council,
        "enabled_procedures": enabled,
        "hearing_procedures": [p for p in enabled if p.hearing is not None],
        **template_helpers(),
    }


@bp.get("/")
def index():
    return render("transparency/index.html")


@bp.get("/rules/<key>")
def rules(key: str):
    if key not in PROCEDURES or not g.council.enables(key):
        abort(404)
    return render("transparency/rules.html", rules=rules_of(PROCEDURES[key]))


@bp.get("/guidance/making-a-complaint")
def complaint_guidance():
    form_procedure = PROCEDURES[PUBLIC_FORM_PROCEDURE]
    return render(
        "transparency/complaint_guidance.html",
        takes_form=g.council.enables(PUBLIC_FORM_PROCEDURE),
        form_procedure=form_procedure,
        assessment_factors=assessment_factors(form_procedure),
    )


@bp.get("/guidance/hearings")
def hearing_guidance():
    guides = [hearing_guide(PROCEDURES[k]) for k in g.council.procedure_keys if k in PROCEDURES]
    return render("transparency/hearing_guidance.html", guides=[x for x in guides if x])


@bp.get("/committee")
def committee():
    hearing_council = g.council.hearing_council
    return render(
        "transparency/committee.html",
        hearing_council=hearing_council,
        groups=committee_groups(members_of(hearing_council, active_only=True)),
        also_heard=[c for c in councils_heard_by(hearing_council) if c.id != g.council.id],
    )


@bp.get("/hearings")
def hearings():
    moment = now()
    return render(
        "transparency/hearings.html",
        forthcoming=publication.hearings(now=moment, forthcoming=True),
        past=publication.hearings(now=moment, forthcoming=False),
    )


@bp.get("/hearings/<int:hearing_id>/agenda")
def agenda(hearing_id: int):
    hearing = publication.published_agenda(hearing_id)
    if hearing is None:
        abort(404)
    return render(
        "transparency/agenda.html", hearing=hearing, files=publication.agenda_files(hearing)
    )


@bp.get("/hearings/<int:hearing_id>/agenda/files/<int:file_id>")
def agenda_file(hearing_id: int, file_id: int):
    hearing = publication.published_agenda(hearing_id)
    if hearing is None:
        abort(404)
    return agenda_file_response(publication.agenda_file(hearing, file_id))


@bp.get("/notices")
def notices():
    page = publication.latest_notices(page_number())
    if page is None:
        abort(404)
    return render("transparency/notices.html", page=page)


@bp.get("/notices/<int:notice_id>")
def notice(notice_id: int):
    found = publication.published_notice(notice_id)
    if found is None:
        abort(404)
    return render(
        "transparency/notice.html",
        notice=found,
        superseded_by=publication.superseded_by(found),
        corrects=publication.corrected_version(found),
    )


@bp.get("/notices/<int:notice_id>.pdf")
def notice_pdf(notice_id: int):
    return notice_pdf_response(publication.published_notice(notice_id))


@bp.get("/notices.atom")
def feed() -> Response:
    council = g.council
    body = feeds.atom(
        identifier=feeds.feed_id(f"council/{council.id}"),
        title=_("Decision notices: %(council)s", council=council.display_name),
        self_link=external_url("transparency.feed", council=council.slug),
        page_link=external_url("transparency.notices", council=council.slug),
        author=council.display_name,
        entries=feed_entries(publication.recent_versions()),
        fallback_updated=council.created_at,
    )
    return Response(body, content_type=feeds.CONTENT_TYPE)
