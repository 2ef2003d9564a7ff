"""What the public statistics pages computed, kept a few minutes in each process.

The public figures are fixed (the last 12 months to today), anonymous and the
same for every visitor, and working them out for a district takes five grouped
queries over every case of the year and a page of thousands of cells. So each
process keeps them, per (set of councils, language, day), for
STATISTICS_CACHE_SECONDS (0: not at all). The price is staleness: a case
received or closed meanwhile, or a council renamed, shows on the public pages
up to that long later. The day is part of the key, so the period always ends
today. Staff figures are never kept: they depend on who reads them and on
their filter.

Kept in the app (one per process, as gunicorn's workers are), bounded in
entries so a crawl of every council's page cannot grow it without limit.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import Flask

T = TypeVar("T")
EXTENSION = "statistics_cache"
# Every council's page in both languages, and the host's, at 200 councils: ~400.
ENTRIES = 512


class StatisticsCache:
    def __init__(self, entries: int = ENTRIES, clock: Callable[[], float] = time.monotonic):
        self.entries = entries
        self.clock = clock
        self._kept: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()

    def get_or_make(self, key: Hashable, seconds: float, make: Callable[[], T]) -> T:
        """What `make` returned for `key` less than `seconds` ago, else what it returns now."""
        if seconds <= 0:
            return make()
        now = self.clock()
        found = self._kept.get(key)
        if found is not None and found[0] > now:
            return found[1]  # type: ignore[return-value]
        made = make()
        self._kept[key] = (now + seconds, made)
        self._kept.move_to_end(key)
        while len(self._kept) > self.entries:
            self._kept.popitem(last=False)  # the oldest made
        return made

    def clear(self) -> None:
        self._kept.clear()


def cache_of(app: Flask) -> StatisticsCache:
    """The app's cache (tests build an app each, so none sees another's figures)."""
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions[EXTENSION] = StatisticsCache()
    return found
