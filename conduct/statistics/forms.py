"""The statistics filter: the period (GOV.UK date inputs) and, for staff, the council."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import DateField, Form, SelectField, ValidationError

from core.formutil import DateInput


class PeriodDateField(DateField):
    """A day, month and year typed in three boxes; empty means "not given".

    WTForms' DateField says only "Not a valid date value"; GOV.UK asks for a
    message that says what is wrong with which date.
    """

    def __init__(self, label, *, incomplete, not_real, **kwargs) -> None:
        super().__init__(label, format="%d %m %Y", widget=DateInput(), **kwargs)
        self.incomplete = incomplete
        self.not_real = not_real

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        parts = [*(v.strip() for v in valuelist), "", "", ""][:3]
        if not any(parts):
            return
        if not all(parts):
            raise ValueError(str(self.incomplete))
        day, month, year = parts
        try:
            if len(year) != 4:
                raise ValueError(year)
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(str(self.not_real)) from None


class StatisticsFilterForm(Form):
    """Plain GET parameters: the page works as a link and without JavaScript."""

    received_from = PeriodDateField(
        _l("Received from"),
        description=_l("Cases received on or after this date. For example, 1 4 2025"),
        incomplete=_l("The start date must include a day, month and year"),
        not_real=_l("The start date must be a real date, like 1 4 2025"),
    )
    received_to = PeriodDateField(
        _l("Received to"),
        description=_l("Cases received on or before this date. For example, 31 3 2026"),
        incomplete=_l("The end date must include a day, month and year"),
        not_real=_l("The end date must be a real date, like 31 3 2026"),
    )
    council = SelectField(_l("Council"), widget=GovSelect(), validate_choice=False)

    def validate_received_to(self, field: PeriodDateField) -> None:
        start = self.received_from.data
        if field.data and start and field.data < start:
            raise ValidationError(
                str(_l("The end date must be the same as or after the start date"))
            )

    def validate_council(self, field: SelectField) -> None:
        allowed = {str(choice.value) for choice in field.iter_choices()}
        if (field.data or "") not in allowed:
            raise ValidationError(str(_l("Choose a council from the list")))
