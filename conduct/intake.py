"""Recording a complaint that arrived by post, email, phone or in person.

Deadlines run from the real date of receipt. The procedure's intake checks
(e.g. events over 6 months old, seed 003 §2.2.4; over one month, seed 002
§4.4(i)) are shown as warnings the officer must acknowledge first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from conduct import engine
from conduct.calendar import add_months
from conduct.models import Case, CaseSubject
from conduct.procedures import PROCEDURES
from conduct.procedures.model import IntakeCheck, Procedure
from conduct.references import next_reference
from conduct.staff import bp
from core.db import db, utcnow
from core.formutil import DateInput, choices
from core.rendering import render
from tenants.models import Council
from tenants.roles import INTAKE_ROLES

CHANNELS = (
    ("post", _l("Post")),
    ("email", _l("Email")),
    ("phone", _l("Telephone")),
    ("in-person", _l("In person")),
)


def _not_in_future(_form: FlaskForm, field) -> None:
    if field.data and field.data > engine.today():
        raise ValidationError(_l("The date cannot be in the future"))


class IntakeForm(FlaskForm):
    council = SelectField(
        _l("Council"),
        coerce=str,
        widget=GovSelect(),
        validators=[DataRequired(_l("Choose the council"))],
    )
    kind = SelectField(
        _l("Type of case"),
        widget=GovSelect(),
        validators=[DataRequired(_l("Choose the type of case"))],
    )
    channel = RadioField(
        _l("How was it received?"),
        choices=choices(CHANNELS),
        widget=GovRadioInput(),
        validators=[DataRequired(_l("Select how it was received"))],
    )
    received_on = DateField(
        _l("Date of receipt"),
        description=_l("The day it arrived; deadlines run from this date. For example, 27 3 2026"),
        format="%d %m %Y",
        widget=DateInput(),
        validators=[
            DataRequired(_l("Enter the date of receipt as day, month and year")),
            _not_in_future,
        ],
    )
    first_name = StringField(
        _l("Complainant's first name"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter the complainant's first name")), Length(max=100)],
    )
    last_name = StringField(
        _l("Complainant's last name"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter the complainant's last name")), Length(max=100)],
    )
    email = StringField(
        _l("Complainant's email address (optional)"),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Email(_l("Enter an email address in the correct format, like name@example.com")),
            Length(max=254),
        ],
    )
    address = TextAreaField(
        _l("Complainant's postal address (optional)"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=1000)],
    )
    subject_first_name = StringField(
        _l("First name of the person complained about"),
        widget=GovTextInput(),
        validators=[
            DataRequired(_l("Enter the first name of the person complained about")),
            Length(max=100),
        ],
    )
    subject_last_name = StringField(
        _l("Last name of the person complained about"),
        widget=GovTextInput(),
        validators=[
            DataRequired(_l("Enter the last name of the person complained about")),
            Length(max=100),
        ],
    )
    details = TextAreaField(
        _l("Summary of the complaint"),
        widget=GovTextArea(),
        validators=[DataRequired(_l("Enter a summary of the complaint")), Length(max=50000)],
    )
    events_on = DateField(
        _l("When did the events happen? (optional)"),
        description=_l("The most recent event, if known. For example, 27 3 2026"),
        format="%d %m %Y",
        widget=DateInput(),
        validators=[Optional(), _not_in_future],
    )
    confidentiality = BooleanField(
        _l("The complainant asks for their identity to be kept confidential"),
        widget=GovCheckboxInput(),
    )
    subject_not_councillor = BooleanField(
        _l("The person complained about is no longer a councillor"), widget=GovCheckboxInput()
    )
    repeat = BooleanField(
        _l("It repeats conduct already dealt with under the protocol or by the Ombudsman"),
        widget=GovCheckboxInput(),
    )
    acknowledge = BooleanField(
        _l("I have read the warnings and want to record this complaint"),
        widget=GovCheckboxInput(),
    )


@dataclass(frozen=True)
class Warning:
    key: str
    message: str
    seed: str


def intake_warnings(
    procedure: Procedure, received_on: date, events_on: date | None, flags: dict[str, bool]
) -> list[Warning]:
    """The procedure's intake checks that apply to this complaint."""
    found = []
    for check in procedure.intake_checks:
        if _applies(check, received_on, events_on, flags):
            found.append(Warning(check.key, str(check.message), check.seed))
    return found


def _applies(
    check: IntakeCheck, received_on: date, events_on: date | None, flags: dict[str, bool]
) -> bool:
    if check.older_than_months is not None:
        return (
            events_on is not None and add_months(events_on, check.older_than_months) < received_on
        )
    return bool(check.flag and flags.get(check.flag))


def _councils() -> list[Council]:
    ids = current_user.council_ids_with(INTAKE_ROLES)
    if not ids:
        return []
    # With the procedures each enables, which the form lists: otherwise a query per council.
    return list(
        db.session.scalars(
            db.select(Council)
            .where(Council.id.in_(ids))
            .options(selectinload(Council.procedures))
            .order_by(Council.name)
        )
    )


def _kinds(councils: list[Council]) -> list[tuple[str, str]]:
    keys = sorted({k for c in councils for k in c.procedure_keys if k in PROCEDURES})
    found = []
    for key in keys:
        procedure = PROCEDURES[key]
        for point in procedure.entry_points or (procedure.entry(),):
            label = str(procedure.title)
            if len(procedure.entry_points) > 1:
                label = f"{procedure.title}: {point.label}"
            found.append((f"{key}:{point.key}", label))
    return found


@bp.route("/new", methods=["GET", "POST"])
def record_complaint():
    councils = _councils()
    if not councils:
        abort(403)
    form = IntakeForm()
    form.council.choices = choices(
        [("", _("Choose a council")), *((c.slug, c.display_name) for c in councils)]
    )
    form.kind.choices = choices([("", _("Choose the type of case")), *_kinds(councils)])
    warnings: list[Warning] = []
    if request.method == "POST" and form.validate_on_submit():
        council = next(c for c in councils if c.slug == form.council.data)
        procedure_key, _sep, entry = form.kind.data.partition(":")
        procedure = PROCEDURES.get(procedure_key)
        entries = {e.key for e in procedure.entry_points} if procedure else set()
        if (
            procedure is None
            or not council.enables(procedure_key)
            or (entries and entry not in entries)
        ):
            form.kind.errors = [
                _("%(council)s does not use this procedure", council=council.display_name)
            ]
        else:
            flags = {
                "subject_not_councillor": form.subject_not_councillor.data,
                "repeat": form.repeat.data,
            }
            warnings = intake_warnings(procedure, form.received_on.data, form.events_on.data, flags)
            if warnings and not form.acknowledge.data:
                form.acknowledge.errors = [_("Confirm that you have read the warnings")]
            else:
                case = record(council, procedure, entry, form, [w.key for w in warnings])
                db.session.commit()
                flash(_("Recorded as %(reference)s.", reference=case.reference), "success")
                # A clerk may record a complaint that only the Monitoring Officer reads:
                # back to the list rather than to a case page they would get a 404 for.
                if db.session.scalar(select(Case.id).where(Case.id == case.id, g.readable)):
                    return redirect(url_for("staff.case", case_id=case.id), 303)
                return redirect(url_for("staff.cases"), 303)
    status = 400 if form.errors else 200
    return render("staff/intake.html", status=status, form=form, warnings=warnings)


@dataclass(frozen=True)
class NewCase:
    """What is known of a complaint when it is recorded by staff."""

    received_on: date
    channel: str
    first_name: str
    last_name: str
    subject_first_name: str
    subject_last_name: str
    details: str
    email: str = ""
    address: str = ""
    events_on: date | None = None
    confidentiality: bool = False


def record(
    council: Council, procedure: Procedure, entry: str, form: IntakeForm, warnings: list[str]
) -> Case:
    return create_case(
        council,
        procedure,
        entry,
        NewCase(
            received_on=form.received_on.data,
            channel=form.channel.data,
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            subject_first_name=form.subject_first_name.data,
            subject_last_name=form.subject_last_name.data,
            details=form.details.data,
            email=form.email.data or "",
            address=form.address.data or "",
            events_on=form.events_on.data,
            confidentiality=bool(form.confidentiality.data),
        ),
        warnings,
        actor=current_user,
    )


def create_case(
    council: Council,
    procedure: Procedure,
    entry: str | None,
    new: NewCase,
    warnings: list[str] = (),  # type: ignore[assignment]
    *,
    actor=None,
) -> Case:
    """A case recorded by staff, started at its entry stage with deadlines from receipt."""
    case = Case(
        council_id=council.id,
        reference=next_reference(council, new.received_on),
        procedure_key=procedure.key,
        received_at=utcnow(),
        received_on=new.received_on,
        channel=new.channel,
        language="en",
        complainant_first_name=new.first_name.strip(),
        complainant_last_name=new.last_name.strip(),
        complainant_email=new.email.strip(),
        complainant_address=new.address.strip(),
        preferred_contact="email" if new.email else "post",
        details=new.details.strip(),
        confidentiality_requested=new.confidentiality,
        events_on=new.events_on,
        intake_warnings=list(warnings),
    )
    case.subjects = [
        CaseSubject(
            council_id=council.id,
            first_name=new.subject_first_name.strip(),
            last_name=new.subject_last_name.strip(),
            authority=council.name,
        )
    ]
    db.session.add(case)
    db.session.flush()
    engine.start(
        case,
        council,
        actor=actor,
        entry=entry or None,
        data={"warnings_acknowledged": list(warnings)} if warnings else None,
    )
    return case
