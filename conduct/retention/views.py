"""The case page's legal hold: put on hold and release, each with a reason (staff blueprint).

Plain form pages first; htmx loads them into the case page's action panel
and swaps the casework back, as for the procedure's actions.
"""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from conduct.casework import after_change
from conduct.models import Case
from conduct.retention import holds
from conduct.staff import bp, case_or_404
from core.db import db
from core.rendering import render, wants_fragment


class HoldForm(FlaskForm):
    reason = TextAreaField(
        _l("Why must the case be kept?"),
        description=_l("For example, a claim in the county court or an ombudsman's inquiry."),
        widget=GovTextArea(),
        validators=[DataRequired(_l("Enter why the case must be kept")), Length(max=5000)],
    )


class ReleaseForm(FlaskForm):
    reason = TextAreaField(
        _l("Why can the hold be released?"),
        description=_l("For example, the claim has been settled."),
        widget=GovTextArea(),
        validators=[
            DataRequired(_l("Enter why the hold can be released")),
            Length(max=5000),
        ],
    )


def _holdable(case_id: int) -> Case:
    case = case_or_404(case_id)
    if holds.holding_role(current_user, case) is None:
        abort(403)
    return case


def _form_page(case: Case, form: FlaskForm, releasing: bool):
    status = 400 if form.errors else 200
    response = render(
        "staff/legal_hold.html",
        "form",
        status=status if not wants_fragment() else 200,
        case=case,
        form=form,
        releasing=releasing,
        kept_until=holds.kept_until(case),
    )
    if wants_fragment() and status != 200:
        # The form's target is the casework section; a form with errors stays in its panel.
        response.headers["HX-Retarget"] = "#action-panel"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


@bp.route("/<int:case_id>/legal-hold", methods=["GET", "POST"])
def legal_hold(case_id: int):
    case = _holdable(case_id)
    if case.legal_hold_at is not None:
        abort(409)
    form = HoldForm()
    if form.validate_on_submit():
        holds.place(case, current_user, form.reason.data)
        db.session.commit()
        return after_change(case, _("The case is on legal hold: it will not be deleted."))
    return _form_page(case, form, releasing=False)


@bp.route("/<int:case_id>/legal-hold/release", methods=["GET", "POST"])
def release_legal_hold(case_id: int):
    case = _holdable(case_id)
    if case.legal_hold_at is None:
        abort(409)
    form = ReleaseForm()
    if form.validate_on_submit():
        holds.release(case, current_user, form.reason.data)
        db.session.commit()
        return after_change(case, _("Legal hold released: the retention policy applies again."))
    return _form_page(case, form, releasing=True)
