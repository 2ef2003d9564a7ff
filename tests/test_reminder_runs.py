"""Reminders across a whole procedure, day by day, and mail that survives SMTP and crashes.

Time is moved forward one day at a time. Each day the scheduler's work is done as it
would be: a sweep and a delivery at 00:30 (which must send nothing: never at midnight)
and at 10:00 London; staff take their actions at 15:00. Every email the real SMTP
server receives is counted by day, recipient and subject.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, select

from conduct import engine, reminders
from conduct.calendar import WorkingCalendar
from conduct.models import Case, ReminderSent
from core import outbox
from core.db import db
from core.outbox_models import QUEUED, SENDING, SENT, OutboxMessage
from core.tenancy import scope
from tenants.models import Council, User
from tests import hearing_helpers as hearings
from tests.casework_helpers import Staff, deadlines, stage, step
from tests.conftest import (
    COMPLAINT,
    Mailbox,
    make_council,
    make_user,
    reference_on,
    start_smtp,
    submit_complaint,
)
from tests.factories import make_case

ROOT = Path(__file__).resolve().parent.parent
LONDON = ZoneInfo("Europe/London")
DASH = "\N{EN DASH}"  # as in the reminder subjects
ENGLAND = WorkingCalendar("england")
REMINDER = re.compile(r"^(Due on \d{1,2} \w+|Due today|Overdue): ")
ACCOUNTS = {
    "mo": "mo@example.org",
    "dmo": "dmo@example.org",
    "ip": "ip@example.org",
    "io": "io@example.org",
    "clerk": "clerk@example.org",
}
MO, DMO, IO = "mo@example.org", "dmo@example.org", "io@example.org"
COUNCILLOR = "robin.gale@councillors.example.org"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def subject_of(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"] or "")))


def everything_in(message: Message) -> str:
    parts = [subject_of(message)]
    for part in message.walk():
        if not part.is_multipart():
            payload = part.get_payload(decode=True) or b""
            parts.append(payload.decode(part.get_content_charset() or "utf-8"))
    return "\n".join(parts)


@dataclass
class Received:
    day: date
    when: str
    to: str
    subject: str


@dataclass
class Clock:
    """Drives the days: the scheduler's runs, and staff actions at 15:00."""

    app: Flask
    smtp: Mailbox
    accounts: Callable[[], Staff]
    mail: list[Received] = field(default_factory=list)

    def _note(self, day: date, when: str, since: int) -> None:
        for message in self.smtp.messages[since:]:
            self.mail.append(Received(day, when, message["To"], subject_of(message)))

    def scheduler(self, day: date, hour: int, minute: int = 0) -> reminders.SweepReport:
        since = len(self.smtp.messages)
        with time_machine.travel(at(day, hour, minute), tick=False), self.app.app_context():
            report = reminders.sweep()
            outbox.deliver()
        self._note(day, f"{hour:02d}:{minute:02d}", since)
        return report

    def run(
        self, start: date, end: date, actions: dict[date, Callable[[Staff], None]] | None = None
    ) -> None:
        actions = actions or {}
        day = start
        while day <= end:
            night = self.scheduler(day, 0, 30)
            assert night.queued == 0 and night.skipped_reason == "outside office hours"
            self.scheduler(day, 10)
            if day in actions:
                since = len(self.smtp.messages)
                with time_machine.travel(at(day, 15), tick=False):
                    actions[day](self.accounts())  # signed in inside the travel
                    with self.app.app_context():
                        outbox.deliver()
                self._note(day, "15:00", since)
            day += timedelta(days=1)

    def reminders(self) -> list[tuple[date, str, str]]:
        return sorted(
            (m.day, m.to, m.subject) for m in self.mail if REMINDER.match(m.subject) is not None
        )


@pytest.fixture
def accounts(app: Flask) -> Callable[[], Staff]:
    with app.app_context():
        council = make_council("ashby")
        make_user(MO, (council, "monitoring-officer"))
        make_user(DMO, (council, "deputy-monitoring-officer"))
        make_user("ip@example.org", (council, "independent-person"))
        make_user(IO, (council, "investigating-officer"))
        make_user("clerk@example.org", (council, "clerk"))
        db.session.commit()
    return lambda: Staff(app, ACCOUNTS)


def _committee(app: Flask) -> dict[str, int]:
    with app.app_context():
        council = db.session.scalar(select(Council).where(Council.slug == "ashby"))
        committee = hearings.make_committee(council)
        db.session.commit()
        return committee


def _id_of(app: Flask, model, **where) -> int:
    with app.app_context():
        return db.session.scalar(select(model.id).filter_by(**where))


def test_a_full_procedure_day_by_day_sends_each_reminder_once_on_its_day_to_its_people(
    app, smtp, accounts
):
    """A confidential conduct complaint from January to the hearing in June 2026.

    Hand-computed (England and Wales bank holidays: Good Friday 3 April, Easter Monday
    6 April, 4 May, 25 May; reminders 2 working days before, on the day, and the next
    working day when overdue):

    - Councillor told Monday 12 January: 7 working days -> Wednesday 21 January; the
      "before" reminder (Monday 19th) goes to the Monitoring Officer and Deputy, who
      chase a party's deadline. The response arrives Tuesday 20th: nothing after.
    - Investigation decided Tuesday 20 January: 3 months -> Monday 20 April, before
      reminder Thursday 16 April. Paused Wednesday 15 April, resumed Monday 20 April
      (3 working days paused: 15, 16, 17): now due Thursday 23 April; before Tuesday 21,
      on the day Thursday 23 to the Investigating Officer; overdue Friday 24 April to
      the Investigating Officer, escalated to the Monitoring Officer and Deputy.
    - Draft report Monday 27 April, 5 working days for comments -> Tuesday 5 May (4 May
      is a bank holiday); before Thursday 30 April; met by the final report Friday 1 May.
    - Report to consider from Friday 1 May: 7 working days -> Wednesday 13 May; before
      Monday 11th, on the day 13th, overdue Thursday 14th (escalated); decided Monday
      18 May, three working days late: the overdue reminder is not repeated.
    - Hearing set for Monday 15 June: agenda pack 5 working days before -> Monday 8 June;
      before Thursday 4 June, on the day 8 June; published that afternoon.
    """
    state: dict[str, object] = {}
    io_id = _id_of(app, User, email=IO)

    def case_id() -> int:
        return int(state["case_id"])  # type: ignore[arg-type]

    def submit_and_tell(staff: Staff) -> None:
        page = submit_complaint(
            app.test_client(),
            "ashby",
            {"confidentiality": "yes", "confidentiality_reasons": "Fear"},
        )
        state["reference"] = reference_on(page.text)
        state["case_id"] = _id_of(app, Case, reference=state["reference"])
        step(
            staff,
            case_id(),
            "mo",
            "grant-confidentiality",
            {"reason": "Risk"},
            others_refused=False,
        )
        step(
            staff,
            case_id(),
            "mo",
            "subject-notified",
            {"subject_email": COUNCILLOR},
            to="subject-response",
            others_refused=False,
        )
        assert deadlines(staff["mo"], case_id())["subject-response"][0] == date(2026, 1, 21)

    def response_and_assessment(staff: Staff) -> None:
        for who, key, data in (
            ("mo", "subject-responded", {"summary": "Denies it"}),
            ("mo", "not-resolved", {}),
            ("ip", "record-ip-view", {"view": "Serious"}),
            (
                "mo",
                "assess-investigate",
                {"reasons": "x", "scope": "y", "investigator": str(io_id)},
            ),
        ):
            step(staff, case_id(), who, key, data, others_refused=False)
        dl = deadlines(staff["mo"], case_id())
        assert dl["subject-response"][1] == "met"
        assert dl["investigation"][0] == date(2026, 4, 20)

    def pause(staff: Staff) -> None:
        step(staff, case_id(), "mo", "pause", {"reason": "Investigator ill"}, others_refused=False)

    def resume(staff: Staff) -> None:
        step(staff, case_id(), "mo", "resume", {"reason": "Back"}, others_refused=False)
        assert deadlines(staff["mo"], case_id())["investigation"][0] == date(2026, 4, 23)

    def draft(staff: Staff) -> None:
        document = (io.BytesIO(b"%PDF-1.4 draft"), "draft.pdf")
        data = {"document": document, "comment_days": "5"}
        step(staff, case_id(), "io", "draft-report", data, to="draft-report", others_refused=False)
        assert deadlines(staff["mo"], case_id())["draft-report-comments"][0] == date(2026, 5, 5)

    def final(staff: Staff) -> None:
        document = (io.BytesIO(b"%PDF-1.4 final"), "final.pdf")
        data = {"document": document, "finding": "breach"}
        step(staff, case_id(), "io", "final-report", data, others_refused=False)
        dl = deadlines(staff["mo"], case_id())
        assert dl["report-consideration"][0] == date(2026, 5, 13)
        assert dl["draft-report-comments"][1] == dl["investigation"][1] == "met"

    def decide(staff: Staff) -> None:
        step(staff, case_id(), "ip", "record-ip-view", {"view": "Breach"}, others_refused=False)
        step(staff, case_id(), "mo", "decide-hearing", {"reasons": "x"}, others_refused=False)
        arranged = hearings.convene(staff["mo"], case_id(), _committee(app), date(2026, 6, 15))
        assert arranged.status_code == 303, arranged.text
        assert deadlines(staff["mo"], case_id())["agenda-pack"][0] == date(2026, 6, 8)

    def published(staff: Staff) -> None:
        assert hearings.publish_papers(staff["mo"], case_id()).status_code == 303

    def decision(staff: Staff) -> None:
        data = {"finding": "breach", "decision": "Censure", "unanimous": "yes"}
        assert hearings.decide(staff["mo"], case_id(), data).status_code == 303
        assert stage(staff["mo"], case_id()) == "closed-hearing"

    clock = Clock(app, smtp, accounts)
    clock.run(
        date(2026, 1, 12),
        date(2026, 6, 17),
        {
            date(2026, 1, 12): submit_and_tell,
            date(2026, 1, 20): response_and_assessment,
            date(2026, 4, 15): pause,
            date(2026, 4, 20): resume,
            date(2026, 4, 27): draft,
            date(2026, 5, 1): final,
            date(2026, 5, 18): decide,
            date(2026, 6, 8): published,
            date(2026, 6, 15): decision,
        },
    )
    ref = state["reference"]
    investigation = f"Complete the investigation (target) {DASH} {ref}"
    comments = f"Comments on the draft report {DASH} {ref}"
    consider = f"Decide on the investigation report {DASH} {ref}"
    agenda = f"Publish the hearing agenda pack {DASH} {ref}"
    expected = sorted(
        [
            (
                date(2026, 1, 19),
                MO,
                f"Due on 21 January: Councillor's initial response {DASH} {ref}",
            ),
            (
                date(2026, 1, 19),
                DMO,
                f"Due on 21 January: Councillor's initial response {DASH} {ref}",
            ),
            (date(2026, 4, 21), IO, f"Due on 23 April: {investigation}"),
            (date(2026, 4, 23), IO, f"Due today: {investigation}"),
            (date(2026, 4, 24), IO, f"Overdue: {investigation}"),
            (date(2026, 4, 24), MO, f"Overdue: {investigation}"),
            (date(2026, 4, 24), DMO, f"Overdue: {investigation}"),
            (date(2026, 4, 30), IO, f"Due on 5 May: {comments}"),
            (date(2026, 5, 11), MO, f"Due on 13 May: {consider}"),
            (date(2026, 5, 13), MO, f"Due today: {consider}"),
            (date(2026, 5, 14), MO, f"Overdue: {consider}"),
            (date(2026, 5, 14), DMO, f"Overdue: {consider}"),
            (date(2026, 6, 4), MO, f"Due on 8 June: {agenda}"),
            (date(2026, 6, 8), MO, f"Due today: {agenda}"),
        ]
    )
    got = clock.reminders()
    assert got == expected
    counts = Counter((to, subject) for _day, to, subject in got)
    assert set(counts.values()) == {1}
    # Reminders go out in office hours, at the 10:00 run, on working days only.
    for received in clock.mail:
        if REMINDER.match(received.subject):
            assert received.when == "10:00"
            assert ENGLAND.is_working_day(received.day), received
        assert received.when != "00:30", received
    assert not [m for m in clock.mail if not ENGLAND.is_working_day(m.day)]
    # The pause: nothing for the investigation on its old dates (16 and 20 April).
    assert not [m for m in clock.mail if m.day in (date(2026, 4, 16), date(2026, 4, 20))]
    # Nothing was left behind in the outbox, and each reminder is recorded once.
    with app.app_context():
        assert not db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.status != SENT)
        ).all()
        sent = db.session.scalars(select(ReminderSent).where(ReminderSent.status == "queued")).all()
        assert len(sent) == len(expected)
    # The whole run named the confidential complainant in nothing sent to the councillor.
    to_councillor = [m for m in smtp.messages if m["To"] == COUNCILLOR]
    assert len(to_councillor) == 6
    for message in to_councillor:
        content = everything_in(message).lower()
        for detail in (COMPLAINT["first_name"], COMPLAINT["last_name"], COMPLAINT["email"]):
            assert detail.lower() not in content, (subject_of(message), detail)


# --- failures: SMTP down for a day, a deliverer killed mid-delivery ---------------------------


@pytest.fixture
def mail_server(app: Flask) -> Iterator[tuple[Mailbox, Callable[[], None], Callable[[], None]]]:
    """A real SMTP server that can be stopped and started again on the same port."""
    mailbox = Mailbox()
    controller, port = start_smtp(mailbox)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    running = {"controller": controller}

    def stop() -> None:
        running["controller"].stop()
        running["controller"] = None

    def start() -> None:
        running["controller"] = Controller(mailbox, hostname="127.0.0.1", port=port)
        running["controller"].start()

    try:
        yield mailbox, stop, start
    finally:
        if running["controller"] is not None:
            running["controller"].stop()


@pytest.fixture
def told(app: Flask) -> dict[str, int]:
    """Case 1: councillor told Thursday 21 May 2026 (due Tuesday 2 June; reminders to the MO
    and the Deputy on Friday 29 May, 2 June and 3 June). Case 2: ready to tell its councillor.
    """
    with app.app_context():
        council = make_council("ashby")
        make_user(MO, (council, "monitoring-officer"))
        make_user(DMO, (council, "deputy-monitoring-officer"))
        db.session.commit()
        ids = {"council": council.id}
        with time_machine.travel(at(date(2026, 5, 21), 11), tick=False), scope({council.id}):
            mo = db.session.scalar(select(User).where(User.email == MO))
            for number, steps in (
                (1, ("record-acknowledgement", "proceed", "subject-notified")),
                (2, ("record-acknowledgement", "proceed")),
            ):
                case = make_case(council, number, received=date(2026, 5, 18))
                if number == 1:
                    case.complainant_email = ""  # wrote by post: only staff hear of case 1
                db.session.flush()
                engine.start(case, council)
                for key in steps:
                    values = {"how": "post"} if key == "record-acknowledgement" else {}
                    engine.perform(case, council, key, actor=mo, values=values)
                ids[f"case{number}"] = case.id
            db.session.commit()
        with scope(None):  # nothing was sent before the days under test
            assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
        return ids


def _tell_councillor(app: Flask, ids: dict[str, int], moment: datetime) -> None:
    with time_machine.travel(moment, tick=False), app.app_context(), scope({ids["council"]}):
        case = db.session.get(Case, ids["case2"])
        council = db.session.get(Council, ids["council"])
        mo = db.session.scalar(select(User).where(User.email == MO))
        engine.perform(
            case, council, "subject-notified", actor=mo, values={"subject_email": COUNCILLOR}
        )
        db.session.commit()


def _deliver_at(app: Flask, moment: datetime, sweep: bool = True) -> outbox.DeliveryReport:
    with time_machine.travel(moment, tick=False), app.app_context():
        if sweep:
            reminders.sweep()
        return outbox.deliver()


def _stored(app: Flask) -> dict[str, OutboxMessage]:
    """Message-ID -> stored row."""
    with app.app_context(), scope(None):
        rows = db.session.scalars(select(OutboxMessage)).all()
        for row in rows:
            db.session.expunge(row)
        return {row.message_id: row for row in rows}


def test_smtp_down_for_a_day_loses_nothing_and_each_message_goes_out_once_next_day(
    app, mail_server, told
):
    mailbox, stop, start = mail_server
    friday, saturday = date(2026, 5, 29), date(2026, 5, 30)
    stop()
    # All day Friday the server is down: the sweep queues the "before" reminders, the
    # councillor of case 2 is told, and every delivery attempt fails.
    _tell_councillor(app, told, at(friday, 9, 30))
    for hour in range(10, 18):
        report = _deliver_at(app, at(friday, hour))
        assert not report.sent and not report.failed
    stored = _stored(app)
    assert len(stored) == 4  # two reminders, the councillor's and the complainant's notices
    for row in stored.values():
        assert row.status == QUEUED
        assert row.last_error and "Connection refused" in row.last_error
    assert mailbox.messages == []

    start()
    # Saturday: no sweep (not a working day), but the outbox is delivered.
    report = _deliver_at(app, at(saturday, 10), sweep=False)
    assert len(report.sent) == 4
    assert sorted(m["To"] for m in mailbox.messages) == sorted(
        [MO, DMO, COUNCILLOR, "complainant@example.com"]
    )
    # Each with the Message-ID stored when it was queued.
    assert {m["Message-ID"] for m in mailbox.messages} == set(stored)
    for message in mailbox.messages:
        assert stored[message["Message-ID"]].recipient == message["To"]

    # Carrying on to Wednesday: each reminder of case 1 exactly once, nothing repeated.
    day = saturday
    while day <= date(2026, 6, 3):
        _deliver_at(app, at(day, 10))
        day += timedelta(days=1)
    counts = Counter((m["To"], subject_of(m)) for m in mailbox.messages)
    assert set(counts.values()) == {1}
    reminders_sent = sorted(s.split(":")[0] for (_to, s) in counts if REMINDER.match(s))
    assert reminders_sent == ["Due on 2 June"] * 2 + ["Due today"] * 2 + ["Overdue"] * 2
    with app.app_context(), scope(None):
        statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert set(statuses) == {SENT}


def test_a_message_claimed_by_a_crashed_deliverer_goes_out_once_after_the_claim_expires(
    app, mail_server, told
):
    mailbox, _stop, _start = mail_server
    friday = at(date(2026, 5, 29), 10)
    with time_machine.travel(friday, tick=False), app.app_context():
        assert reminders.sweep().queued == 2
        first = db.session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).first()
        assert outbox._claim_batch([first])  # status "sending": the process died before sending
    stored = _stored(app)
    crashed = next(row for row in stored.values() if row.id == first)
    assert crashed.status == SENDING

    # Restarted a minute later: the other message goes; the claimed one waits for expiry.
    report = _deliver_at(app, friday + timedelta(minutes=1), sweep=False)
    assert len(report.sent) == 1 and first not in report.sent
    report = _deliver_at(app, friday + outbox.CLAIM_EXPIRY - timedelta(minutes=1), sweep=False)
    assert report.sent == []
    report = _deliver_at(app, friday + outbox.CLAIM_EXPIRY + timedelta(minutes=1), sweep=False)
    assert report.sent == [first]
    assert _deliver_at(app, friday + timedelta(hours=1)).sent == []
    assert [m["Message-ID"] for m in mailbox.messages].count(crashed.message_id) == 1
    assert len(mailbox.messages) == 2
    assert {m["Message-ID"] for m in mailbox.messages} == set(stored)


def test_killed_mid_delivery_at_most_the_message_in_flight_is_sent_again_with_its_message_id(
    app, mail_server, told
):
    mailbox, _stop, _start = mail_server
    friday = at(date(2026, 5, 29), 10)
    _tell_councillor(app, told, friday - timedelta(minutes=30))
    with time_machine.travel(friday, tick=False), app.app_context():
        assert reminders.sweep().queued == 2
        ids = list(db.session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))
        assert len(ids) == 4
        # The deliverer claimed the first message and the server accepted it, then the
        # process was killed before it could record "sent".
        in_flight = ids[0]
        assert outbox._claim_batch([in_flight])
        row = db.session.get(OutboxMessage, in_flight)
        with outbox._Connection(app.extensions["mail"]) as connection:
            connection.send(outbox._as_mail(row))
        in_flight_id = row.message_id
    assert len(mailbox.messages) == 1

    # Restarted: everything else goes once; after the claim expires the message in
    # flight goes once more, recognisably the same message.
    _deliver_at(app, friday + timedelta(minutes=2))
    _deliver_at(app, friday + outbox.CLAIM_EXPIRY + timedelta(minutes=1))
    _deliver_at(app, friday + timedelta(hours=2))
    message_ids = Counter(m["Message-ID"] for m in mailbox.messages)
    assert message_ids[in_flight_id] == 2
    assert [n for mid, n in message_ids.items() if mid != in_flight_id] == [1, 1, 1]
    assert set(message_ids) == set(_stored(app))
    with app.app_context(), scope(None):
        assert set(db.session.scalars(select(OutboxMessage.status))) == {SENT}


def test_two_scheduler_processes_send_each_reminder_and_the_stranded_message_once(
    app, database_url, tmp_path, told
):
    """Two real processes on one database (SQLite file, or PostgreSQL in CI), started
    together just after a crash left a message claimed: each reminder goes once, and the
    stranded message once, with its stored Message-ID.
    """
    moment = at(date(2026, 5, 29), 10)
    _tell_councillor(app, told, moment - timedelta(minutes=40))
    with app.app_context(), scope(None):
        stranded = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
        stranded.status, stranded.claimed_at = SENDING, moment - timedelta(minutes=15)
        stranded_id = stranded.message_id
        db.session.commit()
    mailbox = Mailbox()
    controller, port = start_smtp(mailbox)
    command = [
        sys.executable,
        "-m",
        "tests.scheduler_process",
        moment.astimezone(UTC).isoformat(),
        "6",
        database_url,
        str(tmp_path / "uploads"),
        str(port),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
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
    counts = Counter((m["To"], m["Message-ID"]) for m in mailbox.messages)
    assert set(counts.values()) == {1}, outputs
    assert sorted(to for to, _mid in counts) == sorted(
        [MO, DMO, COUNCILLOR, "complainant@example.com"]
    )
    assert stranded_id in {mid for _to, mid in counts}
    with app.app_context(), scope(None):
        assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 2
        assert set(db.session.scalars(select(OutboxMessage.status))) == {SENT}
