"""Case references stay unique, gapless and lock-free under concurrent submissions.

SQLite in WAL mode serialises writers with BEGIN IMMEDIATE (core/db.py);
PostgreSQL row-locks the counter inside its upsert (conduct/references.py).
The multi-process test runs against whichever database the suite uses
(TEST_DATABASE_URL or a temporary SQLite file).
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import traceback
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from conduct.models import Case
from conduct.references import next_reference
from core.db import db
from tests.conftest import make_council

if TYPE_CHECKING:
    from multiprocessing.queues import Queue
    from multiprocessing.synchronize import Barrier

PROCESSES = 4
SUBMISSIONS_EACH = 25
START_TIMEOUT_S = 60
RUN_TIMEOUT_S = 120


class _KeepErrors(logging.Handler):
    """Collects the text (with traceback) of every error the app logs."""

    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.into = into
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(self.format(record))


def submit_many(
    database_url: str,
    upload_folder: str,
    slug: str,
    count: int,
    start: Barrier,
    results: Queue,
) -> None:
    """One worker process: build its own app, wait for the others, then submit `count` forms.

    Every complaint goes through the real web layer (form POST, check-answers
    GET, check-answers POST) with the app's own test client rather than by
    calling ``conduct.complaints.submit``: that way each write is a POST
    request and takes exactly the transaction path a gunicorn worker takes
    (BEGIN IMMEDIATE on SQLite, taken when the request first touches the
    database), drafts and sessions included. Puts (references, errors) on
    `results`; it never raises, so the parent always hears back.
    """
    references: list[str] = []
    errors: list[str] = []
    # The app turns unexpected exceptions into a 500 page and logs them; keep their text.
    logging.getLogger("core.errors").addHandler(_KeepErrors(errors))
    try:
        from tests.conftest import build_app, reference_on, submit_complaint

        app = build_app(database_url, Path(upload_folder))
        client = app.test_client()
        start.wait(timeout=START_TIMEOUT_S)
        for _ in range(count):
            try:
                references.append(reference_on(submit_complaint(client, slug).text))
            except Exception:
                errors.append(traceback.format_exc())
        with app.app_context():
            db.engine.dispose()
    except Exception:
        errors.append(traceback.format_exc())
    results.put((references, errors))


@pytest.mark.slow
def test_four_processes_submitting_at_once_get_distinct_gapless_references_without_lock_errors(
    app, database_url: str, tmp_path: Path
):
    with app.app_context():
        council = make_council("ashby")
        code, council_id = council.code, council.id
        db.session.commit()
        db.engine.dispose()  # the workers are the only ones using the database now

    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    results = context.Queue()
    workers = [
        context.Process(
            target=submit_many,
            args=(
                database_url,
                str(tmp_path / f"uploads-{n}"),
                "ashby",
                SUBMISSIONS_EACH,
                start,
                results,
            ),
            daemon=True,
        )
        for n in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    outcomes = []
    try:
        for _ in workers:
            outcomes.append(results.get(timeout=RUN_TIMEOUT_S))
    except queue.Empty:
        pytest.fail(f"only {len(outcomes)} of {PROCESSES} workers reported back")
    finally:
        for worker in workers:
            worker.join(timeout=10)
            if worker.is_alive():
                worker.kill()

    errors = [error for _, worker_errors in outcomes for error in worker_errors]
    references = [ref for worker_refs, _ in outcomes for ref in worker_refs]
    assert not any("database is locked" in error for error in errors), errors[0]
    assert errors == []
    assert all(worker.exitcode == 0 for worker in workers)
    assert len(references) == PROCESSES * SUBMISSIONS_EACH
    assert len(set(references)) == len(references), "two submissions shared a reference"
    total = PROCESSES * SUBMISSIONS_EACH
    year = references[0].split("-")[1]
    assert sorted(references) == [f"{code}-{year}-{n:04d}" for n in range(1, total + 1)]
    with app.app_context():
        stored = db.session.scalars(select(Case.reference).where(Case.council_id == council_id))
        assert sorted(stored) == sorted(references)
        assert db.session.scalar(select(func.count()).select_from(Case)) == total


def test_reference_sequences_are_independent_per_council_and_per_year(app_ctx):
    ashby = make_council("ashby")
    brockton = make_council("brockton")
    assert (ashby.code, brockton.code) == ("ASHB", "BROC")

    issued = [
        next_reference(ashby, date(2026, 1, 5)),
        next_reference(ashby, date(2026, 12, 31)),
        next_reference(brockton, date(2026, 6, 1)),
        next_reference(ashby, date(2027, 1, 1)),
        next_reference(ashby, date(2026, 7, 1)),
    ]
    db.session.commit()

    assert issued == [
        "ASHB-2026-0001",
        "ASHB-2026-0002",
        "BROC-2026-0001",
        "ASHB-2027-0001",
        "ASHB-2026-0003",
    ]
