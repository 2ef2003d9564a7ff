"""End-to-end fixtures: the app served over real HTTP, and Debian's Chromium driven by Playwright.

Each test gets the app of tests/conftest.py (its own SQLite file or PostgreSQL
database per xdist worker, emptied after the test) served by werkzeug on a free
loopback port, with a real SMTP server behind it. Each xdist worker starts one
Chromium and gives every test a fresh browser context (cookies, storage).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import Mailbox, build_app, empty_all_tables

CHROMIUM = Path("/usr/bin/chromium")
# What this machine needs (.library/env/machines/python-svc.md): no sandbox as
# root, no GPU, and no background connections, which the closed network refuses.
# Playwright gives every launch a new, empty --user-data-dir of its own (and
# refuses one passed here).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this folder e2e; skip them only where Chromium is not installed."""
    missing = pytest.mark.skip(
        reason=f"{CHROMIUM} not found: install Debian's chromium package (.ci/run does)"
    )
    for item in items:
        if E2E_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)
            if not CHROMIUM.exists():
                item.add_marker(missing)


@pytest.fixture
def app(database_url: str, _schema: None, tmp_path: Path) -> Iterator[Flask]:
    """The test app, as a browser meets it: mail delivered after each response, no rate limits.

    A journey posts the complaint form more often than one person would in an
    hour, and the whole suite shares one loopback address.
    """
    app = build_app(
        database_url,
        tmp_path / "uploads",
        RATELIMIT_ENABLED=False,
        OUTBOX_DELIVER_AFTER_RESPONSE=True,
    )
    yield app
    empty_all_tables(app)


class _QuietHandler(WSGIRequestHandler):
    """No line per request: a failing test's output should show the failure."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _close_when_sent(app: Flask):
    """Close each response as soon as its last byte is written.

    Work queued with call_on_close (the outbox delivers the acknowledgement
    email that way) runs when the server closes the response. Werkzeug's
    development server first drains the socket, and when the browser has
    already hung up, that read raises and the close is skipped: the email
    would stay queued (for the scheduler) and the test would wait in vain.
    """

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wsgi


@dataclass
class LiveServer:
    url: str
    mailbox: Mailbox

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture
def live_server(app: Flask, smtp: Mailbox) -> Iterator[LiveServer]:
    """The app on a free loopback port (one per test, so xdist workers never share one)."""
    # Threaded: a page's stylesheet and script requests arrive together.
    server = make_server(
        "127.0.0.1", 0, _close_when_sent(app), threaded=True, request_handler=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", mailbox=smtp)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium per test process, Debian's own: Playwright downloads none."""
    from playwright.sync_api import expect, sync_playwright

    # Two cores shared by the whole suite: give a slow swap or page time to arrive.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh contexts: new_page(java_script_enabled=False, ...) for other settings."""
    contexts = []

    def open_page(**options):
        settings = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB", **options}
        context = browser.new_context(**settings)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
