"""WTForms forms built from a procedure action's declared inputs."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DateField,
    FileField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from conduct.procedures.model import Action, Input
from core.formutil import DateInput, choices, lowered


def _user_id(value: object) -> int | None:
    return int(value) if value not in ("", None) else None


def _validators(spec: Input) -> list:
    if not spec.required:
        return [Optional()]
    # Lazy to the end: the form class is cached, the message is made in each request's language.
    message = _l("Enter %(what)s", what=lowered(spec.label))
    if spec.kind in ("choice", "user"):
        message = _l("Select %(what)s", what=lowered(spec.label))
    if spec.kind == "number":
        return [InputRequired(message)]
    return [DataRequired(message)]


def _field(spec: Input):
    validators = _validators(spec)
    common = {"label": spec.label, "description": spec.hint or "", "validators": validators}
    if spec.kind == "text":
        common["validators"] = [*validators, Length(max=500)]
        return StringField(widget=GovTextInput(), **common)
    if spec.kind == "email":
        common["validators"] = [
            *validators,
            Email(_l("Enter an email address in the correct format, like name@example.com")),
            Length(max=254),
        ]
        return StringField(widget=GovTextInput(), **common)
    if spec.kind == "textarea":
        common["validators"] = [*validators, Length(max=20000)]
        return TextAreaField(widget=GovTextArea(), **common)
    if spec.kind == "date":
        return DateField(
            format="%d %m %Y",
            widget=DateInput(),
            **{**common, "description": spec.hint or _l("For example, 27 3 2026")},
        )
    if spec.kind == "number":
        return IntegerField(
            widget=GovTextInput(),
            **{
                **common,
                "validators": [
                    *validators,
                    NumberRange(min=spec.minimum, max=spec.maximum),
                ],
            },
        )
    if spec.kind == "choice":
        return RadioField(
            choices=choices((c.value, c.label) for c in spec.choices),
            widget=GovRadioInput(),
            **common,
        )
    if spec.kind == "checklist":
        return SelectMultipleField(
            choices=choices((c.value, c.label) for c in spec.choices),
            widget=GovCheckboxesInput(),
            **common,
        )
    if spec.kind == "file":
        return FileField(widget=GovFileInput(), **common)
    if spec.kind == "user":
        return SelectField(coerce=_user_id, widget=GovSelect(), validate_choice=True, **common)
    raise ValueError(spec.kind)  # pragma: no cover - refused at start-up


@lru_cache(maxsize=256)
def form_class_for(action: Action) -> type[FlaskForm]:
    """The form class of an action's inputs (pages may extend it with fields of their own)."""
    attributes = {spec.name: _field(spec) for spec in action.inputs}
    return type(f"ActionForm_{action.key.replace('-', '_')}", (FlaskForm,), attributes)


def form_for(action: Action, people: dict[str, list] | None = None) -> FlaskForm:
    """A form for the action; `people` gives the choices of its "user" inputs."""
    form = form_class_for(action)()
    for spec in action.inputs:
        if spec.kind == "user":
            options = [(u.id, u.full_name or u.email) for u in (people or {}).get(spec.name, [])]
            getattr(form, spec.name).choices = choices([("", _("Choose a person")), *options])
    return form
