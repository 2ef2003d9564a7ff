"""Forms for a council's conduct committee on its administration page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextInput
from sqlalchemy import select
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from core.db import db
from core.formutil import choices
from tenants.committee_services import MemberDetails, councils_heard_by, members_of
from tenants.committees import CHAIR, CO_OPTED, INDEPENDENT, MEMBER, VICE_CHAIR
from tenants.models import Council

KIND_LABELS = {
    MEMBER: _l("Elected member (votes)"),
    CO_OPTED: _l("Co-opted town or parish representative (speaks, does not vote)"),
    INDEPENDENT: _l("Independent Person (advises, does not vote)"),
}
OFFICE_LABELS = {"": _l("No office"), CHAIR: _l("Chair"), VICE_CHAIR: _l("Vice-chair")}


class CommitteeMemberForm(FlaskForm):
    name = StringField(
        _l("Name"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter the member's name")), Length(max=200)],
    )
    kind = RadioField(
        _l("Kind of member"),
        choices=choices(KIND_LABELS.items()),
        default=MEMBER,
        widget=GovRadioInput(),
        validators=[DataRequired(_l("Choose the kind of member"))],
    )
    office = RadioField(
        _l("Office"),
        description=_l("Only elected members can be the chair or vice-chair"),
        choices=choices(OFFICE_LABELS.items()),
        default="",
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    political_group = StringField(
        _l("Political group (optional)"),
        description=_l("Leave blank for a member who is not in a group"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100)],
    )
    represents = StringField(
        _l("Town or parish council represented"),
        description=_l("For co-opted members only"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )
    email = StringField(
        _l("Email address for hearing notices (optional)"),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Email(_l("Enter an email address in the correct format, like name@example.com")),
            Length(max=254),
        ],
    )
    account = StringField(
        _l("Linked staff account (optional)"),
        description=_l(
            "The email address of their staff account, which opens the bundles of the "
            "hearings they sit on"
        ),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=254)],
    )

    def details(self) -> MemberDetails:
        return MemberDetails(
            name=self.name.data or "",
            kind=self.kind.data or "",
            office=self.office.data or "",
            political_group=self.political_group.data or "",
            represents=self.represents.data or "",
            email=self.email.data or "",
            account=self.account.data or "",
        )


def _council_id(value: object) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return -1  # no council has it: the service refuses it at the field


class HearingCouncilForm(FlaskForm):
    committee_council_id = SelectField(
        _l("Complaints about this council's members are heard by the conduct committee of"),
        coerce=_council_id,
        # The service says what is wrong with a choice (itself, a chain, unknown).
        validate_choice=False,
        widget=GovSelect(),
        validators=[Optional()],
    )


def hearing_council_form(council: Council, formdata: object = None) -> HearingCouncilForm:
    form = HearingCouncilForm(
        prefix="heard-by",
        formdata=formdata,
        data={"committee_council_id": council.committee_council_id},
    )
    others = db.session.scalars(
        select(Council).where(Council.id != council.id).order_by(Council.name)
    )
    form.committee_council_id.choices = choices(
        [("", _l("This council (its own committee)")), *((c.id, c.name) for c in others)]
    )
    return form


def committee_context(
    council: Council,
    heard_by_form: HearingCouncilForm | None = None,
    message: str | None = None,
    error: str | None = None,
) -> dict:
    """What the council page's committee section shows (whole page and htmx fragment)."""
    return {
        "committee_members": members_of(council),
        "heard_here": councils_heard_by(council),
        "heard_by_form": heard_by_form
        if heard_by_form is not None
        else hearing_council_form(council),
        "committee_message": message,
        "committee_error": error,
        "kind_labels": KIND_LABELS,
        "office_labels": OFFICE_LABELS,
    }
