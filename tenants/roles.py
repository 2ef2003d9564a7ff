"""Role keys (SPEC "Stable interfaces") and what each may see."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLES: dict[str, object] = {
    "monitoring-officer": _l("Monitoring Officer"),
    "deputy-monitoring-officer": _l("Deputy Monitoring Officer"),
    "independent-person": _l("Independent Person"),
    "investigating-officer": _l("Investigating Officer"),
    "clerk": _l("Clerk"),
    "chair": _l("Chair"),
    "panel-member": _l("Hearing panel member"),
}

# Which roles read which cases is procedure data (Procedure.readers, conduct/access.py).

# Who hears that a new complaint has arrived when a council names no route for it.
HANDLING_ROLES = ("monitoring-officer", "deputy-monitoring-officer")


def role_label(key: str) -> str:
    return str(ROLES.get(key, key))


# Roles that record complaints received outside the online form (post, email, phone).
INTAKE_ROLES = frozenset({"monitoring-officer", "deputy-monitoring-officer", "clerk"})
