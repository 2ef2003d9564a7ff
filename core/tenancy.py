"""Tenant scoping: the one place where case data is limited to the councils in scope.

Every ORM query on a model that mixes in :class:`TenantScoped` is given a
``council_id IN (scope)`` criterion (for a large scope, one parameter holding
the list) by a session event, including relationship
loads and ORM UPDATE/DELETE. Views never filter by council by hand.

The scope lives on the session (``session.info``), which Flask-SQLAlchemy
creates per application context, so it cannot leak between requests:

* a web request that has not set a scope sees nothing (fail closed);
* a council's public pages widen it to that council;
* staff pages widen it to the councils where the user holds a casework role;
* outside a request (CLI, scheduler, tests calling services) there is no
  scope unless one is set; jobs that work per council set one.

Known limits, by design of SQLAlchemy: raw ``text()`` and Core queries on the
engine bypass this, and an object already in the session's identity map is
returned by ``Session.get`` without a new query; never mix councils in one
session.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache

from flask import has_request_context
from sqlalchemy import (
    ForeignKey,
    Integer,
    any_,
    event,
    func,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)

from core.db import db

_SCOPE_KEY = "council_scope"
UNSCOPED = "unscoped"  # execution option for the rare system query that must see all


class TenantScoped:
    """Mixin for every table that holds a council's case data."""

    @declared_attr
    def council_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("councils.id", ondelete="RESTRICT"), index=True)


class CrossCouncilWriteError(RuntimeError):
    """Raised when code tries to write case data of a council outside the scope."""


def set_scope(council_ids: Iterable[int] | None) -> None:
    """Limit case data in this session to these councils (None: no limit)."""
    db.session.info[_SCOPE_KEY] = None if council_ids is None else frozenset(council_ids)


def current_scope() -> frozenset[int] | None:
    return _scope_of(db.session)


@contextmanager
def scope(council_ids: Iterable[int] | None) -> Iterator[None]:
    """Run a block with another scope, restoring the previous one after."""
    previous = db.session.info.get(_SCOPE_KEY, None)
    had = _SCOPE_KEY in db.session.info
    set_scope(council_ids)
    try:
        yield
    finally:
        if had:
            db.session.info[_SCOPE_KEY] = previous
        else:
            db.session.info.pop(_SCOPE_KEY, None)


def _scope_of(session: Session) -> frozenset[int] | None:
    if _SCOPE_KEY in session.info:
        return session.info[_SCOPE_KEY]
    # Fail closed: a request that did not say which councils it serves sees none.
    return frozenset() if has_request_context() else None


@event.listens_for(Session, "do_orm_execute")
def _add_tenant_criteria(state: ORMExecuteState) -> None:
    if state.is_insert:
        _refuse_cross_council_inserts(state)
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get(UNSCOPED):
        return
    allowed = _scope_of(state.session)
    if allowed is None:
        return
    dialect = state.session.get_bind().dialect.name
    state.statement = state.statement.options(_criteria(tuple(sorted(allowed)) or (-1,), dialect))


# Up to this many councils the scope is bound one by one (`council_id IN (?, ?)`), which
# planners read best; a larger scope (a district's Monitoring Officer: 200 councils, on
# every statement of every page) goes as one parameter, since expanding and binding
# 200 values per statement cost more than the rest of a small query.
FEW_COUNCILS = 8
_INTEGERS = postgresql.ARRAY(Integer)
_ZERO = literal_column("0")


@lru_cache(maxsize=1024)
def _criteria(ids: tuple[int, ...], dialect: str):
    """The scope as a loader option, built once per set of councils (building it is most of
    the cost of a small query)."""
    # `ids` and `scope` are closure variables: SQLAlchemy caches each lambda and tracks
    # only its closure variables, as bound parameters.
    if len(ids) <= FEW_COUNCILS:
        criterion = lambda cls: cls.council_id.in_(ids)  # noqa: E731
    elif dialect == "postgresql":
        # Sent as an integer[] (psycopg adapts a list): text cast to integer[] in the SQL
        # was parsed again for every row a correlated subquery looked at.
        scope = [int(i) for i in ids]
        criterion = lambda cls: cls.council_id == any_(type_coerce(scope, _INTEGERS))  # noqa: E731
    else:
        # Read back by SQLite's json_each. `council_id + 0` keeps SQLite's planner from
        # driving a query by the scope, which a district-wide scope never narrows much
        # (it chose to read every council's outbox messages rather than the failed ones).
        scope = json.dumps([int(i) for i in ids])
        criterion = lambda cls: (cls.council_id + _ZERO).in_(  # noqa: E731
            select(func.json_each(scope).table_valued("value").c.value)
        )
    return with_loader_criteria(
        TenantScoped, criterion, include_aliases=True, propagate_to_loaders=True
    )


def _refuse_outside(
    allowed: frozenset[int] | None, what: str, council_ids: Iterable[int | None]
) -> None:
    if allowed is None:
        return
    for council_id in council_ids:
        if council_id is not None and council_id not in allowed:
            raise CrossCouncilWriteError(
                f"{what} of council {council_id} is outside this session's scope"
            )


def _refuse_cross_council_inserts(state: ORMExecuteState) -> None:
    """Bulk INSERTs (`session.execute(insert(Model), rows)`) skip the flush and its check."""
    mapper = state.bind_mapper
    if mapper is None or not issubclass(mapper.class_, TenantScoped):
        return
    rows = state.parameters
    rows = [rows] if isinstance(rows, dict) else (rows or [])
    _refuse_outside(
        _scope_of(state.session), mapper.class_.__name__, (row.get("council_id") for row in rows)
    )


@event.listens_for(Session, "before_flush")
def _refuse_cross_council_writes(session: Session, _context, _instances) -> None:
    allowed = _scope_of(session)
    if allowed is None:
        return
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, TenantScoped):
            _refuse_outside(allowed, type(obj).__name__, (obj.council_id,))
