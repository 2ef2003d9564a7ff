"""Dates in a page's language and time zone, as Flask-Babel's format_date and
format_datetime print them, for pages that print many.

Babel formats a pattern field by field through a lookup object, finding the
locale's names for each field of each date; a case page prints dozens of dates
in a handful of patterns. Here each pattern is parsed once, and the fields
pages use (day, month, year, weekday, hour, minute) are filled in from the
locale's names, looked up once per page; any other field is left to Babel. The
result is Babel's own: the pattern's format string, filled with the same values
(tests/test_dates.py compares them day by day).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import DateTimePattern, parse_pattern, tokenize_pattern
from flask_babel import get_locale, get_timezone

Field = Callable[[date | datetime], str]


@lru_cache(maxsize=32)
def _compiled(pattern: str) -> tuple[DateTimePattern, tuple[str, ...]]:
    """The parsed pattern, and the fields it prints by their letters ("d", "MMM")."""
    fields = tuple(
        value[0] * value[1] for kind, value in tokenize_pattern(pattern) if kind == "field"
    )
    return parse_pattern(pattern), fields


@lru_cache(maxsize=8)
def _fields(locale: Locale) -> dict[str, Field]:
    months = dict(locale.months["format"]["abbreviated"])
    month_names = dict(locale.months["format"]["wide"])
    days = dict(locale.days["format"]["abbreviated"])
    day_names = dict(locale.days["format"]["wide"])
    return {
        "d": lambda v: str(v.day),
        "dd": lambda v: f"{v.day:02d}",
        "MMM": lambda v: months[v.month],
        "MMMM": lambda v: month_names[v.month],
        "yyyy": lambda v: f"{v.year:04d}",
        "EEE": lambda v: days[v.weekday()],
        "EEEE": lambda v: day_names[v.weekday()],
        "HH": lambda v: f"{v.hour:02d}",  # type: ignore[union-attr]
        "mm": lambda v: f"{v.minute:02d}",  # type: ignore[union-attr]
    }


class Dates:
    """One page's dates: its locale and time zone found once."""

    def __init__(self) -> None:
        self.locale = get_locale()
        self.tz = get_timezone()
        self._fields = _fields(self.locale)

    def day(self, value: date | datetime, pattern: str) -> str:
        """As format_date: a datetime is first moved to the reader's time zone."""
        if isinstance(value, datetime):
            value = self.local(value).date()
        return self._apply(pattern, value)

    def moment(self, value: datetime, pattern: str) -> str:
        """As format_datetime: in the reader's time zone (a naive datetime is UTC)."""
        return self._apply(pattern, self.local(value))

    def local(self, value: datetime) -> datetime:
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(self.tz)

    def _apply(self, pattern: str, value: date | datetime) -> str:
        parsed, fields = _compiled(pattern)
        try:
            return parsed.format % {f: self._fields[f](value) for f in fields}
        except KeyError:  # a field not written out here: Babel's own
            return parsed.apply(value, self.locale)
