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

from flask import Flask

from core.memo import Kept, kept_in


def cache_of(app: Flask) -> Kept:
    """The app's cache (tests build an app each, so none sees another's figures).

    Every council's page in both languages, and the host's, at 200 councils: ~400
    entries, within a store's bound."""
    return kept_in(app, "statistics_cache")
