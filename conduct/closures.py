"""Council closure days: adding or removing one moves the open deadlines it affects."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from conduct import engine
from core.db import db
from core.tenancy import scope
from tenants.models import ClosureDay, Council


def add_closure_day(council: Council, day: date, reason: str) -> int:
    """Add a closure day; returns how many open deadlines moved. The caller commits."""
    if any(c.day == day for c in council.closure_days):
        return 0
    council.closure_days.append(ClosureDay(day=day, reason=reason.strip()))
    db.session.flush()
    return _recompute(council, _l("Closure day added: %(day)s", day=day.isoformat()))


def remove_closure_day(council: Council, closure: ClosureDay) -> int:
    council.closure_days.remove(closure)
    db.session.flush()
    return _recompute(council, _l("Closure day removed: %(day)s", day=closure.day.isoformat()))


def _recompute(council: Council, why: object) -> int:
    # A system change to this council's deadlines: scoped to it, whoever asked.
    with scope({council.id}):
        return engine.recompute_open_deadlines(council, why)
