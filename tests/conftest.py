"""Fixtures: an app per test on a clean database, two councils, staff, a real SMTP server.

The database is SQLite in a temporary folder, or the one named by
TEST_DATABASE_URL (CI runs the suite a second time on PostgreSQL). Never
point TEST_DATABASE_URL at data you want to keep: every table is emptied
after each test.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text

from config import TestConfig
from core.app import create_app
from core.db import db

PASSWORD = "correct horse battery staple"
# Every account make_user creates has this authenticator secret (base32), so
# login() can complete the second step.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _normalise(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> str:
    """One database per test process: the suite runs in parallel (pytest-xdist).

    SQLite: a file in the process's own temporary folder. PostgreSQL: the
    database TEST_DATABASE_URL names, suffixed with the xdist worker id
    (created on first use), so workers never empty each other's tables.
    """
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    url = _normalise(url)
    if worker_id == "master":
        return url
    return _worker_database(url, worker_id)


def _worker_database(url: str, worker_id: str) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker_id}"
    # Connected to the server's maintenance database: the named one may not exist yet.
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


_BUILT: list[Flask] = []


def build_app(database_url: str, upload_folder: Path, **overrides: object) -> Flask:
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_FOLDER": str(upload_folder),
        **overrides,
    }
    app = create_app(type("PerTestConfig", (TestConfig,), settings))
    _BUILT.append(app)
    return app


@pytest.fixture(autouse=True)
def _close_every_apps_connections() -> Iterator[None]:
    """Each app a test built gives back its connections when the test ends.

    Otherwise a PostgreSQL connection left in a pool is closed by the garbage
    collector during some later test, whose run then fails on the warning.
    """
    yield
    while _BUILT:
        built = _BUILT.pop()
        with built.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def _schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    app = build_app(database_url, tmp_path_factory.mktemp("uploads"))
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        db.engine.dispose()
    yield


def empty_all_tables(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(t.name for t in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def app(database_url: str, _schema: None, tmp_path: Path) -> Iterator[Flask]:
    app = build_app(database_url, tmp_path / "uploads")
    yield app
    empty_all_tables(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


# --- data builders ------------------------------------------------------------


def make_council(slug: str, *, nation: str = "england", procedures=("conduct-complaint",), **kw):
    from tenants import services
    from tenants.models import ContactRoute

    council = services.create_council(
        slug=slug,
        name=kw.pop("name", slug.replace("-", " ").title() + " Council"),
        nation=nation,
        procedures=procedures,
        **kw,
    )
    council.routes = [
        ContactRoute(
            kind="monitoring-officer",
            name="Monitoring Officer",
            email=f"mo@{slug}.example.org",
            phone="01632 960000",
            position=0,
        ),
        ContactRoute(
            kind="safeguarding-duty",
            name="Safeguarding duty team",
            phone="01632 960100",
            position=1,
        ),
        ContactRoute(kind="police", name="Police", phone="101", position=2),
    ]
    db.session.flush()
    return council


def make_user(
    email: str,
    *roles,
    host_admin: bool = False,
    password: str = PASSWORD,
    totp_secret: str | None = TOTP_SECRET,
):
    """roles: (council, role) pairs. totp_secret=None: the account has not set up 2FA yet."""
    from core.db import utcnow
    from tenants import services, two_factor

    user = services.create_user(
        email=email, password=password, host_admin=host_admin, roles=list(roles)
    )
    if totp_secret is not None:
        user.totp_secret = two_factor.seal(user, totp_secret)
        user.totp_enrolled_at = utcnow()
    return user


@dataclass
class TwoCouncils:
    a_id: int
    b_id: int
    a_slug: str = "ashby"
    b_slug: str = "brockton"


@pytest.fixture
def two_councils(app: Flask) -> TwoCouncils:
    """Councils A and B, each with a Monitoring Officer and a clerk of its own."""
    with app.app_context():
        a = make_council("ashby")
        b = make_council("brockton")
        make_user("mo.a@example.org", (a, "monitoring-officer"))
        make_user("clerk.a@example.org", (a, "clerk"))
        make_user("mo.b@example.org", (b, "monitoring-officer"))
        make_user("admin@example.org", host_admin=True)
        db.session.commit()
        return TwoCouncils(a_id=a.id, b_id=b.id)


COMPLAINT = {
    "title": "Ms",
    "first_name": "Alex",
    "last_name": "Jones",
    "address": "1 High Street, Ashby",
    "phone": "01632 960123",
    "email": "alex@example.com",
    "preferred_contact": "email",
    "members-0-title": "Cllr",
    "members-0-first_name": "Robin",
    "members-0-last_name": "Gale",
    "members-0-authority": "Ashby Council",
    "details": "The councillor shouted at me during the public session.",
    "obligations": "Respect",
    "incident_dates": "3 March 2026",
    "witnesses": "Pat, 01632 960999",
    "outcome_sought": "An apology",
    "confidentiality": "no",
    "confidentiality_reasons": "",
    "help_needed": "",
    "declaration": "y",
}


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(
    client: FlaskClient,
    email: str,
    password: str = PASSWORD,
    totp_secret: str | None = TOTP_SECRET,
    next_path: str | None = None,
):
    """Sign in through the real pages: password, then a code from the authenticator.

    Returns the last response: the password step's when it did not lead to the
    code step (a refusal, or enrolment), otherwise the code step's.
    """
    query = {"next": next_path} if next_path else None
    page = client.get("/login", query_string=query)
    response = client.post(
        "/login",
        query_string=query,
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
    )
    if totp_secret is None or response.headers.get("Location") != "/login/code":
        return response
    return submit_code(client, totp_code(client.application, email, totp_secret))


def set_up_two_factor(client: FlaskClient):
    """First sign-in, after the password: add the shown key to an "app" and confirm a code.

    Returns the key and the response (the page showing the recovery codes).
    """
    import pyotp

    page = client.get("/login/set-up")
    match = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page.text)
    assert match, "no setup key on the page"
    secret = match.group(1).replace(" ", "")
    response = client.post(
        "/login/set-up",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(page.text)},
    )
    return secret, response


def submit_code(client: FlaskClient, code: str):
    page = client.get("/login/code")
    return client.post("/login/code", data={"code": code, "csrf_token": csrf_token(page.text)})


def totp_code(app: Flask, email: str, secret: str) -> str:
    """A code the server will accept now: each time-step works once per account.

    The suite signs one account in several times within 30 seconds; after the
    next step too is spent, the account's used step is forgotten, as if the
    clock had moved on (the app itself never does this).
    """
    import time

    import pyotp

    from tenants import services

    step = int(time.time()) // 30
    with app.app_context():
        user = services.user_by_email(email)
        last = user.totp_last_step if user is not None else None
        if last is not None and last >= step + 1:
            user.totp_last_step = None
            db.session.commit()
        elif last is not None and last >= step:
            step += 1
    return pyotp.TOTP(secret).generate_otp(step)


def submit_complaint(client: FlaskClient, slug: str, data: dict | None = None, files=None):
    """The whole public journey: form, check answers, send. Returns the confirmation page."""
    page = client.get(f"/{slug}/complaints/new")
    form = {**COMPLAINT, **(data or {}), "csrf_token": csrf_token(page.text), "action": "continue"}
    if files:
        form["evidence"] = files
    response = client.post(f"/{slug}/complaints/new", data=form, content_type="multipart/form-data")
    assert response.status_code == 303, response.text
    check = client.get(f"/{slug}/complaints/check")
    assert check.status_code == 200
    sent = client.post(
        f"/{slug}/complaints/check",
        data={"csrf_token": csrf_token(check.text)},
        follow_redirects=True,
    )
    assert sent.status_code == 200
    return sent


def reference_on(page_html: str) -> str:
    match = re.search(r"<strong>([A-Z0-9]+-\d{4}-\d{4})</strong>", page_html)
    assert match, "no reference on the confirmation page"
    return match.group(1)


# --- a real SMTP server ----------------------------------------------------------


@dataclass
class Mailbox:
    """What the SMTP server received."""

    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp(mailbox: Mailbox) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


@pytest.fixture
def smtp(app: Flask) -> Iterator[Mailbox]:
    """A real SMTP server on a free loopback port; the app is pointed at it."""
    mailbox = Mailbox()
    controller, port = start_smtp(mailbox)
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = port
    try:
        yield mailbox
    finally:
        controller.stop()


def body_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return ""


@dataclass
class QueryCounter:
    count: int = 0
    statements: list[str] = field(default_factory=list)


@pytest.fixture
def count_queries(app: Flask):
    """Use as `with count_queries() as counter:`; counts SQL statements sent."""
    from contextlib import contextmanager

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine

        def before(conn, cursor, statement, params, context, executemany):
            if (
                not statement.lstrip()
                .upper()
                .startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE"))
            ):
                counter.count += 1
                counter.statements.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting
