"""Deadline reminders: before, on the day and overdue, each once, in office hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from conduct import engine, reminders
from conduct.models import Case, ReminderSent
from core import outbox
from core.db import db
from core.tenancy import scope
from tenants.models import Council, User
from tests.conftest import make_council, make_user
from tests.factories import make_case


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def council_with_case(app):
    """A conduct complaint whose councillor was told on Thursday 21 May 2026 (7 wd -> 2 June)."""
    with app.app_context():
        council = make_council("ashby")
        make_user("mo@example.org", (council, "monitoring-officer"))
        make_user("dmo@example.org", (council, "deputy-monitoring-officer"))
        db.session.commit()
        with scope({council.id}):
            case = make_case(council, 1, received=date(2026, 5, 18))
            db.session.flush()
            engine.start(case, council)
            mo = db.session.scalar(select(User).where(User.email == "mo@example.org"))
            for key, values in (
                ("record-acknowledgement", {"how": "post"}),
                ("proceed", {}),
                ("subject-notified", {}),
            ):
                engine.perform(case, council, key, actor=mo, values=values, on=date(2026, 5, 21))
            db.session.commit()
            return council.id, case.id


def _run_days(app, smtp, start: date, end: date, hour: int = 10) -> dict[date, list[str]]:
    """Sweep and deliver once a day at `hour`, as the scheduler would; mails received per day."""
    received: dict[date, list[str]] = {}
    day = start
    while day <= end:
        before = len(smtp.messages)
        with time_machine.travel(_at(day, hour), tick=False), app.app_context():
            reminders.sweep()
            outbox.deliver()
        received[day] = [f"{m['To']}|{m['Subject']}" for m in smtp.messages[before:]]
        day += timedelta(days=1)
    return received


def test_each_reminder_arrives_once_on_the_right_working_day_to_the_right_people(
    app, smtp, council_with_case
):
    mails = _run_days(app, smtp, date(2026, 5, 21), date(2026, 6, 12))
    # Due Tuesday 2 June 2026. Two working days before: Friday 29 May. On the day:
    # Tuesday 2 June. Overdue: Wednesday 3 June. The councillor owns the deadline, so the
    # Monitoring Officer and the Deputy are the ones reminded to chase it.
    sent = {day: msgs for day, msgs in mails.items() if msgs}
    assert sorted(sent) == [date(2026, 5, 29), date(2026, 6, 2), date(2026, 6, 3)]
    for day in sent:
        assert sorted(m.split("|")[0] for m in sent[day]) == ["dmo@example.org", "mo@example.org"]
    assert all("Due on 2 June" in m for m in sent[date(2026, 5, 29)])
    assert all("Due today" in m for m in sent[date(2026, 6, 2)])
    assert all("Overdue" in m for m in sent[date(2026, 6, 3)])
    assert len(smtp.messages) == 6


def test_no_reminder_outside_office_hours_or_for_a_met_or_paused_deadline(
    app, smtp, council_with_case
):
    council_id, case_id = council_with_case
    assert (
        _run_days(app, smtp, date(2026, 5, 29), date(2026, 5, 29), hour=0)[date(2026, 5, 29)] == []
    )
    with (
        time_machine.travel(_at(date(2026, 5, 27)), tick=False),
        app.app_context(),
        scope({council_id}),
    ):
        case = db.session.get(Case, case_id)
        council = db.session.get(Council, council_id)
        mo = db.session.scalar(select(User).where(User.email == "mo@example.org"))
        engine.perform(case, council, "pause", actor=mo, values={"reason": "Illness"})
        db.session.commit()
    assert all(v == [] for v in _run_days(app, smtp, date(2026, 5, 27), date(2026, 6, 10)).values())


def test_a_reminder_whose_day_passed_while_down_is_sent_once_on_restart(
    app, smtp, council_with_case
):
    # Down on Friday 29 May (the "before" day); back on Monday 1 June, still before the due day.
    mails = _run_days(app, smtp, date(2026, 6, 1), date(2026, 6, 1))
    assert len(mails[date(2026, 6, 1)]) == 2
    again = _run_days(app, smtp, date(2026, 6, 1), date(2026, 6, 1))
    assert again[date(2026, 6, 1)] == []


def test_overlapping_sweeps_queue_each_reminder_once(app, smtp, council_with_case):
    with time_machine.travel(_at(date(2026, 5, 29)), tick=False), app.app_context():
        first = reminders.sweep()
        second = reminders.sweep()
        rows = db.session.scalars(select(ReminderSent)).all()
    assert first.queued == 2 and second.queued == 0
    assert len(rows) == 2


def test_a_staff_member_who_chose_a_digest_gets_one_email_a_day_instead(
    app, smtp, council_with_case
):
    with app.app_context():
        for user in db.session.scalars(select(User)):
            user.reminder_mode = "digest"
        db.session.commit()
    mails = _run_days(app, smtp, date(2026, 5, 28), date(2026, 6, 4))
    working = [d for d in mails if d.weekday() < 5]
    for day in working:
        assert len(mails[day]) == 2, (day, mails[day])  # one digest each for MO and Deputy
        assert all("Deadlines due and overdue" in m for m in mails[day])
    assert all(mails[d] == [] for d in mails if d.weekday() >= 5)
