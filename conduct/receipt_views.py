"""The anonymous complainant's way back to their case: reference and receipt code.

/<council>/complaints/receipt asks for both; if they match, the browser
session remembers the receipt for a while and the secure-link page
(conduct/party_views.py) is served at /<council>/complaints/receipt/case.
Whatever is wrong with what was entered, the answer is the same.
"""

from __future__ import annotations

import time

from flask import flash, g, redirect, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from conduct import receipts
from conduct.party_views import Door, case_page, conflict
from conduct.public import bp
from core.rendering import render
from tenants.forms import CSRFOnlyForm

_SESSION = "receipt"
# How long a browser stays on the case after the code was entered (renewed by each visit).
STAY_SECONDS = 60 * 60


class ReceiptForm(FlaskForm):
    reference = StringField(
        _l("Your reference"),
        # No example: a made-up reference on a public page would look like a real case's.
        description=_l("As shown when you sent your complaint: letters, the year and a number."),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter your reference")), Length(max=40)],
    )
    code = StringField(
        _l("Your receipt code"),
        description=_l(
            "The code shown once when you sent your complaint, like ABCD-EFGH-JKMN-PQRS-TVWX"
        ),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter your receipt code")), Length(max=80)],
    )


WRONG = _l(
    "The reference or the receipt code is not right. Check both against what you noted "
    "when you sent your complaint."
)


@bp.route("/complaints/receipt", methods=["GET", "POST"])
def receipt():
    form = ReceiptForm()
    if form.validate_on_submit():
        link = receipts.verify(form.reference.data, form.code.data)
        if link is not None:
            session[_SESSION] = {"council": g.council.id, "link": link.id, "at": int(time.time())}
            return redirect(url_for("public.receipt_case"), 303)
        form.code.errors = [str(WRONG)]
    return render("public/receipt.html", status=400 if form.errors else 200, form=form)


def _door() -> Door | None:
    held = session.get(_SESSION) or {}
    fresh = int(time.time()) - int(held.get("at", 0)) < STAY_SECONDS
    if held.get("council") != g.council.id or not fresh:
        return None
    link = receipts.find(held.get("link"))
    if link is None:
        return None
    session[_SESSION] = {**held, "at": int(time.time())}
    return Door(
        link,
        url_for("public.receipt_case"),
        url_for("public.receipt_conflict"),
        finish_url=url_for("public.receipt_finish"),
    )


@bp.route("/complaints/receipt/case", methods=["GET", "POST"])
def receipt_case():
    door = _door()
    if door is None:
        return redirect(url_for("public.receipt"), 303)
    return case_page(door)


@bp.post("/complaints/receipt/case/conflict")
def receipt_conflict():
    door = _door()
    if door is None:
        return redirect(url_for("public.receipt"), 303)
    return conflict(door)


@bp.post("/complaints/receipt/finish")
def receipt_finish():
    if CSRFOnlyForm().validate_on_submit():
        session.pop(_SESSION, None)
        flash(_("You have left your case page. Use your reference and receipt code to return."))
    return redirect(url_for("public.receipt"), 303)
