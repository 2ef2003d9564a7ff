"""Configuration read from the environment (SPEC "Stable interfaces")."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _limit(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def database_url(default_sqlite_file: Path) -> str:
    """DATABASE_URL for SQLAlchemy, else this SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{default_sqlite_file}"
    # Heroku-style URLs and plain "postgresql://" both mean psycopg 3 here.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Production-safe defaults; every secret comes from the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = database_url(INSTANCE_DIR / "conduct.sqlite")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "5000"))

    # Absolute base of links in emails ("http://localhost:5000" when unset and
    # no request is active).
    BASE_URL = os.environ.get("BASE_URL", "").rstrip("/")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "no-reply@localhost")
    # Tests deliver to a real SMTP server too; flask-mail would otherwise
    # silently drop mail whenever TESTING is on.
    MAIL_SUPPRESS_SEND = False
    # flask-mail opens SMTP without a timeout (flask-mail #114); ours sets one.
    MAIL_TIMEOUT_SECONDS = float(os.environ.get("MAIL_TIMEOUT_SECONDS", "10"))
    # Deliver freshly queued mail once the response has gone to the browser;
    # whatever fails stays queued for `flask outbox send` / the scheduler.
    OUTBOX_DELIVER_AFTER_RESPONSE = _bool("OUTBOX_DELIVER_AFTER_RESPONSE", True)
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "12"))

    # Keys that seal personal data and evidence at rest: "id:base64key,..." (the first
    # is current; `flask crypto new-key` makes one, `flask crypto rotate` re-seals).
    DATA_ENCRYPTION_KEYS = os.environ.get("DATA_ENCRYPTION_KEYS", "")
    # Only for development and tests: derive a key from SECRET_KEY when none is given.
    DATA_KEYS_FROM_SECRET_KEY = False

    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_UPLOAD_FILE_BYTES = int(os.environ.get("MAX_UPLOAD_FILE_BYTES", str(10 * 1024 * 1024)))
    MAX_UPLOAD_FILES = 10
    # The whole request may carry more than one file's limit so that an
    # oversized file reaches the form and is rejected at its field, with
    # everything else the person typed kept.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(100 * 1024 * 1024)))
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024

    SCHEDULER_LEASE_SECONDS = int(os.environ.get("SCHEDULER_LEASE_SECONDS", "90"))
    SCHEDULER_OUTBOX_SECONDS = int(os.environ.get("SCHEDULER_OUTBOX_SECONDS", "30"))
    SCHEDULER_REMINDER_SECONDS = int(os.environ.get("SCHEDULER_REMINDER_SECONDS", "300"))
    SCHEDULER_HOUSEKEEPING_SECONDS = int(os.environ.get("SCHEDULER_HOUSEKEEPING_SECONDS", "3600"))
    SCHEDULER_RETENTION_SECONDS = int(os.environ.get("SCHEDULER_RETENTION_SECONDS", "86400"))

    CASE_LINK_DAYS = int(os.environ.get("CASE_LINK_DAYS", "30"))
    # An anonymous complainant's receipt code cannot be sent again: it lasts as long as
    # a case can run, and stops with the case (closed cases take no replies; deleted ones go).
    RECEIPT_CODE_DAYS = int(os.environ.get("RECEIPT_CODE_DAYS", "1825"))
    PASSWORD_RESET_HOURS = 2
    ACCOUNT_INVITE_HOURS = 72
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_HTTPONLY = True
    # A signed-in session ends after this long without a request, and this long
    # after signing in whatever happens; the person signs in again.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "10"))

    # Second factor (TOTP): the name authenticator apps show beside the account,
    # and how long the code step waits after the password before starting over.
    TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "Conduct casework")
    TWO_FACTOR_STEP_MINUTES = 10

    # After LOCKOUT_THRESHOLD failed sign-ins (password or code) within
    # LOCKOUT_WINDOW_MINUTES the account is locked for LOCKOUT_MINUTES.
    LOCKOUT_THRESHOLD = int(os.environ.get("LOCKOUT_THRESHOLD", "5"))
    LOCKOUT_WINDOW_MINUTES = int(os.environ.get("LOCKOUT_WINDOW_MINUTES", "15"))
    LOCKOUT_MINUTES = int(os.environ.get("LOCKOUT_MINUTES", "15"))

    # Rate limits (Flask-Limiter), each like "10 per hour" or "5 per minute;50 per day".
    # memory:// counts per process: with several workers use a shared store,
    # e.g. redis://127.0.0.1:6379.
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Failed attempts at the password step, and at the code step, each counted apart.
    RATELIMIT_SIGN_IN_PER_ADDRESS = _limit("RATELIMIT_SIGN_IN_PER_ADDRESS", "30 per 15 minutes")
    RATELIMIT_SIGN_IN_PER_ACCOUNT = _limit("RATELIMIT_SIGN_IN_PER_ACCOUNT", "10 per 15 minutes")
    RATELIMIT_PASSWORD_RESET_PER_ADDRESS = _limit(
        "RATELIMIT_PASSWORD_RESET_PER_ADDRESS", "10 per hour"
    )
    RATELIMIT_PASSWORD_RESET_PER_EMAIL = _limit("RATELIMIT_PASSWORD_RESET_PER_EMAIL", "3 per hour")
    # Unknown or expired secure links from one address; any use of links sharing a prefix.
    RATELIMIT_SECURE_LINK_PER_ADDRESS = _limit(
        "RATELIMIT_SECURE_LINK_PER_ADDRESS", "20 per 10 minutes"
    )
    RATELIMIT_SECURE_LINK_PER_TOKEN = _limit("RATELIMIT_SECURE_LINK_PER_TOKEN", "60 per 10 minutes")
    # Every POST of the public complaint form (continue, add a member, send...).
    RATELIMIT_PUBLIC_FORM_PER_ADDRESS = _limit("RATELIMIT_PUBLIC_FORM_PER_ADDRESS", "60 per hour")
    # Behind a reverse proxy, the number of proxies whose X-Forwarded-For to
    # trust; otherwise every client shares the proxy's address in rate limits.
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))

    WTF_CSRF_TIME_LIMIT = 8 * 3600
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/London"
    LANGUAGES = ("en", "cy")
    CASE_LIST_PAGE_SIZE = 25
    # The case page lists the latest timeline entries; a link shows them all.
    CASE_TIMELINE_LATEST = 20
    # Keep the rendered landing page and blank complaint form of each council in
    # memory (core/pagecache.py); they are re-rendered as soon as the council changes.
    PAGE_CACHE = _bool("PAGE_CACHE", True)
    # How long each process keeps the public statistics pages' figures (seconds; 0: not
    # at all). They change only as cases do, and are anonymous and the same for every
    # visitor; the public sees a new case that much later (conduct/statistics/cache.py).
    STATISTICS_CACHE_SECONDS = int(os.environ.get("STATISTICS_CACHE_SECONDS", "300"))


class DevelopmentConfig(Config):
    """Local run with demo data: plain HTTP on localhost."""

    DATA_KEYS_FROM_SECRET_KEY = True

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")


class TestConfig(Config):
    """Used by the test suite; the fixtures fill in the database and folders."""

    TESTING = True
    SECRET_KEY = "test-secret"
    DATA_KEYS_FROM_SECRET_KEY = True
    SESSION_COOKIE_SECURE = False
    BASE_URL = "http://localhost"
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 1  # nothing listens; tests that need mail start a real SMTP server
    MAIL_TIMEOUT_SECONDS = 5.0
    OUTBOX_DELIVER_AFTER_RESPONSE = False
    # Argon2 with tiny parameters: hashing strength is not what these tests test.
    PASSWORD_HASH_PROFILE = "fast-for-tests"
    # Tests change cases between requests and expect the pages to show it at once
    # (tests/test_statistics_cache.py turns the cache on).
    STATISTICS_CACHE_SECONDS = 0


CONFIGS = {"production": Config, "development": DevelopmentConfig, "testing": TestConfig}


def config_from_env() -> type[Config]:
    """Pick the configuration class named by APP_ENV (default production)."""
    return CONFIGS.get(os.environ.get("APP_ENV", "production"), Config)
