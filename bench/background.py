"""Work without a browser: the reminder sweep, outbox delivery, `flask demo load`, the suite."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine, delete, event, func, select

from bench.data import Dataset, sweep_moment
from bench.settings import ROOT
from conduct import reminders
from conduct.calendar import bank_holidays
from conduct.models import ReminderSent
from core import outbox
from core.db import db
from core.outbox_models import QUEUED, OutboxMessage
from core.tenancy import scope


@dataclass
class Sweep:
    seconds: float
    queries: int
    queued: int
    superseded: int


@dataclass
class Delivery:
    messages: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, *_args: object) -> None:
        self.n += 1


def _counting(engine: Engine) -> _Counter:
    counter = _Counter()
    event.listen(engine, "before_cursor_execute", counter)
    return counter


def undo_sweep(app: Flask, first_new_message: int) -> None:
    """Back to the data as built: no reminders recorded, none of their emails queued."""
    with app.app_context(), scope(None):
        db.session.execute(delete(ReminderSent))
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.id >= first_new_message))
        db.session.commit()


def next_message_id(app: Flask) -> int:
    with app.app_context(), scope(None):
        return (db.session.scalar(select(func.max(OutboxMessage.id))) or 0) + 1


def sweep(app: Flask, data: Dataset) -> Sweep:
    """One reminder sweep at 10:00 on the sweep day, timed and its statements counted."""
    day = date.fromisoformat(data.sweep_day)
    moment = sweep_moment(day)
    # The scheduler is a long-running process: it reads the bank holidays (about 0.3 s,
    # the `holidays` package) once when it starts, not on each sweep.
    for nation, year in itertools.product(("england", "wales"), (day.year, day.year + 1)):
        bank_holidays(nation, year)
    with app.app_context():
        counter = _counting(db.engine)
        try:
            started = time.perf_counter()
            report = reminders.sweep(now=moment)
            seconds = time.perf_counter() - started
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
        db.session.remove()
    return Sweep(seconds, counter.n, report.queued, report.superseded)


def deliver(app: Flask) -> Delivery:
    """Deliver every queued message to the SMTP server in MAIL_PORT, timed."""
    with app.app_context(), scope(None):
        waiting = db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status == QUEUED)
        )
        db.session.commit()
        started = time.perf_counter()
        sent = 0
        while True:
            report = outbox.deliver(due_only=False, limit=500)
            if not report.sent:
                break
            sent += len(report.sent)
        seconds = time.perf_counter() - started
        if sent < (waiting or 0):
            raise RuntimeError(f"outbox: only {sent} of {waiting} messages delivered")
    return Delivery(sent, seconds)


def start_smtp_sink(port: int) -> subprocess.Popen:
    """aiosmtpd in its own process (sharing ours would slow the sender it measures)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    return process


def demo_load_seconds() -> float:
    """`flask db upgrade` then `flask demo load` on an empty SQLite database; the load timed."""
    with tempfile.TemporaryDirectory() as folder:
        env = dict(
            os.environ,
            APP_ENV="development",
            FLASK_APP="wsgi.py",
            DATABASE_URL=f"sqlite:///{Path(folder) / 'demo.sqlite'}",
            UPLOAD_FOLDER=str(Path(folder) / "uploads"),
        )
        flask = [sys.executable, "-m", "flask"]
        subprocess.run(
            [*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        started = time.perf_counter()
        subprocess.run([*flask, "demo", "load"], cwd=ROOT, env=env, check=True, capture_output=True)
        return time.perf_counter() - started


def suite_seconds() -> float:
    """The whole test suite as README runs it (bin/test), timed."""
    started = time.perf_counter()
    subprocess.run([str(ROOT / "bin" / "test"), "-q"], cwd=ROOT, check=True)
    return time.perf_counter() - started
