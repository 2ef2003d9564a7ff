"""Working a case: the actions the signed-in user may take now, deadline extensions.

Every action is a plain form post first (its own page without JavaScript);
htmx loads the form into the case page and swaps the updated casework back.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from sqlalchemy import bindparam, select
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from conduct import access, allegations, engine, timeline
from conduct.action_forms import form_for
from conduct.dates import Dates
from conduct.hearings import services as hearings
from conduct.models import Case, CaseDeadline, CaseLink
from conduct.procedures.model import Action
from conduct.retention import holds
from conduct.staff import CASE_PAGE, bp, case_or_404, render_case
from conduct.uploads import UploadError, evidence_from, store_upload
from core.db import db
from core.labels import owner_label
from core.outbox import deliver_after_response
from core.rendering import render, wants_fragment
from tenants.models import User
from tenants.services import staff_with_roles

STATE_LABELS = {
    "due": _l("Due"),
    "due-soon": _l("Due soon"),
    "overdue": _l("Overdue"),
    "met": _l("Met"),
    "paused": _l("Paused"),
    "closed": _l("No longer applies"),
}


@dataclass(frozen=True, slots=True)
class DeadlineView:
    """A row of the case page's deadlines, every label and date worked out."""

    row: CaseDeadline
    label: str
    owner: str  # the owner's label
    seed: str
    state: str
    state_label: str
    due_iso: str
    due: str
    met: str  # the day it was met, or ""
    late: bool
    extend_url: str | None  # None: this user may not extend it


@dataclass(frozen=True, slots=True)
class ActionLink:
    """An action the user may take now: a link to its form, or a button that takes it."""

    key: str
    label: str
    url: str
    has_form: bool
    primary: bool


def casework_context(case: Case) -> dict:
    """What the case page shows of the procedure: stage, actions, deadlines, timeline.

    Labels, dates and links are worked out here, once each, so the template only
    writes markup (each `format_date`, `url_for` or label lookup in a template
    costs more than the markup around it)."""
    procedure = engine.procedure_of(case)
    history = timeline.summary(case)
    calendar = engine.calendar_for(case.council)
    today = engine.today()
    # The roles are worked out once: each would otherwise go through all the user's
    # grants again (two hundred for a district's Monitoring Officer).
    roles = engine.roles_of(current_user, case)
    dates = Dates()
    deadlines = []
    for row in case.deadlines:
        rule = procedure.deadline(row.key)
        state = engine.deadline_state(row, case, calendar, today)
        can_extend = row.status == engine.OPEN and bool(roles.intersection(rule.extend_roles))
        deadlines.append(
            DeadlineView(
                row=row,
                label=str(rule.label),
                owner=owner_label(row.owner),
                seed=rule.seed,
                state=state,
                state_label=str(STATE_LABELS[state]),
                due_iso=row.due_on.isoformat(),
                due=dates.day(row.due_on, "EEE d MMM yyyy"),
                met=dates.day(row.met_on, "d MMM yyyy") if row.met_on else "",
                late=row.met_on is not None and row.met_on > row.due_on,
                extend_url=(
                    url_for("staff.extend", case_id=case.id, deadline_id=row.id)
                    if can_extend
                    else None
                ),
            )
        )
    actions = engine.available_actions(case, current_user, taken=history.taken, roles=roles)
    return {
        "procedure": procedure,
        "stage": procedure.stage(case.stage),
        "dates": dates,
        "actions": [
            ActionLink(
                key=a.key,
                label=str(a.label),
                url=url_for("staff.action", case_id=case.id, key=a.key),
                has_form=bool(a.inputs),
                primary=a.primary,
            )
            for a in actions
        ],
        "deadlines": deadlines,
        "timeline": timeline.latest(
            case, procedure, current_app.config["CASE_TIMELINE_LATEST"], history.total
        ),
        "my_roles": roles,
        "names_withheld": access.names_withheld(case, current_user),
        "links": _links(case),
        "can_revoke": bool(roles.intersection(LINK_MANAGERS)),
        "hearing_rules": procedure.hearing,
        "hearing_open": hearings.is_open(case),
        "can_edit_allegations": allegations.can_edit(case, roles),
        "provision_label": lambda key: allegations.provision_label(case, key),
        "notice_kinds": procedure.notices,
        "kept_until": holds.kept_until(case),
        "can_hold": holds.holding_role(current_user, case, roles) is not None,
    }


# The secure links as the page lists them, newest first (built once, the case bound).
_LINKS = (
    select(
        CaseLink.id,
        CaseLink.party,
        CaseLink.via,
        CaseLink.email,
        CaseLink.expires_at,
        CaseLink.revoked_at,
        CaseLink.last_used_at,
    )
    .where(CaseLink.case_id == bindparam("case_id"))
    .order_by(CaseLink.id.desc())
)


def _links(case: Case) -> list:
    return list(db.session.execute(_LINKS, {"case_id": case.id}))


def _people(case: Case, action: Action) -> dict[str, list[User]]:
    return {
        spec.name: staff_with_roles(case.council_id, [spec.user_role or ""])
        for spec in action.inputs
        if spec.kind == "user"
    }


def _action_or_error(case: Case, key: str) -> Action:
    try:
        return engine.check_action(case, current_user, key)
    except engine.ActionRefusedError:
        abort(403)
    except engine.ActionUnavailableError:
        abort(409)


def _values(form: FlaskForm, action: Action, case: Case) -> dict | None:
    """Cleaned inputs (files stored, people looked up), or None with errors on the form."""
    values: dict = {}
    ok = True
    for spec in action.inputs:
        field = getattr(form, spec.name)
        value = field.data
        if spec.kind == "file":
            upload = request.files.get(field.name)
            if upload and upload.filename:
                try:
                    stored = store_upload(upload)
                except UploadError as error:
                    field.errors = [*field.errors, error.message]
                    ok = False
                    continue
                value = evidence_from(stored, case.council_id)
                db.session.add(value)
            elif spec.required:
                field.errors = [*field.errors, _("Select a file")]
                ok = False
                continue
            else:
                value = None
        elif spec.kind == "user" and value is not None:
            value = db.session.get(User, value)
        values[spec.name] = value
    return values if ok else None


@bp.route("/<int:case_id>/actions/<key>", methods=["GET", "POST"])
def action(case_id: int, key: str):
    case = case_or_404(case_id)
    act = _action_or_error(case, key)
    form = form_for(act, _people(case, act))
    if request.method == "POST" and form.validate_on_submit():
        values = _values(form, act, case)
        if values is not None:
            outcome = engine.perform(case, case.council, act.key, actor=current_user, values=values)
            db.session.commit()
            deliver_after_response(outcome.message_ids)
            return after_change(case, _("%(action)s: done.", action=str(act.done or act.label)))
    status = 400 if form.errors else 200
    return _action_page(case, act, form, status)


def _action_page(case: Case, act: Action, form: FlaskForm, status: int):
    response = render(
        "staff/action.html",
        "form",
        status=status if not wants_fragment() else 200,
        embedded=wants_fragment(),
        case=case,
        action=act,
        form=form,
        routes=_routes_for(case, act),
    )
    if wants_fragment() and status != 200:
        # The form's target is the casework section; a form with errors stays in its panel.
        response.headers["HX-Retarget"] = "#action-panel"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def _routes_for(case: Case, act: Action) -> dict[str, list]:
    """The council's contact routes named by the action's choices (e.g. safeguarding numbers)."""
    found: dict[str, list] = {}
    for spec in act.inputs:
        for choice in spec.choices:
            if choice.routes:
                found[choice.value] = [r for r in case.council.routes if r.kind in choice.routes]
    return found


def after_change(case: Case, message: str):
    if wants_fragment():
        db.session.expire_all()
        fresh = case_or_404(case.id, load=CASE_PAGE)
        return render_case(fresh, notice=message)
    flash(message, "success")
    return redirect(url_for("staff.case", case_id=case.id), 303)


class ExtendForm(FlaskForm):
    days = IntegerField(
        _l("Extend by how many working days?"),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter the number of working days")),
            NumberRange(min=1, max=120, message=_l("Enter a number from 1 to 120")),
        ],
    )
    reason = TextAreaField(
        _l("Reason for the extension"),
        description=_l("Exceptional circumstances, for example illness or leave."),
        widget=GovTextArea(),
        validators=[DataRequired(_l("Enter the reason for the extension")), Length(max=5000)],
    )


@bp.route("/<int:case_id>/deadlines/<int:deadline_id>/extend", methods=["GET", "POST"])
def extend(case_id: int, deadline_id: int):
    case = case_or_404(case_id)
    row = next((d for d in case.deadlines if d.id == deadline_id), None)
    if row is None:
        abort(404)
    rule = engine.procedure_of(case).deadline(row.key)
    if not engine.roles_of(current_user, case).intersection(rule.extend_roles):
        abort(403)
    if row.status != engine.OPEN:
        abort(409)
    form = ExtendForm()
    if form.validate_on_submit():
        engine.extend(
            case,
            case.council,
            row,
            actor=current_user,
            days=form.days.data,
            reason=form.reason.data,
        )
        db.session.commit()
        return after_change(case, _("Deadline extended."))
    status = 400 if form.errors else 200
    response = render(
        "staff/extend.html",
        "form",
        status=status if not wants_fragment() else 200,
        embedded=wants_fragment(),
        case=case,
        row=row,
        rule=rule,
        form=form,
    )
    if wants_fragment() and status != 200:
        response.headers["HX-Retarget"] = "#action-panel"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


LINK_MANAGERS = frozenset({"monitoring-officer", "deputy-monitoring-officer", "clerk"})


@bp.post("/<int:case_id>/links/<int:link_id>/revoke")
def revoke_link(case_id: int, link_id: int):
    from flask_wtf.csrf import validate_csrf
    from wtforms.validators import ValidationError

    from conduct import links
    from conduct.models import RECEIPT, CaseLink

    case = case_or_404(case_id)
    if not engine.roles_of(current_user, case).intersection(LINK_MANAGERS):
        abort(403)
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        abort(400)
    link = db.session.get(CaseLink, link_id)
    if link is None or link.case_id != case.id:
        abort(404)
    links.revoke(link)
    if link.via == RECEIPT:
        summary = _l("The anonymous complainant's receipt code revoked")
    else:
        summary = lambda: _("Secure link revoked for %(email)s", email=link.email)  # noqa: E731
    engine.system_event(case, current_user, summary)
    db.session.commit()
    return after_change(case, _("Link revoked."))
