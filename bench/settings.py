"""The configuration every part of the benchmark shares (the app, the data, the sweeps)."""

from __future__ import annotations

import os
from pathlib import Path

import config

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"  # the SQLite database, uploads, logs (not committed)
RESULTS = ROOT / "bench" / "results"  # one JSON file per run (not committed)


def database_url() -> str:
    """PostgreSQL with DATABASE_URL, else an SQLite file of the benchmark's own."""
    return config.database_url(WORK / "bench.sqlite")


def app_config(url: str | None = None) -> dict:
    """Production settings, except what a benchmark on loopback needs.

    Rate limits are off: wrk sends thousands of requests from one address, and
    a page refused with 429 would be measured instead of the page. Sessions
    outlive the run (idle timeout) and cookies go over plain HTTP.
    """
    return {
        "SQLALCHEMY_DATABASE_URI": url or database_url(),
        "SECRET_KEY": "bench-only-not-secret",
        "DATA_KEYS_FROM_SECRET_KEY": True,
        "SESSION_COOKIE_SECURE": False,
        "SESSION_IDLE_MINUTES": 600,
        "RATELIMIT_ENABLED": False,
        "OUTBOX_DELIVER_AFTER_RESPONSE": False,
        "BASE_URL": "http://127.0.0.1",
        "UPLOAD_FOLDER": str(WORK / "uploads"),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": int(os.environ.get("BENCH_SMTP_PORT", "8026")),
    }
