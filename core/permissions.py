"""Who may reach which page: every view declares it, and one hook enforces it.

Each blueprint declares the permission of its pages (`declare`), and a view
that differs says so itself (`requires`). The app refuses to start if any
endpoint has no declaration, so a new page cannot be forgotten. The hook
below then lets through anyone on public pages, only signed-in staff on the
rest and only host administrators on administration; what a signed-in user
may read within a page (which councils, which cases) is decided by the tenant
scope and conduct/access.py, in the queries themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, Flask, abort, request
from flask_login import current_user

from core.extensions import login_manager

PUBLIC = "public"  # anyone: a council's public pages, the form, secure links, assets
SIGNED_IN = "signed-in"  # any staff account (its own account page, signing out)
CASEWORK = "casework"  # staff pages of case data, narrowed further by scope and role
HOST_ADMIN = "host-admin"  # councils, routes, committees and staff accounts
PERMISSIONS = (PUBLIC, SIGNED_IN, CASEWORK, HOST_ADMIN)

_ATTRIBUTE = "required_permission"
_BLUEPRINTS: dict[str, str] = {}

View = TypeVar("View", bound=Callable)


class UndeclaredPermissionError(RuntimeError):
    """A page that says nothing about who may see it: the app does not start."""


def declare(blueprint: Blueprint, permission: str) -> None:
    """The permission every page of the blueprint needs, unless a view says otherwise."""
    if permission not in PERMISSIONS:
        raise ValueError(permission)
    _BLUEPRINTS[blueprint.name] = permission


def requires(permission: str) -> Callable[[View], View]:
    """Declare a view's own permission (e.g. the public sign-in page of the auth area)."""
    if permission not in PERMISSIONS:
        raise ValueError(permission)

    def mark(view: View) -> View:
        setattr(view, _ATTRIBUTE, permission)
        return view

    return mark


def permission_of(app: Flask, endpoint: str) -> str | None:
    if endpoint == "static":
        return PUBLIC
    view = app.view_functions.get(endpoint)
    own = getattr(view, _ATTRIBUTE, None)
    if own is not None:
        return own
    blueprint = endpoint.rpartition(".")[0]
    return _BLUEPRINTS.get(blueprint)


def check_declared(app: Flask) -> None:
    missing = sorted(e for e in app.view_functions if permission_of(app, e) is None)
    if missing:
        raise UndeclaredPermissionError(
            "these pages declare no permission (core/permissions.py): " + ", ".join(missing)
        )


def register(app: Flask) -> None:
    check_declared(app)

    @app.before_request
    def _enforce():
        if request.endpoint is None:
            return None  # no such page: the 404 handler answers
        permission = permission_of(app, request.endpoint)
        if permission == PUBLIC:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if permission == HOST_ADMIN and not current_user.is_host_admin:
            abort(403)
        return None
