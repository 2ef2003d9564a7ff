"""Horizontal bar charts of figures, laid out here and drawn as inline SVG by a template.

No JavaScript and nothing from a CDN: the geometry is computed on the server
and templates/statistics/_figures.html writes the SVG. Hidden values (small
counts on public pages) get no bar, only their "fewer than 3" text.

`shown` prepares everything that template writes of a figure, its chart and
its table, every number already in the page's language: a district's page has
thousands of cells, and a function call or filter per cell in the template
costs more than the cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from flask_babel import get_locale

from conduct.statistics.figures import Cell, Figure, chart_text, display

WIDTH = 640
BAR_AREA = 500  # the longest bar; the rest of the width holds its value
LABEL_HEIGHT = 18
BAR_HEIGHT = 18
ROW_GAP = 14
LEGEND_ROW = 22
LABEL_CHARACTERS = 85  # about as many as fit the width at the font size used
# GOV.UK Design System colours, in an order where neighbours contrast.
# Each at least 3:1 against white (WCAG 2.2 1.4.11); stacked segments are separated by a
# white line, so each also stands 3:1 against what it touches.
PALETTE = ("#1d70b8", "#b35a00", "#d4351c", "#00703c", "#4c2c92", "#006f62", "#912b88")


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str

    # As the SVG writes them (one decimal), formatted here: a filter per attribute
    # in the template cost more than the rest of the bar.
    @property
    def x_text(self) -> str:
        return f"{self.x:.1f}"

    @property
    def width_text(self) -> str:
        return f"{self.width:.1f}"


@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    label_y: float
    bar_y: float
    segments: tuple[Segment, ...]
    text: str
    text_x: float

    @property
    def text_x_text(self) -> str:
        return f"{self.text_x:.1f}"


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str
    y: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bar_height: int
    legend: tuple[LegendItem, ...]
    bars: tuple[Bar, ...]


def _short(label: str) -> str:
    if len(label) <= LABEL_CHARACTERS:
        return label
    return label[: LABEL_CHARACTERS - 1].rstrip() + "…"


def _number(cell: Cell) -> float:
    return 0 if cell.hidden or cell.value is None else float(cell.value)


def chart_of(figure: Figure, text: Callable[[Cell], str] = chart_text) -> Chart:
    """The bars of `figure`'s chart columns, each followed by its value(s) in `text`."""
    stacked = len(figure.chart) > 1
    legend = tuple(
        LegendItem(figure.columns[c].heading, PALETTE[i % len(PALETTE)], i * LEGEND_ROW)
        for i, c in enumerate(figure.chart)
        if stacked
    )
    top = len(legend) * LEGEND_ROW + (8 if legend else 0)
    longest = max(
        (sum(_number(row.cells[c]) for c in figure.chart) for row in figure.rows), default=0
    )
    scale = BAR_AREA / longest if longest else 0
    bars = []
    step = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    for n, row in enumerate(figure.rows):
        row_top = top + n * step
        x = 0.0
        segments = []
        for i, c in enumerate(figure.chart):
            width = _number(row.cells[c]) * scale
            if width:
                segments.append(Segment(x, width, PALETTE[i % len(PALETTE)]))
            x += width
        bars.append(
            Bar(
                label=_short(row.label),
                full_label=row.label,
                label_y=row_top + 14,  # text is placed by its baseline
                bar_y=row_top + LABEL_HEIGHT,
                segments=tuple(segments),
                text=" / ".join(text(row.cells[c]) for c in figure.chart),
                text_x=x + 6,
            )
        )
    height = top + len(figure.rows) * step
    return Chart(WIDTH, max(height, step), BAR_HEIGHT, legend, tuple(bars))


@dataclass(frozen=True)
class ShownRow:
    key: str
    heading: str  # the first label, the row's header cell
    labels: tuple[str, ...]  # the others
    cells: tuple[tuple[str, str], ...]  # (measure key, value as shown)


@dataclass(frozen=True)
class Shown:
    """A figure as templates/statistics/_figures.html writes it."""

    id: str
    chart: Chart
    rows: tuple[ShownRow, ...]


def shown(figure: Figure, locale: str | None = None) -> Shown:
    """`figure`'s chart and table, in `locale` (default: the request's)."""
    locale = locale or str(get_locale())
    measures = [c.key for c in figure.columns]
    rows = tuple(
        ShownRow(
            row.key,
            row.labels[0],
            row.labels[1:],
            tuple(zip(measures, (display(c, locale) for c in row.cells), strict=True)),
        )
        for row in figure.rows
    )
    return Shown(
        "figure-" + figure.key.replace(":", "-"),
        chart_of(figure, partial(chart_text, locale=locale)),
        rows,
    )
