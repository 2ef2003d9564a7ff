"""Staff sign-in with a second factor, sessions, lockout and rate limits: as an attacker tries.

Every account in these tests has a password; most have an authenticator
(tests.conftest.TOTP_SECRET). Codes are computed here as the person's app
would, for the clock the test sets.
"""

from __future__ import annotations

import html as htmllib
import re
import secrets
import socket
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from conduct.models import Case
from core import crypto
from core.db import db
from tenants import services, two_factor
from tenants.models import RecoveryCode, User
from tests.conftest import (
    PASSWORD,
    TOTP_SECRET,
    Mailbox,
    body_of,
    build_app,
    csrf_token,
    empty_all_tables,
    login,
    make_council,
    make_user,
    set_up_two_factor,
    submit_code,
    submit_complaint,
)
from tests.test_auth import (
    BAD_SIGN_IN,
    ask_for_reset,
    deliver_all,
    reset_path_in,
    set_password,
    without_volatile_parts,
)

BAD_CODE = "Code not recognised. Check the code, or try again later."
MO = "mo@example.org"
NEW = "new.mo@example.org"
ADMIN = "admin@example.org"
CLERK = "clerk@example.org"
START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def accounts(app: Flask) -> None:
    """Council ashby; an enrolled Monitoring Officer, clerk and host admin; a new MO without 2FA."""
    with app.app_context():
        ashby = make_council("ashby")
        make_user(MO, (ashby, "monitoring-officer"))
        make_user(CLERK, (ashby, "clerk"))
        make_user(ADMIN, host_admin=True)
        make_user(NEW, (ashby, "monitoring-officer"), totp_secret=None)
        db.session.commit()


# --- helpers ------------------------------------------------------------------------


def password_step(client: FlaskClient, email: str, password: str = PASSWORD, next_path=None):
    query = {"next": next_path} if next_path else None
    page = client.get("/login", query_string=query)
    return client.post(
        "/login",
        query_string=query,
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
    )


def code_at(moment: datetime, secret: str = TOTP_SECRET, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(moment + timedelta(seconds=30 * steps))


def shown_secret(page_html: str) -> str:
    match = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page_html)
    assert match, "no setup key on the page"
    return match.group(1).replace(" ", "")


def shown_recovery_codes(page_html: str) -> list[str]:
    section = page_html.split('data-testid="recovery-codes"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<code>([A-Z0-9-]+)</code>", section)


def enrol(client: FlaskClient, email: str = NEW) -> tuple[str, list[str]]:
    """First sign-in: set up the app. Returns the secret and the recovery codes shown."""
    assert password_step(client, email).headers["Location"] == "/login/set-up"
    secret, done = set_up_two_factor(client)
    assert done.status_code == 200, done.text
    return secret, shown_recovery_codes(done.text)


def user(app: Flask, email: str) -> User:
    with app.app_context():
        found = services.user_by_email(email)
        db.session.expunge(found)
        return found


def signed_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


def session_of(client: FlaskClient) -> dict:
    with client.session_transaction() as session:
        return dict(session)


def page_text(page_html: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", page_html)).split())


def from_address(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


# --- enrolment ------------------------------------------------------------------------


def test_first_sign_in_sets_up_the_authenticator_after_the_password(app, accounts):
    client = app.test_client()

    response = password_step(client, NEW)

    assert response.status_code == 302
    assert response.headers["Location"] == "/login/set-up"
    page = client.get("/login/set-up")
    assert page.status_code == 200
    assert "<svg" in page.text and 'class="segno"' in page.text  # the QR code, inline
    secret = shown_secret(page.text)
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert client.get("/login/set-up").text.count(" ".join(re.findall(".{4}", secret))) == 1
    assert not signed_in(client)


def test_set_up_takes_effect_only_once_a_code_confirms_it(app, accounts):
    client = app.test_client()
    password_step(client, NEW)
    page = client.get("/login/set-up")
    secret = shown_secret(page.text)

    wrong = client.post(
        "/login/set-up", data={"code": "000000", "csrf_token": csrf_token(page.text)}
    )

    assert wrong.status_code == 400
    assert BAD_CODE in wrong.text
    assert not signed_in(client)
    assert user(app, NEW).totp_secret is None

    right = client.post(
        "/login/set-up",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(wrong.text)},
    )

    assert right.status_code == 200
    assert "Save your recovery codes" in right.text
    assert right.headers["Cache-Control"] == "no-store"
    assert signed_in(client)
    assert user(app, NEW).totp_secret is not None


def test_set_up_shows_ten_recovery_codes_once_and_stores_only_their_hashes(app, accounts):
    secret, codes = enrol(app.test_client())

    assert len(codes) == 10 == len(set(codes))
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode)).all()
        assert len(stored) == 10
        values = " ".join(f"{r.code_hash}" for r in stored)
        account = services.user_by_email(NEW)
        every_column = " ".join(str(getattr(account, c.key)) for c in User.__table__.columns)
    for code in codes:
        assert code not in values and code.replace("-", "") not in values
    assert secret not in every_column


def test_the_totp_secret_is_stored_encrypted_and_bound_to_its_account(app, accounts):
    secret, _codes = enrol(app.test_client())

    with app.app_context():
        account = services.user_by_email(NEW)
        other = services.user_by_email(MO)
        assert account.totp_secret.startswith("v1:")
        assert two_factor.unseal(account, account.totp_secret) == secret
        # Copied to another row, it does not open.
        assert two_factor.unseal(other, account.totp_secret) is None
    other_key = build_app(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["UPLOAD_FOLDER"], SECRET_KEY="another"
    )
    with other_key.app_context(), pytest.raises(crypto.DecryptionError):
        crypto.decrypt(account.totp_secret, purpose="totp-secret", bound_to=f"user:{account.id}")


# --- the second step ------------------------------------------------------------------


def test_sign_in_needs_the_code_after_the_password(app, accounts):
    client = app.test_client()

    response = password_step(client, MO)

    assert response.headers["Location"] == "/login/code"
    assert not signed_in(client)
    wrong = submit_code(client, "123456")
    assert wrong.status_code == 400
    assert BAD_CODE in wrong.text
    assert not signed_in(client)

    right = submit_code(client, pyotp.TOTP(TOTP_SECRET).now())

    assert right.status_code == 302
    assert right.headers["Location"] == "/cases/"
    assert signed_in(client)


def test_a_code_cannot_be_used_twice(app, accounts):
    with time_machine.travel(START, tick=False):
        first = app.test_client()
        password_step(first, MO)
        assert submit_code(first, code_at(START)).status_code == 302

        second = app.test_client()
        password_step(second, MO)
        replay = submit_code(second, code_at(START))

        assert replay.status_code == 400
        assert BAD_CODE in replay.text
        # Nor an older code, once a newer one has been used.
        assert submit_code(second, code_at(START, steps=-1)).status_code == 400
        assert not signed_in(second)
        assert submit_code(second, code_at(START, steps=1)).status_code == 302


def test_codes_one_step_either_side_are_accepted_and_no_further(app, accounts):
    with time_machine.travel(START, tick=False):
        for steps, accepted in ((-2, False), (2, False), (-1, True)):
            client = app.test_client()
            password_step(client, MO)
            response = submit_code(client, code_at(START, steps=steps))
            assert (response.status_code == 302) is accepted, steps


def test_a_recovery_code_signs_in_once(app, accounts):
    _secret, codes = enrol(app.test_client())

    client = app.test_client()
    password_step(client, NEW)
    response = submit_code(client, codes[0].lower().replace("-", " "))

    assert response.status_code == 302
    assert "You have 9 left" in page_text(client.get("/cases/").text)
    assert signed_in(client)

    again = app.test_client()
    password_step(again, NEW)
    assert submit_code(again, codes[0]).status_code == 400
    assert submit_code(again, codes[1]).status_code == 302


def test_new_recovery_codes_from_the_account_page_replace_the_old_ones(app, accounts):
    secret, old_codes = enrol(app.test_client())
    client = app.test_client()
    login(client, NEW, totp_secret=secret)
    page = client.get("/account")
    assert "10 unused recovery codes" in page_text(page.text)

    refused = client.post(
        "/account/recovery-codes",
        data={"codes-code": "000000", "codes-csrf_token": csrf_token(page.text)},
    )
    assert refused.status_code == 400
    assert "The code was not recognised" in refused.text

    fresh = client.post(
        "/account/recovery-codes",
        data={"codes-code": old_codes[0], "codes-csrf_token": csrf_token(page.text)},
    )

    assert fresh.status_code == 200
    assert fresh.headers["Cache-Control"] == "no-store"
    new_codes = shown_recovery_codes(fresh.text)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    other = app.test_client()
    password_step(other, NEW)
    assert submit_code(other, old_codes[1]).status_code == 400
    assert submit_code(other, new_codes[0]).status_code == 302


# --- half signed in ------------------------------------------------------------------


@pytest.fixture
def case_id(app: Flask, accounts) -> int:
    submit_complaint(app.test_client(), "ashby")
    with app.app_context():
        return db.session.scalar(select(Case.id))


@pytest.mark.parametrize("email", [MO, NEW, ADMIN])
def test_a_half_signed_in_session_reaches_no_case_and_no_admin_page(app, case_id, email):
    client = app.test_client()
    password_step(client, email)  # right password, no code yet

    for path in (
        f"/cases/{case_id}",
        "/cases/",
        "/cases/new",
        "/admin/councils",
        "/admin/users",
        "/account",
        "/cases/emails",
    ):
        response = client.get(path)
        assert response.status_code in (302, 404), (path, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login"), path
    assert "_user_id" not in session_of(client)
    assert client.get(f"/cases/{case_id}", headers={"HX-Request": "true"}).text == ""


def test_the_half_signed_in_state_expires(app, accounts):
    client = app.test_client()
    with time_machine.travel(START, tick=False):
        password_step(client, MO)
    later = START + timedelta(minutes=app.config["TWO_FACTOR_STEP_MINUTES"], seconds=1)
    with time_machine.travel(later, tick=False):
        response = client.get("/login/code")
        assert response.status_code == 302
        assert response.headers["Location"] == "/login"
        assert "Sign in again to continue." in client.get("/login").text


# --- lockout --------------------------------------------------------------------------


@pytest.fixture
def generous_limits(app: Flask) -> None:
    """Rate limits out of the way, so what is tested is the lockout."""
    for key in ("RATELIMIT_SIGN_IN_PER_ADDRESS", "RATELIMIT_SIGN_IN_PER_ACCOUNT"):
        app.config[key] = "1000 per minute"


def test_password_guessing_locks_the_account_and_emails_the_owner_once(
    app, accounts, smtp: Mailbox, generous_limits
):
    threshold = app.config["LOCKOUT_THRESHOLD"]
    with time_machine.travel(START, tick=False):
        for _ in range(threshold):
            assert password_step(app.test_client(), MO, "guess guess guess").status_code == 400

        locked = password_step(app.test_client(), MO)  # the right password, now refused
        assert locked.status_code == 400
        assert BAD_SIGN_IN in locked.text
        for _ in range(threshold + 2):
            password_step(app.test_client(), MO, "guess guess guess")
        deliver_all(app)

    [message] = smtp.to(MO)
    assert "no one can sign in to it for the next 15 minutes" in " ".join(body_of(message).split())
    assert "/password/forgot" in body_of(message)

    after = START + timedelta(minutes=app.config["LOCKOUT_MINUTES"], seconds=1)
    with time_machine.travel(after, tick=False):
        assert login(app.test_client(), MO).status_code == 302


def test_code_guessing_locks_the_account_and_emails_the_owner_once(
    app, accounts, smtp: Mailbox, generous_limits
):
    client = app.test_client()
    with time_machine.travel(START, tick=False):
        password_step(client, MO)
        for _ in range(app.config["LOCKOUT_THRESHOLD"]):
            assert submit_code(client, "000000").status_code == 400

        right = submit_code(client, code_at(START))
        assert right.status_code == 400
        assert BAD_CODE in right.text
        assert not signed_in(client)
        refused = password_step(app.test_client(), MO)
        assert refused.status_code == 400
        assert BAD_SIGN_IN in refused.text
        deliver_all(app)

    assert len(smtp.to(MO)) == 1


def test_a_successful_sign_in_forgets_earlier_failures(app, accounts, generous_limits):
    threshold = app.config["LOCKOUT_THRESHOLD"]
    for _ in range(threshold - 1):
        password_step(app.test_client(), MO, "guess guess guess")
    assert login(app.test_client(), MO).status_code == 302
    for _ in range(threshold - 1):
        password_step(app.test_client(), MO, "guess guess guess")

    assert login(app.test_client(), MO).status_code == 302


def test_a_right_password_does_not_reset_the_count_of_wrong_codes(app, accounts, generous_limits):
    with time_machine.travel(START, tick=False):
        for _ in range(app.config["LOCKOUT_THRESHOLD"]):
            client = app.test_client()
            assert password_step(client, MO).headers["Location"] == "/login/code"
            submit_code(client, "000000")

        assert password_step(app.test_client(), MO).status_code == 400


# --- no user enumeration ------------------------------------------------------------


def test_unknown_wrong_locked_and_deactivated_accounts_get_identical_answers(
    app, accounts, generous_limits
):
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        password_step(app.test_client(), CLERK, "guess guess guess")
    with app.app_context():
        services.user_by_email(ADMIN).active = False
        db.session.commit()

    answers = {
        "unknown": password_step(app.test_client(), "nobody@example.org", "guess guess guess"),
        "wrong password": password_step(app.test_client(), MO, "guess guess guess"),
        "locked, right password": password_step(app.test_client(), CLERK),
        "deactivated, right password": password_step(app.test_client(), ADMIN),
    }

    emails = {
        "unknown": "nobody@example.org",
        "wrong password": MO,
        "locked, right password": CLERK,
        "deactivated, right password": ADMIN,
    }
    assert {r.status_code for r in answers.values()} == {400}
    bodies = {without_volatile_parts(r.text, emails[k]) for k, r in answers.items()}
    assert len(bodies) == 1
    assert BAD_SIGN_IN in answers["unknown"].text


def test_rate_limits_answer_the_same_for_known_and_unknown_accounts(app, accounts):
    app.config["RATELIMIT_SIGN_IN_PER_ACCOUNT"] = "2 per minute"
    answers = []
    for email in (MO, "nobody@example.org"):
        for n in range(3):
            answers.append(
                (email, password_step(from_address(app, f"10.0.{n}.1"), email, "guess").status_code)
            )

    assert answers == [
        (MO, 400),
        (MO, 400),
        (MO, 429),
        ("nobody@example.org", 400),
        ("nobody@example.org", 400),
        ("nobody@example.org", 429),
    ]


# --- rate limits ------------------------------------------------------------------------


def test_failed_sign_ins_are_limited_per_address_with_a_page_saying_when_to_try_again(
    app, accounts
):
    app.config["RATELIMIT_SIGN_IN_PER_ADDRESS"] = "3 per 5 minutes"
    client = from_address(app, "192.0.2.7")
    for n in range(3):
        assert password_step(client, f"person{n}@example.org", "guess").status_code == 400

    limited = password_step(client, "someone.else@example.org", "guess")

    assert limited.status_code == 429
    assert "Too many attempts" in limited.text
    assert "Wait 5 minutes, then try again." in page_text(limited.text)
    assert 0 < int(limited.headers["Retry-After"]) <= 5 * 60 + 1  # whole seconds, rounded up
    # Another address is not held up, and successful sign-ins are never counted.
    assert login(from_address(app, "192.0.2.8"), MO).status_code == 302


def test_successful_sign_ins_do_not_use_up_the_limit(app, accounts):
    app.config["RATELIMIT_SIGN_IN_PER_ADDRESS"] = "2 per minute"
    app.config["RATELIMIT_SIGN_IN_PER_ACCOUNT"] = "2 per minute"
    for _ in range(4):
        assert login(app.test_client(), MO).status_code == 302


def test_the_code_step_is_limited_per_account(app, accounts):
    app.config["RATELIMIT_SIGN_IN_PER_ACCOUNT"] = "2 per minute"
    app.config["LOCKOUT_THRESHOLD"] = 100
    with time_machine.travel(START, tick=False):
        statuses = []
        for n in range(3):
            client = from_address(app, f"10.1.{n}.1")
            password_step(client, MO)
            statuses.append(submit_code(client, "000000").status_code)

    assert statuses == [400, 400, 429]


def test_password_reset_requests_are_limited_per_email_and_per_address(app, accounts):
    app.config["RATELIMIT_PASSWORD_RESET_PER_EMAIL"] = "2 per hour"
    app.config["RATELIMIT_PASSWORD_RESET_PER_ADDRESS"] = "3 per hour"

    per_email = [ask_for_reset(from_address(app, f"10.2.{n}.1"), MO).status_code for n in range(3)]
    unknown = [
        ask_for_reset(from_address(app, f"10.3.{n}.1"), "nobody@example.org").status_code
        for n in range(3)
    ]
    one_address = from_address(app, "10.4.0.1")
    per_address = [
        ask_for_reset(one_address, f"person{n}@example.org").status_code for n in range(4)
    ]

    assert per_email == unknown == [200, 200, 429]
    assert per_address == [200, 200, 200, 429]


def test_secure_links_are_limited_per_address_for_unknown_tokens(app, accounts):
    app.config["RATELIMIT_SECURE_LINK_PER_ADDRESS"] = "3 per 10 minutes"
    scanner = from_address(app, "198.51.100.9")
    statuses = [
        scanner.get(f"/ashby/my-case/{secrets.token_urlsafe(32)}").status_code for _ in range(4)
    ]

    assert statuses == [404, 404, 404, 429]
    assert "Too many attempts" in scanner.get("/ashby/my-case/x").text
    assert from_address(app, "198.51.100.10").get("/ashby/my-case/x").status_code == 404


def test_secure_links_are_limited_per_token_prefix_from_any_address(app, accounts):
    app.config["RATELIMIT_SECURE_LINK_PER_TOKEN"] = "3 per 10 minutes"
    prefix = "AbCdEfGh"
    statuses = [
        from_address(app, f"10.5.{n}.1")
        .get(f"/ashby/my-case/{prefix}{secrets.token_urlsafe(24)}")
        .status_code
        for n in range(4)
    ]

    assert statuses == [404, 404, 404, 429]
    other_prefix = from_address(app, "10.5.9.1").get(f"/ashby/my-case/{secrets.token_urlsafe(32)}")
    assert other_prefix.status_code == 404


def test_public_complaint_form_posts_are_limited_per_address(app, accounts):
    app.config["RATELIMIT_PUBLIC_FORM_PER_ADDRESS"] = "3 per hour"
    client = from_address(app, "203.0.113.5")
    page = client.get("/ashby/complaints/new")
    posts = [
        client.post(
            "/ashby/complaints/new",
            data={"csrf_token": csrf_token(page.text), "action": "continue"},
        ).status_code
        for _ in range(4)
    ]

    assert posts == [400, 400, 400, 429]
    assert client.get("/ashby/complaints/new").status_code == 200  # reading is not limited
    assert submit_complaint(from_address(app, "203.0.113.6"), "ashby").status_code == 200


def _redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_rate_limits_are_shared_through_redis(database_url, _schema, tmp_path):
    """Two app instances (as two workers) count against one limit in Redis."""
    settings = {
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "RATELIMIT_SIGN_IN_PER_ADDRESS": "2 per minute",
        "PROXY_FIX_X_FOR": 1,
    }
    first = build_app(database_url, tmp_path / "uploads", **settings)
    second = build_app(database_url, tmp_path / "uploads", **settings)
    # An address and email of its own: other runs against the same Redis do not count.
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    headers = {"X-Forwarded-For": address}
    email = f"nobody.{secrets.token_hex(6)}@example.org"
    try:
        statuses = []
        for app in (first, second, first):
            client = app.test_client()
            page = client.get("/login", headers=headers)
            statuses.append(
                client.post(
                    "/login",
                    headers=headers,
                    data={
                        "email": email,
                        "password": "guess",
                        "csrf_token": csrf_token(page.text),
                    },
                ).status_code
            )
    finally:
        empty_all_tables(first)

    assert statuses == [400, 400, 429]


# --- sessions -------------------------------------------------------------------------


def test_signing_in_issues_a_new_session_and_drops_what_was_planted_before(app, accounts):
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["sid"] = "chosen-by-the-attacker"
        session["lang"] = "cy"
    before = client.get_cookie("session").value

    password_step(client, MO)
    half = session_of(client)
    assert "planted" not in half and half.get("sid") is None

    submit_code(client, pyotp.TOTP(TOTP_SECRET).now())

    after = session_of(client)
    assert "planted" not in after
    assert after["sid"] not in (None, "chosen-by-the-attacker")
    assert after["lang"] == "cy"  # the language chosen is the one thing kept
    assert client.get_cookie("session").value != before
    # The cookie from before sign-in is worth nothing afterwards.
    replay = app.test_client()
    replay.set_cookie("session", before)
    assert not signed_in(replay)


def test_each_sign_in_gets_its_own_session_id(app, accounts):
    first, second = app.test_client(), app.test_client()
    login(first, MO)
    login(second, MO)

    assert session_of(first)["sid"] != session_of(second)["sid"]


def test_idle_timeout_signs_out_with_a_message_and_returns_to_the_page_after(app, accounts):
    client = app.test_client()
    idle = app.config["SESSION_IDLE_MINUTES"]
    with time_machine.travel(START, tick=False):
        login(client, MO)
    # Activity keeps the session alive...
    with time_machine.travel(START + timedelta(minutes=idle - 1), tick=False):
        assert signed_in(client)
    with time_machine.travel(START + timedelta(minutes=2 * idle - 2), tick=False):
        assert signed_in(client)
    # ...and a pause longer than the idle timeout ends it.
    with time_machine.travel(START + timedelta(minutes=3 * idle), tick=False):
        response = client.get("/cases/?sort=oldest")
        assert response.status_code == 302
        assert response.headers["Location"] == "/login?next=/cases/?sort%3Doldest"
        page = client.get(response.headers["Location"])
        assert f"you had not used the service for {idle} minutes" in page.text
        assert "Sign in to see this page." not in page.text
        assert "_user_id" not in session_of(client)

        again = login(client, MO, next_path="/cases/?sort=oldest")
        assert again.headers["Location"] == "/cases/?sort=oldest"


def test_absolute_timeout_ends_even_a_busy_session(app, accounts):
    client = app.test_client()
    hours = app.config["SESSION_ABSOLUTE_HOURS"]
    with time_machine.travel(START, tick=False):
        login(client, MO)
    moment = START
    while moment < START + timedelta(hours=hours) - timedelta(minutes=20):
        moment += timedelta(minutes=20)
        with time_machine.travel(moment, tick=False):
            assert signed_in(client), moment
    with time_machine.travel(START + timedelta(hours=hours, minutes=1), tick=False):
        response = client.get("/cases/")
        assert response.headers["Location"] == "/login?next=/cases/"
        assert f"you signed in more than {hours} hours ago" in client.get("/login").text


def test_a_timed_out_htmx_request_sends_the_whole_page_to_sign_in(app, accounts):
    client = app.test_client()
    with time_machine.travel(START, tick=False):
        login(client, MO)
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        response = client.get(
            "/cases/?status=open",
            headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/cases/?sort=x"},
        )

    assert response.status_code == 200
    assert response.text == ""
    assert response.headers["HX-Redirect"] == "/login?next=/cases/?sort%3Dx"


def test_sign_out_everywhere_ends_the_sessions_of_other_clients(app, accounts):
    laptop, phone, colleague = app.test_client(), app.test_client(), app.test_client()
    login(laptop, MO)
    login(phone, MO)
    login(colleague, CLERK)
    page = laptop.get("/account")

    response = laptop.post(
        "/account/sign-out-everywhere", data={"csrf_token": csrf_token(page.text)}
    )

    assert response.status_code == 303
    assert "signed out on every device" in laptop.get("/login").text
    assert not signed_in(laptop)
    assert not signed_in(phone)
    assert "You have been signed out." in phone.get("/login").text
    assert signed_in(colleague)
    assert login(phone, MO).status_code == 302


def test_a_role_change_reissues_the_session(app, accounts):
    clerk = app.test_client()
    login(clerk, CLERK)
    before = session_of(clerk)
    with app.app_context():
        account = services.user_by_email(CLERK)
        council = services.council_by_slug("ashby")
        services.grant_role(account, council, "monitoring-officer")
        db.session.commit()
        version = account.privilege_version

    assert signed_in(clerk)
    after = session_of(clerk)
    assert after["sid"] != before["sid"]
    assert after["pv"] == version != before["pv"]
    assert after["auth_at"] == before["auth_at"]  # re-issued, not a longer life


def test_removing_a_role_through_the_admin_pages_reissues_the_session(app, accounts):
    clerk, admin = app.test_client(), app.test_client()
    login(clerk, CLERK)
    login(admin, ADMIN)
    before = session_of(clerk)["sid"]
    with app.app_context():
        account = services.user_by_email(CLERK)
        user_id, grant_id = account.id, account.roles[0].id
    page = admin.get(f"/admin/users/{user_id}")

    admin.post(
        f"/admin/users/{user_id}/roles/{grant_id}/delete",
        data={"csrf_token": csrf_token(page.text)},
    )

    assert signed_in(clerk)
    assert session_of(clerk)["sid"] != before


def test_a_host_admin_resets_two_factor_the_user_is_signed_out_and_sets_up_again(app, accounts):
    person, admin = app.test_client(), app.test_client()
    login(person, MO)
    login(admin, ADMIN)
    user_id = user(app, MO).id
    page = admin.get(f"/admin/users/{user_id}")
    assert "Reset two-factor authentication" in page.text

    response = admin.post(
        f"/admin/users/{user_id}/two-factor/reset", data={"csrf_token": csrf_token(page.text)}
    )

    assert response.status_code == 303
    assert "Not set up yet" in admin.get(f"/admin/users/{user_id}").text
    assert not signed_in(person)
    assert password_step(person, MO).headers["Location"] == "/login/set-up"
    with app.app_context():
        assert db.session.scalars(select(RecoveryCode)).all() == []


def test_users_reset_2fa_command(app, runner, accounts):
    result = runner.invoke(args=["users", "reset-2fa", "--email", MO])

    assert result.exit_code == 0, result.output
    assert user(app, MO).totp_secret is None
    assert password_step(app.test_client(), MO).headers["Location"] == "/login/set-up"

    unknown = runner.invoke(args=["users", "reset-2fa", "--email", "nobody@example.org"])
    assert unknown.exit_code != 0
    assert "no account with email" in unknown.output
    assert len(unknown.output.strip().splitlines()) == 1


def test_a_new_password_signs_out_every_other_session(app, accounts, smtp: Mailbox):
    elsewhere = app.test_client()
    login(elsewhere, MO)
    client = app.test_client()
    ask_for_reset(client, MO)
    deliver_all(app)
    [message] = smtp.to(MO)

    set_password(client, reset_path_in(message), "a brand new long passphrase")

    assert not signed_in(elsewhere)
    assert login(app.test_client(), MO, "a brand new long passphrase").status_code == 302


def test_sign_out_after_a_timeout_just_goes_to_sign_in(app, accounts):
    client = app.test_client()
    with time_machine.travel(START, tick=False):
        login(client, MO)
        token = csrf_token(client.get("/account").text)
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        response = client.post("/logout", data={"csrf_token": token})

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
