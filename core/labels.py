"""Human labels for stored codes, shared by templates (registered as Jinja globals)."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_date, format_datetime, format_number
from flask_babel import lazy_gettext as _l

from conduct.procedures import PROCEDURES
from tenants.roles import role_label
from tenants.routes_catalogue import route_kind_label

CHANNELS = {
    "online": _l("Online form"),
    "post": _l("Post"),
    "email": _l("Email"),
    "phone": _l("Telephone"),
    "in-person": _l("In person"),
}
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


PARTIES = {
    "complainant": _l("Complainant"),
    "subject": _l("Councillor complained about"),
    "system": _l("System"),
}


def owner_label(key: str) -> str:
    return str(PARTIES[key]) if key in PARTIES else role_label(key)


def stage_name(procedure, key: str) -> str:
    try:
        return str(procedure.stage(key).label)
    except KeyError:
        return key


# A case's timeline has its own words, made once per page: conduct/timeline.py.


def next_deadline(case):
    """The case's open deadline that falls first (for lists)."""
    open_rows = [d for d in case.deadlines if d.status == "open"]
    return min(open_rows, key=lambda d: d.due_on) if open_rows else None


def _lookup(table: dict):
    return lambda key: str(table.get(key, key))


def register(app: Flask) -> None:
    from conduct.statistics.charts import shown as shown_figure  # it imports this module

    app.jinja_env.globals.update(
        format_date=format_date,
        format_datetime=format_datetime,
        format_number=format_number,
        channel_label=_lookup(CHANNELS),
        language_label=_lookup(LANGUAGES),
        contact_label=_lookup(CONTACT),
        outbox_status_label=_lookup(OUTBOX),
        nation_label=_lookup(NATIONS),
        procedure_title=lambda key: str(PROCEDURES[key].title) if key in PROCEDURES else key,
        role_label=role_label,
        owner_label=owner_label,
        # templates/statistics/_figures.html, on the staff and the public pages: a global,
        # so its macros need no context and the public figures can be rendered alone.
        statistics_figure=shown_figure,
        stage_name=stage_name,
        procedure_for=PROCEDURES.get,
        next_deadline=next_deadline,
        route_kind_label=route_kind_label,
    )
