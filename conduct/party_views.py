"""The parties' secure-link page: their case's stage and deadlines, and a reply form.

Reached only through a link emailed to the complainant or the councillor.
It shows nothing but that case's reference, stage and the deadlines that
party owns, never the other party's details.
"""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from conduct import engine, links
from conduct.models import CaseEvent
from conduct.public import bp
from conduct.uploads import ALLOWED_DESCRIPTION, UploadError, evidence_from, store_upload
from core.db import db, utcnow
from core.outbox import deliver_after_response, queue_email
from core.rendering import render
from tenants.services import external_url

PARTY_NAMES = {"complainant": _l("the complainant"), "subject": _l("the councillor")}


class ReplyForm(FlaskForm):
    reply = TextAreaField(
        _l("Your reply"),
        widget=GovTextArea(),
        validators=[DataRequired(_l("Enter your reply")), Length(max=20000)],
    )


def _link_or_404(token: str):
    link = links.find(token)
    if link is None or link.case.council_id != g.council.id:
        return None
    return link


@bp.route("/my-case/<token>", methods=["GET", "POST"])
def my_case(token: str):
    link = _link_or_404(token)
    if link is None:
        return render("public/link_expired.html", status=404)
    case = link.case
    procedure = engine.procedure_of(case)
    form = ReplyForm()
    if request.method == "POST" and case.closed_on is not None:
        # The page offers no reply form once the case is closed; a stale one is refused.
        return _page(link, procedure, form, status=409, closed_refused=True)
    if request.method == "POST" and form.validate_on_submit():
        upload = request.files.get("document")
        evidence = None
        if upload and upload.filename:
            try:
                evidence = evidence_from(store_upload(upload), case.council_id)
            except UploadError as error:
                form.reply.errors = []
                return _page(link, procedure, form, file_error=error.message, status=400)
        event = CaseEvent(
            council_id=case.council_id,
            kind="reply",
            summary=str(_("Reply received from %(party)s", party=PARTY_NAMES[link.party])),
            actor_name=str(PARTY_NAMES[link.party]),
            actor_role=link.party,
            reason=form.reply.data.strip(),
            data={"file": evidence.original_name} if evidence else {},
        )
        case.events.append(event)
        db.session.flush()
        if evidence is not None:
            evidence.case, evidence.event_id = case, event.id
            db.session.add(evidence)
        link.last_used_at = utcnow()
        messages = _tell_officers(case)
        db.session.flush()  # the messages' ids, for delivery after the response
        ids = [m.id for m in messages]
        db.session.commit()
        deliver_after_response(ids)
        flash(_("Your reply has been sent. Thank you."), "success")
        return redirect(url_for("public.my_case", token=token), 303)
    # GET requests do not write: on SQLite a read that turns into a write can fail
    # under concurrent writers (core/db.py). Use is recorded when the party replies.
    return _page(link, procedure, form, status=400 if form.errors else 200)


def _page(
    link,
    procedure,
    form,
    file_error: str | None = None,
    status: int = 200,
    closed_refused: bool = False,
):
    case = link.case
    calendar = engine.calendar_for(case.council)
    today = engine.today()
    own = [
        {
            "label": str(procedure.deadline(d.key).label),
            "due_on": d.due_on,
            "state": engine.deadline_state(d, case, calendar, today),
        }
        for d in case.deadlines
        if d.owner == link.party and d.status == engine.OPEN
    ]
    return render(
        "public/my_case.html",
        status=status,
        case=case,
        link=link,
        stage=procedure.stage(case.stage),
        own_deadlines=own,
        form=form,
        file_error=file_error,
        closed_refused=closed_refused,
        allowed=ALLOWED_DESCRIPTION,
    )


def _tell_officers(case):
    from conduct.notifications import handling_recipients

    link = external_url("staff.case", case_id=case.id)
    return [
        queue_email(
            kind="party-reply",
            recipient=recipient,
            template="party_reply_notice",
            council_id=case.council_id,
            case_id=case.id,
            case=case,
            link=link,
        )
        for recipient in handling_recipients(case.council)
    ]
