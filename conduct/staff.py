"""The back office: case list and case pages for staff, limited to what each may read."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import ORMOption

from conduct import access, access_log, engine, timeline
from conduct.caselist import CaseQuery, councils_in_scope, search_cases
from conduct.forms import StaffCaseFilterForm
from conduct.hearings.models import Hearing, HearingSeat
from conduct.models import Case, EvidenceFile
from conduct.procedures import PROCEDURES
from conduct.uploads import attachment
from core import permissions
from core.db import db
from core.formutil import choices
from core.outbox_models import OutboxMessage
from core.rendering import render, wants_fragment
from core.tenancy import set_scope
from tenants.roles import INTAKE_ROLES

bp = Blueprint("staff", __name__, url_prefix="/cases")
permissions.declare(bp, permissions.CASEWORK)

SORTS = ("newest", "oldest", "reference")


@bp.before_request
@login_required
def _scope_to_the_users_cases() -> None:
    g.case_council_ids = access.council_scope(current_user)
    set_scope(g.case_council_ids)
    g.readable = access.readable(current_user)


@bp.app_template_global("names_withheld_for")
def _names_withheld_for(case: Case) -> bool:
    return access.names_withheld(case, current_user)


@bp.after_request
def _no_store(response):
    # Case content must not linger in shared or back-button caches.
    response.headers["Cache-Control"] = "no-store"
    return access_log.write_pending(response)


def _filter_form(councils: list) -> StaffCaseFilterForm:
    form = StaffCaseFilterForm(request.args)
    form.council.choices = choices(
        [("", _("All councils")), *((c.slug, c.display_name) for c in councils)]
    )
    enabled = sorted({k for c in councils for k in c.procedure_keys if k in PROCEDURES})
    form.procedure.choices = choices(
        [("", _("All procedures")), *((k, PROCEDURES[k].title) for k in enabled)]
    )
    stages = [("", _("Any")), ("open", _("Open cases")), ("closed", _("Closed cases"))]
    for key in enabled:
        procedure = PROCEDURES[key]
        stages += [
            (f"{key}:{s.key}", f"{procedure.title}: {s.label}")
            for s in procedure.stages
            if s.kind != "closed"
        ]
    form.stage.choices = choices(stages)
    return form


def _case_query(form: StaffCaseFilterForm, councils: list) -> CaseQuery:
    by_slug = {c.slug: c.id for c in councils}
    page = request.args.get("page", "1")
    procedure = form.procedure.data if form.procedure.data in PROCEDURES else ""
    stage = form.stage.data or ""
    if ":" in stage:
        procedure, _sep, stage = stage.partition(":")
    return CaseQuery(
        q=(form.q.data or "")[:200],
        council_id=by_slug.get(form.council.data or ""),
        sort=form.sort.data if form.sort.data in SORTS else "newest",
        page=int(page) if page.isdigit() else 1,
        procedure=procedure if procedure in PROCEDURES else "",
        stage=stage[:60],
        deadline=form.deadline.data or "",
    )


@bp.get("/")
def cases():
    councils = councils_in_scope(g.case_council_ids, with_procedures=True)
    form = _filter_form(councils)
    query = _case_query(form, councils)
    today = engine.today()
    result = search_cases(query, current_app.config["CASE_LIST_PAGE_SIZE"], g.readable, today)
    return render(
        "staff/cases.html",
        "results",
        form=form,
        result=result,
        query=query,
        councils=councils,
        today=today,
        has_casework=access.reads_any(current_user),
        can_record=bool(current_user.council_ids_with(INTAKE_ROLES)),
        failed_emails=failed_email_count() if not wants_fragment() else 0,
    )


# What a case's routes read of it, loaded with it. For one case, loading a plain
# collection with it costs the same statement as loading it on first use, so a page
# that may not use one (the parties' details are withheld at some stages; only an
# Investigating Officer's roles read the assignments) leaves it to first use. The
# hearings' panels are loaded with the case: engine.roles_of reads every seat's
# member, which on first use would be a statement per hearing and per seat. The
# timeline is the exception that matters: a case can have hundreds of entries, and
# the case page reads only its latest (conduct/timeline.py).
ORMOptions = tuple[ORMOption, ...]
PANELS: ORMOptions = (
    selectinload(Case.hearings).selectinload(Hearing.seats).selectinload(HearingSeat.member),
)
# For the routes that change a case or work from its history (actions, hearings).
EVERYTHING: ORMOptions = (
    *PANELS,
    selectinload(Case.subjects),
    selectinload(Case.files),
    selectinload(Case.events),
    selectinload(Case.deadlines),
    selectinload(Case.assignments),
    selectinload(Case.exclusions),
    selectinload(Case.allegations),
    selectinload(Case.conflicts),
)


def case_or_404(case_id: int, *, for_update: bool = False, load: ORMOptions = EVERYTHING) -> Case:
    """A case this user may read, or 404 (never 403: ids reveal nothing)."""
    case = db.session.scalar(select(Case).where(Case.id == case_id, g.readable).options(*load))
    if case is None:
        abort(404)
    access_log.note_access(case)
    return case


@bp.get("/<int:case_id>")
def case(case_id: int):
    case = case_or_404(case_id, load=PANELS)
    return render_case(case)


@bp.get("/<int:case_id>/timeline")
def full_timeline(case_id: int):
    """Every entry of the case's timeline, newest first (the case page shows the latest).

    htmx swaps the list alone into the case page in place of the latest entries."""
    case = case_or_404(case_id, load=())
    procedure = engine.procedure_of(case)
    return render(
        "staff/timeline.html",
        "timeline",
        case=case,
        procedure=procedure,
        timeline=timeline.complete(case, procedure),
    )


def render_case(case: Case, status: int = 200, fragment: str | None = "casework", **extra):
    from conduct.casework import casework_context

    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.case_id == case.id).order_by(OutboxMessage.id)
    ).all()
    return render(
        "staff/case.html",
        fragment,
        status=status,
        case=case,
        messages=messages,
        **casework_context(case),
        **extra,
    )


ACCESS_LOG_READERS = frozenset({"monitoring-officer", "deputy-monitoring-officer"})


@bp.get("/<int:case_id>/access-log")
def access_log_page(case_id: int):
    """Who saw, downloaded, exported or was emailed this case's content (the Monitoring
    Officer's)."""
    case = case_or_404(case_id, load=PANELS)
    if not engine.roles_of(current_user, case).intersection(ACCESS_LOG_READERS):
        abort(403)
    return render("staff/access_log.html", case=case, entries=access_log.entries(case))


@bp.get("/<int:case_id>/files/<int:file_id>")
def download(case_id: int, file_id: int):
    case = case_or_404(case_id, load=())
    evidence = db.session.scalar(
        select(EvidenceFile).where(EvidenceFile.id == file_id, EvidenceFile.case_id == case.id)
    )
    if evidence is None:
        abort(404)
    access_log.note_access(case, access_log.DOWNLOAD, evidence.original_name)
    return attachment(evidence)


EMAIL_STATUSES = ("queued", "sent", "failed")


@bp.get("/emails")
def emails():
    """What was sent to whom about the cases this user reads, and whether it was delivered."""
    from sqlalchemy import func

    status = request.args.get("status", "")
    council_slug = request.args.get("council", "")
    councils = councils_in_scope(g.case_council_ids)
    query = (
        select(OutboxMessage, Case.reference, Case.id)
        .join(Case, Case.id == OutboxMessage.case_id)
        .where(g.readable)
    )
    if status in EMAIL_STATUSES:
        query = query.where(OutboxMessage.status == status)
    chosen = next((c for c in councils if c.slug == council_slug), None)
    if chosen is not None:
        query = query.where(Case.council_id == chosen.id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(query.order_by(OutboxMessage.id.desc()).limit(100)).all()
    return render(
        "staff/emails.html",
        "results",
        rows=rows,
        total=total,
        chosen_status=status,
        councils=councils,
        council_slug=council_slug,
    )


def failed_email_count() -> int:
    from sqlalchemy import func

    return (
        db.session.scalar(
            select(func.count(OutboxMessage.id))
            .join(Case, Case.id == OutboxMessage.case_id)
            .where(g.readable, OutboxMessage.status == "failed")
        )
        or 0
    )
