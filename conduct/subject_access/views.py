"""Staff pages: /cases/subject-access lists what is held about a person, then exports it.

Plain POST forms, so the person's email address or name is never in a URL
(and so in no server log or browser history). Only a Monitoring Officer or
Deputy answers subject access requests, for the councils they serve; each
export is recorded in the timeline of every case it includes.
"""

from __future__ import annotations

from flask import abort, g, send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField
from wtforms.validators import Email, Length, Optional

from conduct import access_log, engine
from conduct.staff import bp
from conduct.subject_access import search
from conduct.subject_access.export import write_zip
from core.db import db
from core.i18n import as_recorded
from core.rendering import render

ROLE_LABELS = {
    search.COMPLAINANT: _l("Complainant"),
    search.SUBJECT: _l("Councillor complained about"),
    search.WITNESS: _l("Witness at a hearing"),
    search.ATTENDEE: _l("Told of a hearing (for example a representative)"),
    search.NAMED_WITNESS: _l("Named as a witness in the complaint"),
    search.RECIPIENT: _l("Sent emails or links about the case"),
}


class SubjectAccessForm(FlaskForm):
    email = StringField(
        _l("Their email address"),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=254),
            Email(_l("Enter an email address in the correct format, like name@example.com")),
        ],
    )
    name = StringField(
        _l("Their full name"),
        description=_l("First and last name, as they would appear on a complaint form."),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        email, name = (self.email.data or "").strip(), (self.name.data or "").strip()
        if not email and not name:
            self.email.errors = [
                *self.email.errors,
                _l("Enter the person's email address or full name"),
            ]
            return False
        if name and len(name.split()) < 2:
            self.name.errors = [*self.name.errors, _l("Enter their first and last name")]
            return False
        return valid


@bp.app_template_global("answers_subject_access")
def _answers_subject_access() -> bool:
    """For the staff navigation: whether the user answers subject access requests."""
    return bool(current_user.is_authenticated and search.officer_councils(current_user))


def _officer_only() -> None:
    if not search.officer_councils(current_user):
        abort(403)


def _found(form: SubjectAccessForm) -> tuple[search.Person, list[search.Appearance]]:
    person = search.Person.of(form.email.data, form.name.data)
    return person, search.find(person, current_user, g.readable)


@bp.route("/subject-access", methods=["GET", "POST"])
def subject_access():
    _officer_only()
    form = SubjectAccessForm()
    found = None
    if form.validate_on_submit():
        _person, found = _found(form)
    return render(
        "staff/subject_access.html",
        status=400 if form.errors else 200,
        form=form,
        found=found,
        role_labels=ROLE_LABELS,
    )


@bp.post("/subject-access/export")
def subject_access_export():
    _officer_only()
    form = SubjectAccessForm()
    if not form.validate_on_submit():
        return render(
            "staff/subject_access.html", status=400, form=form, found=None, role_labels=ROLE_LABELS
        )
    person, found = _found(form)
    if not found:
        return render("staff/subject_access.html", form=form, found=[], role_labels=ROLE_LABELS)
    archive = write_zip(found, person, current_user)
    for appearance in found:
        engine.system_event(
            appearance.case,
            current_user,
            _l("Included in a subject access export"),
            action="subject-access-export",
            actor_role=search.officer_role(current_user, appearance.case.council_id),
        )
        access_log.record(
            appearance.case, access_log.EXPORT, as_recorded(_l("Subject access export"))
        )
    db.session.commit()
    response = send_file(
        archive,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"subject-access-{engine.today().isoformat()}.zip",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
