"""Who saw what of a case: every view, download, export and email of its content.

Staff pages of a case are logged from one place: `note_access` is called by
the function that loads a case for a staff page (conduct/staff.py
`case_or_404`) and the hearing bundle, and the staff blueprint writes the
entries once the page was served successfully. The entry is written in its
own short transaction before the response leaves: if it cannot be written,
the content is not sent (there is no unlogged access). Emails about a case
are logged as they are queued, in the same transaction as the message.
"""

from __future__ import annotations

import logging

from flask import Response, current_app, g, has_request_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from conduct.models import Case, CaseAccess
from core import outbox
from core.db import db, utcnow
from core.i18n import as_recorded
from core.outbox_models import OutboxMessage

log = logging.getLogger(__name__)

VIEW, DOWNLOAD, EXPORT, EMAIL = "view", "download", "export", "email"


def _who() -> tuple[int | None, str]:
    if has_request_context() and current_user.is_authenticated:
        return current_user.id, current_user.full_name or current_user.email
    return None, as_recorded(_l("System"))


def note_access(case: Case, what: str = VIEW, detail: str = "", who: object = None) -> None:
    """Log this case once the current page is served.

    `who` names someone without an account, as a lazy string (the log is in the
    record's language, core.i18n.record_language).

    GET requests only: what a POST changes is in the timeline. A later call for
    the same case replaces an earlier one (a download page says which file).
    """
    if request.method not in ("GET", "HEAD"):
        return
    pending = g.setdefault("case_access", {})
    pending[case.id] = (case.council_id, what, detail or request.path, who)


def write_pending(response: Response) -> Response:
    """After a page was built: write its access entries, or refuse to send it."""
    pending = g.pop("case_access", None)
    if not pending or response.status_code >= 400:
        return response
    user_id, name = _who()
    rows = [
        {
            "case_id": case_id,
            "council_id": council_id,
            "at": utcnow(),
            "user_id": user_id if who is None else None,
            "who": (as_recorded(who) if who is not None else name)[:254],
            "what": what,
            "detail": detail[:300],
        }
        for case_id, (council_id, what, detail, who) in pending.items()
    ]
    try:
        # Its own transaction: the page's is read-only (and on SQLite a read that turns
        # into a write can fail under concurrent writers, core/db.py).
        with db.engine.begin() as connection:
            connection.execute(insert(CaseAccess), rows)
    except Exception:
        log.exception("access log: could not record access; the page is withheld")
        return current_app.response_class(
            _("This page cannot be shown right now. Try again in a moment."),
            status=503,
            mimetype="text/plain",
        )
    return response


def record(case: Case, what: str, detail: str, *, who: str | None = None) -> None:
    """An entry in the caller's transaction (exports, emails, a party's secure link)."""
    user_id, name = _who()
    db.session.add(
        CaseAccess(
            council_id=case.council_id,
            case_id=case.id,
            user_id=user_id if who is None else None,
            who=(who or name)[:254],
            what=what,
            detail=detail[:300],
        )
    )


def _email_rows(emails: list[tuple[int | None, int | None, str, str]]) -> list[dict]:
    """The log's rows for emails (council, case, recipient, subject) about a case."""
    user_id, who = _who()
    now = utcnow()
    return [
        {
            "council_id": council_id,
            "case_id": case_id,
            "at": now,
            "user_id": user_id,
            "who": who[:254],
            "what": EMAIL,
            "detail": f"{recipient}: {subject}"[:300],
        }
        for council_id, case_id, recipient, subject in emails
        if case_id is not None
    ]


def _email_queued(message: OutboxMessage) -> None:
    email = (message.council_id, message.case_id, message.recipient, message.subject)
    for row in _email_rows([email]):
        db.session.add(CaseAccess(**row))


def _emails_queued(queued: list[tuple[int, outbox.Outgoing]]) -> None:
    """The same for emails queued together: one multi-row INSERT (a reminder sweep's)."""
    rows = _email_rows(
        [(e.council_id, e.case_id, e.recipient, e.rendered.subject) for _id, e in queued]
    )
    if rows:
        db.session.execute(insert(CaseAccess), rows)


def register() -> None:
    """Log every email about a case as it is queued (called by the app factory)."""
    if _email_queued not in outbox.QUEUED_HOOKS:
        outbox.QUEUED_HOOKS.append(_email_queued)
    if _emails_queued not in outbox.QUEUED_MANY_HOOKS:
        outbox.QUEUED_MANY_HOOKS.append(_emails_queued)


def entries(case: Case) -> list[CaseAccess]:
    return list(
        db.session.scalars(
            select(CaseAccess).where(CaseAccess.case_id == case.id).order_by(CaseAccess.id.desc())
        )
    )


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, CaseAccess):
            continue
        if obj in session.deleted and any(
            isinstance(o, Case) and o.id == obj.case_id for o in session.deleted
        ):
            continue  # the whole case is being deleted (retention)
        if obj in session.deleted or session.is_modified(obj):
            raise PermissionError("the access log is append-only")
