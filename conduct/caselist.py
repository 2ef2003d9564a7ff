"""The staff case list: search, filter, sort and page, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import get_locale
from sqlalchemy import bindparam, func, select, union
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from conduct.models import Case, CaseDeadline, CaseSubject
from conduct.procedures import PROCEDURES
from core.crypto import blind
from core.db import db
from tenants.models import Council, CouncilProcedure

# What a row of the list shows, read as plain columns: no Case objects, and the sealed
# complaint and complainant's details stay unread.
LISTED_COLUMNS = (
    Case.id,
    Case.council_id,
    Case.reference,
    Case.procedure_key,
    Case.stage,
    Case.anonymous,
    Case.paused_on,
    Case.received_on,
)


@dataclass(slots=True)
class ListedCase:
    """One row of the case list."""

    id: int
    council_id: int
    reference: str
    procedure_key: str
    stage: str
    anonymous: bool
    paused_on: date | None
    received_on: date
    subject_names: list[str] = field(default_factory=list)  # opened from their sealed columns
    next_key: str | None = None  # the open deadline that falls first, if any
    next_due: date | None = None


# The deadline filters search_cases knows.
DEADLINES = ("overdue", "due-this-week")

SORTS = {
    "newest": (Case.received_at.desc(), Case.id.desc()),
    "oldest": (Case.received_at.asc(), Case.id.asc()),
    "reference": (Case.reference.asc(), Case.id.asc()),
}


@dataclass(frozen=True)
class CaseQuery:
    q: str = ""
    council_id: int | None = None
    sort: str = "newest"
    page: int = 1
    stage: str = ""  # a stage key, or "open" / "closed"
    procedure: str = ""
    deadline: str = ""  # "overdue" or "due-this-week"


# Counting stops here: beyond it the list says "more than 1,000 cases" and pages on with
# Next, so a Monitoring Officer's list of 20,000 cases costs what a page of it costs
# instead of reading every matching case for a number no one pages through.
COUNT_CAP = 1000


@dataclass
class CasePage:
    cases: list[ListedCase]
    total: int  # exact, unless `more`
    page: int
    per_page: int
    more: bool = False  # more than COUNT_CAP cases match: `total` is not what was counted

    @property
    def pages(self) -> int:
        """How many pages there are, when the total is known."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.more or self.page < self.pages


def _next_open(column):
    """A listed case's open deadline that falls first (`column` of it), read with the row:
    found for the page's rows alone, through ix_case_deadlines_statistics."""
    return (
        select(column)
        .where(CaseDeadline.case_id == Case.id, CaseDeadline.status == "open")
        .order_by(CaseDeadline.due_on, CaseDeadline.id)
        .limit(1)
        .scalar_subquery()
    )


def search_cases(
    query: CaseQuery, per_page: int, visible: ColumnElement[bool], today: date
) -> CasePage:
    """Cases in the tenant scope that `visible` allows and the query matches.

    Three queries, whatever the number of cases: the count, the page's rows with
    their next open deadline, and their subjects' names.
    """
    conditions = [visible]
    if query.procedure:
        conditions.append(Case.procedure_key == query.procedure)
    if query.stage == "open":
        conditions.append(Case.closed_on.is_(None))
    elif query.stage == "closed":
        conditions.append(Case.closed_on.is_not(None))
    elif query.stage:
        conditions.append(Case.stage == query.stage)
    if query.deadline in DEADLINES:
        # Uncorrelated: the open deadlines in the window are found once through
        # ix_case_deadlines_open_due, rather than a search of each case's deadlines.
        due = select(CaseDeadline.case_id).where(CaseDeadline.status == "open")
        if query.deadline == "overdue":
            due = due.where(CaseDeadline.due_on < today)
        else:
            week_end = today + timedelta(days=6 - today.weekday())
            due = due.where(CaseDeadline.due_on >= today, CaseDeadline.due_on <= week_end)
        conditions += [Case.id.in_(due), Case.paused_on.is_(None)]
    if query.council_id is not None:
        conditions.append(Case.council_id == query.council_id)
    text = query.q.strip()
    if text:
        # Names are sealed at rest (core/encrypted.py), so a name is found through its
        # blind index: a whole first name, last name or full name, in any case. A
        # reference is matched as typed, % and _ literally.
        token = blind(text)
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        # One uncorrelated set of matching ids (references through the covering
        # ix_cases_reference, names through the blind index): as an OR of per-row tests,
        # PostgreSQL guessed half the cases match and walked every case in date order.
        by_reference = aliased(Case)
        matches = union(
            select(by_reference.id).where(
                func.lower(by_reference.reference).like(f"%{escaped}%", escape="\\")
            ),
            select(CaseSubject.case_id).where(CaseSubject.search_key.like(f"%{token}%")),
        )
        conditions.append(Case.id.in_(matches))
    # Counted as far as the cap or the page asked for, whichever is further, plus one to
    # know whether there are more; ids only, so an index answers without the case rows.
    page = max(query.page, 1)
    limit = max(COUNT_CAP, page * per_page) + 1
    counted = select(Case.id).where(*conditions).limit(limit).subquery()
    total = db.session.scalar(select(func.count()).select_from(counted)) or 0
    more = total == limit
    if more:
        total = COUNT_CAP
    else:
        page = min(page, max(1, -(-total // per_page)))
    found = db.session.execute(
        select(*LISTED_COLUMNS, _next_open(CaseDeadline.key), _next_open(CaseDeadline.due_on))
        .where(*conditions)
        .order_by(*SORTS.get(query.sort, SORTS["newest"]))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    rows = [ListedCase(*row[:-2], next_key=row[-2], next_due=row[-1]) for row in found]
    by_id = {row.id: row for row in rows}
    if by_id:
        ids = list(by_id)
        subjects = db.session.execute(
            select(
                CaseSubject.case_id,
                CaseSubject.title,
                CaseSubject.first_name,
                CaseSubject.last_name,
            )
            .where(CaseSubject.case_id.in_(ids))
            .order_by(CaseSubject.case_id, CaseSubject.position, CaseSubject.id)
        )
        for case_id, *parts in subjects:
            by_id[case_id].subject_names.append(" ".join(p for p in parts if p))
    return CasePage(cases=rows, total=total, page=page, per_page=per_page, more=more)


@dataclass(frozen=True, slots=True)
class ListedCouncil:
    id: int
    slug: str
    display_name: str  # in the page's language, as Council.display_name


def councils_for_list(council_ids: set[int]) -> tuple[list[ListedCouncil], list[str]]:
    """The councils by name, and the procedures any of them enables (sorted), for the case
    list's filters: one query of plain columns, not hundreds of Council objects."""
    if not council_ids:
        return [], []
    welsh = str(get_locale()) == "cy"
    # The ids (integers, the user's own scope) are written into the SQL rather than bound:
    # 200 bound values cost more than this query on PostgreSQL (see access.readable).
    ids = sorted(int(c) for c in council_ids)
    # Each council's procedure keys in one string (keys are slugs: no spaces).
    enabled = (
        select(func.aggregate_strings(CouncilProcedure.key, " "))
        .where(CouncilProcedure.council_id == Council.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Council.id, Council.slug, Council.name, Council.name_cy, enabled)
        .where(Council.id.in_(bindparam("councils", ids, literal_execute=True)))
        .order_by(Council.name)
    ).all()
    councils = [
        ListedCouncil(id, slug, name_cy if welsh and name_cy else name)
        for id, slug, name, name_cy, _keys in rows
    ]
    keys = {key for *_council, joined in rows for key in (joined or "").split()}
    return councils, sorted(key for key in keys if key in PROCEDURES)


def councils_in_scope(council_ids: set[int]) -> list[Council]:
    """The councils by name (the case list reads councils_for_list instead)."""
    if not council_ids:
        return []
    query = select(Council).where(Council.id.in_(council_ids)).order_by(Council.name)
    return list(db.session.scalars(query))
