"""SQL statements per request, in an X-Queries response header (the benchmark's app only)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from sqlalchemy import Engine, event

HEADER = "X-Queries"
_count = threading.local()


@event.listens_for(Engine, "before_cursor_execute")
def _counted(*_args: object) -> None:
    if getattr(_count, "active", False):
        _count.n += 1


class CountQueries:
    """WSGI middleware: counts every statement until the response starts.

    The header is added when Flask calls start_response, after every
    after_request hook and the session's save, so their queries are counted.
    """

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        _count.active, _count.n = True, 0

        def start(status: str, headers: list, exc_info=None):
            headers.append((HEADER, str(_count.n)))
            _count.active = False
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, start)
        finally:
            _count.active = False
