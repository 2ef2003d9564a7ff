"""One sweep for every council: its queries grow with nothing, its emails match a full rendering."""

from __future__ import annotations

import email
from datetime import UTC, date, datetime
from email import policy
from email.header import decode_header, make_header

import pytest
from sqlalchemy import func, select

from conduct import engine, reminders
from conduct.models import Case, CaseDeadline, ReminderSent
from conduct.reminder_emails import ReminderEmails
from core import outbox
from core.db import db
from core.outbox_models import OutboxMessage
from core.tenancy import scope
from tenants.models import Council
from tests.conftest import make_council, make_user
from tests.factories import make_case

FRIDAY = datetime(2026, 5, 29, 9, tzinfo=UTC)  # 10:00 in London
DUE = date(2026, 6, 2)  # two working days on: its "before" reminder is due on FRIDAY
LATER = date(2026, 9, 1)  # nothing due for months


@pytest.fixture
def councils(app) -> dict[str, int]:
    """Ashby and Brockton, each with a Monitoring Officer and a Deputy."""
    with app.app_context():
        ids = {}
        for slug in ("ashby", "brockton"):
            council = make_council(slug)
            make_user(f"mo@{slug}.example.org", (council, "monitoring-officer"))
            make_user(f"dmo@{slug}.example.org", (council, "deputy-monitoring-officer"))
            ids[slug] = council.id
        db.session.commit()
        return ids


def _response_deadline(council_id: int, due_on: date, **more: object) -> CaseDeadline:
    """The councillor's response, open, due on `due_on`."""
    return CaseDeadline(
        council_id=council_id,
        key="subject-response",
        owner="subject",
        unit="working-days",
        amount=7,
        start_on=date(2026, 5, 21),
        due_on=due_on,
        **more,
    )


def _add_deadlines(app, council_id: int, due_on: date, count: int, first: int) -> None:
    """`count` open deadlines of the councillor's response, one case each, due on `due_on`."""
    with app.app_context(), scope({council_id}):
        council = db.session.get(Council, council_id)
        for number in range(first, first + count):
            case = make_case(council, number)
            case.deadlines.append(_response_deadline(council_id, due_on))
        db.session.commit()


def _sweep(app, count_queries) -> tuple[reminders.SweepReport, int]:
    with count_queries() as counter, app.app_context():
        report = reminders.sweep(FRIDAY)
    return report, counter.count


def _undo(app) -> None:
    with app.app_context(), scope(None):
        db.session.execute(ReminderSent.__table__.delete())
        db.session.execute(OutboxMessage.__table__.delete())
        db.session.commit()


def test_a_sweeps_queries_grow_neither_with_deadlines_not_due_nor_with_councils_or_those_due(
    app, councils, count_queries
):
    ashby, brockton = councils["ashby"], councils["brockton"]
    _add_deadlines(app, ashby, DUE, 2, first=1)
    _add_deadlines(app, ashby, LATER, 5, first=100)
    report, few = _sweep(app, count_queries)
    assert report.queued == 4  # the MO and the Deputy, for each of the two
    _undo(app)

    # Many more deadlines that are not due, in both councils: the same queries.
    _add_deadlines(app, ashby, LATER, 60, first=200)
    _add_deadlines(app, brockton, LATER, 60, first=200)
    report, many_not_due = _sweep(app, count_queries)
    assert report.queued == 4
    assert many_not_due == few
    _undo(app)

    # Due ones in the second council too, and ten times as many: still the same.
    _add_deadlines(app, ashby, DUE, 8, first=300)
    _add_deadlines(app, brockton, DUE, 10, first=300)
    report, more_due = _sweep(app, count_queries)
    assert report.queued == 4 * 10
    assert report.councils == ["ashby", "brockton"]
    assert more_due == few
    with app.app_context(), scope(None):
        recorded = db.session.scalar(select(func.count()).select_from(ReminderSent))
        messages = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert recorded == messages == 40


def test_a_batch_another_sweep_got_to_first_is_written_deadline_by_deadline(
    app, councils, monkeypatch
):
    ashby = councils["ashby"]
    _add_deadlines(app, ashby, DUE, 3, first=1)
    plan = reminders._plan

    def plan_then_race(*args, **kwargs):
        work = plan(*args, **kwargs)
        # Between this sweep's reading and its writing, another records one reminder.
        first = work[0]
        with scope(None):
            db.session.add(
                ReminderSent(
                    council_id=first.council_id,
                    deadline_id=first.deadline_id,
                    kind=first.kind,
                    recipient=first.emails[0].blinded,
                    status="queued",
                    for_day=first.day,
                )
            )
        db.session.commit()
        return work

    monkeypatch.setattr(reminders, "_plan", plan_then_race)
    with app.app_context():
        report = reminders.sweep(FRIDAY)
    # The raced deadline is left to the other sweep; the other two are written.
    assert report.queued == 4
    with app.app_context(), scope(None):
        rows = db.session.execute(
            select(ReminderSent.deadline_id, ReminderSent.recipient, func.count()).group_by(
                ReminderSent.deadline_id, ReminderSent.recipient
            )
        ).all()
        messages = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert {n for _d, _r, n in rows} == {1}
    assert len(rows) == 5 and messages == 4


@pytest.mark.parametrize(
    ("template", "language", "with_link"),
    [("deadline_reminder", "en", True), ("party_reminder", "cy", False)],
)
def test_a_stencilled_reminder_is_the_email_a_full_rendering_makes(
    app, template, language, with_link
):
    with app.app_context():
        council = make_council("cwm-aur", nation="wales", name_cy="Cyngor Cymuned Cwm Aur <&>")
        db.session.commit()
        with scope({council.id}):
            case = make_case(council, 7)
            db.session.flush()
            row = _response_deadline(council.id, DUE, case=case)
            db.session.add(row)
            db.session.flush()
            link = "https://conduct.example.gov.uk/cases/7?a=1&b=<2>" if with_link else None
            emails = ReminderEmails()
            for kind in reminders.KINDS:
                stencilled = emails.render(
                    template, language, council=council, row=row, reminder=kind, link=link
                )
                full = outbox.render_email(
                    template,
                    language,
                    case=case,
                    council=council,
                    deadline=row,
                    label=engine.procedure_of(case).deadline(row.key).label,
                    reminder=kind,
                    link=link,
                )
                assert stencilled == full
            assert case.reference in full.subject or case.reference in full.body_text
            db.session.rollback()


def test_a_template_reading_what_a_stencil_lacks_is_rendered_in_full(app, monkeypatch):
    from conduct import reminder_emails

    calls: list[object] = []

    def render_email(template, language, **context):
        calls.append(context["case"])
        if not isinstance(context["case"], Case):
            context["case"].complainant_email  # noqa: B018  (what a changed template might read)
        return outbox.Rendered("s", "t", "h")

    monkeypatch.setattr(reminder_emails, "render_email", render_email)
    with app.app_context():
        council = make_council("ashby")
        db.session.commit()
        with scope({council.id}):
            case = make_case(council, 1)
            row = _response_deadline(council.id, DUE, case=case)
            db.session.add(row)
            db.session.flush()
            emails = ReminderEmails()
            for _ in range(2):
                rendered = emails.render(
                    "deadline_reminder", "en", council=council, row=row, reminder="due", link="x"
                )
                assert rendered == outbox.Rendered("s", "t", "h")
            db.session.rollback()
    # One failed stencil (not tried again), then the real case each time.
    assert [isinstance(c, Case) for c in calls] == [False, True, True]


def test_outbox_mail_is_well_formed_and_decodes_to_what_was_queued(app):
    subject = "Atgoffa: Ymateb cychwynnol y Cynghorydd \N{EN DASH} ASHB-2026-0001 ŵ (targed)"
    with app.app_context():
        message = outbox._Mail(
            subject=subject,
            recipients=["mo@example.org"],
            body="Line\n" * 3 + "Caffi ŵ " + "x" * 2000,
            html="<p>Helo ŵ</p>",
            sender="no-reply@example.org",
            reply_to="mo@ashby.example.org",
            extra_headers={"Auto-Submitted": "auto-generated"},
        )
        message.msgId = "<abc@example.org>"
        message.date = 0.0
        raw = message.as_bytes()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    parsed = email.message_from_bytes(raw, policy=policy.SMTP)
    assert str(make_header(decode_header(email.message_from_bytes(raw)["Subject"]))) == subject
    assert parsed["Message-ID"] == "<abc@example.org>"
    assert parsed["Reply-To"] == "mo@ashby.example.org"
    assert parsed["To"] == "mo@example.org"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_body(("plain",)).get_content() == "Line\n" * 3 + "Caffi ŵ " + "x" * 2000
    assert parsed.get_body(("html",)).get_content() == "<p>Helo ŵ</p>"
