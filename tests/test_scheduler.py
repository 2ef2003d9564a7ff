"""The scheduler: a database lease makes one process active; two started together send once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine
from sqlalchemy import func, select

from conduct.models import ReminderSent
from core import lease
from core.db import db
from tests.conftest import Mailbox, start_smtp
from tests.test_reminders import council_with_case  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parent.parent


def test_only_one_holder_has_the_lease_and_a_standby_takes_over_when_it_lapses(app):
    ttl = timedelta(seconds=30)
    with app.app_context():
        assert lease.acquire("scheduler", "a", ttl)
        assert not lease.acquire("scheduler", "b", ttl)
        assert lease.acquire("scheduler", "a", ttl)  # renewal
        with time_machine.travel(datetime.now(UTC) + timedelta(seconds=31), tick=False):
            assert lease.acquire("scheduler", "b", ttl)
            assert not lease.acquire("scheduler", "a", ttl)
            lease.release("scheduler", "b")
            assert lease.acquire("scheduler", "a", ttl)


def test_two_scheduler_processes_started_together_send_each_reminder_once(
    app,
    database_url,
    tmp_path,
    council_with_case,  # noqa: F811
):
    mailbox = Mailbox()
    controller, port = start_smtp(mailbox)
    # Friday 29 May 2026, 10:00 London: the "two working days before" reminder is due.
    moment = "2026-05-29T09:00:00+00:00"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-m",
        "tests.scheduler_process",
        moment,
        "6",
        database_url,
        str(tmp_path / "uploads"),
        str(port),
    ]
    try:
        processes = [
            subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            )
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=60)[0].decode() for p in processes]
    finally:
        controller.stop()
    assert all(p.returncode == 0 for p in processes), outputs
    recipients = sorted(m["To"] for m in mailbox.messages)
    assert recipients == ["dmo@example.org", "mo@example.org"], outputs
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 2
