"""The conduct complaint form, worded as the seed 003 form ("Appendix 3")."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    MultipleFileField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, StopValidation

from core.formutil import choices

MAX_MEMBERS = 10
NAME_MAX = 100


def _too_long(what: object, n: int) -> object:
    return _l("%(what)s must be %(n)d characters or fewer", what=what, n=n)


class SkippedIfAnonymous:
    """First check of a field about the complainant: none apply to an anonymous complaint.

    seed 003 Rule 9 §2.1.7: a complaint may be made without a name or contact
    details; what was typed in those fields is then not used (complaints.submit).
    """

    def __call__(self, form, field) -> None:
        if form.anonymous.data:
            field.errors[:] = []
            raise StopValidation()


ANON = SkippedIfAnonymous()


class MemberForm(Form):
    """One member complained about: title, first name, last name, authority."""

    title = StringField(
        _l("Title"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=50, message=_too_long(_l("Title"), 50))],
    )
    first_name = StringField(
        _l("First name"),
        widget=GovTextInput(),
        validators=[
            DataRequired(_l("Enter the first name of the member you are complaining about")),
            Length(max=NAME_MAX, message=_too_long(_l("First name"), NAME_MAX)),
        ],
    )
    last_name = StringField(
        _l("Last name"),
        widget=GovTextInput(),
        validators=[
            DataRequired(_l("Enter the last name of the member you are complaining about")),
            Length(max=NAME_MAX, message=_too_long(_l("Last name"), NAME_MAX)),
        ],
    )
    authority = StringField(
        _l("Authority"),
        description=_l("The council they are a member of"),
        widget=GovTextInput(),
        validators=[
            DataRequired(_l("Enter the name of the member's authority")),
            Length(max=200, message=_too_long(_l("Authority"), 200)),
        ],
    )


class ComplaintForm(FlaskForm):
    # 1. Background information
    anonymous = BooleanField(
        _l("I want to complain anonymously"),
        description=_l("If you do, you do not need to give your name or contact details."),
        widget=GovCheckboxInput(),
    )
    title = StringField(
        _l("Title"),
        widget=GovTextInput(),
        validators=[ANON, Optional(), Length(max=50, message=_too_long(_l("Title"), 50))],
    )
    first_name = StringField(
        _l("First Name"),
        widget=GovTextInput(),
        validators=[
            ANON,
            DataRequired(_l("Enter your first name")),
            Length(max=NAME_MAX, message=_too_long(_l("First name"), NAME_MAX)),
        ],
    )
    last_name = StringField(
        _l("Last Name"),
        widget=GovTextInput(),
        validators=[
            ANON,
            DataRequired(_l("Enter your last name")),
            Length(max=NAME_MAX, message=_too_long(_l("Last name"), NAME_MAX)),
        ],
    )
    address = TextAreaField(
        _l("Address"),
        widget=GovTextArea(),
        validators=[ANON, Optional(), Length(max=1000, message=_too_long(_l("Address"), 1000))],
    )
    phone = StringField(
        _l("Contact Number"),
        widget=GovTextInput(),
        validators=[ANON, Optional(), Length(max=40, message=_too_long(_l("Contact number"), 40))],
    )
    email = StringField(
        _l("Email Address"),
        widget=GovTextInput(),
        validators=[
            ANON,
            Optional(),
            Length(max=254, message=_too_long(_l("Email address"), 254)),
            Email(_l("Enter an email address in the correct format, like name@example.com")),
        ],
    )
    preferred_contact = RadioField(
        _l("Preferred form of contact"),
        choices=choices([("email", _l("Email")), ("post", _l("Post")), ("phone", _l("Telephone"))]),
        widget=GovRadioInput(),
        validators=[ANON, DataRequired(_l("Select how you would prefer us to contact you"))],
    )

    # 2. Your complaint
    members = FieldList(FormField(MemberForm), min_entries=1, max_entries=MAX_MEMBERS)
    details = TextAreaField(
        _l(
            "Please explain what the Member has done which you believe falls below the "
            "standards expected of them"
        ),
        widget=GovTextArea(),
        validators=[
            DataRequired(_l("Explain what the member has done")),
            Length(max=50000, message=_too_long(_l("Your complaint"), 50000)),
        ],
    )
    obligations = TextAreaField(
        _l("Which of the General Obligations in the Code of Conduct have been breached?"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=10000, message=_too_long(_l("This answer"), 10000))],
    )
    incident_dates = TextAreaField(
        _l("Dates of the alleged incidents"),
        description=_l("If you cannot provide exact dates, give a general timeframe."),
        widget=GovTextArea(),
        validators=[
            DataRequired(_l("Enter the dates of the incidents, or a general timeframe")),
            Length(max=2000, message=_too_long(_l("Dates"), 2000)),
        ],
    )
    witnesses = TextAreaField(
        _l("Witnesses to the alleged conduct"),
        description=_l("Their names and contact details if possible, or leave blank if none."),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=10000, message=_too_long(_l("Witnesses"), 10000))],
    )
    outcome_sought = TextAreaField(
        _l("The outcome you are seeking"),
        widget=GovTextArea(),
        validators=[
            DataRequired(_l("Enter the outcome you are seeking")),
            Length(max=10000, message=_too_long(_l("Outcome"), 10000)),
        ],
    )
    evidence = MultipleFileField(_l("Supporting evidence (optional)"))

    # 3. Confidentiality
    confidentiality = RadioField(
        _l("Are you requesting that your identity is kept confidential?"),
        choices=choices([("yes", _l("Yes")), ("no", _l("No"))]),
        widget=GovRadioInput(),
        validators=[
            ANON,
            DataRequired(_l("Select yes if you want your identity kept confidential")),
        ],
    )
    confidentiality_reasons = TextAreaField(
        _l(
            "Please provide us with details of why you believe we should withhold your name "
            "and/or the details of your complaint"
        ),
        widget=GovTextArea(),
        validators=[ANON, Optional(), Length(max=10000, message=_too_long(_l("Reasons"), 10000))],
    )

    # 4. Additional help
    help_needed = TextAreaField(
        _l("If you need any support in completing this form, please let us know"),
        description=_l(
            "We can make reasonable adjustments if you have a disability that prevents you "
            "from making your complaint in writing, and help if English is not your first "
            "language."
        ),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000, message=_too_long(_l("Help needed"), 5000))],
    )

    # 5. Declaration
    declaration = BooleanField(
        _l(
            "I confirm that the contents of this Form are true to the best of my knowledge and "
            "belief and that I have read and understood the Guidance: Submitting a Complaint."
        ),
        widget=GovCheckboxInput(),
        validators=[DataRequired(_l("You must confirm the declaration to submit your complaint"))],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.anonymous.data:
            return valid  # no contact details, nothing to keep confidential
        preferred = self.preferred_contact.data
        if preferred == "email" and not (self.email.data or "").strip():
            self.email.errors = [*self.email.errors, _l("Enter your email address")]
            valid = False
        if preferred == "post" and not (self.address.data or "").strip():
            self.address.errors = [*self.address.errors, _l("Enter your address")]
            valid = False
        if preferred == "phone" and not (self.phone.data or "").strip():
            self.phone.errors = [*self.phone.errors, _l("Enter your contact number")]
            valid = False
        # The acknowledgement is in writing (seed 003 §2.1.4): a telephone preference
        # still needs an email address or a postal address.
        no_written_contact = (
            not (self.email.data or "").strip() and not (self.address.data or "").strip()
        )
        if preferred == "phone" and no_written_contact:
            self.address.errors = [
                *self.address.errors,
                _l("Enter your address or email address so we can reply to you in writing"),
            ]
            valid = False
        if (
            self.confidentiality.data == "yes"
            and not (self.confidentiality_reasons.data or "").strip()
        ):
            self.confidentiality_reasons.errors = [
                *self.confidentiality_reasons.errors,
                _l("Explain why you believe we should withhold your name"),
            ]
            valid = False
        return valid
