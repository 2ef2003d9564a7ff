"""Flask extensions, created unbound and initialised by the app factory."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()
