"""Run a real scheduler process for tests, at a fixed moment that then ticks on.

Usage: python -m tests.scheduler_process ISO_MOMENT SECONDS DATABASE_URL UPLOADS SMTP_PORT
"""

from __future__ import annotations

import sys
import threading
from datetime import datetime

import time_machine


def main() -> None:
    moment, seconds, database_url, uploads, port = sys.argv[1:6]
    with time_machine.travel(datetime.fromisoformat(moment), tick=True):
        from core.scheduler import Runner
        from tests.conftest import build_app

        app = build_app(
            database_url,
            uploads,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=int(port),
            SCHEDULER_LEASE_SECONDS=3,
            SCHEDULER_OUTBOX_SECONDS=1,
            SCHEDULER_REMINDER_SECONDS=1,
            SCHEDULER_HOUSEKEEPING_SECONDS=60,
        )
        stop = threading.Event()
        threading.Timer(float(seconds), stop.set).start()
        Runner(app).run(stop)


if __name__ == "__main__":
    main()
