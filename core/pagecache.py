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

from collections.abc import Callable, Hashable
from typing import Any

from flask import Response, current_app, make_response, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from core.memo import Kept, kept_in
from core.rendering import render, wants_fragment

HOLE = "csrf-token-placeholder-7c1f0d"  # survives HTML escaping; no visitor input is cached


def _pages() -> Kept:
    return kept_in(current_app._get_current_object(), "page_cache")


def remembered(key: Hashable, compute: Callable[[], Any]) -> Any:
    """A value derived from what a key names (e.g. a council's row), computed once."""
    return _pages().get_or_make(("value", key), None, compute)


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

    def render_with_hole() -> str:
        context = prepare() if prepare else {}
        for value in context.values():
            token_field = getattr(value, "csrf_token", None)
            if token_field is not None and hasattr(token_field, "current_token"):
                token_field.current_token = HOLE
        response = render(template, status=status, csrf_token=lambda: HOLE, **context)
        return response.get_data(as_text=True)

    body = _pages().get_or_make(key, None, render_with_hole)
    if HOLE in body:
        body = body.replace(HOLE, generate_csrf())
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
