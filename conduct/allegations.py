"""The allegations of a complaint, recorded by the Monitoring Officer from what was sent.

Decision notices assess each allegation and hearing panels find on each
(seed 003 Appendix 4 §4.1, Rule 9 §3.3.8). Which code provisions can be cited
is procedure data (`Procedure.provisions`).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from conduct import engine
from conduct.models import Allegation, Case
from conduct.staff import bp, case_or_404
from core.db import db
from core.formutil import choices
from core.rendering import render

EDITORS = frozenset({"monitoring-officer", "deputy-monitoring-officer"})


class AllegationForm(FlaskForm):
    provision = SelectField(
        _l("Provision of the Code of Conduct"),
        widget=GovSelect(),
        validators=[DataRequired(_l("Select the provision of the Code of Conduct"))],
    )
    summary = TextAreaField(
        _l("What is alleged"),
        description=_l("Be specific: what the councillor is said to have said or done, and when."),
        widget=GovTextArea(),
        validators=[DataRequired(_l("Enter what is alleged")), Length(max=10000)],
    )


def can_edit(case: Case, roles: set[str] | None = None) -> bool:
    """`roles`: the user's roles on the case, if the caller has them (engine.roles_of)."""
    procedure = engine.procedure_of(case)
    return (
        bool(procedure.provisions)
        and case.closed_on is None
        and bool((engine.roles_of(current_user, case) if roles is None else roles) & EDITORS)
    )


def provision_label(case: Case, key: str) -> str:
    found = next((c for c in engine.procedure_of(case).provisions if c.value == key), None)
    return str(found.label) if found else key


def _editable_case(case_id: int) -> Case:
    case = case_or_404(case_id)
    if not can_edit(case):
        abort(403)
    return case


def _form(case: Case, allegation: Allegation | None = None) -> AllegationForm:
    form = AllegationForm(obj=allegation) if request.method == "GET" else AllegationForm()
    form.provision.choices = choices(
        [
            ("", _("Choose a provision")),
            *((c.value, c.label) for c in engine.procedure_of(case).provisions),
        ]
    )
    return form


def _saved(case: Case, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("staff.case", case_id=case.id, _anchor="allegations"), 303)


@bp.route("/<int:case_id>/allegations/new", methods=["GET", "POST"])
def new_allegation(case_id: int):
    case = _editable_case(case_id)
    form = _form(case)
    if form.validate_on_submit():
        allegation = Allegation(
            council_id=case.council_id,
            provision=form.provision.data,
            summary=form.summary.data.strip(),
            position=len(case.allegations),
        )
        case.allegations.append(allegation)
        engine.system_event(
            case,
            current_user,
            lambda: _(
                "Allegation recorded: %(provision)s",
                provision=provision_label(case, allegation.provision),
            ),
        )
        return _saved(case, _("Allegation recorded."))
    return render("staff/allegation.html", status=400 if form.errors else 200, case=case, form=form)


@bp.route("/<int:case_id>/allegations/<int:allegation_id>", methods=["GET", "POST"])
def edit_allegation(case_id: int, allegation_id: int):
    case = _editable_case(case_id)
    allegation = next((a for a in case.allegations if a.id == allegation_id), None)
    if allegation is None:
        abort(404)
    form = _form(case, allegation)
    if form.validate_on_submit():
        allegation.provision = form.provision.data
        allegation.summary = form.summary.data.strip()
        engine.system_event(
            case,
            current_user,
            lambda: _(
                "Allegation changed: %(provision)s",
                provision=provision_label(case, allegation.provision),
            ),
        )
        return _saved(case, _("Allegation changed."))
    return render(
        "staff/allegation.html",
        status=400 if form.errors else 200,
        case=case,
        form=form,
        allegation=allegation,
    )


@bp.post("/<int:case_id>/allegations/<int:allegation_id>/delete")
def delete_allegation(case_id: int, allegation_id: int):
    case = _editable_case(case_id)
    allegation = next((a for a in case.allegations if a.id == allegation_id), None)
    if allegation is None:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if any(f.allegation_id == allegation.id for h in case.hearings for f in h.findings):
        flash(_("The hearing panel has made a finding on this allegation: it stays."), "error")
        return redirect(url_for("staff.case", case_id=case.id, _anchor="allegations"), 303)
    case.allegations.remove(allegation)
    engine.system_event(
        case,
        current_user,
        lambda: _(
            "Allegation removed: %(provision)s",
            provision=provision_label(case, allegation.provision),
        ),
    )
    return _saved(case, _("Allegation removed."))
