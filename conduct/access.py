"""Which cases a staff user may read: the one place that decides it.

Tenant scoping (core/tenancy.py) keeps a request inside the councils where
the user holds a role; within them, each procedure names the roles that read
its cases (`Procedure.readers`), and an Investigating Officer reads only the
cases assigned to them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from conduct.models import Case, CaseAssignment, CaseExclusion
from conduct.procedures import PROCEDURES
from tenants.models import User


def roles_by_council(user: User) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for council_id, role in user.grants:
        found[council_id].add(role)
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


@dataclass(frozen=True)
class ReadingGrant:
    """Councils where the user reads the same procedures' cases through the same roles."""

    council_ids: tuple[int, ...]
    roles: frozenset[str]  # the roles that give it
    procedure_keys: tuple[str, ...]


def reading_grants(user: User) -> list[ReadingGrant]:
    """How the user reads cases by role, councils alike grouped together.

    A procedure's readers read its cases on their council; a case closed to
    every one of those roles (CaseExclusion) is not read through this grant.
    Councils where the user holds the same roles read the same procedures, so
    one grant covers them all: the SQL built from the grants has as many
    conditions for a Monitoring Officer of two hundred councils as of one.
    """
    councils_by_reading: dict[tuple[frozenset[str], tuple[str, ...]], list[int]] = defaultdict(list)
    for council_id, roles in roles_by_council(user).items():
        by_roles: dict[frozenset[str], list[str]] = defaultdict(list)
        for key, procedure in PROCEDURES.items():
            giving = frozenset(roles.intersection(procedure.readers))
            if giving:
                by_roles[giving].append(key)
        for giving, keys in by_roles.items():
            councils_by_reading[(giving, tuple(sorted(keys)))].append(council_id)
    # In a fixed order, so the same grants always make the same SQL text (statement cache).
    return [
        ReadingGrant(tuple(sorted(council_ids)), giving, keys)
        for (giving, keys), council_ids in sorted(
            councils_by_reading.items(), key=lambda item: (sorted(item[0][0]), item[0][1])
        )
    ]


def readable(user: User) -> ColumnElement[bool]:
    """SQL condition on Case: the cases this user may read.

    A procedure's readers read its cases on their council, unless every role
    that gives this user access is excluded from the case (CaseExclusion).
    """
    clauses = []
    for grant in reading_grants(user):
        excluded = (
            select(func.count(CaseExclusion.id))
            .where(CaseExclusion.case_id == Case.id, CaseExclusion.role.in_(sorted(grant.roles)))
            .scalar_subquery()
        )
        clauses.append(
            and_(
                Case.council_id.in_(grant.council_ids),
                Case.procedure_key.in_(grant.procedure_keys),
                excluded < len(grant.roles),
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
    return not user.roles_at(case.council_id).intersection(NAME_HOLDERS)
