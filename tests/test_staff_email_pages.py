"""Staff see what was sent about their cases, failed deliveries first; and choose a digest."""

from __future__ import annotations

from sqlalchemy import select

from core import outbox
from core.db import db
from core.outbox_models import OutboxMessage
from tenants.models import User
from tests.conftest import csrf_token, login, reference_on, submit_complaint


def test_emails_page_lists_what_was_sent_about_own_councils_cases_only(
    app, client, smtp, two_councils
):
    ours = reference_on(submit_complaint(client, "ashby").text)
    theirs = reference_on(submit_complaint(app.test_client(), "brockton").text)
    with app.app_context():
        outbox.deliver()
    login(client, "mo.a@example.org")
    page = client.get("/cases/emails").text
    assert ours in page and "alex@example.com" in page and "Sent" in page
    assert theirs not in page
    fragment = client.get("/cases/emails?status=failed", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and ours not in fragment


def test_a_permanent_failure_is_flagged_on_the_case_list_and_the_case(
    app, client, smtp, two_councils
):
    smtp.refuse.add("alex@example.com")
    reference = reference_on(submit_complaint(client, "ashby").text)
    with app.app_context():
        outbox.deliver()
        failed = db.session.scalar(select(OutboxMessage).where(OutboxMessage.status == "failed"))
        case_id = failed.case_id
    login(client, "mo.a@example.org")
    listing = client.get("/cases/").text
    assert "1 email could not be delivered" in listing
    assert reference in client.get("/cases/emails?status=failed").text
    assert "550" in client.get(f"/cases/{case_id}").text
    login(app.test_client(), "mo.b@example.org")
    other = app.test_client()
    login(other, "mo.b@example.org")
    assert "could not be delivered" not in other.get("/cases/").text


def test_staff_choose_a_daily_digest_instead_of_single_reminders(app, client, two_councils):
    login(client, "mo.a@example.org")
    page = client.get("/account")
    assert "How do you want deadline reminders?" in page.text
    response = client.post(
        "/account", data={"csrf_token": csrf_token(page.text), "reminder_mode": "digest"}
    )
    assert response.status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "mo.a@example.org"))
        assert user.reminder_mode == "digest"
    bad = client.post("/account", data={"csrf_token": csrf_token(page.text), "reminder_mode": "x"})
    assert bad.status_code == 400
