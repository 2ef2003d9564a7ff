"""Public pages that every visitor sees alike, rendered once and kept in memory.

A council's landing page and its blank complaint form differ between two
visitors only by the CSRF token. They are rendered with a placeholder in the
token's place and kept per worker; each request puts its own token in. The key
holds every value the page shows (the council's row, its procedures and
contact routes, the language, the address with its query), so an edit shows
at once: there is no expiry to wait for and nothing to invalidate across
workers. Rendering the GOV.UK macros is most of such a request's time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any

from flask import Response, current_app, make_response, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from sqlalchemy import inspect

from core.rendering import render, wants_fragment

HOLE = "csrf-token-placeholder-7c1f0d"  # survives HTML escaping; no visitor input is cached
MAX_PAGES = 512


class _Pages:
    def __init__(self) -> None:
        self.pages: OrderedDict[Hashable, tuple[str, int]] = OrderedDict()
        self.lock = Lock()

    def get(self, key: Hashable) -> tuple[str, int] | None:
        with self.lock:
            found = self.pages.get(key)
            if found is not None:
                self.pages.move_to_end(key)
            return found

    def put(self, key: Hashable, page: tuple[str, int]) -> None:
        with self.lock:
            self.pages[key] = page
            while len(self.pages) > MAX_PAGES:
                self.pages.popitem(last=False)


def _pages() -> _Pages:
    return current_app.extensions.setdefault("page_cache", _Pages())


def remembered(key: Hashable, compute: Callable[[], Any]) -> Any:
    """A value derived from what a key names (e.g. a council's fingerprint), computed once."""
    pages = _pages()
    found = pages.get(("value", key))
    if found is None:
        found = (compute(), 0)
        pages.put(("value", key), found)
    return found[0]


def fingerprint(*rows: Any) -> tuple:
    """Every column value of these model instances: equal only if they show the same."""
    found = []
    for row in rows:
        state = inspect(row)
        found.append(
            (type(row).__name__, *(getattr(row, a.key) for a in state.mapper.column_attrs))
        )
    return tuple(found)


def render_shared(
    template: str, data: tuple, *, prepare: Callable[[], dict] | None = None, status: int = 200
) -> Response:
    """Render `template` once per (data, language, address); `prepare` gives its context.

    Forms in the context get the placeholder as their CSRF token; so does
    csrf_token() in the page. Pages with a flashed message are never cached.
    """
    if session.get("_flashes") or not current_app.config.get("PAGE_CACHE", True):
        return render(template, status=status, **(prepare() if prepare else {}))
    key = (template, status, str(get_locale()), request.full_path, wants_fragment(), data)
    pages = _pages()
    found = pages.get(key)
    if found is None:
        context = prepare() if prepare else {}
        for value in context.values():
            token_field = getattr(value, "csrf_token", None)
            if token_field is not None and hasattr(token_field, "current_token"):
                token_field.current_token = HOLE
        response = render(template, status=status, csrf_token=lambda: HOLE, **context)
        found = (response.get_data(as_text=True), status)
        pages.put(key, found)
    body, status = found
    if HOLE in body:
        body = body.replace(HOLE, generate_csrf())
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
