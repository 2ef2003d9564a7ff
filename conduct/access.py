"""Which cases a staff user may read: the one place that decides it.

Tenant scoping (core/tenancy.py) keeps a request inside the councils where
the user holds a role; within them, each procedure names the roles that read
its cases (`Procedure.readers`), and an Investigating Officer reads only the
cases assigned to them.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from conduct.models import Case, CaseAssignment, CaseExclusion
from conduct.procedures import PROCEDURES
from tenants.models import User


def roles_by_council(user: User) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for grant in user.roles:
        found[grant.council_id].add(grant.role)
    return found


def council_scope(user: User) -> set[int]:
    """The councils whose case data this user's requests may touch at all.

    Those where they hold a role, and those whose hearings they sit on as a
    member of another council's committee (a district's panel hearing a parish
    councillor's case).
    """
    return set(roles_by_council(user)) | seated_councils(user)


def seated_councils(user: User) -> set[int]:
    from conduct.hearings.models import Hearing, HearingSeat
    from core.db import db
    from core.tenancy import UNSCOPED
    from tenants.committees import CommitteeMember

    # Before the scope exists, so this one query looks across councils, for this user only.
    query = (
        select(Hearing.council_id)
        .join(HearingSeat, HearingSeat.hearing_id == Hearing.id)
        .join(CommitteeMember, CommitteeMember.id == HearingSeat.member_id)
        .where(CommitteeMember.user_id == user.id)
        .distinct()
        .execution_options(**{UNSCOPED: True})
    )
    return set(db.session.scalars(query))


def reading_grants(user: User) -> list[tuple[int, frozenset[str], list[str]]]:
    """How the user reads cases by role: (council id, the roles that give it, procedure keys).

    A procedure's readers read its cases on their council; a case closed to
    every one of those roles (CaseExclusion) is not read through this grant.
    """
    grants = []
    for council_id, roles in roles_by_council(user).items():
        by_roles: dict[frozenset[str], list[str]] = defaultdict(list)
        for key, procedure in PROCEDURES.items():
            giving = frozenset(roles.intersection(procedure.readers))
            if giving:
                by_roles[giving].append(key)
        grants += [(council_id, giving, sorted(keys)) for giving, keys in by_roles.items()]
    return grants


def grants_by_councils(user: User) -> list[tuple[list[int], frozenset[str], list[str]]]:
    """`reading_grants`, the councils with the same roles and procedures taken together.

    A district Monitoring Officer holds the same grant on 200 councils: one
    condition for all of them instead of 200 ORed copies keeps the SQL small
    (it was 200 KB, and slow to compile and to plan) and lets it use an index.
    """
    councils: dict[tuple[frozenset[str], tuple[str, ...]], list[int]] = defaultdict(list)
    for council_id, giving, keys in reading_grants(user):
        councils[(giving, tuple(keys))].append(council_id)
    return [(ids, giving, list(keys)) for (giving, keys), ids in councils.items()]


def readable(user: User) -> ColumnElement[bool]:
    """SQL condition on Case: the cases this user may read.

    A procedure's readers read its cases on their council, unless every role
    that gives this user access is excluded from the case (CaseExclusion).
    """
    clauses = []
    for council_ids, giving, keys in grants_by_councils(user):
        excluded = (
            select(func.count(CaseExclusion.id))
            .where(CaseExclusion.case_id == Case.id, CaseExclusion.role.in_(sorted(giving)))
            .scalar_subquery()
        )
        clauses.append(
            and_(
                Case.council_id.in_(council_ids),
                Case.procedure_key.in_(keys),
                excluded < len(giving),
            )
        )
    assigned = select(CaseAssignment.case_id).where(CaseAssignment.user_id == user.id)
    clauses.append(Case.id.in_(assigned))
    return or_(*clauses) if clauses else false()


def reads_any(user: User) -> bool:
    """Whether the user has a role that reads cases (an IO may still have assignments)."""
    return any(
        roles.intersection(p.readers) or "investigating-officer" in roles
        for roles in roles_by_council(user).values()
        for p in PROCEDURES.values()
    )


# Who still sees the parties' names where a procedure keeps them confidential
# (e.g. seed 002 §5.1: both names confidential at Stage 1).
NAME_HOLDERS = frozenset({"monitoring-officer", "deputy-monitoring-officer"})


def names_withheld(case: Case, user: User) -> bool:
    procedure = PROCEDURES[case.procedure_key]
    if case.stage not in procedure.confidential_stages:
        return False
    roles = {g.role for g in user.roles if g.council_id == case.council_id}
    return not roles.intersection(NAME_HOLDERS)
