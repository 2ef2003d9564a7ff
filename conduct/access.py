"""Which cases a staff user may read: the one place that decides it.

Tenant scoping (core/tenancy.py) keeps a request inside the councils where
the user holds a role; within them, each procedure names the roles that read
its cases (`Procedure.readers`), and an Investigating Officer reads only the
cases assigned to them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from conduct.models import Case, CaseAssignment, CaseExclusion
from conduct.procedures import PROCEDURES
from tenants.models import User


def roles_by_council(user: User) -> dict[int, set[str]]:
    return _by_council(user.grants)


def _by_council(grants: frozenset[tuple[int, str]]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for council_id, role in grants:
        found[council_id].add(role)
    return found


def council_scope(user: User) -> set[int]:
    """The councils whose case data this user's requests may touch at all.

    Those where they hold a role, and those whose hearings they sit on as a
    member of another council's committee (a district's panel hearing a parish
    councillor's case).
    """
    return {council_id for council_id, _role in user.grants} | seated_councils(user)


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


def reading_grants(user: User) -> tuple[ReadingGrant, ...]:
    """How the user reads cases by role, councils alike grouped together."""
    # The procedures are part of the key: a variant added as data reads by its own roles.
    procedures = tuple((key, procedure.readers) for key, procedure in PROCEDURES.items())
    return _reading_grants(user.grants, procedures)


@lru_cache(maxsize=512)
def _reading_grants(
    grants: frozenset[tuple[int, str]], _readers: tuple[tuple[str, tuple[str, ...]], ...]
) -> tuple[ReadingGrant, ...]:
    """reading_grants, worked out once per set of grants and procedures (a Monitoring
    Officer's 200 grants took longer than the queries they make).

    A procedure's readers read its cases on their council; a case closed to
    every one of those roles (CaseExclusion) is not read through this grant.
    Councils where the user holds the same roles read the same procedures, so
    one grant covers them all: the SQL built from the grants has as many
    conditions for a Monitoring Officer of two hundred councils as of one.
    """
    councils_by_reading: dict[tuple[frozenset[str], tuple[str, ...]], list[int]] = defaultdict(list)
    for council_id, roles in _by_council(grants).items():
        by_roles: dict[frozenset[str], list[str]] = defaultdict(list)
        for key, procedure in PROCEDURES.items():
            giving = frozenset(roles.intersection(procedure.readers))
            if giving:
                by_roles[giving].append(key)
        for giving, keys in by_roles.items():
            councils_by_reading[(giving, tuple(sorted(keys)))].append(council_id)
    # In a fixed order, so the same grants always make the same SQL text (statement cache).
    return tuple(
        ReadingGrant(tuple(sorted(council_ids)), giving, keys)
        for (giving, keys), council_ids in sorted(
            councils_by_reading.items(), key=lambda item: (sorted(item[0][0]), item[0][1])
        )
    )


def readable(user: User) -> ColumnElement[bool]:
    """SQL condition on Case: the cases this user may read (see _readable)."""
    return _readable(user.id, reading_grants(user))


@lru_cache(maxsize=512)
def _readable(user_id: int, grants: tuple[ReadingGrant, ...]) -> ColumnElement[bool]:
    """readable(), built once per user and grants: SQL expressions are immutable, and
    building this one was a tenth of a small page's time.

    A procedure's readers read its cases on their council, unless every role
    that gives this user access is excluded from the case (CaseExclusion).

    Each part is a plain condition on the case's columns or an uncorrelated
    subquery, which the database reads once per statement (a hash or a temporary
    index) rather than once per case row; the columns it tests are those of the
    case list's indexes, so a list of 20,000 readable cases is not a table scan.
    """
    clauses = []
    for grant in grants:
        roles = sorted(grant.roles)
        closed_to_grant = select(CaseExclusion.case_id).where(CaseExclusion.role.in_(roles))
        if len(roles) > 1:
            # Closed to this grant only if closed to each of its roles.
            closed_to_grant = closed_to_grant.group_by(CaseExclusion.case_id).having(
                func.count(CaseExclusion.role.distinct()) == len(roles)
            )
        clauses.append(
            and_(
                # Written into the SQL (they are ids from the user's own grants), not sent
                # as 200 parameters: on PostgreSQL each bound value is parsed and cast per
                # statement, which cost a Monitoring Officer's list more than its queries.
                Case.council_id.in_(
                    bindparam(
                        "grant_councils",
                        [int(c) for c in grant.council_ids],
                        unique=True,
                        literal_execute=True,
                    )
                ),
                Case.procedure_key.in_(grant.procedure_keys),
                # case_id is NOT NULL, so NOT IN means what it says.
                Case.id.not_in(closed_to_grant),
            )
        )
    if not clauses:
        # Reading by assignment only (an Investigating Officer): the ids, found by primary key.
        return Case.id.in_(select(CaseAssignment.case_id).where(CaseAssignment.user_id == user_id))
    # Beside a grant, a correlated EXISTS, tested only for a case no grant gives: an
    # `id IN (...)` here would let SQLite split the OR into one index search per branch
    # (MULTI-INDEX OR), then sort every readable case instead of walking an index in order.
    assigned = select(CaseAssignment.id).where(
        CaseAssignment.case_id == Case.id, CaseAssignment.user_id == user_id
    )
    return or_(*clauses, assigned.exists())


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
    return withholds_names(case.procedure_key, case.stage, user.roles_at(case.council_id))


def withholds_names(procedure_key: str, stage: str, roles: set[str]) -> bool:
    """names_withheld from the case's procedure and stage and the user's roles on its
    council (for a list, which works them out once rather than per row)."""
    procedure = PROCEDURES[procedure_key]
    if stage not in procedure.confidential_stages:
        return False
    return not roles.intersection(NAME_HOLDERS)
