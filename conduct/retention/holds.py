"""Legal hold: the Monitoring Officer keeps a case from deletion, with a reason, until released."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from conduct import engine
from conduct.access import NAME_HOLDERS
from conduct.calendar import add_months
from conduct.models import Case, CaseEvent
from core.db import utcnow
from tenants.models import User

# The officers who answer for the council's records of conduct cases.
HOLD_ROLES = NAME_HOLDERS


class HoldError(Exception):
    """The case is not in the state the request assumed (already held, or not held)."""


def holding_role(user: User, case: Case, roles: set[str] | None = None) -> str | None:
    """The role in which the user may put the case on hold or release it, if any.

    `roles`: the user's roles on the case, if the caller has them (engine.roles_of)."""
    roles = engine.roles_of(user, case) if roles is None else roles
    return next((r for r in sorted(HOLD_ROLES) if r in roles), None)


def kept_until(case: Case) -> date | None:
    """The last day a closed case is kept; it is deleted after that, unless held."""
    if case.closed_on is None:
        return None
    return add_months(case.closed_on, 12 * case.council.retention_years)


def place(case: Case, actor: User, reason: str) -> CaseEvent:
    """Put the case on legal hold (the caller commits)."""
    role = holding_role(actor, case)
    if role is None:
        raise engine.ActionRefusedError("legal hold")
    if case.legal_hold_at is not None:
        raise HoldError("already on hold")
    case.legal_hold_at = utcnow()
    case.legal_hold_reason = reason.strip()
    return engine.system_event(
        case,
        actor,
        _l("Put on legal hold: not to be deleted under the retention policy"),
        action="legal-hold",
        reason=reason.strip(),
        actor_role=role,
    )


def release(case: Case, actor: User, reason: str) -> CaseEvent:
    """Release the hold: the retention policy applies again (the caller commits)."""
    role = holding_role(actor, case)
    if role is None:
        raise engine.ActionRefusedError("release legal hold")
    if case.legal_hold_at is None:
        raise HoldError("not on hold")
    case.legal_hold_at = None
    case.legal_hold_reason = None
    return engine.system_event(
        case,
        actor,
        _l("Legal hold released: the retention policy applies again"),
        action="legal-hold-released",
        reason=reason.strip(),
        actor_role=role,
    )
