"""Small helpers for WTForms."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import IntegerField, SelectChoice
from wtforms.validators import StopValidation


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """WTForms 3.3 wants SelectChoice objects; the rest of the code speaks in pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class DateInput(GovDateInput):
    """GOV.UK date input with its Day/Month/Year labels translated."""

    def map_gov_params(self, field, **kwargs):
        if field.raw_data is not None and len(field.raw_data) != 3:
            # A request without all three inputs (not a browser's): show them empty.
            field.raw_data = [*field.raw_data, "", "", ""][:3]
        params = super().map_gov_params(field, **kwargs)
        for item, label in zip(params["items"], (_("Day"), _("Month"), _("Year")), strict=True):
            item["label"] = label
        return params


def optional_int(value: object) -> int | None:
    """Coerce a select's value to an id; the empty "Choose ..." option is None."""
    return int(value) if value not in ("", None) else None


class WholeNumberField(IntegerField):
    """An integer field that says in our words (translated) when the input is not a number.

    Only that message is shown: range checks do not add a second one for the same input.
    """

    def __init__(self, label=None, validators=None, *, invalid_message: object, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist: list) -> None:
        if valuelist and not str(valuelist[0]).strip():
            self.data = None  # left empty: the field's validators say whether that is allowed
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(self.invalid_message)) from error

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()


class RequiredIfSent:
    """Like InputRequired, for a field a form gained later: a post without it keeps the value.

    Browsers always send the input, so an empty one is an error; a request that
    does not name the field at all (a script written before it existed) changes
    nothing, and the view keeps what is stored.
    """

    def __init__(self, message: object) -> None:
        self.message = message

    def __call__(self, _form, field) -> None:
        if not field.raw_data:
            raise StopValidation()
        if not str(field.raw_data[0]).strip():
            raise StopValidation(str(self.message))
