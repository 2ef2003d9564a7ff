"""Forms for staff sign-in and for host administrators."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    EqualTo,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from conduct.procedures import PROCEDURES
from core.formutil import DateInput, RequiredIfSent, WholeNumberField, choices
from core.labels import NATIONS as NATION_LABELS
from tenants.roles import ROLES
from tenants.routes_catalogue import ROUTE_KINDS


class LoginForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter your email address")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"),
        widget=GovPasswordInput(),
        validators=[DataRequired(_l("Enter your password")), Length(max=256)],
    )


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_l(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        ),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter a code")), Length(max=40)],
    )


class EnrolmentForm(FlaskForm):
    code = StringField(
        _l("Code from the app"),
        description=_l("The 6-digit code the app shows for this account, for example 123456."),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter the code the app shows")), Length(max=40)],
    )


class ForgotPasswordForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[
            DataRequired(_l("Enter your email address")),
            Email(_l("Enter an email address in the correct format, like name@example.com")),
            Length(max=254),
        ],
    )


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        widget=GovPasswordInput(),
        description=_l("Use 12 characters or more. A few unrelated words make a strong password."),
        validators=[
            DataRequired(_l("Enter a new password")),
            Length(min=12, max=256, message=_l("Password must be between 12 and 256 characters")),
        ],
    )
    confirm = PasswordField(
        _l("Confirm new password"),
        widget=GovPasswordInput(),
        validators=[
            DataRequired(_l("Enter the new password again")),
            EqualTo("password", _l("The passwords do not match")),
        ],
    )


_SLUG = Regexp(
    r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
    message=_l("Use lower-case letters, numbers and hyphens only, like ashby-marsh"),
)


class CouncilForm(FlaskForm):
    name = StringField(
        _l("Council name"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter the council's name")), Length(max=200)],
    )
    name_cy = StringField(
        _l("Council name in Welsh (optional)"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )
    slug = StringField(
        _l("Web address"),
        description=_l("The part after the service's address, like ashby-marsh"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter the web address")), Length(max=63), _SLUG],
    )
    nation = SelectField(
        _l("Nation"),
        description=_l("Sets the bank holidays used to count working days"),
        choices=choices(NATION_LABELS.items()),
        widget=GovSelect(),
        validators=[DataRequired(_l("Choose the nation"))],
    )
    procedures = SelectMultipleField(
        _l("Procedures this council uses"),
        choices=choices((k, p.title) for k, p in PROCEDURES.items()),
        widget=GovCheckboxesInput(),
        validators=[DataRequired(_l("Choose at least one procedure"))],
    )
    reminder_days_before = IntegerField(
        _l("Working days before a deadline to send the first reminder"),
        widget=GovTextInput(),
        default=2,
        validators=[
            Optional(),
            NumberRange(min=1, max=20, message=_l("Enter a number from 1 to 20")),
        ],
    )
    retention_years = WholeNumberField(
        _l("Years closed cases are kept"),
        description=_l(
            "From the council's records retention policy: a case is deleted this many whole "
            "years after it was closed, unless it is on legal hold. Usually 6."
        ),
        widget=GovTextInput(),
        default=6,
        invalid_message=_l("Enter the number of years as a whole number, like 6"),
        validators=[
            RequiredIfSent(_l("Enter how many years closed cases are kept")),
            NumberRange(min=1, max=50, message=_l("Enter a number of years from 1 to 50")),
        ],
    )
    brand_colour = StringField(
        _l("Brand colour"),
        description=_l("A hex colour for the header, like #1d70b8"),
        widget=GovTextInput(),
        validators=[
            DataRequired(_l("Enter a colour")),
            Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Enter a colour like #1d70b8")),
        ],
    )


class ContactRouteForm(FlaskForm):
    kind = SelectField(
        _l("Type of route"),
        choices=choices(ROUTE_KINDS.items()),
        widget=GovSelect(),
        validators=[DataRequired(_l("Choose the type of route"))],
    )
    name = StringField(
        _l("Name"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter a name for this route")), Length(max=200)],
    )
    name_cy = StringField(
        _l("Name in Welsh (optional)"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )
    purpose = TextAreaField(
        _l("What this route is for"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000)],
    )
    purpose_cy = TextAreaField(
        _l("What this route is for, in Welsh (optional)"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000)],
    )
    email = StringField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Email(_l("Enter an email address in the correct format, like name@example.com")),
            Length(max=254),
        ],
    )
    phone = StringField(
        _l("Phone number"), widget=GovTextInput(), validators=[Optional(), Length(max=40)]
    )
    address = TextAreaField(
        _l("Postal address"), widget=GovTextArea(), validators=[Optional(), Length(max=1000)]
    )
    hours = StringField(
        _l("Opening hours"), widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    web_link = StringField(
        _l("Web link"),
        widget=GovTextInput(),
        validators=[
            Optional(),
            URL(require_tld=False, message=_l("Enter a full web address starting with https://")),
            Length(max=500),
        ],
    )


class UserForm(FlaskForm):
    full_name = StringField(
        _l("Full name"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter the person's name")), Length(max=200)],
    )
    email = StringField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[
            DataRequired(_l("Enter an email address")),
            Email(_l("Enter an email address in the correct format, like name@example.com")),
            Length(max=254),
        ],
    )
    host_admin = BooleanField(
        _l("Host administrator (manages councils and accounts; cannot read cases)"),
        widget=GovCheckboxInput(),
    )


class RoleGrantForm(FlaskForm):
    council_id = SelectField(
        _l("Council"),
        coerce=int,
        widget=GovSelect(),
        validators=[DataRequired(_l("Choose a council"))],
    )
    role = SelectField(
        _l("Role"),
        choices=choices(ROLES.items()),
        widget=GovSelect(),
        validators=[DataRequired(_l("Choose a role"))],
    )


class CSRFOnlyForm(FlaskForm):
    """For buttons that change something (sign out, remove a row)."""


class ClosureDayForm(FlaskForm):
    day = DateField(
        _l("Date the office is closed"),
        description=_l("For example, 29 12 2026"),
        format="%d %m %Y",
        widget=DateInput(),
        validators=[DataRequired(_l("Enter the date as day, month and year"))],
    )
    reason = StringField(
        _l("Reason (optional)"),
        description=_l("For example, closed between Christmas and New Year"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )


class AccountForm(FlaskForm):
    reminder_mode = RadioField(
        _l("How do you want deadline reminders?"),
        choices=choices(
            [
                ("each", _l("An email for each reminder (before, on the day, overdue)")),
                ("digest", _l("One email each working morning listing what is due and overdue")),
            ]
        ),
        widget=GovRadioInput(),
        validators=[DataRequired(_l("Choose how you want reminders"))],
    )
