"""Entry point for `flask` and WSGI servers (gunicorn wsgi:app)."""

from core.app import create_app

app = create_app()
