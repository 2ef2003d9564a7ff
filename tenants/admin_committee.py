"""Host administration of a council's conduct committee (on the council's page).

Every control is a plain form or link first; with htmx the committee section
is swapped in place and the member editor opens beside it, like the contact
routes.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from core.db import db
from core.rendering import render, wants_fragment
from tenants import committee_services as committees
from tenants.admin import (
    _apply_validation_error,
    _council_or_404,
    bp,
    council_page,
    host_admin_required,
)
from tenants.committee_forms import (
    CommitteeMemberForm,
    committee_context,
    hearing_council_form,
)
from tenants.committees import CommitteeMember
from tenants.forms import CSRFOnlyForm
from tenants.models import Council

SECTION = "#committee"


def _member_or_404(council: Council, member_id: int) -> CommitteeMember:
    member = committees.member_of(council, member_id)
    if member is None:
        abort(404)
    return member


def _back(council: Council) -> str:
    return url_for("admin.council", slug=council.slug) + SECTION


def _section(council: Council, **kwargs):
    return render(
        "admin/committee_section.html",
        "committee",
        council=council,
        **committee_context(council, **kwargs),
    )


def _done(council: Council, message: str):
    if wants_fragment():
        response = _section(council, message=message)
        # Close the member editor in the same response (out-of-band swap).
        response.set_data(
            response.get_data(as_text=True) + '<div id="committee-editor" hx-swap-oob="true"></div>'
        )
        return response
    flash(message, "success")
    return redirect(_back(council), 303)


def _member_form_page(form: CommitteeMemberForm, council: Council, member):
    response = render(
        "admin/committee_member_form.html",
        "form",
        embedded=wants_fragment(),
        form=form,
        council=council,
        member=member,
    )
    if form.errors and wants_fragment():
        # The form's normal target is the section; a form with errors goes back to the editor.
        response.headers["HX-Retarget"] = "#committee-editor"
        response.headers["HX-Reswap"] = "innerHTML"
    elif form.errors:
        response.status_code = 400
    return response


@bp.route("/councils/<slug>/committee/new", methods=["GET", "POST"])
@host_admin_required
def new_committee_member(slug: str):
    council = _council_or_404(slug)
    form = CommitteeMemberForm()
    if form.validate_on_submit():
        try:
            member = committees.add_member(council, form.details())
        except committees.ValidationError as error:
            db.session.rollback()
            _apply_validation_error(form, error)
        else:
            db.session.commit()
            return _done(council, _("%(name)s added to the committee.", name=member.name))
    return _member_form_page(form, council, None)


@bp.route("/councils/<slug>/committee/<int:member_id>", methods=["GET", "POST"])
@host_admin_required
def edit_committee_member(slug: str, member_id: int):
    council = _council_or_404(slug)
    member = _member_or_404(council, member_id)
    form = CommitteeMemberForm(obj=member)
    if request.method == "GET":
        form.account.data = member.user.email if member.user else ""
        form.email.data = member.email or ""
    if form.validate_on_submit():
        try:
            committees.update_member(member, form.details())
        except committees.ValidationError as error:
            db.session.rollback()
            _apply_validation_error(form, error)
        else:
            db.session.commit()
            return _done(council, _("Changes to %(name)s saved.", name=member.name))
    return _member_form_page(form, council, member)


def _button_action(slug: str, member_id: int) -> tuple[Council, CommitteeMember]:
    council = _council_or_404(slug)
    member = _member_or_404(council, member_id)
    if not CSRFOnlyForm().validate_on_submit():
        abort(400)
    return council, member


@bp.post("/councils/<slug>/committee/<int:member_id>/deactivate")
@host_admin_required
def deactivate_committee_member(slug: str, member_id: int):
    council, member = _button_action(slug, member_id)
    committees.deactivate_member(member)
    db.session.commit()
    return _done(council, _("%(name)s is now listed as a former member.", name=member.name))


@bp.post("/councils/<slug>/committee/<int:member_id>/reinstate")
@host_admin_required
def reinstate_committee_member(slug: str, member_id: int):
    council, member = _button_action(slug, member_id)
    try:
        committees.reinstate_member(member)
    except committees.ValidationError as error:
        db.session.rollback()
        if wants_fragment():
            # htmx swaps only successful responses: the message comes back as a 200.
            return _section(council, error=error.message)
        flash(error.message, "error")
        return redirect(_back(council), 303)
    db.session.commit()
    return _done(council, _("%(name)s is a member of the committee again.", name=member.name))


@bp.post("/councils/<slug>/committee/<int:member_id>/move")
@host_admin_required
def move_committee_member(slug: str, member_id: int):
    council, member = _button_action(slug, member_id)
    direction = request.form.get("direction", "")
    if direction not in ("up", "down"):
        abort(400)
    committees.move_member(member, direction)
    db.session.commit()
    return _done(council, _("Order of the committee saved."))


@bp.post("/councils/<slug>/committee/heard-by")
@host_admin_required
def set_hearing_council(slug: str):
    council = _council_or_404(slug)
    form = hearing_council_form(council, formdata=request.form)
    if form.validate_on_submit():
        try:
            committees.set_hearing_council(council, form.committee_council_id.data)
        except committees.ValidationError as error:
            db.session.rollback()
            _apply_validation_error(form, error)
        else:
            db.session.commit()
            return _done(council, _("Saved who hears complaints about this council's members."))
    if wants_fragment():
        return _section(council, heard_by_form=form)
    return council_page(council, status=400, heard_by_form=form)
