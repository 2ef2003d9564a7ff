"""The back office: case list and case pages for staff with a casework role."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conduct.caselist import CaseQuery, councils_in_scope, search_cases
from conduct.forms import StaffCaseFilterForm
from conduct.models import Case, EvidenceFile
from conduct.uploads import storage_path
from core.db import db
from core.formutil import choices
from core.outbox_models import OutboxMessage
from core.rendering import render
from core.tenancy import set_scope
from tenants.roles import CASE_READING_ROLES

bp = Blueprint("staff", __name__, url_prefix="/cases")


@bp.before_request
@login_required
def _scope_to_casework_councils() -> None:
    g.case_council_ids = current_user.council_ids_with(CASE_READING_ROLES)
    set_scope(g.case_council_ids)


@bp.after_request
def _no_store(response):
    # Case content must not linger in shared or back-button caches.
    response.headers["Cache-Control"] = "no-store"
    return response


def _case_query(form: StaffCaseFilterForm, councils: list) -> CaseQuery:
    by_slug = {c.slug: c.id for c in councils}
    page = request.args.get("page", "1")
    return CaseQuery(
        q=(form.q.data or "")[:200],
        council_id=by_slug.get(form.council.data or ""),
        sort=form.sort.data if form.sort.data in ("newest", "oldest", "reference") else "newest",
        page=int(page) if page.isdigit() else 1,
    )


@bp.get("/")
def cases():
    councils = councils_in_scope(g.case_council_ids)
    form = StaffCaseFilterForm(request.args)
    form.council.choices = choices([("", _("All councils")), *((c.slug, c.name) for c in councils)])
    query = _case_query(form, councils)
    result = search_cases(query, current_app.config["CASE_LIST_PAGE_SIZE"])
    return render(
        "staff/cases.html",
        "results",
        form=form,
        result=result,
        query=query,
        councils=councils,
        has_casework=bool(g.case_council_ids),
    )


def _case_or_404(case_id: int) -> Case:
    case = db.session.scalar(
        select(Case)
        .where(Case.id == case_id)
        .options(selectinload(Case.subjects), selectinload(Case.files))
    )
    if case is None:
        abort(404)
    return case


@bp.get("/<int:case_id>")
def case(case_id: int):
    case = _case_or_404(case_id)
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.case_id == case.id).order_by(OutboxMessage.id)
    ).all()
    return render("staff/case.html", case=case, messages=messages)


@bp.get("/<int:case_id>/files/<int:file_id>")
def download(case_id: int, file_id: int):
    case = _case_or_404(case_id)
    evidence = db.session.scalar(
        select(EvidenceFile).where(EvidenceFile.id == file_id, EvidenceFile.case_id == case.id)
    )
    if evidence is None:
        abort(404)
    path = storage_path(evidence.storage_key)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=evidence.original_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
