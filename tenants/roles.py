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

# Roles that read every case of the council they are granted on. Investigating
# Officers and panel members see only the cases assigned or referred to them,
# and a chair only complaints about the clerk: those arrive with the procedure
# engine, so until then these roles see no case list.
CASE_READING_ROLES = frozenset(
    {"monitoring-officer", "deputy-monitoring-officer", "independent-person", "clerk"}
)

# Who hears that a new complaint has arrived when a council names no route for it.
HANDLING_ROLES = ("monitoring-officer", "deputy-monitoring-officer")


def role_label(key: str) -> str:
    return str(ROLES.get(key, key))


# Roles that record complaints received outside the online form (post, email, phone).
INTAKE_ROLES = frozenset({"monitoring-officer", "deputy-monitoring-officer", "clerk"})
