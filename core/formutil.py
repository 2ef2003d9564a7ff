"""Small helpers for WTForms."""

from __future__ import annotations

from collections.abc import Iterable

from babel.support import Translations
from flask import Flask, request
from flask_babel import get_locale, get_translations, lazy_ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import IntegerField, SelectChoice
from wtforms.i18n import messages_path
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


def lowered(text: object) -> LazyString:
    """A translatable label in lower case, made when shown (for "Enter %(what)s")."""
    return LazyString(lambda: str(text).lower())


# WTForms' own messages that these forms can show (a validator or field given no
# message of ours), listed so that they are in this app's catalogue and translated
# with it. Never shown from here: WTForms looks them up by their English text.
WTFORMS_MESSAGES = (
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        0,
    ),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("This field is required."),
    _l("Invalid email address."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        0,
    ),
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
)


class _CatalogueTranslations:
    """WTForms' messages from this app's catalogue, else from WTForms' own."""

    def ugettext(self, string: str) -> str:
        found = get_translations().gettext(string)
        return found if found != string else self._wtforms().gettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        found = get_translations().ngettext(singular, plural, n)
        if found not in (singular, plural):
            return found
        return self._wtforms().ngettext(singular, plural, n)

    @staticmethod
    def _wtforms() -> Translations:
        return Translations.load(messages_path(), [get_locale()], domain="wtforms")


def register(app: Flask) -> None:
    """Give Flask-WTF this app's catalogue for WTForms' messages.

    Flask-WTF reads WTForms' catalogue once per request into
    `request.wtforms_translations` (flask_wtf/i18n.py); putting ours there first
    makes a too-long field's message Welsh in this app's words.
    """

    @app.before_request
    def _wtforms_translations() -> None:
        request.wtforms_translations = _CatalogueTranslations()
