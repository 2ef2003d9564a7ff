"""Error pages that say what happened and what to do, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from core.db import db

log = logging.getLogger(__name__)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(error: RequestEntityTooLarge):
        from conduct.uploads import size_text

        return render_template(
            "errors/too_large.html",
            total=size_text(app.config["MAX_CONTENT_LENGTH"]),
            each=size_text(app.config["MAX_UPLOAD_FILE_BYTES"]),
        ), 413

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code in (400, 403, 404, 405, 409):
            return render_template(f"errors/{error.code}.html"), error.code
        return error

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return error
        log.exception("unhandled error")
        db.session.rollback()
        return render_template("errors/500.html"), 500
