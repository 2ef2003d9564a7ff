"""The statistics as labelled figures: what the pages, charts and CSV files show.

Every page and export renders the same `Section`s, so a table, its chart and
the CSV cannot disagree. Labels come from the procedure data. For the public,
`build(..., public=True)` suppresses every count of 1 or 2 and withholds a
median of fewer than 3 cases, so no one can be picked out (seed 002 §5.2).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from babel import Locale
from babel.numbers import format_decimal, get_group_symbol
from flask import Response
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from conduct.procedures import PROCEDURES
from conduct.procedures.model import Procedure
from conduct.statistics.records import (
    STAGE_ONE_PROCEDURE,
    complaint_types,
    decision_choices,
)
from conduct.statistics.service import Durations, Period, Statistics
from core.labels import stage_name
from tenants.models import Council

# Counts from 1 to this are not published (0 is: it identifies no one).
SMALLEST_PUBLISHED = 3
NOT_RECORDED = "not-recorded"


@dataclass(frozen=True)
class Cell:
    value: int | float | None
    # The number of cases behind a median (None for a count).
    basis: int | None = None
    suppressed: bool = False  # a count of 1 or 2, on a public page
    withheld: bool = False  # a median of fewer than 3 cases, on a public page

    @property
    def is_median(self) -> bool:
        return self.basis is not None

    @property
    def hidden(self) -> bool:
        return self.suppressed or self.withheld

    @property
    def csv(self) -> str:
        if self.suppressed:
            return "<3"
        if self.value is None or self.withheld:
            return ""
        if isinstance(self.value, float):
            return f"{self.value:g}"
        return str(self.value)


@dataclass(frozen=True)
class Column:
    key: str
    heading: str


@dataclass(frozen=True)
class Row:
    key: str
    labels: tuple[str, ...]
    cells: tuple[Cell, ...]

    @property
    def label(self) -> str:
        return ": ".join(self.labels)


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    label_headings: tuple[str, ...]
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    # The columns drawn as bars (several: stacked, with a legend).
    chart: tuple[int, ...] = (0,)

    @property
    def has_hidden(self) -> bool:
        return any(c.hidden for r in self.rows for c in r.cells)

    def value(self, row: str, column: str) -> Cell:
        index = next(i for i, c in enumerate(self.columns) if c.key == column)
        return next(r for r in self.rows if r.key == row).cells[index]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figures: tuple[Figure, ...]


def _count(n: int) -> Cell:
    return Cell(n)


def _median(durations: Durations) -> Cell:
    return Cell(durations.median(), basis=durations.cases)


def _council_key(councils: Mapping[int, Council], council_id: int) -> str:
    return councils[council_id].slug if council_id in councils else str(council_id)


def _council_name(councils: Mapping[int, Council], council_id: int) -> str:
    return councils[council_id].display_name if council_id in councils else str(council_id)


def _procedure_title(key: str) -> str:
    procedure = PROCEDURES.get(key)
    return str(procedure.title) if procedure else key


def _procedure_order(keys: Iterable[str]) -> list[str]:
    order = {key: i for i, key in enumerate(PROCEDURES)}
    return sorted(set(keys), key=lambda k: (order.get(k, len(order)), k))


def _outcome_labels(procedure: Procedure | None) -> dict[str, str]:
    if procedure is None:
        return {}
    found: dict[str, str] = {}
    for stage in procedure.stages:
        if stage.kind == "closed" and stage.outcome:
            found.setdefault(stage.outcome, str(stage.label))
    return found


def _stage_order(procedure: Procedure | None, key: str) -> int:
    if procedure is None:
        return 0
    keys = [s.key for s in procedure.stages]
    return keys.index(key) if key in keys else len(keys)


def build(
    stats: Statistics, councils: Mapping[int, Council], *, public: bool = False
) -> list[Section]:
    """The figures of `stats`, labelled; `councils` names the councils by id."""
    procedures = _procedure_order(stats.by_procedure)
    sections = [_overview(stats, councils, procedures)]
    sections += [_procedure_section(stats, key) for key in procedures]
    if STAGE_ONE_PROCEDURE in stats.by_procedure:
        sections.append(_stage_one_section(stats, councils))
    if public:
        sections = [_suppressed(section) for section in sections]
    return sections


def _received_columns() -> tuple[Column, ...]:
    return (
        Column("received", _("Received")),
        Column("open", _("Still open")),
        Column("closed", _("Closed")),
    )


def _overview(stats: Statistics, councils: Mapping[int, Council], procedures) -> Section:
    figures = []
    if len(stats.council_ids) > 1:
        by_council, still_open = stats.by_council, stats.open_by_council
        ordered = sorted(
            stats.council_ids,
            key=lambda i: _council_name(councils, i),
        )
        figures.append(
            Figure(
                key="by-council",
                title=_("Cases received, by council"),
                label_headings=(_("Council"),),
                columns=_received_columns(),
                rows=tuple(
                    Row(
                        _council_key(councils, i),
                        (_council_name(councils, i),),
                        (
                            _count(by_council[i]),
                            _count(still_open[i]),
                            _count(by_council[i] - still_open[i]),
                        ),
                    )
                    for i in ordered
                ),
            )
        )
    by_procedure, still_open = stats.by_procedure, stats.open_by_procedure
    figures.append(
        Figure(
            key="by-procedure",
            title=_("Cases received, by procedure"),
            label_headings=(_("Procedure"),),
            columns=_received_columns(),
            rows=(
                *(
                    Row(
                        key,
                        (_procedure_title(key),),
                        (
                            _count(by_procedure[key]),
                            _count(still_open[key]),
                            _count(by_procedure[key] - still_open[key]),
                        ),
                    )
                    for key in procedures
                ),
                Row(
                    "all",
                    (_("All procedures"),),
                    (
                        _count(stats.total),
                        _count(sum(still_open.values())),
                        _count(stats.total - sum(still_open.values())),
                    ),
                ),
            ),
        )
    )
    closing = [key for key in procedures if key in stats.durations]
    figures.append(
        Figure(
            key="time-to-close",
            title=_("Median time from receipt to close, in calendar days"),
            label_headings=(_("Procedure"),),
            columns=(
                Column("median-days", _("Median days")),
                Column("closed", _("Closed cases")),
            ),
            rows=(
                *(
                    Row(
                        key,
                        (_procedure_title(key),),
                        (_median(stats.durations[key]), _count(stats.durations[key].cases)),
                    )
                    for key in closing
                ),
                Row(
                    "all",
                    (_("All procedures"),),
                    (_median(stats.all_durations), _count(stats.all_durations.cases)),
                ),
            ),
        )
    )
    return Section("overview", _("All cases"), tuple(figures))


def _procedure_section(stats: Statistics, key: str) -> Section:
    procedure = PROCEDURES.get(key)
    outcome_labels = _outcome_labels(procedure)
    figures = [_stages(stats, key, procedure, outcome_labels)]
    figures.append(_outcomes(stats, key, outcome_labels))
    if procedure is not None and procedure.hearing is not None:
        figures.append(_decisions(stats, key))
        if procedure.hearing.sanctions or any(p == key for p, _s in stats.sanctions):
            figures.append(_sanctions(stats, key, procedure))
    deadlines = _deadlines(stats, key, procedure)
    if deadlines.rows:
        figures.append(deadlines)
    return Section(f"procedure:{key}", _procedure_title(key), tuple(figures))


def _stages(stats, key, procedure, outcome_labels) -> Figure:
    found = [(s, o, n) for (p, s, o), n in stats.by_stage.items() if p == key]
    closed_order = list(outcome_labels)

    def order(item):
        stage, outcome, _n = item
        result = -1 if outcome is None else _index(closed_order, outcome)
        return (_stage_order(procedure, stage), stage, result, outcome or "")

    rows = []
    for stage, outcome, n in sorted(found, key=order):
        result = _("Still open") if outcome is None else outcome_labels.get(outcome, outcome)
        rows.append(
            Row(
                f"{stage}/{outcome or 'open'}",
                (stage_name(procedure, stage) if procedure else stage, result),
                (_count(n),),
            )
        )
    return Figure(
        key=f"stages:{key}",
        title=_("Stage reached (closed cases: the stage they closed from)"),
        label_headings=(_("Stage reached"), _("Result")),
        columns=(Column("cases", _("Cases")),),
        rows=tuple(rows),
    )


def _index(items: list, item) -> int:
    return items.index(item) if item in items else len(items)


def _outcomes(stats, key, outcome_labels) -> Figure:
    counts = {o: n for (p, o), n in stats.by_outcome.items() if p == key}
    keys = list(outcome_labels) + sorted(o for o in counts if o not in outcome_labels)
    return Figure(
        key=f"outcomes:{key}",
        title=_("Outcomes of closed cases"),
        label_headings=(_("Outcome"),),
        columns=(Column("cases", _("Cases")),),
        rows=tuple(
            Row(
                o or NOT_RECORDED,
                (outcome_labels.get(o, o or _("Not recorded")),),
                (_count(counts.get(o, 0)),),
            )
            for o in keys
        ),
    )


def _decisions(stats, key) -> Figure:
    choices = decision_choices(key)
    counts = {d: n for (p, d), n in stats.decisions.items() if p == key}
    labels = {c.value: str(c.label) for c in choices}
    keys = list(labels) + sorted(d for d in counts if d not in labels)
    return Figure(
        key=f"decisions:{key}",
        title=_("Hearing decisions"),
        label_headings=(_("Decision"),),
        columns=(Column("cases", _("Cases")),),
        rows=tuple(Row(d, (labels.get(d, d),), (_count(counts.get(d, 0)),)) for d in keys),
    )


def _sanctions(stats, key, procedure) -> Figure:
    labels = {c.value: str(c.label) for c in procedure.hearing.sanctions}
    counts = {s: n for (p, s), n in stats.sanctions.items() if p == key}
    keys = list(labels) + sorted(s for s in counts if s not in labels)
    return Figure(
        key=f"sanctions:{key}",
        title=_("Sanctions applied by hearing decisions"),
        label_headings=(_("Sanction"),),
        columns=(Column("hearings", _("Hearings")),),
        rows=tuple(Row(s, (labels.get(s, s),), (_count(counts.get(s, 0)),)) for s in keys),
    )


def _deadline_label(procedure: Procedure | None, key: str) -> str:
    try:
        return str(procedure.deadline(key).label) if procedure else key
    except KeyError:
        return key


def _deadlines(stats, key, procedure) -> Figure:
    found = {d: c for (p, d), c in stats.deadlines.items() if p == key}
    declared = [d.key for d in procedure.deadlines] if procedure else []
    keys = [d for d in declared if d in found] + sorted(d for d in found if d not in declared)
    return Figure(
        key=f"deadlines:{key}",
        title=_("Deadlines met and missed"),
        label_headings=(_("Deadline"),),
        columns=(
            Column("met", _("Met on time")),
            Column("late", _("Met late")),
            Column("overdue", _("Overdue")),
            Column("missed", _("Missed (late or overdue)")),
        ),
        rows=tuple(
            Row(
                d,
                (_deadline_label(procedure, d),),
                (
                    _count(found[d].met),
                    _count(found[d].late),
                    _count(found[d].overdue),
                    _count(found[d].missed),
                ),
            )
            for d in keys
        ),
        chart=(0, 1, 2),
    )


def _stage_one_section(stats: Statistics, councils: Mapping[int, Council]) -> Section:
    labels = {c.value: str(c.label) for c in complaint_types()}
    by_type = stats.stage_one_by_type
    types = list(labels) + sorted(t for t in by_type if t not in labels)
    type_columns = tuple(
        Column(t or NOT_RECORDED, labels.get(t, t or _("Not recorded"))) for t in types
    )
    type_indexes = tuple(range(len(types)))

    def cross(rows: Iterable[tuple[str, str, object]], select) -> tuple[Row, ...]:
        # One pass over the resolutions: a district has thousands of (council, type,
        # month) counts, and summing them again for every cell of a 200-row table
        # took seconds.
        totals: Counter = Counter()
        for k, n in stats.stage_one.items():
            totals[(select(k), k[1])] += n
        made = []
        for key, label, part in rows:
            counts = [totals[(part, t)] for t in types]
            made.append(Row(key, (label,), (*map(_count, counts), _count(sum(counts)))))
        return tuple(made)

    figures = [
        Figure(
            key="stage-one:types",
            title=_("Complaints resolved at Stage 1, by type"),
            label_headings=(_("Type of complaint"),),
            columns=(Column("resolved", _("Resolved at Stage 1")),),
            rows=tuple(
                Row(t or NOT_RECORDED, (col.heading,), (_count(by_type.get(t, 0)),))
                for t, col in zip(types, type_columns, strict=True)
            ),
        )
    ]
    total = Column("total", _("Total"))
    if len(stats.council_ids) > 1:
        ordered = sorted(stats.council_ids, key=lambda i: _council_name(councils, i))
        figures.append(
            Figure(
                key="stage-one:councils",
                title=_("Complaints resolved at Stage 1, by council and type"),
                label_headings=(_("Council"),),
                columns=(*type_columns, total),
                rows=cross(
                    ((_council_key(councils, i), _council_name(councils, i), i) for i in ordered),
                    lambda k: k[0],
                ),
                chart=type_indexes,
            )
        )
    months = _months(stats)
    figures.append(
        Figure(
            key="stage-one:months",
            title=_("Complaints resolved at Stage 1, by month resolved and type"),
            label_headings=(_("Month resolved"),),
            columns=(*type_columns, total),
            rows=cross(
                (
                    (f"{y:04d}-{m:02d}", format_date(date(y, m, 1), "MMMM yyyy"), (y, m))
                    for y, m in months
                ),
                lambda k: k[2],
            ),
            chart=type_indexes,
        )
    )
    return Section(
        "stage-one",
        _("Local resolution: complaints resolved at Stage 1"),
        tuple(figures),
    )


def _months(stats: Statistics) -> list[tuple[int, int]]:
    """Every month from the first resolution's to the period's last (or today's).

    Months with none are listed (a committee reads a run of months), but not
    before the first resolution, so a period of decades is not a page of zeros.
    """
    found = set(stats.stage_one_by_month)
    if not found:
        return []
    last = min(stats.period.end, stats.today)
    end = max((last.year, last.month), *found)
    months = []
    y, m = min(found)
    while (y, m) <= end:
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _suppressed(section: Section) -> Section:
    return replace(
        section,
        figures=tuple(
            replace(
                figure,
                rows=tuple(
                    replace(row, cells=tuple(_public(c) for c in row.cells)) for row in figure.rows
                ),
            )
            for figure in section.figures
        ),
    )


def _public(cell: Cell) -> Cell:
    if cell.is_median:
        if cell.basis < SMALLEST_PUBLISHED:
            return replace(cell, value=None, withheld=True)
        return cell
    if isinstance(cell.value, int) and 0 < cell.value < SMALLEST_PUBLISHED:
        return replace(cell, value=None, suppressed=True)
    return cell


CSV_HEADER = ("figure", "figure_title", "row", "row_label", "measure", "measure_label", "value")


def to_csv(sections: Iterable[Section]) -> str:
    """One line per figure cell, in the order the page shows them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for section in sections:
        for figure in section.figures:
            for row in figure.rows:
                for column, cell in zip(figure.columns, row.cells, strict=True):
                    writer.writerow(
                        [
                            figure.key,
                            _safe(figure.title),
                            row.key,
                            _safe(row.label),
                            column.key,
                            _safe(column.heading),
                            cell.csv,
                        ]
                    )
    return out.getvalue()


def csv_download(sections: Iterable[Section], stem: str, period: Period) -> Response:
    response = Response(to_csv(sections), mimetype="text/csv")
    name = f"{stem}-{period.start.isoformat()}-to-{period.end.isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    # Exports are not kept by browsers or shared caches (staff figures are confidential).
    response.headers["Cache-Control"] = "no-store"
    return response


def _safe(text: str) -> str:
    """No spreadsheet formula from a label (a council name is typed by an administrator)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def display(cell: Cell, locale: str | None = None) -> str:
    """A value as tables and charts show it (CSV files use `Cell.csv`), in the page's language."""
    if cell.suppressed:
        return _("fewer than 3")
    if cell.withheld:
        return _("not published")
    if cell.value is None:
        return "–"  # noqa: RUF001  (an en dash: nothing to show)
    return number_text(cell.value, locale or str(get_locale()))


def chart_text(cell: Cell, locale: str | None = None) -> str:
    """A value beside its bar: short, as several can share a line (the note explains "<3")."""
    return "<3" if cell.suppressed else display(cell, locale)


def number_text(value: int | float, locale: str) -> str:
    """`value` as babel's format_decimal writes it in `locale`, at a fraction of the cost.

    A page of a district's figures shows thousands of numbers, and babel parses
    its number pattern on every call (about 25 µs each, 70 µs through flask_babel).
    Whole numbers are written directly where the locale groups digits in threes
    (en and cy: "1,234,567"); anything else (medians, other groupings) is babel's,
    remembered: a page repeats the same few values.
    """
    separator = _thousands_separator(locale)
    if separator is not None and type(value) is int:
        written = f"{value:,}"
        return written if separator == "," else written.replace(",", separator)
    return _babel_text(type(value), value, locale)


@lru_cache(maxsize=32)
def _thousands_separator(locale: str) -> str | None:
    """The locale's group separator if Python's "{:,}" with it writes babel's text, else None."""
    parsed = Locale.parse(locale)
    if parsed.decimal_formats[None].grouping != (3, 3):
        return None  # e.g. en_IN groups by two after the first three
    separator = get_group_symbol(parsed)
    # Digits, minus sign and separator as babel writes them, checked rather than assumed.
    samples = (0, 7, 999, 1000, 12_345, 1_234_567, -1, -1_234_567)
    if all(format_decimal(n, locale=parsed) == f"{n:,}".replace(",", separator) for n in samples):
        return separator
    return None


@lru_cache(maxsize=4096)
def _babel_text(kind: type, value: int | float, locale: str) -> str:
    # `kind` keeps 2 and 2.0 apart in the cache (they are equal keys otherwise).
    return format_decimal(value, locale=locale)
