"""Staff sign-in and sign-out, and passwords set through emailed, expiring, single-use links."""

from __future__ import annotations

import html as htmllib
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core import outbox
from core.db import db
from tenants.models import PasswordToken, User
from tests.conftest import PASSWORD, Mailbox, body_of, csrf_token, login

NEW_PASSWORD = "a brand new long passphrase"
BAD_SIGN_IN = (
    "Email address, password or code not recognised. Check what you typed, or try again later."
)


# --- helpers ------------------------------------------------------------------------


def field_error(page_html: str, field_id: str) -> str:
    """The GOV.UK error message shown at one field ('' when there is none)."""
    match = re.search(
        rf'<p id="{re.escape(field_id)}-error" class="govuk-error-message">(.*?)</p>',
        page_html,
        re.S,
    )
    if not match:
        return ""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())


def label_for(page_html: str, field_id: str) -> str:
    match = re.search(
        rf'<label[^>]*for="{re.escape(field_id)}"[^>]*>(.*?)</label>', page_html, re.S
    )
    assert match, f"no label for #{field_id}"
    return " ".join(match.group(1).split())


def sign_out(client: FlaskClient):
    page = client.get("/cases/")
    return client.post("/logout", data={"csrf_token": csrf_token(page.text)})


def ask_for_reset(client: FlaskClient, email: str):
    page = client.get("/password/forgot")
    return client.post(
        "/password/forgot", data={"email": email, "csrf_token": csrf_token(page.text)}
    )


def deliver_all(app: Flask) -> None:
    with app.app_context():
        outbox.deliver(due_only=False)


def reset_path_in(message) -> str:
    match = re.search(r"http://localhost(/password/reset/[A-Za-z0-9_-]+)", body_of(message))
    assert match, "no password link in the email"
    return match.group(1)


def emailed_reset_path(app: Flask, client: FlaskClient, smtp: Mailbox, email: str) -> str:
    ask_for_reset(client, email)
    deliver_all(app)
    [message] = smtp.to(email)
    return reset_path_in(message)


def set_password(client: FlaskClient, path: str, password: str, confirm: str | None = None):
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(
        path,
        data={
            "password": password,
            "confirm": password if confirm is None else confirm,
            "csrf_token": csrf_token(page.text),
        },
    )


def without_volatile_parts(page_html: str, typed_email: str) -> str:
    # Signed CSRF tokens (payload.timestamp.signature) differ between sessions.
    page_html = re.sub(r"[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}", "TOKEN", page_html)
    return page_html.replace(typed_email, "EMAIL")


def set_active(app: Flask, email: str, active: bool) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        user.active = active
        db.session.commit()


# --- sign in ------------------------------------------------------------------------


def test_sign_in_page_labels_email_address_and_password_inputs(client, two_councils):
    page = client.get("/login")

    assert page.status_code == 200
    assert label_for(page.text, "email") == "Email address"
    assert label_for(page.text, "password") == "Password"
    assert re.search(r'<input[^>]*id="email"[^>]*name="email"', page.text)
    assert re.search(r'<input[^>]*id="password"[^>]*type="password"', page.text)


def test_caseworker_signs_in_and_lands_on_case_list(client, two_councils):
    response = login(client, "mo.a@example.org")

    assert response.status_code == 302
    assert response.headers["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200


def test_host_admin_without_roles_lands_on_councils(client, two_councils):
    response = login(client, "admin@example.org")

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/councils"


def test_email_is_matched_without_regard_to_case(client, two_councils):
    response = login(client, "  MO.A@Example.ORG ")

    assert response.status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(app, two_councils):
    wrong_password = login(app.test_client(), "mo.a@example.org", "not the password at all")
    unknown_email = login(app.test_client(), "nobody@example.org", "not the password at all")

    assert wrong_password.status_code == unknown_email.status_code == 400
    assert BAD_SIGN_IN in wrong_password.text
    assert without_volatile_parts(wrong_password.text, "mo.a@example.org") == (
        without_volatile_parts(unknown_email.text, "nobody@example.org")
    )


def test_failed_sign_in_keeps_the_email_but_not_the_password(client, two_councils):
    response = login(client, "mo.a@example.org", "wrong password typed here")

    assert 'value="mo.a@example.org"' in response.text
    assert "wrong password typed here" not in response.text


def test_deactivated_account_cannot_sign_in(app, client, two_councils):
    set_active(app, "mo.a@example.org", False)

    response = login(client, "mo.a@example.org")

    assert response.status_code == 400
    assert BAD_SIGN_IN in response.text
    assert client.get("/cases/").status_code == 302


def test_deactivating_an_account_ends_its_existing_session(app, client, two_councils):
    login(client, "mo.a@example.org")
    assert client.get("/cases/").status_code == 200

    set_active(app, "mo.a@example.org", False)

    response = client.get("/cases/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_sign_in_follows_a_local_next_path(client, two_councils):
    response = login(client, "mo.a@example.org", next_path="/cases/?sort=oldest")

    assert response.status_code == 302
    assert response.headers["Location"] == "/cases/?sort=oldest"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example", "//evil.example", "/\\evil.example", "http:/evil.example"],
)
def test_sign_in_ignores_next_that_leaves_the_site(client, two_councils, target):
    response = login(client, "mo.a@example.org", next_path=target)

    assert response.status_code == 302
    assert response.headers["Location"] == "/cases/"


def test_signed_in_user_visiting_login_is_sent_to_their_landing_page(client, two_councils):
    login(client, "mo.a@example.org")

    response = client.get("/login")

    assert response.status_code == 302
    assert response.headers["Location"] == "/cases/"


def test_sign_in_without_csrf_token_is_refused(client, two_councils):
    response = client.post("/login", data={"email": "mo.a@example.org", "password": PASSWORD})

    assert response.status_code == 400
    assert client.get("/cases/").status_code == 302


def test_signing_in_starts_a_fresh_session(client, two_councils):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"

    login(client, "mo.a@example.org")

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")


def test_sign_out_is_a_post_with_csrf_and_ends_the_session(client, two_councils):
    login(client, "mo.a@example.org")

    client.get("/logout", follow_redirects=True)  # a link or prefetch must not sign out
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert client.get("/cases/").status_code == 200  # still signed in

    response = sign_out(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "You have signed out." in client.get("/login").text
    after = client.get("/cases/")
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/login")
    with client.session_transaction() as session:
        assert "_user_id" not in session


# --- password reset by email ----------------------------------------------------------


def test_forgot_password_answers_the_same_for_known_and_unknown_emails(app, smtp, two_councils):
    known = ask_for_reset(app.test_client(), "mo.a@example.org")
    unknown = ask_for_reset(app.test_client(), "nobody@example.org")

    assert known.status_code == unknown.status_code == 200
    assert "Check your email" in known.text
    assert without_volatile_parts(known.text, "mo.a@example.org") == (
        without_volatile_parts(unknown.text, "nobody@example.org")
    )

    deliver_all(app)
    assert len(smtp.to("mo.a@example.org")) == 1
    assert smtp.to("nobody@example.org") == []
    assert [recipients for _sender, recipients in smtp.envelopes] == [["mo.a@example.org"]]


def test_forgot_password_sends_nothing_to_a_deactivated_account(app, client, smtp, two_councils):
    set_active(app, "mo.a@example.org", False)

    response = ask_for_reset(client, "mo.a@example.org")

    assert "Check your email" in response.text
    deliver_all(app)
    assert smtp.messages == []


def test_forgot_password_with_a_malformed_email_shows_the_error_at_the_field(client, two_councils):
    response = ask_for_reset(client, "not-an-email")

    assert response.status_code == 400
    assert "correct format" in field_error(response.text, "email")
    assert 'value="not-an-email"' in response.text


def test_reset_email_states_the_configured_expiry(app, client, smtp, two_councils):
    app.config["PASSWORD_RESET_HOURS"] = 3

    page = ask_for_reset(client, "mo.a@example.org")
    deliver_all(app)

    assert "expires in 3 hours" in page.text
    [message] = smtp.to("mo.a@example.org")
    assert "expires in 3 hours" in body_of(message)


def test_reset_link_sets_a_new_password_that_replaces_the_old(app, client, smtp, two_councils):
    path = emailed_reset_path(app, client, smtp, "mo.a@example.org")

    page = client.get(path)
    assert page.status_code == 200
    assert "Set your password" in page.text
    assert label_for(page.text, "password") == "New password"

    response = set_password(client, path, NEW_PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert login(app.test_client(), "mo.a@example.org", NEW_PASSWORD).status_code == 302
    assert login(app.test_client(), "mo.a@example.org", PASSWORD).status_code == 400


def test_reset_link_works_only_once(app, client, smtp, two_councils):
    path = emailed_reset_path(app, client, smtp, "mo.a@example.org")
    set_password(client, path, NEW_PASSWORD)

    again = client.get(path)

    assert again.status_code == 404
    assert "expired or has already been used" in again.text
    reuse = client.post(path, data={"password": "yet another passphrase", "confirm": "x"})
    assert reuse.status_code in (400, 404)  # refused (CSRF first, or the dead link)
    assert login(app.test_client(), "mo.a@example.org", NEW_PASSWORD).status_code == 302


def test_using_one_link_cancels_the_other_outstanding_links(app, client, smtp, two_councils):
    ask_for_reset(client, "mo.a@example.org")
    ask_for_reset(client, "mo.a@example.org")
    deliver_all(app)
    first, second = (reset_path_in(m) for m in smtp.to("mo.a@example.org"))

    set_password(client, second, NEW_PASSWORD)

    assert client.get(first).status_code == 404


def test_reset_link_expires_after_password_reset_hours(app, client, smtp, two_councils):
    path = emailed_reset_path(app, client, smtp, "mo.a@example.org")
    hours = app.config["PASSWORD_RESET_HOURS"]
    now = datetime.now(UTC)

    with time_machine.travel(now + timedelta(hours=hours, minutes=-1), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(now + timedelta(hours=hours, minutes=1), tick=False):
        late = client.get(path)
        assert late.status_code == 404
        assert "expired or has already been used" in late.text


def test_an_unknown_reset_token_is_404(client, two_councils):
    response = client.get("/password/reset/not-a-real-token")

    assert response.status_code == 404
    assert "expired or has already been used" in response.text


def test_too_short_password_is_refused_at_the_field(app, client, smtp, two_councils):
    path = emailed_reset_path(app, client, smtp, "mo.a@example.org")

    response = set_password(client, path, "short")

    assert response.status_code == 400
    assert "between 12 and 256 characters" in field_error(response.text, "password")
    assert client.get(path).status_code == 200  # the link is still good
    assert login(app.test_client(), "mo.a@example.org", PASSWORD).status_code == 302


def test_mismatched_confirmation_is_refused_at_the_field(app, client, smtp, two_councils):
    path = emailed_reset_path(app, client, smtp, "mo.a@example.org")

    response = set_password(client, path, NEW_PASSWORD, confirm=NEW_PASSWORD + "!")

    assert response.status_code == 400
    assert "do not match" in field_error(response.text, "confirm")


def test_only_a_sha256_hash_of_the_token_is_stored(app, client, smtp, two_councils):
    path = emailed_reset_path(app, client, smtp, "mo.a@example.org")
    token = path.rsplit("/", 1)[1]

    with app.app_context():
        [row] = db.session.scalars(select(PasswordToken)).all()
        assert row.token_hash != token
        assert row.token_hash == PasswordToken.hash(token)
        assert re.fullmatch(r"[0-9a-f]{64}", row.token_hash)
        stored = [str(getattr(row, c.key)) for c in PasswordToken.__table__.columns]
        assert not any(token in value for value in stored)


def test_new_password_is_stored_as_an_argon2id_hash(app, client, smtp, two_councils):
    path = emailed_reset_path(app, client, smtp, "mo.a@example.org")
    set_password(client, path, NEW_PASSWORD)

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "mo.a@example.org"))
        assert user.password_hash.startswith("$argon2id$")
        assert NEW_PASSWORD not in user.password_hash
