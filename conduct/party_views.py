"""The parties' secure-link page: their case's stage and deadlines, and a reply form.

Reached through a link emailed to the complainant or the councillor, or,
for an anonymous complainant, through their reference and receipt code
(conduct/receipt_views.py): both open the same page through a `Door`. It
shows nothing but that case's reference, stage and the deadlines that party
owns, never the other party's details.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from conduct import access_log, engine, links
from conduct.hearings import services as hearings
from conduct.hearings.models import DECIDED
from conduct.models import CaseEvent, CaseLink
from conduct.public import bp
from conduct.uploads import ALLOWED_DESCRIPTION, UploadError, evidence_from, store_upload
from core.db import db, utcnow
from core.formutil import choices, optional_int
from core.i18n import as_recorded, prefer
from core.outbox import deliver_after_response, queue_email
from core.ratelimit import client_address, configured, limiter, not_found, token_prefix
from core.rendering import render
from tenants.services import external_url

# Links carry 256 random bits, so guessing one is hopeless; these limits keep a
# scanner from trying, and keep one link (by its first characters) from being hammered.
_link_misses = limiter.shared_limit(
    configured("RATELIMIT_SECURE_LINK_PER_ADDRESS"),
    scope="secure-link-misses",
    key_func=client_address,
    deduct_when=not_found,
)
_link_uses = limiter.shared_limit(
    configured("RATELIMIT_SECURE_LINK_PER_TOKEN"),
    scope="secure-link-uses",
    key_func=token_prefix,
)

PARTY_NAMES = {"complainant": _l("the complainant"), "subject": _l("the councillor")}


@dataclass(frozen=True)
class Door:
    """How a party reached their case: the link that lets them in and the page's addresses."""

    link: CaseLink
    page_url: str
    conflict_url: str
    # Where a party who came in with a receipt code leaves (forgetting it in this browser).
    finish_url: str | None = None


def _emailed_door(token: str) -> Door | None:
    link = _link_or_404(token)
    if link is None:
        return None
    return Door(
        link,
        url_for("public.my_case", token=token),
        url_for("public.declare_conflict", token=token),
    )


class ReplyForm(FlaskForm):
    reply = TextAreaField(
        _l("Your reply"),
        widget=GovTextArea(),
        validators=[DataRequired(_l("Enter your reply")), Length(max=20000)],
    )


class ConflictForm(FlaskForm):
    """seed 003 guidance (Conduct Hearing): tell the Monitoring Officer of a possible conflict."""

    member = SelectField(
        _l("Which panel member?"),
        coerce=optional_int,
        widget=GovSelect(),
        validators=[DataRequired(_l("Select the panel member"))],
    )
    reason = TextAreaField(
        _l("Why might they have a conflict of interest?"),
        description=_l("For example, a close friend, family member or business colleague."),
        widget=GovTextArea(),
        validators=[DataRequired(_l("Say why they might have a conflict")), Length(max=5000)],
    )


def _hearing_for_party(case):
    current = hearings.current(case)
    return current if current is not None and current.status != DECIDED else None


def _conflict_form(case, formdata=True) -> ConflictForm:
    form = ConflictForm() if formdata else ConflictForm(formdata=None)
    current = _hearing_for_party(case)
    seats = current.seats if current is not None else []
    form.member.choices = choices(
        [("", _("Choose a panel member")), *((s.member.id, s.member.name) for s in seats)]
    )
    return form


@bp.post("/my-case/<token>/conflict")
@_link_misses
@_link_uses
def declare_conflict(token: str):
    door = _emailed_door(token)
    if door is None:
        return render("public/link_expired.html", status=404)
    return conflict(door)


def conflict(door: Door):
    """The party tells the Monitoring Officer a panel member may have a conflict of interest."""
    link = door.link
    case = link.case
    if case.closed_on is not None or _hearing_for_party(case) is None:
        return redirect(door.page_url, 303)
    form = _conflict_form(case)
    if form.validate_on_submit():
        member = next(
            (s.member for s in _hearing_for_party(case).seats if s.member.id == form.member.data),
            None,
        )
        if member is not None:
            hearings.declare_conflict(
                case,
                member,
                raised_by=link.party,
                reason=form.reason.data,
                recorded_by=as_recorded(PARTY_NAMES[link.party]),
            )
            case.events.append(
                CaseEvent(
                    council_id=case.council_id,
                    kind="reply",
                    summary=as_recorded(
                        _l(
                            "Conflict of interest declared by %(party)s about %(name)s",
                            party=PARTY_NAMES[link.party],
                            name=member.name,
                        )
                    ),
                    actor_name=as_recorded(PARTY_NAMES[link.party]),
                    actor_role=link.party,
                    reason=form.reason.data.strip(),
                )
            )
            link.last_used_at = utcnow()
            messages = _tell_officers(case)
            db.session.flush()
            ids = [m.id for m in messages]
            db.session.commit()
            deliver_after_response(ids)
            flash(_("Thank you. The Monitoring Officer will consider what you said."), "success")
            return redirect(door.page_url, 303)
        form.member.errors = [_("Select the panel member")]
    procedure = engine.procedure_of(case)
    return _page(door, procedure, ReplyForm(formdata=None), status=400, conflict_form=form)


def _link_or_404(token: str):
    link = links.find(token)
    if link is None or link.case.council_id != g.council.id:
        return None
    if link.party == "complainant":
        # In the language they complained in, unless they choose another here.
        prefer(link.case.language)
    return link


@bp.route("/my-case/<token>", methods=["GET", "POST"])
@_link_misses
@_link_uses
def my_case(token: str):
    door = _emailed_door(token)
    if door is None:
        return render("public/link_expired.html", status=404)
    return case_page(door)


def case_page(door: Door):
    """The party's page: the stage, their deadlines, and a reply with an optional document."""
    link = door.link
    case = link.case
    procedure = engine.procedure_of(case)
    form = ReplyForm()
    if request.method == "POST" and case.closed_on is not None:
        # The page offers no reply form once the case is closed; a stale one is refused.
        return _page(door, procedure, form, status=409, closed_refused=True)
    if request.method == "POST" and form.validate_on_submit():
        upload = request.files.get("document")
        evidence = None
        if upload and upload.filename:
            try:
                evidence = evidence_from(store_upload(upload), case.council_id)
            except UploadError as error:
                form.reply.errors = []
                return _page(door, procedure, form, file_error=error.message, status=400)
        event = CaseEvent(
            council_id=case.council_id,
            kind="reply",
            summary=as_recorded(_l("Reply received from %(party)s", party=PARTY_NAMES[link.party])),
            actor_name=as_recorded(PARTY_NAMES[link.party]),
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
        return redirect(door.page_url, 303)
    # GET requests do not write in their own transaction: on SQLite a read that turns
    # into a write can fail under concurrent writers (core/db.py). The view is logged
    # in a transaction of its own once the page is built (conduct/access_log.py).
    access_log.note_access(
        case, who=_l("%(party)s, through their secure link", party=PARTY_NAMES[link.party])
    )
    return _page(door, procedure, form, status=400 if form.errors else 200)


def _page(
    door: Door,
    procedure,
    form,
    file_error: str | None = None,
    status: int = 200,
    closed_refused: bool = False,
    conflict_form: ConflictForm | None = None,
):
    link = door.link
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
        door=door,
        stage=procedure.stage(case.stage),
        own_deadlines=own,
        form=form,
        file_error=file_error,
        closed_refused=closed_refused,
        allowed=ALLOWED_DESCRIPTION,
        hearing=_hearing_for_party(case),
        conflict_form=conflict_form or _conflict_form(case, formdata=False),
        seat_label=hearings.seat_label,
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
