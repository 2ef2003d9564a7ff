"""Small helpers for WTForms."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import SelectChoice


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
