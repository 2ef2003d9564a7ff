"""The staff pages of a case's decision notices: draft, edit, approve, publish, correct."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from conduct import access_log, engine
from conduct.decisions import drafting, services
from conduct.decisions.models import DRAFT, DecisionNotice
from conduct.hearings.models import Hearing, HearingSeat
from conduct.models import Case
from conduct.staff import bp
from core.db import db
from core.rendering import render
from tenants.committees import CommitteeMember


class CorrectionForm(FlaskForm):
    note = TextAreaField(
        _l("What the correction changes, and why"),
        description=_l("This is published with the corrected notice."),
        widget=GovTextArea(),
        validators=[DataRequired(_l("Say what the correction changes and why")), Length(max=5000)],
    )


def _case(case_id: int) -> Case:
    """The case, if this user reads it or approves one of its notices (a seated panel member)."""
    case = db.session.scalar(
        select(Case)
        .where(Case.id == case_id)
        .options(
            selectinload(Case.events),
            selectinload(Case.allegations),
            selectinload(Case.hearings)
            .selectinload(Hearing.seats)
            .selectinload(HearingSeat.member)
            .selectinload(CommitteeMember.user),
            selectinload(Case.assignments),
            selectinload(Case.exclusions),
            selectinload(Case.subjects),
        )
    )
    if case is None:
        abort(404)
    readable = db.session.scalar(select(Case.id).where(Case.id == case.id, g.readable))
    approver = engine.roles_of(current_user, case).intersection(
        {r for kind in services.kinds_for(case) for r in services.approval_roles(kind)}
    )
    if not (readable or approver):
        abort(404)
    access_log.note_access(case)
    return case


def _notice(case: Case, notice_id: int) -> DecisionNotice:
    notice = db.session.get(DecisionNotice, notice_id)
    if notice is None or notice.case_id != case.id:
        abort(404)
    return notice


def _edit_form(notice: DecisionNotice) -> FlaskForm:
    count = int(notice.fields.get("_allegations") or 0)
    attributes = {}
    for name, section, number in drafting.fields_of(notice.kind, count):
        label = (
            section.label
            if number is None
            else _l("%(label)s, allegation %(n)d", label=section.label, n=number)
        )
        attributes[name] = TextAreaField(
            label,
            description=section.hint or "",
            widget=GovTextArea(),
            validators=[Length(max=20000)],
        )
    form_class = type("NoticeForm", (FlaskForm,), attributes)
    if request.method == "POST":
        return form_class()
    return form_class(data={name: notice.fields.get(name, "") for name in attributes})


def _back(case: Case, notice: DecisionNotice, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("staff.notice", case_id=case.id, notice_id=notice.id), 303)


@bp.get("/<int:case_id>/notices")
def notices(case_id: int):
    case = _case(case_id)
    kinds = services.kinds_for(case)
    existing = services.notices_of(case)
    return render(
        "notices/case_notices.html",
        case=case,
        kinds=kinds,
        existing=existing,
        draftable={k.key: services.draftable(case, k) for k in kinds},
        can_edit=services.can_edit(current_user, case),
    )


@bp.post("/<int:case_id>/notices/new/<kind>")
def new_notice(case_id: int, kind: str):
    case = _case(case_id)
    if kind not in {k.key for k in services.kinds_for(case)}:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        notice = services.start(case, kind, current_user)
    except engine.ActionRefusedError:
        abort(403)
    except engine.ActionUnavailableError:
        abort(409)
    except services.NoticeError as error:
        flash(error.message, "error")
        return redirect(url_for("staff.notices", case_id=case.id), 303)
    db.session.flush()
    return _back(case, notice, _("A draft is ready: check and complete every section."))


@bp.route("/<int:case_id>/notices/<int:notice_id>", methods=["GET", "POST"])
def notice(case_id: int, notice_id: int):
    case = _case(case_id)
    notice = _notice(case, notice_id)
    editable = notice.status == DRAFT and services.can_edit(current_user, case)
    form = _edit_form(notice) if editable else None
    status = 200
    if request.method == "POST":
        if form is None:
            abort(403)
        if form.validate_on_submit():
            services.edit(
                notice, current_user, {k: v for k, v in form.data.items() if k != "csrf_token"}
            )
            return _back(case, notice, _("Draft saved."))
        status = 400
    return _page(case, notice, form, status=status)


def _page(case: Case, notice: DecisionNotice, form, *, status: int = 200, correction=None):
    count = int(notice.fields.get("_allegations") or 0)
    return render(
        "notices/notice.html",
        status=status,
        case=case,
        notice=notice,
        kind=services.kind_of(notice),
        form=form,
        sections=drafting.fields_of(notice.kind, count),
        preview=notice.html if notice.html else services.render_notice(notice),
        slots=services.slots_for(current_user, notice),
        missing=services.missing_approvals(notice) if notice.status == DRAFT else [],
        approvals=services.valid_approvals(notice),
        can_edit=services.can_edit(current_user, case),
        correction=correction or CorrectionForm(formdata=None),
        later=[
            n
            for n in services.notices_of(case)
            if n.kind == notice.kind and n.version > notice.version
        ],
    )


@bp.post("/<int:case_id>/notices/<int:notice_id>/approve/<int:slot>")
def approve_notice(case_id: int, notice_id: int, slot: int):
    case = _case(case_id)
    notice = _notice(case, notice_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        services.approve(notice, current_user, slot)
    except engine.ActionRefusedError:
        abort(403)
    return _back(case, notice, _("Approved."))


@bp.post("/<int:case_id>/notices/<int:notice_id>/publish")
def publish_notice(case_id: int, notice_id: int):
    case = _case(case_id)
    notice = _notice(case, notice_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        services.publish(notice, current_user)
    except engine.ActionRefusedError:
        abort(403)
    except engine.ActionUnavailableError:
        abort(409)
    except services.NoticeError as error:
        flash(error.message, "error")
        return redirect(url_for("staff.notice", case_id=case.id, notice_id=notice.id), 303)
    return _back(case, notice, _("Published. The notice is now on the council's website."))


@bp.post("/<int:case_id>/notices/<int:notice_id>/correct")
def correct_notice(case_id: int, notice_id: int):
    case = _case(case_id)
    notice = _notice(case, notice_id)
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            draft = services.correct(notice, current_user, form.note.data)
        except engine.ActionRefusedError:
            abort(403)
        except engine.ActionUnavailableError:
            abort(409)
        except services.NoticeError as error:
            form.note.errors = [error.message]
        else:
            db.session.flush()
            return _back(case, draft, _("A draft correction is ready."))
    return _page(case, notice, None, status=400, correction=form)


@bp.get("/<int:case_id>/notices/<int:notice_id>/notice.pdf")
def notice_pdf(case_id: int, notice_id: int):
    case = _case(case_id)
    notice = _notice(case, notice_id)
    if notice.pdf is not None:
        body = notice.pdf
        name = f"{case.reference}-{notice.kind}-v{notice.version}.pdf"
    else:
        body = services.render_pdf(services.render_notice(notice), _("Draft"))
        name = f"{case.reference}-{notice.kind}-v{notice.version}-draft.pdf"
    access_log.note_access(case, access_log.DOWNLOAD, name)
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
