"""Forms of the hearing pages (GOV.UK widgets; errors at the field)."""

from __future__ import annotations

import re
from datetime import time

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from conduct.action_forms import form_class_for
from conduct.hearings.services import SCHEDULE_12A
from conduct.models import Case
from conduct.procedures.model import Action, HearingRules
from core.formutil import DateInput, choices, optional_int

_TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*$")


def parse_time(text: str | None) -> time | None:
    match = _TIME.match(text or "")
    return time(int(match.group(1)), int(match.group(2))) if match else None


def _valid_time(_form, field) -> None:
    if field.data and parse_time(field.data) is None:
        raise ValidationError(_l("Enter a time in the 24-hour clock, like 10:00 or 14:30"))


def _date(label, *, required: bool = True) -> DateField:
    validators = [DataRequired(_l("Enter the date"))] if required else [Optional()]
    return DateField(
        label,
        format="%d %m %Y",
        widget=DateInput(),
        description=_l("For example, 27 3 2027"),
        validators=validators,
    )


def _time(required: bool = True) -> StringField:
    validators = [DataRequired(_l("Enter the time"))] if required else [Optional()]
    return StringField(
        _l("Time"),
        description=_l("24-hour clock, for example 10:00"),
        widget=GovTextInput(),
        validators=[*validators, _valid_time],
    )


def _venue(required: bool = True) -> StringField:
    first = DataRequired(_l("Enter where the hearing is held")) if required else Optional()
    return StringField(
        _l("Venue"),
        description=_l("For example, Council Chamber, Fenmoor Hall"),
        widget=GovTextInput(),
        validators=[first, Length(max=300)],
    )


class ConveneForm(FlaskForm):
    members = SelectMultipleField(
        _l("Voting members of the panel"),
        coerce=int,
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )
    chair = RadioField(
        _l("Who chairs the hearing?"), coerce=int, widget=GovRadioInput(), validate_choice=False
    )
    independent_person = RadioField(
        _l("Independent Person"), coerce=int, widget=GovRadioInput(), validate_choice=False
    )
    co_opted = SelectMultipleField(
        _l("Co-opted representatives invited (non-voting)"),
        coerce=int,
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )
    hearing_date = _date(_l("Hearing date"))
    hearing_time = _time()
    venue = _venue()
    conflicts_note = TextAreaField(
        _l("Why the panel can still hear the case despite a declared conflict of interest"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000)],
    )


class RescheduleForm(FlaskForm):
    hearing_date = _date(_l("New hearing date"))
    hearing_time = _time()
    venue = _venue()
    why = TextAreaField(
        _l("Why the hearing is moving"),
        widget=GovTextArea(),
        validators=[DataRequired(_l("Enter why the hearing is moving")), Length(max=5000)],
    )


class AdjournForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the panel adjourned"),
        widget=GovTextArea(),
        validators=[DataRequired(_l("Enter why the panel adjourned")), Length(max=5000)],
    )
    directions = TextAreaField(
        _l("Directions: what the panel requires, and from whom (optional)"),
        description=_l("No new points may be introduced (seed 003 Rule 9 §3.2.8.4)."),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000)],
    )
    resumes_on = _date(_l("Date it resumes (leave blank if not yet known)"), required=False)
    resumes_time = _time(required=False)
    venue = _venue(required=False)


class AttendeeForm(FlaskForm):
    kind = RadioField(
        _l("Who are they?"),
        choices=choices((("witness", _l("A witness")), ("representative", _l("A representative")))),
        widget=GovRadioInput(),
        validators=[DataRequired(_l("Select whether they are a witness or a representative"))],
    )
    name = StringField(
        _l("Full name"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter their name")), Length(max=200)],
    )
    email = StringField(
        _l("Email address (optional)"),
        description=_l("They are emailed the date, time and place of the hearing."),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Email(_l("Enter an email address in the correct format, like name@example.com")),
            Length(max=254),
        ],
    )
    called_by = RadioField(
        _l("Called by, or representing"),
        choices=choices(
            (
                ("investigator", _l("The Investigating Officer")),
                ("subject", _l("The councillor complained about")),
                ("complainant", _l("The complainant")),
            )
        ),
        widget=GovRadioInput(),
        validators=[DataRequired(_l("Select who calls them or whom they represent"))],
    )


class PapersForm(FlaskForm):
    complaint = TextAreaField(
        _l("The complaint, as published"),
        description=_l(
            "No addresses or contact details. If the complainant's identity is confidential, "
            "nothing that names them."
        ),
        widget=GovTextArea(),
        validators=[DataRequired(_l("Enter the complaint as it is to be published"))],
    )
    response = TextAreaField(
        _l("The councillor's response"), widget=GovTextArea(), validators=[Optional()]
    )
    assessment = TextAreaField(_l("The assessment"), widget=GovTextArea(), validators=[Optional()])
    report = TextAreaField(
        _l("The investigation report"), widget=GovTextArea(), validators=[Optional()]
    )
    files = SelectMultipleField(
        _l("Documents published with the papers"),
        coerce=int,
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )


class PrivateSessionForm(FlaskForm):
    choice = RadioField(
        _l("How is the hearing held?"),
        choices=choices(
            (
                ("public", _l("In public")),
                ("part-private", _l("Partly in private")),
                ("private", _l("In private, with its papers withheld")),
            )
        ),
        widget=GovRadioInput(),
        validators=[DataRequired(_l("Select how the hearing is held"))],
    )
    paragraphs = SelectMultipleField(
        _l("Paragraphs of Schedule 12A relied on"),
        choices=choices(
            (k, LazyString(lambda k=k, v=v: f"{k}. {v}")) for k, v in SCHEDULE_12A.items()
        ),
        widget=GovCheckboxesInput(),
    )
    reason = TextAreaField(
        _l("Reasons"),
        widget=GovTextArea(),
        validators=[DataRequired(_l("Enter the reasons")), Length(max=5000)],
    )


class StepForm(FlaskForm):
    note = TextAreaField(
        _l("Note for the record (optional)"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000)],
    )


class ConflictForm(FlaskForm):
    member = SelectField(
        _l("Committee member"),
        coerce=optional_int,
        widget=GovSelect(),
        validators=[DataRequired(_l("Select the committee member"))],
    )
    raised_by = RadioField(
        _l("Raised by"),
        choices=choices(
            (
                ("complainant", _l("The complainant")),
                ("subject", _l("The councillor complained about")),
            )
        ),
        widget=GovRadioInput(),
        validators=[DataRequired(_l("Select who raised it"))],
    )
    reason = TextAreaField(
        _l("What they said"),
        widget=GovTextArea(),
        validators=[DataRequired(_l("Enter what they said")), Length(max=5000)],
    )


FINDINGS = (("breach", _l("Failed to comply with the Code")), ("no-breach", _l("Not proved")))


def decision_form(case: Case, rules: HearingRules, action: Action) -> FlaskForm:
    """The decision action's own inputs, then a finding on each allegation and the sanctions."""
    attributes: dict = {}
    if rules.findings_per_allegation:
        for allegation in case.allegations:
            attributes[f"finding_{allegation.id}"] = RadioField(
                _l("Finding"),
                choices=choices(FINDINGS),
                widget=GovRadioInput(),
                validators=[DataRequired(_l("Select the panel's finding on this allegation"))],
            )
            attributes[f"reasons_{allegation.id}"] = TextAreaField(
                _l("Reasons"),
                widget=GovTextArea(),
                validators=[DataRequired(_l("Enter the reasons for this finding"))],
            )
    if rules.sanctions:
        attributes["sanctions"] = SelectMultipleField(
            _l("Sanctions (only where the panel finds a failure to comply)"),
            choices=choices((c.value, c.label) for c in rules.sanctions),
            widget=GovCheckboxesInput(),
        )
    attributes["recommendations"] = TextAreaField(
        _l("Recommendations to the council or the Monitoring Officer (optional)"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=10000)],
    )
    attributes["unanimous"] = RadioField(
        _l("Was the decision unanimous?"),
        choices=choices((("yes", _l("Unanimous")), ("no", _l("By a majority")))),
        widget=GovRadioInput(),
        validators=[DataRequired(_l("Select whether the decision was unanimous"))],
    )
    cls = type("HearingDecisionForm", (form_class_for(action),), attributes)
    return cls()
