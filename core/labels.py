"""Human labels for stored codes, shared by templates (registered as Jinja globals)."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_date, format_datetime, format_number
from flask_babel import lazy_gettext as _l

from conduct.procedures import PROCEDURES
from tenants.roles import role_label
from tenants.routes_catalogue import route_kind_label

STAGES = {"received": _l("Received")}
CHANNELS = {"online": _l("Online form"), "post": _l("Post"), "email": _l("Email")}
LANGUAGES = {"en": "English", "cy": "Cymraeg"}
CONTACT = {"email": _l("Email"), "post": _l("Post"), "phone": _l("Telephone")}
NATIONS = {
    "england": _l("England"),
    "wales": _l("Wales"),
    "scotland": _l("Scotland"),
    "northern-ireland": _l("Northern Ireland"),
}
OUTBOX = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
}


def _lookup(table: dict):
    return lambda key: str(table.get(key, key))


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        format_date=format_date,
        format_datetime=format_datetime,
        format_number=format_number,
        stage_label=_lookup(STAGES),
        channel_label=_lookup(CHANNELS),
        language_label=_lookup(LANGUAGES),
        contact_label=_lookup(CONTACT),
        outbox_status_label=_lookup(OUTBOX),
        nation_label=_lookup(NATIONS),
        procedure_title=lambda key: str(PROCEDURES[key].title) if key in PROCEDURES else key,
        role_label=role_label,
        route_kind_label=route_kind_label,
    )
