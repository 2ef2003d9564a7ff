"""Language choice: an explicit ?lang= wins and is remembered, else the browser's.

A page about one person's case (a party's secure link) may name the language
that person chose when they complained; it applies when they have made no
explicit choice here, and before the browser's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from urllib.parse import urlencode

from babel import Locale
from flask import current_app, g, has_request_context, request, session
from flask_babel import force_locale, refresh


@cache
def _locale(code: str) -> Locale:
    # Flask-Babel parses the selector's answer on every request unless it is a Locale.
    return Locale.parse(code)


def select_locale() -> Locale:
    return _locale(_language())


def _language() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, scheduler: the service's default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    remembered = session.get("lang")
    if remembered in languages:
        return remembered
    preferred = g.get("preferred_language")
    if preferred in languages:
        return preferred
    return request.accept_languages.best_match(languages) or languages[0]


def prefer(language: str | None) -> None:
    """This request's language, unless the person chose one: e.g. their case's."""
    g.preferred_language = language
    refresh()  # the locale may already have been read (the council's name, say)


def language_url(language: str) -> str:
    """This page in another language: the same path and query, with lang= replaced."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", language))
    return f"{request.path}?{urlencode(args)}"


@contextmanager
def record_language() -> Iterator[None]:
    """Text written into a case's record (its timeline, its access log) is in English.

    The record is shared by everyone who works on the case and never rewritten,
    so it has one language, the service's, whoever's request wrote it: a
    complaint made in Welsh still reads "Case opened" to the staff. Pass lazy
    strings (lazy_gettext) to be made into text inside this block.
    """
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        yield


def as_recorded(text: object) -> str:
    """Text as the record keeps it (see record_language).

    `text` is a lazy string, or a function that makes the text (when it is built
    from other translated words), called inside the block.
    """
    with record_language():
        return str(text() if callable(text) else text)
