"""Retention: closed cases are deleted after their council's period, and still counted.

Each test builds cases as the engine leaves them, runs the retention service
(or its command, or the scheduler's job) on a chosen day, and checks what is
gone, what stays (held cases, recent ones, published notices, the statistics)
and what the log says.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select

from conduct.decisions.models import DecisionNotice, NoticeApproval
from conduct.hearings.models import Hearing
from conduct.models import Case, CaseEvent, CaseExclusion, CaseLink, CaseSubject, EvidenceFile
from conduct.retention import service
from conduct.retention.models import (
    RetainedCase,
    RetainedDeadline,
    RetainedSanction,
    RetentionLogEntry,
)
from conduct.statistics import service as statistics
from conduct.statistics.service import Period
from conduct.uploads import storage_path
from core.db import db, utcnow
from core.outbox_models import OutboxMessage
from core.tenancy import scope
from tenants.models import Council
from tests.casework_helpers import page
from tests.conftest import csrf_token, login, make_council, make_user
from tests.factories import make_case
from tests.publication_factories import make_draft, make_notice, stored_file
from tests.statistics_data import (
    CLERK_A,
    COMPLAINANT,
    DETAILS,
    DISTRICT_MO,
    MOP,
    NOW,
    SPECS,
    SUBJECT,
    TODAY,
    Spec,
    figures_in_csv,
    insert,
    setup_councils,
)

# Long enough after NOW that every closed case of SPECS is past a one-year period.
LATER = date(2028, 1, 1)
EVER = Period(date(2020, 1, 1), TODAY)


def _count(model, *where) -> int:
    with scope(None):
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _closed_case(council: Council, number: int, closed: date, **kw) -> Case:
    """A conduct complaint closed with no further action on `closed`."""
    case = make_case(council, number, received=kw.pop("received", closed - timedelta(days=60)))
    case.stage, case.previous_stage = "closed-no-action", "initial-assessment"
    case.closed_on, case.outcome = closed, "no-further-action"
    db.session.flush()
    return case


def _exists(app: Flask, case_id: int) -> bool:
    with app.app_context():
        return _count(Case, Case.id == case_id) == 1


def _run(app: Flask, today: date, **kw) -> service.RunReport:
    with app.app_context():
        return service.run(today=today, **kw)


def _set_years(app: Flask, **years: int) -> None:
    with app.app_context():
        for slug, value in years.items():
            db.session.scalar(select(Council).where(Council.slug == slug)).retention_years = value
        db.session.commit()


# --- the statistics keep counting ---------------------------------------------------------


@pytest.fixture
def specs(app) -> dict[str, int]:
    """The statistics test cases (SPECS) of three councils, each council keeping them 1 year."""
    with app.app_context():
        councils = setup_councils()
        insert(SPECS, councils)
        for council in councils.values():
            council.retention_years = 1
        db.session.commit()
        return {slug: c.id for slug, c in councils.items()}


def _everything_attached(app: Flask) -> dict:
    """Files, emails, links, notices and a hearing on one expired case of SPECS (a decided one)."""
    with app.app_context(), scope(None):
        case = db.session.scalar(
            select(Case).where(Case.stage == "closed-hearing").order_by(Case.id).limit(1)
        )
        evidence = stored_file(case, "evidence.pdf", b"%PDF-1.4 what the complainant sent")
        published = make_notice(case, html="<p>The panel found a breach.</p>", kind="hearing-panel")
        db.session.add(
            NoticeApproval(
                council_id=case.council_id,
                notice=published,
                slot=0,
                role="monitoring-officer",
                user_name="Morgan Price",
                content_hash="0" * 64,
            )
        )
        draft = make_draft(case, text="<p>A correction never published</p>", title="Draft")
        draft.kind, draft.version = "hearing-panel", 2
        db.session.add_all(
            [
                OutboxMessage(
                    council_id=case.council_id,
                    case_id=case.id,
                    kind="acknowledgement",
                    recipient="zebedee@example.com",
                    subject="Your complaint",
                    body_text="Dear Zebedee Quilter",
                    message_id="<retention-test@example.org>",
                ),
                CaseLink(
                    council_id=case.council_id,
                    case_id=case.id,
                    party="complainant",
                    email="zebedee@example.com",
                    token_hash="f" * 64,
                    expires_at=utcnow() + timedelta(days=30),
                ),
                CaseEvent(
                    council_id=case.council_id,
                    case_id=case.id,
                    kind="reply",
                    summary="Reply received from the complainant",
                    reason="More about what happened",
                ),
            ]
        )
        db.session.commit()
        return {
            "case_id": case.id,
            "reference": case.reference,
            "slug": case.council.slug,
            "path": storage_path(evidence.storage_key),
            "published_id": published.id,
            "draft_id": draft.id,
        }


def test_retention_deletes_an_expired_case_and_its_files_but_keeps_it_in_the_statistics(app, specs):
    attached = _everything_attached(app)
    assert attached["path"].exists()
    client = app.test_client()
    staff = app.test_client()
    with app.app_context():
        before = statistics.compute(specs.values(), EVER, today=TODAY)
        closed = _count(Case, Case.closed_on.is_not(None))
    with time_machine.travel(NOW, tick=False):
        login(staff, DISTRICT_MO)
        public_before = figures_in_csv(client.get("/standards/statistics.csv").text)
        staff_before = figures_in_csv(staff.get("/cases/statistics.csv").text)

    report = _run(app, LATER)

    assert report.deleted == closed and report.failed == 0
    assert not _exists(app, attached["case_id"])
    assert not attached["path"].exists()
    with app.app_context():
        assert _count(Case, Case.closed_on.is_not(None)) == 0
        assert _count(Case) == len(SPECS) - closed  # the open cases stay
        for model in (EvidenceFile, OutboxMessage, CaseLink, NoticeApproval):
            assert _count(model) == 0, model
        assert _count(CaseEvent, CaseEvent.case_id == attached["case_id"]) == 0
        assert _count(Hearing) == 0 and _count(CaseSubject) == len(SPECS) - closed
        assert _count(DecisionNotice, DecisionNotice.id == attached["draft_id"]) == 0
        assert _count(RetainedCase) == closed
        after = statistics.compute(specs.values(), EVER, today=TODAY)
    assert after == before
    assert after.total == len(SPECS) and after.sanctions and after.deadlines
    with time_machine.travel(NOW, tick=False):
        assert figures_in_csv(client.get("/standards/statistics.csv").text) == public_before
        assert figures_in_csv(staff.get("/cases/statistics.csv").text) == staff_before


def test_a_published_decision_notice_stays_public_after_its_case_is_deleted(app, specs):
    attached = _everything_attached(app)
    slug, notice_id = attached["slug"], attached["published_id"]
    client = app.test_client()
    before = client.get(f"/{slug}/standards/notices/{notice_id}")
    pdf_before = client.get(f"/{slug}/standards/notices/{notice_id}.pdf")
    assert before.status_code == 200 and pdf_before.status_code == 200

    _run(app, LATER)

    with app.app_context():
        kept = db.session.get(DecisionNotice, notice_id)
        assert kept.case_id is None and kept.case_reference == attached["reference"]
    after = client.get(f"/{slug}/standards/notices/{notice_id}")
    assert after.status_code == 200
    assert "The panel found a breach." in after.text and attached["reference"] in after.text
    assert client.get(f"/{slug}/standards/notices/{notice_id}.pdf").data == pdf_before.data
    listing = client.get(f"/{slug}/standards/notices").text
    assert f"/{slug}/standards/notices/{notice_id}" in listing
    assert "A correction never published" not in listing
    assert client.get(f"/{slug}/standards/notices.atom").status_code == 200


def test_the_log_entry_exists_and_holds_no_name_or_reference(app, specs):
    attached = _everything_attached(app)
    with app.app_context():
        references = set(db.session.scalars(select(Case.reference)))

    _run(app, LATER)

    with app.app_context(), scope(None):
        entries = db.session.scalars(select(RetentionLogEntry)).all()
        assert len(entries) == len(references) - _count(Case)
        assert {e.outcome for e in entries} == {"deleted"}
        assert {e.council_id for e in entries} <= set(specs.values())
        assert all(e.retained_case_id and "1 years" in e.reason for e in entries)
        assert sum(e.files_deleted for e in entries) == 1
        kept = [
            " ".join(str(getattr(row, column.name)) for column in type(row).__table__.columns)
            for model in (RetentionLogEntry, RetainedCase, RetainedDeadline, RetainedSanction)
            for row in db.session.scalars(select(model))
        ]
        entries[0].reason = "changed"
        with pytest.raises(PermissionError):
            db.session.flush()
        db.session.rollback()
    text = "\n".join(kept).lower()
    for secret in (*references, *COMPLAINANT, *SUBJECT, DETAILS, "zebedee", attached["reference"]):
        assert secret.lower() not in text, secret


def test_a_clerk_counts_the_deleted_cases_they_read_and_not_those_closed_to_clerks(app, specs):
    with app.app_context():
        councils = {c.slug: c for c in db.session.scalars(select(Council))}
        resolved = Spec(
            *("ashby", MOP, date(2026, 1, 5), "closed-resolved", "informal-discussion"),
            *(date(2026, 2, 2), "resolved"),
        )
        read, closed_to_clerks = insert([resolved, resolved], councils, start=500)
        closed_to_clerks.exclusions.append(CaseExclusion(council_id=read.council_id, role="clerk"))
        db.session.commit()
    clerk = app.test_client()
    with time_machine.travel(NOW, tick=False):
        login(clerk, CLERK_A)
        before = figures_in_csv(clerk.get("/cases/statistics.csv").text)
    assert before["by-procedure"][MOP]["closed"] == "1"

    _run(app, LATER)

    with app.app_context():
        assert _count(RetainedCase, RetainedCase.excluded_roles == ",clerk,") == 1
    with time_machine.travel(NOW, tick=False):
        assert figures_in_csv(clerk.get("/cases/statistics.csv").text) == before


# --- what survives ------------------------------------------------------------------------


@pytest.fixture
def ashby(app) -> int:
    """A council with a Monitoring Officer and a clerk; it keeps closed cases 6 years."""
    with app.app_context():
        council = make_council("ashby")
        make_user("mo@example.org", (council, "monitoring-officer"))
        make_user("clerk@example.org", (council, "clerk"))
        db.session.commit()
        return council.id


def _make_closed(app: Flask, slug: str, number: int, closed: date) -> int:
    with app.app_context():
        council = db.session.scalar(select(Council).where(Council.slug == slug))
        case = _closed_case(council, number, closed)
        db.session.commit()
        return case.id


def test_a_case_closed_less_than_the_period_ago_survives(app, ashby):
    today = date(2026, 6, 15)
    recent = _make_closed(app, "ashby", 1, date(2020, 6, 16))  # 6 years ago tomorrow
    anniversary = _make_closed(app, "ashby", 2, date(2020, 6, 15))  # kept until today
    expired = _make_closed(app, "ashby", 3, date(2020, 6, 14))

    report = _run(app, today)

    assert report.deleted == 1
    assert _exists(app, recent) and _exists(app, anniversary) and not _exists(app, expired)
    _run(app, today + timedelta(days=1))
    assert _exists(app, recent) and not _exists(app, anniversary)


def test_an_open_case_is_never_deleted_however_old(app, ashby):
    with app.app_context():
        council = db.session.get(Council, ashby)
        case = make_case(council, 1, received=date(2001, 1, 1))
        db.session.commit()
        case_id = case.id

    assert _run(app, date(2026, 6, 15)).deleted == 0
    assert _exists(app, case_id)


def _hold(client, case_id: int, reason: str):
    form = client.get(f"/cases/{case_id}/legal-hold")
    assert form.status_code == 200
    return client.post(
        f"/cases/{case_id}/legal-hold",
        data={"csrf_token": csrf_token(form.text), "reason": reason},
    )


def test_a_held_case_survives_and_is_deleted_once_the_hold_is_released(app, ashby):
    case_id = _make_closed(app, "ashby", 1, date(2019, 1, 10))
    mo = app.test_client()
    login(mo, "mo@example.org")
    html = page(mo, case_id)
    assert 'id="kept-until"' in html and "10 January 2025" in html

    response = _hold(mo, case_id, "A claim in the county court")

    assert response.status_code == 303
    html = page(mo, case_id)
    assert 'id="legal-hold"' in html and "A claim in the county court" in html
    assert 'data-action="legal-hold"' in html
    report = _run(app, date(2026, 6, 15))
    assert report.deleted == 0 and report.councils[0].held == 1
    assert _exists(app, case_id)

    form = mo.get(f"/cases/{case_id}/legal-hold/release")
    released = mo.post(
        f"/cases/{case_id}/legal-hold/release",
        data={"csrf_token": csrf_token(form.text), "reason": "The claim was settled"},
    )
    assert released.status_code == 303
    assert 'data-action="legal-hold-released"' in page(mo, case_id)
    assert _run(app, date(2026, 6, 15)).deleted == 1
    assert not _exists(app, case_id)


def test_only_the_monitoring_officer_or_deputy_can_hold_and_a_reason_is_needed(app, ashby):
    case_id = _make_closed(app, "ashby", 1, date(2019, 1, 10))
    clerk, mo = app.test_client(), app.test_client()
    login(clerk, "clerk@example.org")
    login(mo, "mo@example.org")
    assert clerk.get(f"/cases/{case_id}/legal-hold").status_code in (403, 404)
    assert 'id="legal-hold-link"' in page(mo, case_id)

    response = _hold(mo, case_id, "  ")

    assert response.status_code == 400
    assert "Enter why the case must be kept" in response.text
    assert mo.get(f"/cases/{case_id}/legal-hold/release").status_code == 409


def test_another_councils_period_applies_to_its_cases_only(app, ashby):
    with app.app_context():
        make_council("brockton")
        db.session.commit()
    _set_years(app, ashby=2, brockton=10)
    closed = date(2022, 3, 1)  # four years before the run
    ashby_case = _make_closed(app, "ashby", 1, closed)
    brockton_case = _make_closed(app, "brockton", 1, closed)

    report = _run(app, date(2026, 3, 2))

    assert not _exists(app, ashby_case) and _exists(app, brockton_case)
    assert {c.slug: (c.years, c.deleted) for c in report.councils} == {
        "ashby": (2, 1),
        "brockton": (10, 0),
    }
    _set_years(app, brockton=3)
    _run(app, date(2026, 3, 2))
    assert not _exists(app, brockton_case)


# --- failures -----------------------------------------------------------------------------


def test_a_failing_deletion_leaves_the_case_and_the_next_run_retries(app, ashby, monkeypatch):
    with app.app_context():
        council = db.session.get(Council, ashby)
        case = _closed_case(council, 1, date(2019, 1, 10))
        path: Path = storage_path(stored_file(case, "letter.pdf", b"%PDF-1.4 a letter").storage_key)
        case_id = case.id
        db.session.commit()
    real_remove = service._remove

    def fail_once(case):
        monkeypatch.setattr(service, "_remove", real_remove)
        real_remove(case)  # half done, then it breaks: all of it must roll back
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(service, "_remove", fail_once)

    first = _run(app, date(2026, 6, 15))

    assert first.failed == 1 and first.deleted == 0
    assert _exists(app, case_id) and path.exists()
    with app.app_context():
        assert _count(EvidenceFile) == 1 and _count(RetainedCase) == 0
        failure = db.session.scalar(select(RetentionLogEntry))
        assert (failure.outcome, failure.error) == ("failed", "RuntimeError")
        assert failure.retained_case_id is None

    second = _run(app, date(2026, 6, 15))

    assert second.deleted == 1
    assert not _exists(app, case_id) and not path.exists()


# --- the command and the scheduler ---------------------------------------------------------


def test_the_command_says_what_a_dry_run_would_delete_and_changes_nothing(app, ashby, runner):
    case_id = _make_closed(app, "ashby", 1, date(2001, 1, 10))
    _make_closed(app, "ashby", 2, date(2099, 1, 10))

    result = runner.invoke(args=["retention", "run", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "ashby: closed cases kept 6 years; 1 would be deleted" in result.output
    assert _exists(app, case_id)

    result = runner.invoke(args=["retention", "run", "--council", "ashby"])

    assert result.exit_code == 0, result.output
    assert "ashby: closed cases kept 6 years; 1 deleted, 0 failed" in result.output
    assert not _exists(app, case_id)


def test_the_command_explains_itself_and_fails_with_one_line(app, ashby, runner, monkeypatch):
    assert "--dry-run" in runner.invoke(args=["retention", "run", "--help"]).output
    unknown = runner.invoke(args=["retention", "run", "--council", "nowhere"])
    assert unknown.exit_code != 0
    assert unknown.output.strip() == "Error: no council with slug 'nowhere'"

    _make_closed(app, "ashby", 1, date(2001, 1, 10))

    def broken(case):
        raise RuntimeError("no")

    monkeypatch.setattr(service, "_remove", broken)
    failed = runner.invoke(args=["retention", "run"])
    assert failed.exit_code != 0
    assert failed.output.strip().splitlines()[-1].startswith("Error: 1 cases could not be deleted")


def test_the_scheduler_runs_retention_as_one_of_its_jobs(app, ashby):
    from core.scheduler import Runner

    case_id = _make_closed(app, "ashby", 1, date(2001, 1, 10))
    runner = Runner(app, holder="test")
    assert runner.intervals["retention"] == app.config["SCHEDULER_RETENTION_SECONDS"] == 86400

    runner.jobs()["retention"]()

    assert not _exists(app, case_id)


# --- the council's period on the host admin page ----------------------------------------------


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "Enter how many years closed cases are kept"),
        ("six", "Enter the number of years as a whole number, like 6"),
        ("0", "Enter a number of years from 1 to 50"),
        ("-3", "Enter a number of years from 1 to 50"),
        ("500", "Enter a number of years from 1 to 50"),
    ],
)
def test_the_host_admin_sets_the_period_and_nonsense_gets_a_field_error(app, ashby, given, message):
    make_user_admin(app)
    admin = app.test_client()
    login(admin, "admin@example.org")
    form = admin.get("/admin/councils/ashby")
    assert 'name="retention_years"' in form.text and 'value="6"' in form.text
    fields = {
        "csrf_token": csrf_token(form.text),
        "name": "Ashby Council",
        "nation": "england",
        "procedures": ["conduct-complaint"],
        "brand_colour": "#1d70b8",
    }

    refused = admin.post("/admin/councils/ashby", data={**fields, "retention_years": given})

    assert refused.status_code == 400
    assert 'id="retention_years-error"' in refused.text and message in refused.text
    assert refused.text.count(message) == 2  # the error summary and the field, once each
    saved = admin.post("/admin/councils/ashby", data={**fields, "retention_years": "10"})
    assert saved.status_code == 303
    with app.app_context():
        assert db.session.get(Council, ashby).retention_years == 10


def make_user_admin(app: Flask) -> None:
    with app.app_context():
        make_user("admin@example.org", host_admin=True)
        db.session.commit()


def test_the_log_time_is_when_the_case_was_deleted(app, ashby):
    _make_closed(app, "ashby", 1, date(2001, 1, 10))
    moment = datetime(2026, 6, 15, 3, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        _run(app, date(2026, 6, 15))
    with app.app_context(), scope(None):
        assert db.session.scalar(select(RetentionLogEntry.at)) == moment


def test_a_hold_placed_after_the_case_was_listed_is_respected(app, ashby):
    case_id = _make_closed(app, "ashby", 1, date(2001, 1, 10))
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.legal_hold_at, case.legal_hold_reason = utcnow(), "Placed a moment ago"
        db.session.commit()
        cutoff = service.cutoff(date(2026, 6, 15), 6)

        with scope({ashby}):
            assert service.delete_case(case_id, ashby, 6, cutoff) is None
    assert _exists(app, case_id)
