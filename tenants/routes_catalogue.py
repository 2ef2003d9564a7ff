"""The kinds of contact route a council can publish (SPEC "contact routes")."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROUTE_KINDS: dict[str, object] = {
    "monitoring-officer": _l("Monitoring Officer"),
    "clerk": _l("Clerk to the council"),
    "chair": _l("Chair of the council"),
    "safeguarding-duty": _l("Safeguarding duty team"),
    "out-of-hours": _l("Out-of-hours team"),
    "police": _l("Police"),
    "ombudsman": _l("Ombudsman"),
    "whistleblowing": _l("Whistleblowing policy"),
    "other": _l("Other"),
}

# Routes that receive "a new complaint has arrived" for the council, in order of preference.
HANDLING_ROUTE_KINDS = ("monitoring-officer", "clerk")
# Routes a person is sent to when a concern is about someone's safety.
SAFEGUARDING_ROUTE_KINDS = ("safeguarding-duty", "out-of-hours", "police")


def route_kind_label(kind: str) -> str:
    return str(ROUTE_KINDS.get(kind, kind))
