"""Cases in known states for the statistics tests, and the figures expected of them.

Each case is a `Spec`; `insert` writes them as the engine would have left them
(stage, previous stage, closing date and outcome, facts, deadlines, hearings).
The `expected_*` functions compute each figure from the specs with plain
Python, independently of the SQL under test.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from html.parser import HTMLParser

from conduct.hearings.models import Hearing
from conduct.models import Case, CaseDeadline, CaseSubject
from conduct.procedures import PROCEDURES
from core.db import db
from tests.conftest import make_council, make_user

# Friday 20 March 2026, midday in London: the default period is 21 March 2025 to today.
NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
TODAY = date(2026, 3, 20)
PERIOD_START = date(2025, 3, 21)

CC, LR, OR, MOP = (
    "conduct-complaint",
    "local-resolution",
    "ombudsman-referral",
    "member-officer-protocol",
)
DISTRICT_MO = "district.mo@example.org"
MO_A = "mo.a@example.org"
MO_B = "mo.b@example.org"
CLERK_A = "clerk.a@example.org"
ADMIN = "admin@example.org"


@dataclass(frozen=True)
class Deadline:
    key: str
    due: date
    status: str = "open"  # open, met, closed
    met: date | None = None


@dataclass(frozen=True)
class Spec:
    council: str
    procedure: str
    received: date
    stage: str
    previous: str | None = None
    closed: date | None = None
    outcome: str | None = None
    facts: dict = field(default_factory=dict)
    deadlines: tuple[Deadline, ...] = ()
    # Hearings as (status, sanctions).
    hearings: tuple[tuple[str, tuple[str, ...]], ...] = ()
    paused: date | None = None

    @property
    def stage_reached(self) -> str:
        return self.previous if self.closed else self.stage


def _closed(council, procedure, received, stage, previous, closed, outcome, **kw) -> Spec:
    return Spec(council, procedure, received, stage, previous, closed, outcome, **kw)


def _stage_one(council: str, received: date, closed: date, kind: str | None) -> Spec:
    facts = {"complaint_type": kind} if kind else {}
    return _closed(
        council, LR, received, "closed-stage-1", "stage-1", closed, "stage-1-resolved", facts=facts
    )


def _acknowledge(due: date, status: str = "open", met: date | None = None) -> Deadline:
    return Deadline("acknowledge", due, status, met)


d = date
SPECS: tuple[Spec, ...] = (
    # --- Ashby: conduct complaints ---
    Spec("ashby", CC, d(2026, 3, 2), "received", deadlines=(_acknowledge(d(2026, 3, 9)),)),
    Spec("ashby", CC, d(2026, 3, 16), "received", deadlines=(_acknowledge(d(2026, 3, 23)),)),
    _closed(
        *("ashby", CC, d(2026, 1, 5), "closed-hearing", "hearing", d(2026, 3, 2)),
        "hearing-decision",
        facts={"finding": "breach", "hearing_date": "2026-02-27"},
        deadlines=(
            _acknowledge(d(2026, 1, 12), "met", d(2026, 1, 8)),
            Deadline("subject-response", d(2026, 1, 22), "met", d(2026, 1, 30)),
            Deadline("agenda-pack", d(2026, 2, 20), "closed"),
        ),
        hearings=(("decided", ("reprimand", "training")),),
    ),
    _closed(
        *("ashby", CC, d(2025, 12, 1), "closed-hearing", "hearing", d(2026, 2, 20)),
        "hearing-decision",
        facts={"finding": "no-breach"},
        deadlines=(_acknowledge(d(2025, 12, 8), "met", d(2025, 12, 8)),),
        hearings=(("decided", ()),),
    ),
    _closed(
        *("ashby", CC, d(2025, 11, 3), "closed-hearing", "hearing", d(2026, 1, 16)),
        "hearing-decision",
        facts={"finding": "breach"},
        # An adjourned sitting's sanctions are not a decision: not counted.
        hearings=(("adjourned", ("newspaper-notice",)), ("decided", ("reprimand",))),
    ),
    _closed(
        *("ashby", CC, d(2025, 6, 10), "withdrawn", "subject-response", d(2025, 6, 20)),
        "withdrawn",
        deadlines=(
            _acknowledge(d(2025, 6, 17), "met", d(2025, 6, 20)),
            Deadline("subject-response", d(2025, 6, 30), "closed"),
        ),
    ),
    # The day before the default period starts, and its first day.
    Spec("ashby", CC, d(2025, 3, 20), "received", deadlines=(_acknowledge(d(2025, 3, 27)),)),
    _closed(
        *("ashby", CC, d(2025, 3, 21), "closed-no-action", "initial-assessment", d(2025, 5, 21)),
        "no-further-action",
    ),
    # Paused: its deadline past due is not running, so not overdue.
    Spec(
        *("ashby", CC, d(2026, 2, 2), "initial-assessment"),
        paused=d(2026, 2, 6),
        deadlines=(_acknowledge(d(2026, 2, 9)),),
    ),
    # --- Brockton: conduct complaints ---
    _closed(
        *("brockton", CC, d(2026, 2, 10), "closed-informal", "informal-resolution", d(2026, 3, 10)),
        "informal-resolution",
        deadlines=(_acknowledge(d(2026, 2, 17), "met", d(2026, 2, 11)),),
    ),
    Spec(
        *("brockton", CC, d(2026, 3, 3), "notify-subject"),
        deadlines=(_acknowledge(d(2026, 3, 10), "met", d(2026, 3, 12)),),
    ),
    # --- Ashby: local resolution ---
    _stage_one("ashby", d(2026, 1, 12), d(2026, 2, 3), "respect"),
    _stage_one("ashby", d(2026, 2, 2), d(2026, 2, 25), "vexatious"),
    _stage_one("ashby", d(2026, 2, 16), d(2026, 3, 5), "respect"),
    # Resolved before types were recorded: counted as "not recorded".
    _stage_one("ashby", d(2025, 9, 1), d(2025, 9, 20), None),
    _closed(
        *("ashby", LR, d(2025, 10, 1), "closed-stage-2", "stage-2-hearing", d(2025, 12, 15)),
        "committee-conclusion",
        facts={"outcome": "c"},
        deadlines=(
            Deadline("reconfirm", d(2025, 10, 15), "met", d(2025, 10, 10)),
            Deadline("subject-response", d(2025, 11, 10), "met", d(2025, 11, 14)),
        ),
        hearings=(("decided", ()),),
    ),
    Spec("ashby", LR, d(2026, 3, 10), "stage-1"),
    # --- Ashby: member/officer protocol (what a clerk reads) ---
    Spec("ashby", MOP, d(2026, 2, 20), "informal-discussion"),
    Spec("ashby", MOP, d(2026, 3, 4), "received"),
    # --- Cwm Aur: local resolution and ombudsman referrals ---
    _stage_one("cwm-aur", d(2026, 1, 20), d(2026, 2, 10), "other"),
    _stage_one("cwm-aur", d(2026, 3, 2), d(2026, 3, 16), "respect"),
    # The ombudsman's "outcome" fact is not a hearing decision.
    _closed(
        *("cwm-aur", OR, d(2026, 1, 7), "closed-outcome", "ombudsman-investigation", d(2026, 3, 3)),
        "ombudsman-outcome",
        facts={"outcome": "no-evidence"},
    ),
)

COUNCILS = {
    "ashby": ("england", (CC, LR, MOP)),
    "brockton": ("england", (CC,)),
    "cwm-aur": ("wales", (LR, OR)),
}

# People named in the cases: never on a public page or in a public file.
COMPLAINANT = ("Zebedee", "Quilter")
SUBJECT = ("Ophelia", "Wraxall")
DETAILS = "Shouted across the chamber during the budget debate"


def setup_councils() -> dict[str, object]:
    """The three councils and their staff (the caller commits)."""
    councils = {
        slug: make_council(slug, nation=nation, procedures=procedures)
        for slug, (nation, procedures) in COUNCILS.items()
    }
    make_user(DISTRICT_MO, *((c, "monitoring-officer") for c in councils.values()))
    make_user(MO_A, (councils["ashby"], "monitoring-officer"))
    make_user(MO_B, (councils["brockton"], "monitoring-officer"))
    make_user(CLERK_A, (councils["ashby"], "clerk"))
    make_user(ADMIN, host_admin=True)
    return councils


def insert(specs, councils: dict, start: int = 1) -> list[Case]:
    """The cases of `specs`, as the engine leaves them (flushed, not committed)."""
    made = []
    for n, spec in enumerate(specs, start=start):
        council = councils[spec.council]
        case = Case(
            council_id=council.id,
            reference=f"{council.code}-{spec.received.year}-{n:04d}",
            procedure_key=spec.procedure,
            stage=spec.stage,
            previous_stage=spec.previous,
            closed_on=spec.closed,
            outcome=spec.outcome,
            paused_on=spec.paused,
            facts=dict(spec.facts),
            received_on=spec.received,
            received_at=datetime.combine(spec.received, time(9), tzinfo=UTC),
            complainant_first_name=COMPLAINANT[0],
            complainant_last_name=COMPLAINANT[1],
            complainant_email="zebedee@example.com",
            details=DETAILS,
        )
        case.subjects = [
            CaseSubject(
                council_id=council.id,
                first_name=SUBJECT[0],
                last_name=SUBJECT[1],
                authority=council.name,
            )
        ]
        case.deadlines = [
            CaseDeadline(
                council_id=council.id,
                key=d.key,
                owner="monitoring-officer",
                unit="working_days",
                amount=5,
                start_on=spec.received,
                due_on=d.due,
                status=d.status,
                met_on=d.met,
                closed_on=spec.closed if d.status == "closed" else None,
            )
            for d in spec.deadlines
        ]
        case.hearings = [
            Hearing(
                council_id=council.id,
                committee_council_id=council.id,
                status=status,
                starts_at=datetime(2026, 2, 27, 10, tzinfo=UTC),
                venue="Council Chamber",
                outcome="breach" if sanctions else None,
                sanctions=list(sanctions),
                decided_at=datetime(2026, 2, 27, 16, tzinfo=UTC) if status == "decided" else None,
            )
            for status, sanctions in spec.hearings
        ]
        db.session.add(case)
        made.append(case)
    db.session.flush()
    return made


# --- the figures expected, computed from the specs --------------------------------


def within(specs, start: date = PERIOD_START, end: date = TODAY, councils=None) -> list[Spec]:
    return [
        s
        for s in specs
        if start <= s.received <= end and (councils is None or s.council in councils)
    ]


def expected_by_council(specs) -> Counter:
    return Counter(s.council for s in specs)


def expected_by_procedure(specs) -> Counter:
    return Counter(s.procedure for s in specs)


def expected_open_by_procedure(specs) -> Counter:
    return Counter(s.procedure for s in specs if s.closed is None)


def expected_by_stage(specs) -> Counter:
    return Counter((s.procedure, s.stage_reached, s.outcome if s.closed else None) for s in specs)


def expected_by_outcome(specs) -> Counter:
    return Counter((s.procedure, s.outcome) for s in specs if s.closed)


def expected_decisions(specs) -> Counter:
    fact = {CC: "finding", LR: "outcome"}
    return Counter(
        (s.procedure, s.facts[fact[s.procedure]])
        for s in specs
        if s.procedure in fact and fact[s.procedure] in s.facts
    )


def expected_sanctions(specs) -> Counter:
    return Counter(
        (s.procedure, sanction)
        for s in specs
        for status, sanctions in s.hearings
        if status == "decided"
        for sanction in sanctions
    )


def expected_deadlines(specs, today: date = TODAY) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(procedure, deadline) -> (met on time, met late, overdue); closed ones left out."""
    found: dict[tuple[str, str], list[int]] = {}
    for s in specs:
        for d in s.deadlines:
            counts = found.setdefault((s.procedure, d.key), [0, 0, 0])
            if d.status == "met" and d.met <= d.due:
                counts[0] += 1
            elif d.status == "met":
                counts[1] += 1
            elif d.status == "open" and d.due < today and s.paused is None:
                counts[2] += 1
    return {k: tuple(v) for k, v in found.items() if any(v)}


def expected_medians(specs) -> dict[str, float]:
    """Procedure key (and "all") -> median calendar days from receipt to close."""
    days: dict[str, list[int]] = {}
    for s in specs:
        if s.closed:
            elapsed = (s.closed - s.received).days
            days.setdefault(s.procedure, []).append(elapsed)
            days.setdefault("all", []).append(elapsed)
    return {k: statistics.median(v) for k, v in days.items()}


def expected_stage_one(specs) -> Counter:
    """(council, complaint type or "", (year, month) resolved) -> Stage 1 resolutions."""
    return Counter(
        (s.council, s.facts.get("complaint_type", ""), (s.closed.year, s.closed.month))
        for s in specs
        if s.procedure == LR and s.stage == "closed-stage-1"
    )


def expected_figures(specs, start: date = PERIOD_START, today: date = TODAY) -> dict:
    """Every figure of the page, as its table shows it, computed from the specs."""
    cases = within(specs, start, today)
    slugs = sorted({s.council for s in cases})
    order = list(PROCEDURES)
    procedures = sorted({s.procedure for s in cases}, key=order.index)
    found: dict[str, dict] = {}

    def counts(selected):
        received = len(selected)
        still_open = sum(1 for s in selected if s.closed is None)
        return {"received": received, "open": still_open, "closed": received - still_open}

    if len(slugs) > 1:
        found["by-council"] = {c: counts([s for s in cases if s.council == c]) for c in slugs}
    found["by-procedure"] = {p: counts([s for s in cases if s.procedure == p]) for p in procedures}
    found["by-procedure"]["all"] = counts(cases)
    medians = expected_medians(cases)
    closed = Counter(s.procedure for s in cases if s.closed)
    found["time-to-close"] = {
        p: {"median-days": medians[p], "closed": closed[p]} for p in procedures if closed[p]
    }
    found["time-to-close"]["all"] = {
        "median-days": medians.get("all", "\u2013"),  # an en dash: no closed case
        "closed": closed.total(),
    }
    outcomes, decisions = expected_by_outcome(cases), expected_decisions(cases)
    sanctions, deadlines = expected_sanctions(cases), expected_deadlines(cases, today)
    for p in procedures:
        procedure = PROCEDURES[p]
        found[f"stages:{p}"] = {
            f"{stage}/{outcome or 'open'}": {"cases": n}
            for (q, stage, outcome), n in expected_by_stage(cases).items()
            if q == p
        }
        ends = dict.fromkeys(s.outcome for s in procedure.stages if s.outcome)
        found[f"outcomes:{p}"] = {o: {"cases": outcomes[(p, o)]} for o in ends}
        if procedure.hearing:
            rules = procedure.hearing
            action = procedure.action(rules.decision_action)
            choices = next(i for i in action.inputs if i.name == rules.outcome_input).choices
            found[f"decisions:{p}"] = {c.value: {"cases": decisions[(p, c.value)]} for c in choices}
            if rules.sanctions:
                found[f"sanctions:{p}"] = {
                    c.value: {"hearings": sanctions[(p, c.value)]} for c in rules.sanctions
                }
        rows = {
            key: {"met": m, "late": late, "overdue": o, "missed": late + o}
            for (q, key), (m, late, o) in deadlines.items()
            if q == p
        }
        if rows:
            found[f"deadlines:{p}"] = rows
    if LR in procedures:
        stage_one = expected_stage_one(cases)
        # "Not recorded" only shows when a resolution has no type.
        types = ["respect", "vexatious", "other"] + [""] * any(t == "" for _c, t, _m in stage_one)
        by_type = Counter({t: 0 for t in types})
        for (_c, t, _m), n in stage_one.items():
            by_type[t] += n
        found["stage-one:types"] = {t or "not-recorded": {"resolved": by_type[t]} for t in types}

        def cross(keep) -> dict:
            row = {t or "not-recorded": 0 for t in types}
            for (c, t, m), n in stage_one.items():
                if keep(c, m):
                    row[t or "not-recorded"] += n
            return {**row, "total": sum(row.values())}

        if len(slugs) > 1:
            found["stage-one:councils"] = {c: cross(lambda c2, m, c=c: c2 == c) for c in slugs}
        months = {}
        # From the first month with a resolution (none: no rows) to today's.
        y, m = min((m for _c, _t, m in stage_one), default=(today.year + 1, 1))
        while (y, m) <= (today.year, today.month):
            months[f"{y:04d}-{m:02d}"] = cross(lambda c2, m2, ym=(y, m): m2 == ym)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        found["stage-one:months"] = months
    return {
        figure: {
            row: {k: v if isinstance(v, str) else f"{v:g}" for k, v in cells.items()}
            for row, cells in rows.items()
        }
        for figure, rows in found.items()
    }


# --- reading figures back from pages and CSV files ---------------------------------


class _FigureParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, dict[str, dict[str, str]]] = {}
        self._figure: str | None = None
        self._row: str | None = None
        self._measure: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "data-figure" in attributes:
            self._figure = attributes["data-figure"]
            self.found.setdefault(self._figure, {})
        elif tag == "tr" and "data-row" in attributes and self._figure:
            self._row = attributes["data-row"]
            self.found[self._figure][self._row] = {}
        elif tag == "td" and "data-measure" in attributes and self._row:
            self._measure, self._text = attributes["data-measure"], []

    def handle_data(self, data):
        if self._measure:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._measure:
            self.found[self._figure][self._row][self._measure] = "".join(self._text).strip()
            self._measure = None
        elif tag == "tr":
            self._row = None


def figures_on(html: str) -> dict[str, dict[str, dict[str, str]]]:
    """figure key -> row key -> measure key -> the value as the table shows it."""
    parser = _FigureParser()
    parser.feed(html)
    return parser.found


def figures_in_csv(text: str) -> dict[str, dict[str, dict[str, str]]]:
    found: dict[str, dict[str, dict[str, str]]] = {}
    for line in csv.DictReader(io.StringIO(text)):
        found.setdefault(line["figure"], {}).setdefault(line["row"], {})[line["measure"]] = line[
            "value"
        ]
    return found
