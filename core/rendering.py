"""One template per page; htmx requests get one block of it rendered alone."""

from __future__ import annotations

from flask import Response, make_response, render_template, request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """An htmx swap, but not a history restore (which needs the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(template: str, fragment: str | None = None, status: int = 200, **context) -> Response:
    """Render the page, or only ``fragment`` (a block of it) for an htmx request."""
    if fragment and wants_fragment():
        body = render_block(template, fragment, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
