"""Counts, deadlines kept and time to close, aggregated in SQL from the records.

`compute` runs five grouped queries, whatever the number of cases or
councils: each returns one row per combination of categories, never one per
case, so it stays fast at 100,000 cases. The rows of cases deleted under the
retention policy are part of every query (conduct/retention/records.py).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from sqlalchemy import (
    Integer,
    Select,
    and_,
    case,
    extract,
    false,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import SelectStatementGrouping, Subquery

from conduct import engine
from conduct.calendar import add_months
from conduct.retention.records import retained_records
from conduct.statistics.records import (
    STAGE_ONE_CLOSED,
    STAGE_ONE_PROCEDURE,
    Records,
    Source,
    live_records,
)
from core.db import db

MET, OPEN = "met", "open"


@dataclass(frozen=True)
class Period:
    """Cases received from `start` to `end`, both days included."""

    start: date
    end: date

    @classmethod
    def last_12_months(cls, today: date) -> Period:
        return cls.twelve_months_to(today)

    @classmethod
    def twelve_months_to(cls, end: date) -> Period:
        return cls(add_months(end, -12) + timedelta(days=1), end)

    @classmethod
    def chosen(cls, start: date | None, end: date | None, today: date) -> Period:
        """The period a filter asks for: a missing end is today, a missing start 12 months back."""
        if end is None:
            end = max(today, start) if start else today
        return cls(start or cls.twelve_months_to(end).start, end)


@dataclass(frozen=True)
class DeadlineCounts:
    met: int = 0  # on or before the due date
    late: int = 0  # met after the due date: a missed deadline
    overdue: int = 0  # still open and past its due date today: a missed deadline

    @property
    def missed(self) -> int:
        return self.late + self.overdue


@dataclass(frozen=True)
class Durations:
    """Calendar days from receipt to close: number of days -> number of closed cases."""

    counts: Mapping[int, int] = field(default_factory=dict)

    @property
    def cases(self) -> int:
        return sum(self.counts.values())

    def median(self) -> float | None:
        n = self.cases
        if n == 0:
            return None
        middle = (n - 1) // 2, n // 2
        found: list[int] = []
        seen = 0
        for days, count in sorted(self.counts.items()):
            for position in middle:
                if seen <= position < seen + count:
                    found.append(days)
            seen += count
        return sum(found) / 2

    def __add__(self, other: Durations) -> Durations:
        return Durations(Counter(self.counts) + Counter(other.counts))


@dataclass(frozen=True)
class Statistics:
    """The aggregates of one `compute`; each total of them is worked out once, when first read
    (a page reads several more than once, and a district's cube has thousands of entries)."""

    period: Period
    today: date
    council_ids: tuple[int, ...]
    # (council id, procedure key, stage reached, outcome or None while open,
    #  hearing decision or None) -> cases
    cube: Counter[tuple[int, str, str, str | None, str | None]]
    # (procedure key, sanction key) -> decided hearings that applied it
    sanctions: Counter[tuple[str, str]]
    # (procedure key, deadline key) -> counts
    deadlines: dict[tuple[str, str], DeadlineCounts]
    # procedure key -> time to close of its closed cases
    durations: dict[str, Durations]
    # (council id, complaint type or "", (year, month) resolved) -> Stage 1 resolutions
    stage_one: Counter[tuple[int, str, tuple[int, int]]]

    @cached_property
    def total(self) -> int:
        return sum(self.cube.values())

    @cached_property
    def _totals(self) -> dict[str, Counter]:
        """Every total of the cube below, in one pass over it (a district's cube has
        thousands of entries, and a pass per total took a tenth of the page's time)."""
        council: Counter = Counter()
        procedure: Counter = Counter()
        open_council: Counter = Counter()
        open_procedure: Counter = Counter()
        stage: Counter = Counter()
        outcome: Counter = Counter()
        decision: Counter = Counter()
        for (c, p, s, o, d), n in self.cube.items():
            council[c] += n
            procedure[p] += n
            stage[(p, s, o)] += n
            if o is None:
                open_council[c] += n
                open_procedure[p] += n
            else:
                outcome[(p, o)] += n
            if d is not None:
                decision[(p, d)] += n
        return {
            "council": council,
            "procedure": procedure,
            "open_council": open_council,
            "open_procedure": open_procedure,
            "stage": stage,
            "outcome": outcome,
            "decision": decision,
        }

    @property
    def by_council(self) -> Counter[int]:
        return self._totals["council"]

    @property
    def by_procedure(self) -> Counter[str]:
        return self._totals["procedure"]

    @property
    def open_by_council(self) -> Counter[int]:
        return self._totals["open_council"]

    @property
    def open_by_procedure(self) -> Counter[str]:
        return self._totals["open_procedure"]

    @property
    def by_stage(self) -> Counter[tuple[str, str, str | None]]:
        return self._totals["stage"]

    @property
    def by_outcome(self) -> Counter[tuple[str, str]]:
        return self._totals["outcome"]

    @property
    def decisions(self) -> Counter[tuple[str, str]]:
        return self._totals["decision"]

    @cached_property
    def all_durations(self) -> Durations:
        total = Durations()
        for durations in self.durations.values():
            total = total + durations
        return total

    @cached_property
    def stage_one_by_council(self) -> Counter[int]:
        return _fold(self.stage_one, lambda k: k[0])

    @cached_property
    def stage_one_by_type(self) -> Counter[str]:
        return _fold(self.stage_one, lambda k: k[1])

    @cached_property
    def stage_one_by_month(self) -> Counter[tuple[int, int]]:
        return _fold(self.stage_one, lambda k: k[2])


def _fold(counts: Counter, key) -> Counter:
    found: Counter = Counter()
    for k, n in counts.items():
        found[key(k)] += n
    return found


class days_between(FunctionElement):  # noqa: N801  (named like the SQL functions it stands for)
    """Whole calendar days from the second date to the first."""

    type = Integer()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_between(element, compiler, **kw) -> str:
    later, earlier = list(element.clauses)
    # PostgreSQL: date - date is an integer number of days.
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw) -> str:
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)})"
        f" - julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


# Conditions on a source's columns, added to each SELECT of it (see _within).
Where = Callable[[ReadOnlyColumnCollection], Iterable[ColumnElement[bool]]]


def _within(
    source: Source,
    council_ids: tuple[int, ...],
    period: Period,
    columns: Iterable[str],
    where: Where | None = None,
) -> Subquery:
    """The named columns of the source's rows of these councils received in the period.

    The conditions, and `where`'s, go inside each SELECT of a union rather than
    around it, and each SELECT keeps only the columns the query reads: there the
    conditions reach the tables' indexes (cases by council and received_on,
    conduct/models.py), and a query that reads no JSON fact can be answered from
    an index alone. Around the union SQLite scanned every case (1.4 kB a row),
    judging `visible` on each, before any row was left out.
    """
    names = tuple(columns)
    parts = []
    for part in _selects(source):
        columns = part.selected_columns
        parts.append(
            part.with_only_columns(*(columns[name] for name in names)).where(
                columns.council_id.in_(council_ids),
                columns.received_on >= period.start,
                columns.received_on <= period.end,
                *(where(columns) if where else ()),
            )
        )
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()


def _selects(source: Source) -> list[Select]:
    """The SELECTs a source unites: one flat union of them, as SQLite parses no union
    of unions (a source made by `including` twice)."""
    if isinstance(source, Select):
        return [source]
    found: list[Select] = []
    for part in source.selects:
        inner = part.element if isinstance(part, SelectStatementGrouping) else part
        found += _selects(inner)  # type: ignore[arg-type]
    return found


def compute(
    council_ids: Iterable[int],
    period: Period,
    *,
    visible: ColumnElement[bool] | None = None,
    retained_visible: ColumnElement[bool] | None = None,
    today: date | None = None,
    records: Records | None = None,
) -> Statistics:
    """Figures for cases of these councils received in the period, deleted ones included.

    `visible` limits them to the cases a staff user may read (access.readable)
    and `retained_visible` to the deleted cases they would have read
    (conduct/retention/records.readable); given the first without the second,
    no deleted case counts. Tenant scoping applies as to any query. "Overdue"
    is judged on `today` (default: today in London).
    """
    today = today or engine.today()
    if records is None:
        if visible is not None and retained_visible is None:
            retained_visible = false()
        records = live_records(visible).including(retained_records(retained_visible))
    ids = tuple(sorted(set(council_ids)))
    return Statistics(
        period=period,
        today=today,
        council_ids=ids,
        cube=_cube(records.cases, ids, period),
        sanctions=_sanctions(records.sanctions, ids, period),
        deadlines=_deadlines(records.deadlines, ids, period, today),
        durations=_durations(records.cases, ids, period),
        stage_one=_stage_one(records.cases, ids, period),
    )


def _cube(source: Source, ids: tuple[int, ...], period: Period) -> Counter:
    names = ("council_id", "procedure_key", "stage_reached", "outcome", "decision")
    rows = _within(source, ids, period, (*names, "closed_on"))
    is_open = rows.c.closed_on.is_(None).label("is_open")
    found: Counter = Counter()
    columns = [rows.c[name] for name in names]
    for council_id, procedure, stage, outcome, decision, still_open, n in db.session.execute(
        select(*columns, is_open, func.count()).group_by(*columns, rows.c.closed_on.is_(None))
    ):
        result = None if still_open else (outcome or "")
        found[(council_id, procedure, stage, result, decision)] += n
    return found


def _sanctions(source: Source, ids: tuple[int, ...], period: Period) -> Counter:
    rows = _within(source, ids, period, ("procedure_key", "sanctions"))
    found: Counter = Counter()
    for procedure, listed, n in db.session.execute(
        select(rows.c.procedure_key, rows.c.sanctions, func.count()).group_by(
            rows.c.procedure_key, rows.c.sanctions
        )
    ):
        # A sanction named twice in one decision is still one hearing that applied it.
        for key in set(json.loads(listed or "[]")):
            found[(procedure, key)] += n
    return found


def _deadlines(
    source: Source, ids: tuple[int, ...], period: Period, today: date
) -> dict[tuple[str, str], DeadlineCounts]:
    def counted(c: ReadOnlyColumnCollection) -> list[ColumnElement[bool]]:
        # Only a met deadline or an open one past its due date counts in any column (a
        # closed one, or one not yet due, adds nothing): the rest are not aggregated. Most
        # of a period's deadlines are one or the other, and the (case_id, status, due_on)
        # index leaves them out without reading them.
        return [or_(c.status == MET, and_(c.status == OPEN, c.due_on < today))]

    names = ("procedure_key", "key", "status", "due_on", "met_on", "paused_on")
    rows = _within(source, ids, period, names, counted)
    met = rows.c.status == MET

    def total(condition: ColumnElement[bool]):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    # A paused case's deadlines are not running (they move on resuming): not overdue,
    # as on the case list.
    overdue = and_(rows.c.status == OPEN, rows.c.due_on < today, rows.c.paused_on.is_(None))
    statement = select(
        rows.c.procedure_key,
        rows.c.key,
        total(and_(met, or_(rows.c.met_on.is_(None), rows.c.met_on <= rows.c.due_on))),
        total(and_(met, rows.c.met_on > rows.c.due_on)),
        total(overdue),
    ).group_by(rows.c.procedure_key, rows.c.key)
    found = {}
    for procedure, key, on_time, late, past_due in db.session.execute(statement):
        counts = DeadlineCounts(met=int(on_time), late=int(late), overdue=int(past_due))
        if counts.met or counts.missed:
            found[(procedure, key)] = counts
    return found


def _durations(source: Source, ids: tuple[int, ...], period: Period) -> dict[str, Durations]:
    rows = _within(
        source,
        ids,
        period,
        ("procedure_key", "received_on", "closed_on"),
        lambda c: [c.closed_on.is_not(None)],
    )
    days = days_between(rows.c.closed_on, rows.c.received_on)
    found: dict[str, Counter] = {}
    for procedure, n_days, n in db.session.execute(
        select(rows.c.procedure_key, days, func.count()).group_by(rows.c.procedure_key, days)
    ):
        found.setdefault(procedure, Counter())[int(n_days)] += n
    return {procedure: Durations(counts) for procedure, counts in found.items()}


def _stage_one(source: Source, ids: tuple[int, ...], period: Period) -> Counter:
    rows = _within(
        source,
        ids,
        period,
        ("council_id", "complaint_type", "closed_on"),
        lambda c: [
            c.procedure_key == STAGE_ONE_PROCEDURE,
            c.stage == STAGE_ONE_CLOSED,
            c.closed_on.is_not(None),
        ],
    )
    year = extract("year", rows.c.closed_on)
    month = extract("month", rows.c.closed_on)
    found: Counter = Counter()
    for council_id, kind, y, m, n in db.session.execute(
        select(rows.c.council_id, rows.c.complaint_type, year, month, func.count()).group_by(
            rows.c.council_id, rows.c.complaint_type, year, month
        )
    ):
        found[(council_id, kind or "", (int(y), int(m)))] += n
    return found
