"""Attacks tried and refused: stored XSS in every free-text field, SQL injection in search.

IDOR, CSRF and signed-out access on every route are in test_route_permissions.py;
brute force and session fixation in test_two_factor.py; uploads in test_uploads.py.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from conduct.models import Case
from core import outbox
from core.db import db
from core.outbox_models import OutboxMessage
from tests.conftest import (
    COMPLAINT,
    csrf_token,
    login,
    make_council,
    make_user,
    reference_on,
    submit_complaint,
)
from tests.factories import make_case

SCRIPT = '<script>alert("xss")</script>'
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
PAYLOADS = (SCRIPT, ATTRIBUTE)
# Present unescaped, these would run; escaped (&lt;img ...) they are only text.
RAW = ("<script>alert", "<img src=x", '"><img')


@pytest.fixture
def councils(app):
    with app.app_context():
        a = make_council("ashby")
        b = make_council("brockton")
        make_user("mo.a@example.org", (a, "monitoring-officer"))
        make_user("mo.b@example.org", (b, "monitoring-officer"))
        make_case(b, 1, subject=("Secret", "Councillor"))
        db.session.commit()


def _hostile(payload: str) -> dict:
    """Every free-text answer of the complaint form carries the payload."""
    fields = (
        "title",
        "first_name",
        "last_name",
        "address",
        "details",
        "obligations",
        "incident_dates",
        "witnesses",
        "outcome_sought",
        "confidentiality_reasons",
        "help_needed",
        "members-0-title",
        "members-0-first_name",
        "members-0-last_name",
        "members-0-authority",
    )
    data = {name: f"{COMPLAINT.get(name, 'x')[:20]} {payload}" for name in fields}
    data["title"] = payload[:40]
    data["members-0-title"] = payload[:40]
    data["confidentiality"] = "yes"
    return data


def _assert_escaped(html: str, where: str) -> None:
    for raw in RAW:
        assert raw not in html, (where, raw)


@pytest.mark.parametrize("payload", PAYLOADS, ids=["script", "attribute"])
def test_stored_xss_in_every_complaint_field_is_escaped_on_every_page_and_email(
    app, councils, payload
):
    public = app.test_client()
    confirmation = submit_complaint(public, "ashby", _hostile(payload))
    _assert_escaped(confirmation.text, "confirmation")
    reference = reference_on(confirmation.text)
    staff = app.test_client()
    login(staff, "mo.a@example.org")
    with app.app_context():
        case_id = db.session.scalar(select(Case.id).where(Case.reference == reference))
    pages = {
        "case": staff.get(f"/cases/{case_id}"),
        "list": staff.get("/cases/", query_string={"q": reference}),
        "list-fragment": staff.get(
            "/cases/", query_string={"q": reference}, headers={"HX-Request": "true"}
        ),
        "emails": staff.get("/cases/emails"),
        "access-log": staff.get(f"/cases/{case_id}/access-log"),
    }
    # The officer writes the payload into the timeline too.
    form = staff.get(f"/cases/{case_id}/actions/add-note")
    staff.post(
        f"/cases/{case_id}/actions/add-note",
        data={"csrf_token": csrf_token(form.text), "note": payload},
    )
    pages["timeline"] = staff.get(f"/cases/{case_id}")
    for where, response in pages.items():
        assert response.status_code == 200, where
        _assert_escaped(response.get_data(as_text=True), where)
    assert "&lt;" in pages["case"].text  # shown, as text
    with app.app_context():
        messages = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.case_id == case_id)
        ).all()
        assert messages
        for message in messages:
            _assert_escaped(message.body_html or "", f"email to {message.recipient}")
            assert "\n" not in message.subject and "\r" not in message.subject


def test_header_injection_through_a_name_cannot_add_recipients(app, councils, smtp):
    public = app.test_client()
    data = {"first_name": "Alex\r\nBcc: victim@example.org", "last_name": "Jones"}
    response = submit_complaint(public, "ashby", data)
    assert response.status_code == 200
    with app.app_context():
        outbox.deliver()
    recipients = {r for _sender, rcpts in smtp.envelopes for r in rcpts}
    assert "victim@example.org" not in recipients


INJECTIONS = (
    "' OR 1=1 --",
    "%' OR '1'='1",
    "x' UNION SELECT reference FROM cases --",
    "'; DROP TABLE cases; --",
    "\\",
    "%",
    "_",
)


@pytest.mark.parametrize("text", INJECTIONS)
def test_sql_injection_in_search_and_filters_finds_nothing_and_breaks_nothing(app, councils, text):
    staff = app.test_client()
    login(staff, "mo.a@example.org")
    for params in (
        {"q": text},
        {"council": text},
        {"procedure": text},
        {"stage": text},
        {"stage": f"conduct-complaint:{text}"},
        {"sort": text},
        {"deadline": text},
        {"page": text},
    ):
        response = staff.get("/cases/", query_string=params)
        assert response.status_code in (200, 400), params
        body = response.text
        assert "Secret" not in body and "BROC-" not in body, params
        assert "syntax error" not in body.lower() and "sqlalche" not in body.lower()
    statistics = staff.get(
        "/cases/statistics", query_string={"council": text, "from": text, "to": text}
    )
    assert statistics.status_code in (200, 400)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Case.id))) == 1  # the table is intact


def test_a_search_with_wildcards_matches_them_literally(app, councils):
    staff = app.test_client()
    login(staff, "mo.a@example.org")
    with app.app_context():
        from tenants.models import Council

        council = db.session.scalar(select(Council).where(Council.slug == "ashby"))
        make_case(council, 7, subject=("Percy", "Underscore"))
        db.session.commit()
    assert re.search(r"ASHB?-\d{4}-0007|[A-Z]+-\d{4}-0007", staff.get("/cases/?q=Percy").text)
    assert "0007" not in staff.get("/cases/", query_string={"q": "%"}).text
    assert "0007" not in staff.get("/cases/", query_string={"q": "_"}).text
