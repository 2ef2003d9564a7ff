"""The back office: case list and case pages for staff, limited to what each may read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import Blueprint, abort, current_app, g, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from conduct import access, access_log, engine, timeline
from conduct.casefilters import case_query, filter_fields
from conduct.caselist import (
    CasePage,
    ListedCouncil,
    councils_for_list,
    councils_in_scope,
    search_cases,
)
from conduct.dates import Dates
from conduct.hearings.models import Hearing, HearingSeat
from conduct.models import Case, EvidenceFile
from conduct.procedures import PROCEDURES
from conduct.uploads import attachment
from core import permissions
from core.db import db
from core.labels import stage_name
from core.outbox_models import FAILED, OutboxMessage
from core.rendering import render, wants_fragment
from core.tenancy import set_scope
from tenants.roles import INTAKE_ROLES

bp = Blueprint("staff", __name__, url_prefix="/cases")
permissions.declare(bp, permissions.CASEWORK)


@bp.before_request
@login_required
def _scope_to_the_users_cases() -> None:
    g.case_council_ids = access.council_scope(current_user)
    set_scope(g.case_council_ids)
    g.readable = access.readable(current_user)


@bp.after_request
def _no_store(response):
    # Case content must not linger in shared or back-button caches.
    response.headers["Cache-Control"] = "no-store"
    return access_log.write_pending(response)


@dataclass(frozen=True, slots=True)
class CaseRow:
    """A row of the case list, every label worked out, for plain markup."""

    url: str
    reference: str
    anonymous: bool
    council: str
    names: str | None  # None: withheld from this user at this stage
    received_on: date
    received: str
    stage: str
    deadline_key: str | None
    deadline_on: date | None
    deadline: str
    paused: bool
    overdue: bool


def _case_rows(result: CasePage, councils: list[ListedCouncil], today: date) -> list[CaseRow]:
    # What is the same for many rows (a council's name, the user's roles there, a stage's
    # label, the page's language and its date patterns) is worked out once per page.
    names = {c.id: c.display_name for c in councils}
    roles = access.roles_by_council(current_user)
    # The route is /cases/<case_id>: its prefix once, then each id (url_for costs per call).
    prefix = url_for("staff.cases")
    stage_labels: dict[tuple[str, str], str] = {}
    dates = Dates()

    rows = []
    for case in result.cases:
        stage_key = (case.procedure_key, case.stage)
        if stage_key not in stage_labels:
            procedure = PROCEDURES.get(case.procedure_key)
            stage_labels[stage_key] = stage_name(procedure, case.stage)
        withheld = access.withholds_names(
            case.procedure_key, case.stage, roles.get(case.council_id, set())
        )
        due = case.next_due
        rows.append(
            CaseRow(
                url=f"{prefix}{case.id}",
                reference=case.reference,
                anonymous=case.anonymous,
                council=names.get(case.council_id, ""),
                names=None if withheld else ", ".join(case.subject_names),
                received_on=case.received_on,
                received=dates.day(case.received_on, "d MMM yyyy"),
                stage=stage_labels[stage_key],
                deadline_key=case.next_key,
                deadline_on=due,
                deadline=dates.day(due, "d MMM") if due else "",
                paused=case.paused_on is not None,
                overdue=due is not None and due < today,
            )
        )
    return rows


@bp.get("/")
def cases():
    councils, enabled = councils_for_list(g.case_council_ids)
    query = case_query(councils, request.args)
    today = engine.today()
    result = search_cases(query, current_app.config["CASE_LIST_PAGE_SIZE"], g.readable, today)
    fragment = wants_fragment()
    return render(
        "staff/cases.html",
        "results",
        # Only the whole page shows the form.
        filters=None if fragment else filter_fields(councils, enabled, request.args),
        result=result,
        rows=_case_rows(result, councils, today),
        has_casework=access.reads_any(current_user),
        can_record=bool(current_user.council_ids_with(INTAKE_ROLES)),
        failed_emails=failed_email_count() if not fragment else 0,
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
# The case page: its council too (its name, calendar and retention policy), in the
# case's own statement rather than one more.
CASE_PAGE: ORMOptions = (*PANELS, joinedload(Case.council, innerjoin=True))
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


def case_or_404(case_id: int, *, load: ORMOptions = EVERYTHING) -> Case:
    """A case this user may read, or 404 (never 403: ids reveal nothing)."""
    case = db.session.scalar(select(Case).where(Case.id == case_id, g.readable).options(*load))
    if case is None:
        abort(404)
    access_log.note_access(case)
    return case


@bp.get("/<int:case_id>")
def case(case_id: int):
    case = case_or_404(case_id, load=CASE_PAGE)
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


@dataclass(frozen=True, slots=True)
class MessageRow:
    """An email about the case as its page lists it (not its bodies, which are sealed
    and long: reading them back would decrypt every message the case ever sent)."""

    recipient: str
    subject: str
    status: str
    sent_at: datetime | None
    last_error: str | None


_MESSAGES = (
    select(
        OutboxMessage.recipient,
        OutboxMessage.subject,
        OutboxMessage.status,
        OutboxMessage.sent_at,
        OutboxMessage.last_error,
    )
    .where(OutboxMessage.case_id == bindparam("case_id"))
    .order_by(OutboxMessage.id)
)


def render_case(case: Case, status: int = 200, fragment: str | None = "casework", **extra):
    from conduct.casework import casework_context

    # An htmx swap renders the casework alone, which does not list the emails.
    messages = (
        []
        if fragment and wants_fragment()
        else [MessageRow(*row) for row in db.session.execute(_MESSAGES, {"case_id": case.id})]
    )
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
    from sqlalchemy import exists, func, literal

    # From the failed messages (few, or none: a partial index of them, core/outbox_models.py)
    # to whether their cases are readable, not from every readable case to its messages.
    # 'failed' is written into the SQL: with a bound value the planners cannot know that
    # the partial index fits.
    failed = literal(FAILED, literal_execute=True)
    readable_case = exists().where(Case.id == OutboxMessage.case_id, g.readable)
    return (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.status == failed, readable_case
            )
        )
        or 0
    )
