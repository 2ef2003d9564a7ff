"""Working days, bank holidays and calendar arithmetic for procedure deadlines (SPEC "Time").

The seed procedures set deadlines in working days ("within 5 working days of receipt"),
calendar days ("two weeks") and calendar months ("within one month"). A missed or early
deadline is a complaint in its own right, so the rules live in one place, with no database
and no Flask, and every case deadline is computed here:

- a working day is not a Saturday or Sunday, not a bank holiday of the council's nation, and
  not one of the council's own closure days (e.g. between Christmas and New Year);
- "within N working days of receipt": something received on a non-working day counts as
  received on the next working day, and the first working day after that day is day 1;
- calendar months keep the day-number, clamped to the last day of a shorter month;
- two weeks are 14 calendar days.

Bank holidays come from the maintained ``holidays`` library rather than a hand-kept list, so a
newly announced holiday (a coronation, a jubilee) arrives with a library upgrade.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays

# The council's nation (tenants.models.NATIONS) -> the ``holidays`` UK subdivision.
# England and Wales share one list of bank holidays, so both use "ENG". The library's own "WLS"
# subdivision was checked against "ENG" for 2025-2028 (holidays 0.108) and gives identical dates.
# The subdivision must always be passed: ``holidays.UnitedKingdom()`` without one leaves out
# Easter Monday and the August bank holiday, which are not UK-wide (Scotland differs).
_SUBDIVISIONS: Mapping[str, str] = MappingProxyType(
    {
        "england": "ENG",
        "wales": "ENG",
        "scotland": "SCT",
        "northern-ireland": "NIR",
    }
)

NATIONS: tuple[str, ...] = tuple(_SUBDIVISIONS)

# "Two weeks" in a procedure is 14 calendar days: use add_calendar_days(d, TWO_WEEKS).
TWO_WEEKS = 14

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Monday is 0, Saturday 5, Sunday 6


def _subdivision(nation: str) -> str:
    """Map a nation to its library subdivision, refusing anything else.

    An unknown nation must fail loudly: silently falling back to another nation's holidays
    would move deadlines by a day without anyone noticing.
    """
    try:
        return _SUBDIVISIONS[nation]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown nation {nation!r}: expected one of {', '.join(NATIONS)}"
        ) from None


@lru_cache(maxsize=256)
def _cached_holidays(nation: str, year: int) -> Mapping[date, str]:
    """Build the library's list once per (nation, year); constructing it is comparatively slow.

    Returned read-only because the same object is shared by every caller.
    """
    found = holidays.UnitedKingdom(subdiv=_subdivision(nation), years=year)
    return MappingProxyType({d: name for d, name in found.items() if d.year == year})


@lru_cache(maxsize=256)
def _holiday_dates(nation: str, year: int) -> frozenset[date]:
    """The holiday dates alone, for fast membership tests in the working-day loops."""
    return frozenset(_cached_holidays(nation, year))


def bank_holidays(nation: str, year: int) -> dict[date, str]:
    """The bank holidays of ``nation`` in ``year``, date -> name, including substitute days.

    Substitute ("observed") days are included because they are the days offices are shut: when
    26 December is a Saturday, the following Monday is the holiday. Returns a fresh dict so that
    callers cannot alter the cached copy.

    Raises ValueError for a nation other than england, wales, scotland or northern-ireland.
    """
    return dict(_cached_holidays(nation, year))


def _require_date(d: date) -> date:
    """Refuse datetimes: a datetime never equals a date, so holidays would silently not match."""
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"Expected a date, got {type(d).__name__}")
    return d


class WorkingCalendar:
    """Working days for one council: weekends, its nation's bank holidays, its closure days.

    Build one per council (and rebuild it when the council's closure days change); it is cheap,
    because bank holidays are looked up from per-(nation, year) caches, not rebuilt per call.
    """

    def __init__(self, nation: str, closures: Iterable[date] = ()) -> None:
        _subdivision(nation)  # fail at construction, not at the first deadline computed
        self.nation = nation
        self.closures: frozenset[date] = frozenset(_require_date(d) for d in closures)
        self._by_year: dict[int, frozenset[date]] = {}

    def __repr__(self) -> str:
        return f"WorkingCalendar({self.nation!r}, closures={len(self.closures)})"

    def _holidays_in(self, year: int) -> frozenset[date]:
        # A per-instance dict avoids even the lru_cache call in the hot loops.
        found = self._by_year.get(year)
        if found is None:
            found = self._by_year[year] = _holiday_dates(self.nation, year)
        return found

    def is_working_day(self, d: date) -> bool:
        """True unless ``d`` is a Saturday, Sunday, bank holiday of the nation or closure day."""
        _require_date(d)
        return (
            d.weekday() < _SATURDAY
            and d not in self.closures
            and d not in self._holidays_in(d.year)
        )

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        d = _require_date(d) + _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        d = _require_date(d) - _ONE_DAY
        while not self.is_working_day(d):
            d -= _ONE_DAY
        return d

    def receipt_day(self, d: date) -> date:
        """The day something arriving on ``d`` counts as received.

        SPEC "Time": something received on a non-working day is treated as received on the
        next working day, so a complaint sent on Saturday does not lose the weekend.
        """
        return d if self.is_working_day(d) else self.next_working_day(d)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (the first working day after it is day 1).

        ``n == 0`` returns ``start`` unchanged, even if it is not a working day. A negative
        ``n`` counts back: the ``|n|``-th working day before ``start``.
        """
        d = _require_date(start)
        if n >= 0:
            for _ in range(n):
                d = self.next_working_day(d)
        else:
            for _ in range(-n):
                d = self.previous_working_day(d)
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days ``d`` satisfy ``start <= d < end`` (0 if ``end <= start``).

        Used to move deadlines when a paused case resumes: a pause from Monday to the next
        Monday costs 5 working days. Counted arithmetically (weekdays minus the holidays and
        closures that fall on weekdays) so that a pause lasting years is still quick.
        """
        _require_date(start)
        _require_date(end)
        days = (end - start).days
        if days <= 0:
            return 0
        full_weeks, rest = divmod(days, 7)
        first = start.weekday()
        weekdays = full_weeks * 5 + sum(1 for i in range(rest) if (first + i) % 7 < _SATURDAY)
        last = end - _ONE_DAY
        closed = {d for d in self.closures if start <= d <= last}
        for year in range(start.year, last.year + 1):
            closed.update(d for d in self._holidays_in(year) if start <= d <= last)
        return weekdays - sum(1 for d in closed if d.weekday() < _SATURDAY)

    def due_in_working_days(self, received: date, n: int) -> date:
        """The deadline for "within ``n`` working days of receipt" of something ``received``.

        Receipt on a non-working day moves to the next working day; the first working day
        after the day of receipt is day 1 (SPEC "Time").
        """
        if n < 0:
            raise ValueError(f"A deadline of {n} working days after receipt makes no sense")
        return self.add_working_days(self.receipt_day(received), n)


def add_calendar_days(d: date, n: int) -> date:
    """``d`` plus ``n`` calendar days ("two weeks" is ``add_calendar_days(d, TWO_WEEKS)``)."""
    return _require_date(d) + timedelta(days=n)


def _days_in_month(year: int, month: int) -> int:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (following - date(year, month, 1)).days


def add_months(d: date, n: int) -> date:
    """``d`` plus ``n`` calendar months (``n`` may be negative).

    SPEC "Time": the same day-number in the target month, or that month's last day if it has
    fewer days, so 31 January + 1 month is 28 February (29 in a leap year), never 3 March.
    """
    _require_date(d)
    index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(index, 12)
    month = month0 + 1
    return date(year, month, min(d.day, _days_in_month(year, month)))
