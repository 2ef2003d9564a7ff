"""Rate limits: who is counted (keys), how many (config), and the "try again later" page.

The limits are config keys read at request time, so an operator (or a test)
can change them without touching the views. Storage comes from
RATELIMIT_STORAGE_URI: memory:// counts per process, so several workers need a
shared store (redis://). If that store is unreachable the request goes on
unlimited and the error is logged: account lockout, kept in the database,
still protects sign-in.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import Flask, current_app, render_template, request, session
from flask.wrappers import Response
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

limiter = Limiter(
    key_func=get_remote_address,
    strategy="moving-window",
    headers_enabled=False,
    swallow_errors=True,
)


def configured(name: str) -> Callable[[], str]:
    """A limit read from the app's config when each request is checked."""
    return lambda: current_app.config[name]


def client_address() -> str:
    return "address:" + (get_remote_address() or "unknown")


def posted_email() -> str:
    """Per account for sign-in and password reset: the email typed, known or not.

    Counting unknown addresses the same way means a limit never tells whether
    an account exists.
    """
    return "email:" + " ".join((request.form.get("email") or "").split()).lower()


def pending_account() -> str:
    """Per account at the code step: the account whose password was right."""
    pending = session.get("pending_sign_in")
    user_id = pending.get("uid") if isinstance(pending, dict) else None
    return f"account:{user_id}"


def token_prefix() -> str:
    token = str((request.view_args or {}).get("token", ""))
    return "token:" + token[:8]


def failed(response: Response) -> bool:
    """Count only what was refused: a typo now and then costs nothing."""
    return response.status_code >= 400


def not_found(response: Response) -> bool:
    return response.status_code == 404


def _retry_after_seconds() -> int:
    current = limiter.current_limit
    if current is None:
        return 60
    try:
        return max(1, math.ceil(current.reset_at - time.time()))
    except Exception:  # the store went away between the check and this page
        return 60


def register(app: Flask) -> None:
    limiter.init_app(app)

    @app.errorhandler(RateLimitExceeded)
    def _too_many(error: RateLimitExceeded):
        seconds = _retry_after_seconds()
        response = current_app.make_response(
            (
                # The stores round reset times up by a second or so: "wait 5 minutes", not 6.
                render_template("errors/429.html", minutes=max(1, math.ceil((seconds - 5) / 60))),
                429,
            )
        )
        response.headers["Retry-After"] = str(seconds)
        return response
