"""Values kept in a process's memory: bounded (the least recently used goes first), optionally
expiring.

One per purpose and per app (Flask's `app.extensions`), so gunicorn's workers
each keep their own and the tests, which build an app each, never share one.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from threading import Lock
from typing import TypeVar

from flask import Flask

T = TypeVar("T")
ENTRIES = 512


class Kept:
    def __init__(self, entries: int = ENTRIES, clock: Callable[[], float] = time.monotonic):
        self.entries = entries
        self.clock = clock
        self._kept: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._lock = Lock()  # the development server serves requests in threads

    def get_or_make(self, key: Hashable, seconds: float | None, make: Callable[[], T]) -> T:
        """What `make` returned for `key` (less than `seconds` ago; None: for as long as it is
        kept), else what it returns now. `seconds` 0 keeps nothing."""
        if seconds is not None and seconds <= 0:
            return make()
        now = self.clock()
        with self._lock:
            found = self._kept.get(key)
            if found is not None and found[0] > now:
                self._kept.move_to_end(key)
                return found[1]  # type: ignore[return-value]
        made = make()
        with self._lock:
            self._kept[key] = (now + seconds if seconds is not None else float("inf"), made)
            self._kept.move_to_end(key)
            while len(self._kept) > self.entries:
                self._kept.popitem(last=False)  # the least recently used
        return made

    def __iter__(self) -> Iterator[Hashable]:
        """The keys kept, least recently used first."""
        return iter(list(self._kept))


def kept_in(app: Flask, name: str) -> Kept:
    """The app's store of this name, made on first use."""
    found = app.extensions.get(name)
    if found is None:
        found = app.extensions[name] = Kept()
    return found
