"""Human labels for stored codes, shared by templates (registered as Jinja globals)."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask, current_app
from flask_babel import format_date, format_datetime, format_number, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

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


# --- the timeline, read in the reader's language ---------------------------------------------
# A case's timeline is recorded in the service's language (core.i18n.record_language).
# What the procedure data can say again in the reader's language is said again; the
# rest is shown as recorded, marked as the language it is in.


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _action_of(procedure, event):
    if procedure is None or not event.action:
        return None
    try:
        return procedure.action(event.action)
    except KeyError:
        return None


def timeline_heading(procedure, event) -> dict:
    """{"text", "lang"}: an action's or an opening's heading in the page's language."""
    action = _action_of(procedure, event)
    if event.kind == "action" and action is not None:
        return {"text": str(action.done or action.label), "lang": None}
    if event.kind == "opened" and event.stage_to and procedure is not None:
        stage = stage_name(procedure, event.stage_to)
        return {"text": _("Case opened: %(stage)s", stage=stage), "lang": None}
    recorded = current_app.config["BABEL_DEFAULT_LOCALE"]
    return {"text": event.summary, "lang": recorded if str(get_locale()) != recorded else None}


def timeline_actor(event) -> str:
    """Who did it: the person (and the role they acted in), or which party, or the system."""
    if event.actor_id is None and event.actor_role in (*PARTIES, ""):
        return owner_label(event.actor_role or "system")
    if event.actor_role and event.actor_role != "system":
        return f"{event.actor_name} ({owner_label(event.actor_role)})"
    return event.actor_name


# What the engine records besides an action's inputs (conduct/engine.py).
RECORDED = {
    "received_on": _l("Date of receipt"),
    "channel": _l("How was it received?"),
    "warnings_acknowledged": _l("Warnings acknowledged"),
    "file": _l("Document"),
}


def input_label(procedure, event, name: str) -> str:
    """The label of an action's input, by the name its value is recorded under."""
    action = _action_of(procedure, event)
    spec = next((i for i in action.inputs if i.name == name), None) if action else None
    if spec is not None:
        return str(spec.label)
    return str(RECORDED.get(name) or name.replace("_", " ").capitalize())


def input_value(procedure, event, name: str, value: object) -> str:
    """A recorded choice by its label, a date in the page's language; the rest as recorded."""
    action = _action_of(procedure, event)
    spec = next((i for i in action.inputs if i.name == name), None) if action else None
    labels = {c.value: str(c.label) for c in spec.choices} if spec is not None else {}
    if name == "channel":
        labels = {k: str(v) for k, v in CHANNELS.items()}
    if isinstance(value, list | tuple):
        return ", ".join(labels.get(v, str(v)) for v in value)
    if not isinstance(value, str):
        return str(value)
    if _ISO_DAY.fullmatch(value):
        day = format_date(date.fromisoformat(value), "d MMMM yyyy")
        return Markup('<time datetime="{}">{}</time>').format(value, day)
    return labels.get(value, value)


def next_deadline(case):
    """The case's open deadline that falls first (for lists)."""
    open_rows = [d for d in case.deadlines if d.status == "open"]
    return min(open_rows, key=lambda d: d.due_on) if open_rows else None


def _lookup(table: dict):
    return lambda key: str(table.get(key, key))


def register(app: Flask) -> None:
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
        stage_name=stage_name,
        procedure_for=PROCEDURES.get,
        next_deadline=next_deadline,
        timeline_heading=timeline_heading,
        timeline_actor=timeline_actor,
        input_label=input_label,
        input_value=input_value,
        route_kind_label=route_kind_label,
    )
