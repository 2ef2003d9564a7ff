"""Email goes through the stored outbox: committed with the case, delivered at least once."""

from __future__ import annotations

from sqlalchemy import select

from conduct.models import Case
from core import outbox
from core.db import db
from core.outbox_models import FAILED, QUEUED, SENT, OutboxMessage
from tests.conftest import Mailbox, body_of, reference_on, start_smtp, submit_complaint


def _messages(app, **where) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id)
        )
        return list(rows)


def test_submission_delivers_acknowledgement_with_reference_to_real_smtp(
    app, client, smtp, two_councils
):
    reference = reference_on(submit_complaint(client, "ashby").text)

    with app.app_context():
        report = outbox.deliver()
    assert len(report.sent) == 2  # the complainant's acknowledgement and the officer's notice

    [ack] = smtp.to("alex@example.com")
    assert reference in ack["Subject"]
    assert reference in body_of(ack)
    assert "5 working days" in body_of(ack)
    assert ack["Reply-To"] == "mo@ashby.example.org"
    assert ack["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert ack["Message-ID"].strip() == _messages(app, kind="acknowledgement")[0].message_id


def test_officer_notice_carries_only_the_reference_and_a_link(app, client, smtp, two_councils):
    reference = reference_on(submit_complaint(client, "ashby").text)
    with app.app_context():
        outbox.deliver()

    [notice] = smtp.to("mo@ashby.example.org")
    body = body_of(notice)
    assert reference in notice["Subject"] and reference in body
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        assert f"/cases/{case.id}" in body
    for detail in ("Alex", "Jones", "Robin", "Gale", "shouted", "alex@example.com"):
        assert detail not in body
        assert detail not in notice["Subject"]


def test_smtp_outage_keeps_case_and_queues_message_with_error_then_cli_sends_exactly_once(
    app, client, runner, two_councils
):
    # No SMTP server is listening on the configured port.
    reference = reference_on(submit_complaint(client, "ashby").text)
    with app.app_context():
        report = outbox.deliver(due_only=False)
        assert report.sent == []
        assert db.session.scalar(select(Case).where(Case.reference == reference)) is not None
    [ack] = _messages(app, kind="acknowledgement")
    assert ack.status == QUEUED
    assert ack.last_error and "Connection refused" in ack.last_error

    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 1
    assert "will retry" in result.output

    mailbox = Mailbox()
    controller, port = start_smtp(mailbox)
    try:
        app.config["MAIL_PORT"] = port
        first = runner.invoke(args=["outbox", "send"])
        second = runner.invoke(args=["outbox", "send"])
    finally:
        controller.stop()
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0
    acks = mailbox.to("alex@example.com")
    assert len(acks) == 1
    assert reference in acks[0]["Subject"]
    assert _messages(app, kind="acknowledgement")[0].status == SENT


def test_recipient_refused_permanently_is_marked_failed_and_not_retried(
    app, client, smtp, two_councils
):
    smtp.refuse.add("alex@example.com")
    submit_complaint(client, "ashby")
    with app.app_context():
        report = outbox.deliver()
        assert len(report.failed) == 1
        again = outbox.deliver(due_only=False)
    assert again.sent == [] and again.failed == []
    [ack] = _messages(app, kind="acknowledgement")
    assert ack.status == FAILED
    assert "550" in ack.last_error
    assert len(smtp.to("mo@ashby.example.org")) == 1


def test_acknowledgement_is_delivered_right_after_the_response_without_a_worker(
    app, client, smtp, two_councils
):
    app.config["OUTBOX_DELIVER_AFTER_RESPONSE"] = True
    reference = reference_on(submit_complaint(client, "ashby").text)
    [ack] = smtp.to("alex@example.com")
    assert reference in ack["Subject"]
    assert all(m.status == SENT for m in _messages(app))


def test_a_claim_left_by_a_crashed_sender_is_released_and_delivered_once(
    app, client, smtp, two_councils
):
    import time_machine

    from core.db import utcnow

    submit_complaint(client, "ashby")
    with app.app_context():
        # A sender claimed the message and died before recording the outcome.
        ack = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.kind == "acknowledgement")
        )
        ack.status, ack.claimed_at = "sending", utcnow()
        db.session.commit()
        assert outbox.deliver(due_only=False).sent != [ack.id]  # still claimed: not sent twice
    assert smtp.to("alex@example.com") == []
    with time_machine.travel(utcnow() + outbox.CLAIM_EXPIRY * 2, tick=False), app.app_context():
        report = outbox.deliver()
    assert len(report.sent) == 1
    assert len(smtp.to("alex@example.com")) == 1
