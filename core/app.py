"""The application factory: one place that assembles configuration, extensions and areas."""

from __future__ import annotations

import logging
import os
from collections.abc import MutableMapping
from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask
from flask.templating import Environment
from flask_babel import get_locale
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from jinja2.bccache import Bucket, BytecodeCache
from werkzeug.middleware.proxy_fix import ProxyFix

import config as config_module
from conduct import access_log
from conduct.procedures import validate_all
from core import (  # noqa: F401  (lease: its table)
    crypto,
    errors,
    labels,
    lease,
    migrations,
    outbox,
    permissions,
    ratelimit,
    security,
)
from core.db import configure_engines, db
from core.extensions import babel, csrf, htmx, login_manager
from core.formutil import register as register_form_messages
from core.i18n import language_url, select_locale
from core.models import register_models

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"  # the .po files; bin/_setup.sh compiles the .mo files
log = logging.getLogger(__name__)


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    """Build the app from a config class (default: from APP_ENV) and optional overrides."""
    app = Flask(
        "conduct_casework",
        root_path=str(ROOT),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    base = config_module.config_from_env()
    overrides: dict[str, Any] = {}
    if isinstance(config, type):
        base = config
    elif isinstance(config, dict):
        overrides = config
    _prepare_jinja(app)
    app.config.from_object(base)
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in the environment")
    os.makedirs(app.instance_path, exist_ok=True)
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)

    crypto.configure(app)  # no keys for personal data at rest: the app does not start
    register_models()
    validate_all()  # a procedure definition with an error stops the app here
    if app.config.get("PROXY_FIX_X_FOR"):
        # The client's address (rate limits) from the proxies we run, never from the client.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1
        )
    _init_extensions(app)
    _init_templates(app)
    _register_areas(app)
    permissions.register(app)  # after every page exists: an undeclared one stops the app
    access_log.register()
    errors.register(app)
    ratelimit.register(app)

    security.register(app)

    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    configure_engines(app)
    migrations.init_app(app, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    register_form_messages(app)
    htmx.init_app(app)
    outbox.mail.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS),
    )
    _check_translations(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"  # tenants.auth handles the redirect and message
    login_manager.session_protection = "strong"


def _check_translations(app: Flask) -> None:
    """Offer only the languages whose compiled catalogue is there; say loudly if one is not.

    The .mo files are generated (bin/_setup.sh compiles them): a checkout that
    skipped that step still works, in English, rather than labelling English
    pages as Welsh.
    """
    default = app.config["BABEL_DEFAULT_LOCALE"]
    available = [default]
    for language in app.config["LANGUAGES"]:
        if language == default:
            continue
        compiled = TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo"
        source = compiled.with_suffix(".po")
        if not compiled.exists():
            log.warning(
                "translations: %s is missing, so pages and emails in %r will be in English; "
                "compile it with bin/translations compile",
                compiled,
                language,
            )
            continue
        if source.exists() and source.stat().st_mtime > compiled.stat().st_mtime:
            log.warning(
                "translations: %s is older than its .po; recompile with bin/translations compile",
                compiled,
            )
        available.append(language)
    app.config["LANGUAGES"] = tuple(available)


class _SharedBytecodeCache(BytecodeCache):
    """Compiled templates shared by every app in the process (keys include the source hash).

    The test suite builds an app per test; without this each one would compile
    the GOV.UK macros again.
    """

    _store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


class _Environment(Environment):
    """Templates' globals as a plain dict rather than Jinja's ChainMap.

    Each `{% from ... import %}` compares the importing template's globals with
    the imported one's; against a ChainMap that costs more than rendering a
    small page (the GOV.UK macros are imported ~20 times a page). Templates
    load on first render, after create_app has registered every global, so
    the copy is complete.
    """

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def _prepare_jinja(app: Flask) -> None:
    """Before anything touches app.jinja_env, which is built once, on first use."""
    app.jinja_environment = _Environment
    app.jinja_options = {**app.jinja_options, "bytecode_cache": _SharedBytecodeCache()}


def _init_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.add_extension("jinja2.ext.do")
    WTFormsHelpers(app)
    labels.register(app)
    app.jinja_env.globals["language_url"] = language_url

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"current_language": str(get_locale())}


PAGE_MODULES = (
    "conduct.allegations",
    "conduct.casework",
    "conduct.decisions.views",
    "conduct.hearings.views",
    "conduct.intake",
    "conduct.party_views",
    "conduct.receipt_views",
    "conduct.retention.views",
    "conduct.statistics.staff_views",
    "conduct.subject_access.views",
    "tenants.admin_committee",
)


def _register_areas(app: Flask) -> None:
    # Modules that add their pages to the blueprints below when imported.
    for module in PAGE_MODULES:
        import_module(module)
    from conduct.cli import register_cli as register_conduct_cli
    from conduct.public import bp as public_bp
    from conduct.staff import bp as staff_bp
    from conduct.standards import bp as standards_bp
    from conduct.statistics.public_views import bp as public_statistics_bp
    from conduct.transparency import bp as transparency_bp
    from core.cli import register_cli as register_core_cli
    from core.crypto_cli import register_cli as register_crypto_cli
    from core.home import bp as home_bp
    from core.scheduler import register_cli as register_scheduler_cli
    from tenants.admin import bp as admin_bp
    from tenants.auth import bp as auth_bp
    from tenants.cli import register_cli as register_tenants_cli
    from tenants.sessions import register as register_sessions

    register_sessions(app)
    from conduct.council_pages import Globals

    app.app_ctx_globals_class = Globals  # g.council loaded on first use
    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(standards_bp)
    app.register_blueprint(public_statistics_bp)
    app.register_blueprint(transparency_bp)
    # Last: its /<council>/ prefix would otherwise shadow the fixed paths above.
    app.register_blueprint(public_bp)
    register_core_cli(app)
    register_crypto_cli(app)
    register_scheduler_cli(app)
    register_tenants_cli(app)
    register_conduct_cli(app)
