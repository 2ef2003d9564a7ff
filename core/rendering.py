"""One template per page; htmx requests get one block of it rendered alone."""

from __future__ import annotations

from flask import Response, make_response, render_template, request
from flask_babel import get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from jinja2_fragments.flask import render_block
from markupsafe import Markup


def wants_fragment() -> bool:
    """An htmx swap, but not a history restore (which needs the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(template: str, fragment: str | None = None, status: int = 200, **context) -> Response:
    """Render the page, or only ``fragment`` (a block of it) for an htmx request."""
    context = {**page_gettext(), **context}
    if fragment and wants_fragment():
        body = render_block(template, fragment, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def page_gettext() -> dict:
    """`gettext` and `ngettext` for one page's template, bound to this request's
    translations.

    Jinja's `_()` looks `gettext` up in the template's context before its globals, and
    Flask-Babel's global finds the request's translations again on every call (through
    several context locals): with some seventy words a page, that was a tenth of the
    case page's time. These do what jinja2.ext's "newstyle" callables do: the result
    is marked safe and the variables, escaped, are put in with %; their own arguments
    are positional only, so that a variable may be called `num` or `string`."""
    translations = get_translations()

    @pass_context
    def gettext(context: Context, string: str, /, **variables: object) -> str:
        text = translations.ugettext(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    @pass_context
    def ngettext(
        context: Context, singular: str, plural: str, num: int, /, **variables: object
    ) -> str:
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return {"gettext": gettext, "ngettext": ngettext}
