"""Staff sessions: half-signed-in between password and code, then signed in with limits.

The session cookie is Flask's signed cookie. Between the password and the
second factor it holds only a pending sign-in (not Flask-Login's user id), so
nothing that needs a signed-in user can be reached. Once signed in it holds
the account's session and privilege versions and two timestamps, checked on
every request: a version that moved ends or re-issues the session, an idle or
too-old session ends with a message and the person signs in again.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from flask import Flask, current_app, flash, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from itsdangerous import URLSafeTimedSerializer

from core import crypto
from core.db import db
from tenants.models import User

PENDING = "pending_sign_in"
_ENROLMENT = "enrolment_secret"
# What survives a sign-in or a sign-out: the language the person chose, nothing else.
_KEPT = ("lang",)


def _now() -> int:
    return int(time.time())


def _fresh() -> None:
    kept = {key: session[key] for key in _KEPT if key in session}
    session.clear()
    session.update(kept)


# --- between the password and the second factor -----------------------------------


def begin_pending(user: User, next_path: str | None) -> None:
    """The password was right: remember whose code to ask for, nothing more."""
    _fresh()
    session[PENDING] = {
        "uid": user.id,
        "sv": user.session_version,
        "at": _now(),
        "next": next_path,
    }


def pending_user() -> User | None:
    """The account half-way through signing in, if that started recently and still holds."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    limit = current_app.config["TWO_FACTOR_STEP_MINUTES"] * 60
    if not isinstance(pending.get("at"), int) or _now() - pending["at"] > limit:
        return None
    user_id = pending.get("uid")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or user.session_version != pending.get("sv"):
        return None
    return user


def pending_next() -> str | None:
    pending = session.get(PENDING)
    return pending.get("next") if isinstance(pending, dict) else None


def enrolment_secret(user: User, make_new: Callable[[], str]) -> str:
    """The secret being set up in this browser: kept encrypted in its session until confirmed."""
    bound_to = f"enrolment:{user.id}"
    stored = session.get(_ENROLMENT)
    if isinstance(stored, str):
        try:
            return crypto.decrypt(stored, purpose="totp-enrolment", bound_to=bound_to)
        except crypto.DecryptionError:
            pass
    secret = make_new()
    session[_ENROLMENT] = crypto.encrypt(secret, purpose="totp-enrolment", bound_to=bound_to)
    return secret


# --- signed in --------------------------------------------------------------------


def start(user: User) -> None:
    """Both factors passed: a new session, nothing carried over from before but the language."""
    _fresh()
    login_user(user)
    now = _now()
    session["sid"] = secrets.token_urlsafe(16)
    session["sv"] = user.session_version
    session["pv"] = user.privilege_version
    session["auth_at"] = now
    session["seen_at"] = now


def end(message: str | None = None) -> None:
    logout_user()
    _fresh()
    if message:
        flash(message, "info")
        # The sign-in page shows this message instead of the generic one.
        g.session_end_message = message


def end_everywhere(user: User) -> None:
    """Every session of this account, on every device, ends at its next request."""
    user.session_version = (user.session_version or 1) + 1


def privileges_changed(user: User) -> None:
    """Sessions of this account are re-issued at their next request."""
    user.privilege_version = (user.privilege_version or 1) + 1


def _check() -> None:
    if request.endpoint == "static" or "_user_id" not in session:
        return
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return  # deactivated or gone: Flask-Login already treats the request as anonymous
    config = current_app.config
    now = _now()
    idle = config["SESSION_IDLE_MINUTES"]
    absolute = config["SESSION_ABSOLUTE_HOURS"]
    seen_at = session.get("seen_at")
    auth_at = session.get("auth_at")
    if session.get("sv") != user.session_version or not user.has_two_factor:
        end(_("You have been signed out. Sign in again to continue."))
    elif not isinstance(seen_at, int) or now - seen_at > idle * 60:
        end(
            ngettext(
                "You were signed out because you had not used the service for %(num)d minute. "
                "Sign in again to continue.",
                "You were signed out because you had not used the service for %(num)d minutes. "
                "Sign in again to continue.",
                idle,
            )
        )
    elif not isinstance(auth_at, int) or now - auth_at > absolute * 3600:
        end(
            ngettext(
                "You were signed out because you signed in more than %(num)d hour ago. "
                "Sign in again to continue.",
                "You were signed out because you signed in more than %(num)d hours ago. "
                "Sign in again to continue.",
                absolute,
            )
        )
    else:
        if session.get("pv") != user.privilege_version:
            # Roles changed: renew the session's identity with its privileges (as on sign-in).
            session["sid"] = secrets.token_urlsafe(16)
            session["pv"] = user.privilege_version
        session["seen_at"] = now


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, its signer made once per secret key.

    Flask builds the signer twice a request (to read the cookie and to write it),
    which was a tenth of the time of a page served from the page cache.
    """

    _kept: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = self._kept
        if kept is None or kept[0] != key:
            kept = (key, super().get_signing_serializer(app))
            self._kept = kept
        return kept[1]


def register(app: Flask) -> None:
    app.session_interface = SignedCookieSessions()
    app.before_request(_check)
