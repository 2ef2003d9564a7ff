"""The hearing pages of a case (staff), and the hearing bundle for the panel.

Thin views: the rules live in conduct/hearings/services.py and panel.py. Every
form is a plain post first; htmx only swaps the order-of-business checklist.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conduct import access_log, engine
from conduct.hearings import forms, panel, services
from conduct.hearings.models import DECIDED, Hearing
from conduct.models import Case
from conduct.staff import bp, case_or_404
from conduct.timeutil import LONDON, london_date
from conduct.uploads import attachment
from core.db import db
from core.formutil import choices
from core.outbox import deliver_after_response
from core.rendering import render
from tenants.committees import CHAIR, CO_OPTED, INDEPENDENT, MEMBER, VICE_CHAIR


def _managed_case(case_id: int) -> Case:
    case = case_or_404(case_id)
    if not services.can_manage(current_user, case):
        abort(403)
    return case


def _hearing_of(case: Case, hearing_id: int) -> Hearing:
    hearing = next((h for h in case.hearings if h.id == hearing_id), None)
    if hearing is None:
        abort(404)
    return hearing


def _open_hearing(case: Case, hearing_id: int) -> Hearing:
    hearing = _hearing_of(case, hearing_id)
    if hearing.status == DECIDED or not services.is_open(case):
        abort(409)
    return hearing


def _field_error(form: FlaskForm, error: services.HearingError) -> None:
    field = getattr(form, error.field, None)
    if field is None:
        field = next(iter(form))  # a message for the whole form goes at its first field
    field.errors = [*field.errors, error.message]


def _done(case: Case, message: str, message_ids: list[int] | None = None):
    db.session.commit()
    if message_ids:
        deliver_after_response(message_ids)
    flash(message, "success")
    return redirect(url_for("staff.hearing", case_id=case.id), 303)


def _page(template: str, case: Case, form: FlaskForm, status: int = 200, **context):
    return render(
        template,
        status=400 if form.errors else status,
        case=case,
        form=form,
        rules=services.rules_for(case),
        **context,
    )


# --- the hearing page -----------------------------------------------------------------


@bp.get("/<int:case_id>/hearing")
def hearing(case_id: int):
    case = case_or_404(case_id)
    rules = services.rules_for(case)
    if rules is None:
        abort(404)
    current = services.current(case)
    return render(
        "hearings/hearing.html",
        "checklist",
        case=case,
        rules=rules,
        hearing=current,
        can_manage=services.can_manage(current_user, case),
        is_open=services.is_open(case),
        attendee_form=forms.AttendeeForm(),
        step_form=forms.StepForm(),
        **_context(case, current),
    )


def _context(case: Case, current: Hearing | None) -> dict:
    done = {s.key: s for s in current.steps} if current else {}
    return {
        "done": done,
        "starts": current.starts_at.astimezone(LONDON) if current else None,
        "seat_label": services.seat_label,
        "attendee_label": services.attendee_label,
        "publish_by": services.publish_by(case, london_date(current.starts_at))
        if current
        else None,
        "schedule_12a": services.SCHEDULE_12A,
        "sanction_labels": {c.value: c.label for c in services.rules_for(case).sanctions},
        "allegation_labels": _provision_labels(case),
    }


def _provision_labels(case: Case) -> dict[str, str]:
    return {c.value: str(c.label) for c in engine.procedure_of(case).provisions}


# --- convening --------------------------------------------------------------------------


def _member_choices(form: forms.ConveneForm, members: list) -> None:
    def label(m) -> str:
        extra = [
            {CHAIR: _("Chairman"), VICE_CHAIR: _("Vice-Chairman")}.get(m.office, ""),
            m.political_group,
            m.represents,
        ]
        details = ", ".join(e for e in extra if e)
        return f"{m.name} ({details})" if details else m.name

    voting = [(m.id, label(m)) for m in members if m.kind == MEMBER]
    form.members.choices = choices(voting)
    form.chair.choices = choices(
        (m.id, label(m)) for m in members if m.kind == MEMBER and m.office in (CHAIR, VICE_CHAIR)
    ) or choices(voting)
    form.independent_person.choices = choices(
        (m.id, label(m)) for m in members if m.kind == INDEPENDENT
    )
    form.co_opted.choices = choices((m.id, label(m)) for m in members if m.kind == CO_OPTED)


@bp.route("/<int:case_id>/hearing/convene", methods=["GET", "POST"])
def convene(case_id: int):
    case = _managed_case(case_id)
    if not services.is_open(case):
        abort(409)
    committee_council = services.committee_council(case)
    members = services.committee(committee_council.id)
    current = services.current(case)
    existing = current if current is not None and current.status != DECIDED else None
    if request.method == "GET" and existing is not None:
        starts = existing.starts_at.astimezone(LONDON)
        form = forms.ConveneForm(
            data={
                "members": [s.member_id for s in existing.seats if s.seat in ("chair", "member")],
                "chair": next((s.member_id for s in existing.seats if s.seat == "chair"), None),
                "independent_person": next(
                    (s.member_id for s in existing.seats if s.seat == "independent-person"), None
                ),
                "co_opted": [s.member_id for s in existing.seats if s.seat == "co-opted"],
                "hearing_date": starts.date(),
                "hearing_time": starts.strftime("%H:%M"),
                "venue": existing.venue,
                "conflicts_note": existing.conflicts_note or "",
            }
        )
    else:
        form = forms.ConveneForm()
        if request.method == "GET" and services.is_parish_case(case):
            form.co_opted.data = [m.id for m in members if m.kind == CO_OPTED]
    _member_choices(form, members)
    if form.validate_on_submit():
        choice = panel.PanelChoice(
            members=list(form.members.data or []),
            chair=form.chair.data,
            independent_person=form.independent_person.data,
            co_opted=list(form.co_opted.data or []),
        )
        try:
            result = services.convene(
                case,
                current_user,
                choice,
                on=form.hearing_date.data,
                at=forms.parse_time(form.hearing_time.data),
                venue=form.venue.data,
                conflicts_note=form.conflicts_note.data,
            )
        except services.PanelError as error:
            for problem in error.problems:
                _field_error(form, services.HearingError(problem.field, problem.message))
        except services.HearingError as error:
            _field_error(form, error)
        else:
            return _done(
                case, _("The hearing is arranged and everyone has been told."), result.message_ids
            )
    flagged = services.conflicts_with(case, {m.id for m in members})
    return _page(
        "hearings/convene.html",
        case,
        form,
        committee_council=committee_council,
        members=members,
        parish=services.is_parish_case(case),
        balance=panel.political_balance(members),
        flagged=flagged,
        existing=existing,
    )


@bp.route("/<int:case_id>/hearing/<int:hearing_id>/reschedule", methods=["GET", "POST"])
def reschedule(case_id: int, hearing_id: int):
    case = _managed_case(case_id)
    current = _open_hearing(case, hearing_id)
    form = forms.RescheduleForm()
    if request.method == "GET":
        form.venue.data = current.venue
    if form.validate_on_submit():
        try:
            result = services.reschedule(
                case,
                current,
                current_user,
                on=form.hearing_date.data,
                at=forms.parse_time(form.hearing_time.data),
                venue=form.venue.data,
                why=form.why.data,
            )
        except services.HearingError as error:
            _field_error(form, error)
        else:
            return _done(
                case, _("The hearing has moved and everyone has been told."), result.message_ids
            )
    return _page("hearings/reschedule.html", case, form, hearing=current)


@bp.post("/<int:case_id>/hearing/<int:hearing_id>/attendees")
def add_attendee(case_id: int, hearing_id: int):
    case = _managed_case(case_id)
    current = _open_hearing(case, hearing_id)
    form = forms.AttendeeForm()
    if form.validate_on_submit():
        result = services.add_attendee(
            case,
            current,
            current_user,
            kind=form.kind.data,
            name=form.name.data,
            email=form.email.data or "",
            called_by=form.called_by.data,
        )
        return _done(case, _("%(name)s added.", name=form.name.data), result.message_ids)
    return render(
        "hearings/hearing.html",
        status=400,
        case=case,
        rules=services.rules_for(case),
        hearing=current,
        can_manage=True,
        is_open=True,
        attendee_form=form,
        step_form=forms.StepForm(),
        **_context(case, current),
    )


@bp.route("/<int:case_id>/conflicts", methods=["GET", "POST"])
def record_conflict(case_id: int):
    case = _managed_case(case_id)
    members = services.committee(services.committee_council(case).id)
    form = forms.ConflictForm()
    form.member.choices = choices([("", _("Choose a member")), *((m.id, m.name) for m in members)])
    if form.validate_on_submit():
        member = next((m for m in members if m.id == form.member.data), None)
        if member is None:
            form.member.errors = [_("Select the committee member")]
        else:
            services.declare_conflict(
                case,
                member,
                raised_by=form.raised_by.data,
                reason=form.reason.data,
                recorded_by=current_user.full_name or current_user.email,
            )
            engine.system_event(
                case,
                current_user,
                lambda: _("Conflict of interest declared about %(name)s", name=member.name),
            )
            return _done(case, _("The declared conflict is recorded."))
    return _page("hearings/conflict.html", case, form)


# --- the papers -------------------------------------------------------------------------


@bp.route("/<int:case_id>/hearing/<int:hearing_id>/papers", methods=["GET", "POST"])
def papers(case_id: int, hearing_id: int):
    case = _managed_case(case_id)
    current = _open_hearing(case, hearing_id)
    files = services.agenda_files(case)
    if request.method == "GET":
        texts = services.agenda_texts(case)
        form = forms.PapersForm(data={**vars(texts), "files": [f.id for f in files]})
    else:
        form = forms.PapersForm()
    form.files.choices = choices((f.id, f.original_name) for f in files)
    if form.validate_on_submit():
        texts = services.AgendaTexts(
            complaint=form.complaint.data,
            response=form.response.data or "",
            assessment=form.assessment.data or "",
            report=form.report.data or "",
        )
        try:
            result = services.publish_agenda(
                case, current, current_user, texts, list(form.files.data or [])
            )
        except services.HearingError as error:
            _field_error(form, error)
        else:
            return _done(case, _("The hearing papers are published."), result.message_ids)
    return _page("hearings/papers.html", case, form, hearing=current)


@bp.route("/<int:case_id>/hearing/<int:hearing_id>/private-session", methods=["GET", "POST"])
def private_session(case_id: int, hearing_id: int):
    case = _managed_case(case_id)
    current = _open_hearing(case, hearing_id)
    form = forms.PrivateSessionForm()
    if request.method == "GET" and current.private_session:
        form = forms.PrivateSessionForm(
            data={
                "choice": current.private_session,
                "paragraphs": current.private_paragraphs,
                "reason": current.private_reason,
            }
        )
    if form.validate_on_submit():
        try:
            services.decide_private_session(
                case,
                current,
                current_user,
                choice=form.choice.data,
                paragraphs=list(form.paragraphs.data or []),
                reason=form.reason.data,
            )
        except services.HearingError as error:
            _field_error(form, error)
        else:
            return _done(case, _("The decision on a private session is recorded."))
    return _page("hearings/private_session.html", case, form, hearing=current)


# --- during the hearing -------------------------------------------------------------------


@bp.post("/<int:case_id>/hearing/<int:hearing_id>/steps/<key>")
def step(case_id: int, hearing_id: int, key: str):
    case = _managed_case(case_id)
    current = _open_hearing(case, hearing_id)
    form = forms.StepForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if request.form.get("undo"):
            services.untick(case, current, current_user, key)
        else:
            services.tick(case, current, current_user, key, form.note.data or "")
    except services.HearingError:
        abort(404)
    db.session.commit()
    return (
        render(
            "hearings/hearing.html",
            "checklist",
            case=case,
            rules=services.rules_for(case),
            hearing=current,
            can_manage=True,
            is_open=True,
            attendee_form=forms.AttendeeForm(),
            step_form=forms.StepForm(formdata=None),
            **_context(case, current),
        )
        if request.headers.get("HX-Request")
        else redirect(url_for("staff.hearing", case_id=case.id, _anchor="business"), 303)
    )


@bp.route("/<int:case_id>/hearing/<int:hearing_id>/adjourn", methods=["GET", "POST"])
def adjourn(case_id: int, hearing_id: int):
    case = _managed_case(case_id)
    current = _open_hearing(case, hearing_id)
    form = forms.AdjournForm()
    if form.validate_on_submit():
        try:
            result = services.adjourn(
                case,
                current,
                current_user,
                reason=form.reason.data,
                directions=form.directions.data or "",
                resumes_on=form.resumes_on.data,
                at=forms.parse_time(form.resumes_time.data),
                venue=form.venue.data or "",
            )
        except services.HearingError as error:
            _field_error(
                form,
                error
                if error.field != "hearing_date"
                else services.HearingError("resumes_on", error.message),
            )
        else:
            return _done(
                case,
                _("The adjournment is recorded and everyone has been told."),
                result.message_ids,
            )
    return _page("hearings/adjourn.html", case, form, hearing=current)


@bp.route("/<int:case_id>/hearing/<int:hearing_id>/decision", methods=["GET", "POST"])
def decision(case_id: int, hearing_id: int):
    case = _managed_case(case_id)
    current = _open_hearing(case, hearing_id)
    rules = services.rules_for(case)
    action = services.decision_action(case)
    form = forms.decision_form(case, rules, action)
    if form.validate_on_submit():
        values = {spec.name: getattr(form, spec.name).data for spec in action.inputs}
        findings = [
            services.Finding(
                allegation_id=a.id,
                finding=getattr(form, f"finding_{a.id}").data,
                reasons=getattr(form, f"reasons_{a.id}").data or "",
            )
            for a in case.allegations
            if rules.findings_per_allegation
        ]
        try:
            result = services.record_decision(
                case,
                current,
                current_user,
                values=values,
                findings=findings,
                sanctions=list(getattr(form, "sanctions", None).data or [])
                if rules.sanctions
                else [],
                recommendations=form.recommendations.data or "",
                unanimous=form.unanimous.data == "yes",
            )
        except services.HearingError as error:
            _field_error(form, error)
        else:
            return _done(
                case,
                _("The decision is recorded and the parties have been told."),
                result.message_ids,
            )
    return _page(
        "hearings/decision.html",
        case,
        form,
        hearing=current,
        action=action,
        allegation_labels=_provision_labels(case),
    )


# --- the hearing bundle (panel members) -----------------------------------------------------


def _bundle_hearing(hearing_id: int) -> tuple[Hearing, Case]:
    """A hearing whose bundle this user may read: seated on its panel, or reading its case."""
    hearing = db.session.scalar(
        select(Hearing)
        .where(Hearing.id == hearing_id)
        .options(selectinload(Hearing.seats), selectinload(Hearing.case))
    )
    if hearing is None:
        abort(404)
    case = hearing.case
    seated = current_user.id in services.seated_user_ids(hearing)
    readable = db.session.scalar(select(Case.id).where(Case.id == case.id, g.readable))
    if not (seated or readable):
        abort(404)
    access_log.note_access(case)
    return hearing, case


@bp.get("/hearings/<int:hearing_id>/bundle")
def hearing_bundle(hearing_id: int):
    current, case = _bundle_hearing(hearing_id)
    texts = services.agenda_texts(case)
    return render(
        "hearings/bundle.html",
        case=case,
        hearing=current,
        rules=services.rules_for(case),
        texts=texts,
        files=services.agenda_files(case),
        starts=current.starts_at.astimezone(LONDON),
        seat_label=services.seat_label,
        allegation_labels=_provision_labels(case),
    )


@bp.get("/hearings/<int:hearing_id>/bundle/files/<int:file_id>")
def hearing_bundle_file(hearing_id: int, file_id: int):
    _current, case = _bundle_hearing(hearing_id)
    evidence = next((f for f in services.agenda_files(case) if f.id == file_id), None)
    if evidence is None:
        abort(404)
    access_log.note_access(case, access_log.DOWNLOAD, evidence.original_name)
    return attachment(evidence)
