"""The procedures a council can enable (SPEC "Procedures"), as validated data.

Keys are a stable interface. Each procedure module declares one
`Procedure`; `register` validates it (conduct/procedures/validation.py) and
makes it available. The app validates every procedure at start-up.
"""

from __future__ import annotations

from conduct.procedures import (
    conduct_complaint,
    confidential_report,
    local_resolution,
    member_officer_protocol,
    ombudsman_referral,
)
from conduct.procedures.model import Procedure
from conduct.procedures.validation import ProcedureDefinitionError, validate

PROCEDURES: dict[str, Procedure] = {}
PUBLIC_FORM_PROCEDURE = "conduct-complaint"


def register(procedure: Procedure) -> Procedure:
    """Validate a procedure and make it available to councils."""
    validate(procedure)
    PROCEDURES[procedure.key] = procedure
    return procedure


def unregister(key: str) -> None:
    PROCEDURES.pop(key, None)


def validate_all() -> None:
    """Called at start-up: a definition with an error stops the application."""
    for procedure in PROCEDURES.values():
        validate(procedure)


for _module in (
    conduct_complaint,
    ombudsman_referral,
    local_resolution,
    confidential_report,
    member_officer_protocol,
):
    PROCEDURES[_module.PROCEDURE.key] = _module.PROCEDURE

__all__ = [
    "PROCEDURES",
    "PUBLIC_FORM_PROCEDURE",
    "Procedure",
    "ProcedureDefinitionError",
    "register",
    "unregister",
    "validate_all",
]
