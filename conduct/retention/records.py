"""The statistics rows of deleted cases, in the columns of the live records.

`retained_records` is added to the live records with `Records.including`
(conduct/statistics/service.py), so every page and CSV counts a deleted case
exactly as it counted it before. Staff see the rows of the cases they would
have read: by council, procedure and the roles the case was closed to. An
Investigating Officer's reading by assignment ends with the case, since the
assignment was part of it.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, false, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from conduct.access import grants_by_councils
from conduct.retention.models import RetainedCase, RetainedDeadline, RetainedSanction
from conduct.statistics.records import Records
from tenants.models import User


def readable(user: User) -> ColumnElement[bool]:
    """SQL condition on RetainedCase: the rows this user counts (as access.readable)."""
    clauses = [
        and_(
            RetainedCase.council_id.in_(council_ids),
            RetainedCase.procedure_key.in_(keys),
            or_(*(not_(RetainedCase.excluded_roles.contains(f",{r},")) for r in sorted(giving))),
        )
        for council_ids, giving, keys in grants_by_councils(user)
    ]
    return or_(*clauses) if clauses else false()


def _visible(statement: Select, visible: ColumnElement[bool] | None) -> Select:
    return statement if visible is None else statement.where(visible)


def retained_records(visible: ColumnElement[bool] | None = None) -> Records:
    """Records of deleted cases (within the tenant scope and `visible`)."""
    cases = select(
        RetainedCase.council_id.label("council_id"),
        RetainedCase.procedure_key.label("procedure_key"),
        RetainedCase.received_on.label("received_on"),
        RetainedCase.closed_on.label("closed_on"),
        RetainedCase.stage.label("stage"),
        RetainedCase.stage_reached.label("stage_reached"),
        RetainedCase.outcome.label("outcome"),
        RetainedCase.decision.label("decision"),
        RetainedCase.complaint_type.label("complaint_type"),
    )
    deadlines = select(
        RetainedDeadline.council_id.label("council_id"),
        RetainedCase.procedure_key.label("procedure_key"),
        RetainedCase.received_on.label("received_on"),
        RetainedDeadline.key.label("key"),
        RetainedDeadline.status.label("status"),
        RetainedDeadline.due_on.label("due_on"),
        RetainedDeadline.met_on.label("met_on"),
        RetainedCase.paused_on.label("paused_on"),
    ).join(RetainedCase, RetainedCase.id == RetainedDeadline.retained_case_id)
    sanctions = select(
        RetainedSanction.council_id.label("council_id"),
        RetainedCase.procedure_key.label("procedure_key"),
        RetainedCase.received_on.label("received_on"),
        RetainedSanction.sanctions.label("sanctions"),
    ).join(RetainedCase, RetainedCase.id == RetainedSanction.retained_case_id)
    return Records(
        cases=_visible(cases, visible),
        deadlines=_visible(deadlines, visible),
        sanctions=_visible(sanctions, visible),
    )
