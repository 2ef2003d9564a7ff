"""`flask scheduler run`: the one long-running process for background work.

APScheduler runs a few interval jobs: deliver the outbox, sweep deadlines
for reminders, housekeeping, and once a day delete the closed cases whose
council's retention period has passed (conduct/retention). Deadlines live in
the application's tables, so there is no job per deadline to lose or repeat.
Each run of a job first renews a lease in the database: of several scheduler
processes, only the lease holder works, and a standby takes over when the
holder stops renewing.
Web workers never start a scheduler.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta

import click
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask, current_app
from flask.cli import AppGroup

from core import lease, outbox
from core.db import db

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"

scheduler_cli = AppGroup("scheduler", help="The background scheduler process.")


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Runner:
    """Runs the jobs while holding the lease; one per process."""

    def __init__(self, app: Flask, holder: str | None = None) -> None:
        self.app = app
        self.holder = holder or _holder()
        config = app.config
        self.ttl = timedelta(seconds=config["SCHEDULER_LEASE_SECONDS"])
        self.intervals = {
            "outbox": config["SCHEDULER_OUTBOX_SECONDS"],
            "reminders": config["SCHEDULER_REMINDER_SECONDS"],
            "housekeeping": config["SCHEDULER_HOUSEKEEPING_SECONDS"],
            "retention": config["SCHEDULER_RETENTION_SECONDS"],
        }

    def leading(self) -> bool:
        return lease.acquire(LEASE_NAME, self.holder, self.ttl)

    def _job(self, name: str, work: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            with self.app.app_context():
                try:
                    if not self.leading():
                        return
                    result = work()
                    if result:
                        log.info("scheduler %s: %s", name, result)
                except Exception:  # a failed run is retried at the next interval
                    log.exception("scheduler job %s failed", name)
                    db.session.rollback()
                finally:
                    db.session.remove()

        return run

    def jobs(self) -> dict[str, Callable[[], None]]:
        from conduct import complaints, reminders
        from conduct.retention import service as retention

        def housekeeping() -> str:
            purged = complaints.purge_expired_drafts()
            released = outbox.release_stale_claims()
            db.session.commit()
            return f"drafts purged {purged}, claims released {released}"

        return {
            "outbox": self._job("outbox", lambda: outbox.deliver(due_only=True)),
            "reminders": self._job("reminders", reminders.sweep),
            "housekeeping": self._job("housekeeping", housekeeping),
            "retention": self._job("retention", lambda: str(retention.run())),
        }

    def run(self, stop: threading.Event) -> None:
        scheduler = BackgroundScheduler(
            timezone="Europe/London",
            # One sweep at a time, missed runs collapsed into one, never dropped for lateness.
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        for name, job in self.jobs().items():
            scheduler.add_job(
                job, "interval", seconds=self.intervals[name], id=name, next_run_time=_now()
            )
        scheduler.start()
        log.info("scheduler %s started", self.holder)
        try:
            stop.wait()
        finally:
            scheduler.shutdown(wait=True)
            with self.app.app_context():
                lease.release(LEASE_NAME, self.holder)
                db.session.remove()
            log.info("scheduler %s stopped", self.holder)


def _now():
    from datetime import datetime

    from conduct.timeutil import LONDON

    return datetime.now(LONDON)


@scheduler_cli.command("run")
@click.option("--seconds", type=float, default=None, help="Stop after this long (for tests).")
def run_command(seconds: float | None) -> None:
    """Run the scheduler until stopped (Ctrl+C or SIGTERM)."""
    import signal

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if seconds is not None:
        threading.Timer(seconds, stop.set).start()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    click.echo("scheduler running; Ctrl+C to stop")
    Runner(app).run(stop)


def register_cli(app: Flask) -> None:
    app.cli.add_command(scheduler_cli)
