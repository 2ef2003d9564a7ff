"""The parties' secure links: only their own case, expiring, refused after revocation.

Each link is taken from the email the real SMTP server received, as the complainant
or the councillor would follow it, without an account.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, timedelta
from html import unescape

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from conduct.models import Case, CaseEvent, CaseLink
from core import outbox
from core.db import db
from tests.casework_helpers import Staff, page, step
from tests.conftest import (
    COMPLAINT,
    Mailbox,
    body_of,
    csrf_token,
    make_council,
    make_user,
    reference_on,
    submit_complaint,
)

ACCOUNTS = {
    "mo": "mo@example.org",
    "ip": "ip@example.org",
    "clerk": "clerk@example.org",
    "other_mo": "mo@brockton.example.org",
}
EXPIRED = "This link has expired or is no longer valid"
PDF = b"%PDF-1.4 my written response"


@dataclass
class Party:
    """One case as its two parties reach it."""

    case_id: int
    reference: str
    complainant: dict[str, str]
    councillor_email: str
    complainant_link: str
    councillor_link: str


def _link_in(smtp: Mailbox, address: str, slug: str = "ashby") -> str:
    (message,) = smtp.to(address)
    found = set(re.findall(rf"https?://[^/\s]+(/{slug}/my-case/[A-Za-z0-9_-]+)", body_of(message)))
    assert len(found) == 1
    return found.pop()


def _open_case(app: Flask, smtp: Mailbox, staff: Staff, answers: dict, councillor: str) -> Party:
    """A complaint from the online form; the councillor told; both parties emailed a link."""
    reference = reference_on(submit_complaint(app.test_client(), "ashby", answers).text)
    with app.app_context():
        case_id = db.session.scalar(select(Case.id).where(Case.reference == reference))
    step(staff, case_id, "mo", "proceed", to="notify-subject", others_refused=False)
    step(
        staff,
        case_id,
        "mo",
        "subject-notified",
        {"subject_email": councillor},
        to="subject-response",
        others_refused=False,
    )
    with app.app_context():
        outbox.deliver()
    complainant = {**COMPLAINT, **answers}
    # The acknowledgement has no link; the "councillor told" notice has.
    notices = [m for m in smtp.to(complainant["email"]) if "my-case" in body_of(m)]
    assert len(notices) == 1
    found = re.findall(r"https?://[^/\s]+(/ashby/my-case/[A-Za-z0-9_-]+)", body_of(notices[0]))
    return Party(
        case_id=case_id,
        reference=reference,
        complainant=complainant,
        councillor_email=councillor,
        complainant_link=found[0],
        councillor_link=_link_in(smtp, councillor),
    )


@dataclass
class Cases:
    staff: Staff
    a: Party
    b: Party


SECOND = {
    "first_name": "Bea",
    "last_name": "Blackwood",
    "email": "bea.blackwood@example.com",
    "members-0-first_name": "Sam",
    "members-0-last_name": "Stone",
    "details": "The councillor published my private letter.",
}


@pytest.fixture
def cases(app: Flask, smtp: Mailbox):
    """Two cases of the same council, A and B, each with its parties' links."""
    with app.app_context():
        council = make_council("ashby")
        other = make_council("brockton")
        make_user("mo@example.org", (council, "monitoring-officer"))
        make_user("ip@example.org", (council, "independent-person"))
        make_user("clerk@example.org", (council, "clerk"))
        make_user("mo@brockton.example.org", (other, "monitoring-officer"))
        db.session.commit()
    staff = Staff(app, ACCOUNTS)
    a = _open_case(app, smtp, staff, {}, "robin.gale@councillors.example.org")
    b = _open_case(app, smtp, staff, SECOND, "sam.stone@councillors.example.org")
    return Cases(staff, a, b)


def _never_shows(html: str, party: Party) -> None:
    """Nothing of this case: its reference, the complainant, the complaint."""
    for detail in (
        party.reference,
        party.complainant["first_name"],
        party.complainant["last_name"],
        party.complainant["email"],
        party.complainant["details"],
        party.councillor_email,
    ):
        assert detail not in html, detail


def _reply(client: FlaskClient, link: str, text: str, document=None, **kw):
    data = {"csrf_token": csrf_token(client.get(link).text), "reply": text, **kw}
    if document is not None:
        data["document"] = document
    return client.post(link, data=data, content_type="multipart/form-data")


def _links(app: Flask, case_id: int) -> dict[str, CaseLink]:
    with app.app_context():
        rows = db.session.scalars(select(CaseLink).where(CaseLink.case_id == case_id)).all()
        for row in rows:
            db.session.expunge(row)
        return {row.party: row for row in rows}


# --- what a link shows -----------------------------------------------------------------------


def test_the_councillors_link_shows_their_case_stage_and_own_deadline_and_nothing_else(
    app, client, cases
):
    a, b = cases.a, cases.b
    response = client.get(a.councillor_link)
    assert response.status_code == 200
    html = unescape(response.text)
    assert a.reference in html
    assert "Current stage: Waiting for the councillor's response" in re.sub(r"<[^>]+>", "", html)
    # The councillor's own deadline: 7 working days from the day they were told.
    with app.app_context():
        due = db.session.get(Case, a.case_id).deadlines
        (row,) = [d for d in due if d.key == "subject-response"]
    assert f'<time datetime="{row.due_on.isoformat()}"' in html
    assert "Councillor's initial response" in html
    # No confidentiality was asked for, yet the councillor's page names no complainant and
    # does not tell the complaint: only the reference, the stage and their own deadlines.
    for detail in (
        COMPLAINT["first_name"],
        COMPLAINT["last_name"],
        COMPLAINT["email"],
        COMPLAINT["phone"],
        COMPLAINT["address"],
        COMPLAINT["details"],
    ):
        assert detail not in html, detail
    _never_shows(html, b)


def test_the_complainants_link_shows_their_case_without_the_councillors_deadline(
    app, client, cases
):
    a, b = cases.a, cases.b
    html = unescape(client.get(a.complainant_link).text)
    assert a.reference in html
    assert "Current stage: Waiting for the councillor's response" in re.sub(r"<[^>]+>", "", html)
    assert "Nothing at the moment." in html
    assert "Councillor's initial response" not in html
    assert 'id="party-deadlines"' not in html
    _never_shows(html, b)
    # And B's links show B, never A.
    other = client.get(b.councillor_link).text
    assert b.reference in other
    _never_shows(other, a)


def test_a_link_opens_only_under_its_own_councils_address(client, cases):
    a = cases.a
    token = a.councillor_link.rsplit("/", 1)[1]
    elsewhere = client.get(f"/brockton/my-case/{token}")
    assert elsewhere.status_code == 404
    assert EXPIRED in elsewhere.text
    _never_shows(elsewhere.text, a)
    assert client.get("/ashby/my-case/not-a-real-token").status_code == 404
    assert client.get(f"/ashby/my-case/{'x' * 200}").status_code == 404
    assert client.get(f"/no-such-council/my-case/{token}").status_code == 404


# --- replies ---------------------------------------------------------------------------------


def test_a_reply_with_a_document_reaches_its_own_case_and_the_handling_officer(app, smtp, cases):
    staff, a, b = cases.staff, cases.a, cases.b
    app.config["OUTBOX_DELIVER_AFTER_RESPONSE"] = True
    councillor = app.test_client()
    sent = _reply(
        councillor,
        a.councillor_link,
        "I was not at that meeting.",
        (io.BytesIO(PDF), "my response.pdf"),
    )
    assert sent.status_code == 303
    before = len(smtp.messages)
    sent.close()  # the response has gone to the browser: the officer's email goes now
    assert len(smtp.messages) == before + 1
    thanks = councillor.get(sent.headers["Location"])
    assert "Your reply has been sent. Thank you." in thanks.text

    case_page = page(staff["mo"], a.case_id)
    timeline = case_page.split('id="timeline"', 1)[1]
    assert "Reply received from the councillor" in timeline
    assert "I was not at that meeting." in timeline
    assert 'data-action="reply"' in timeline
    match = re.search(rf'href="(/cases/{a.case_id}/files/\d+)"[^>]*>my response.pdf<', case_page)
    assert match, case_page
    with staff["mo"].get(match.group(1)) as download:
        assert download.status_code == 200
        assert download.data == PDF
    # The other case is untouched.
    assert "Reply received" not in page(staff["mo"], b.case_id)
    # The party cannot fetch the file through the staff address.
    assert councillor.get(match.group(1)).status_code in (302, 401, 403, 404)

    # The handling officer was emailed, once the response had gone, with the reference only.
    notice = smtp.messages[before]
    assert notice["To"] == "mo@ashby.example.org"
    assert a.reference in notice["Subject"]
    assert f"/cases/{a.case_id}" in body_of(notice)
    assert "I was not at that meeting." not in body_of(notice)
    assert sum(a.reference in (m["Subject"] or "") for m in smtp.to("mo@ashby.example.org")) == 2


def test_the_complainants_reply_is_recorded_as_from_the_complainant(app, cases):
    a = cases.a
    sent = _reply(app.test_client(), a.complainant_link, "Here is more evidence.")
    assert sent.status_code == 303
    with app.app_context():
        (event,) = db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == a.case_id, CaseEvent.kind == "reply")
        ).all()
        assert (event.actor_role, event.summary) == (
            "complainant",
            "Reply received from the complainant",
        )


def test_a_program_upload_is_refused_with_a_message_and_the_reply_kept(app, smtp, cases):
    a = cases.a
    before = len(smtp.messages)
    refused = _reply(
        app.test_client(),
        a.councillor_link,
        "My answer, with a tool.",
        (io.BytesIO(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200), "tool.exe"),
    )
    assert refused.status_code == 400
    assert "The selected file must be a PDF, Word" in refused.text
    assert "My answer, with a tool." in refused.text
    with app.app_context():
        assert not db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "reply")).all()
        outbox.deliver()
    assert len(smtp.messages) == before


def test_a_reply_needs_the_csrf_token_and_some_text(app, cases):
    a = cases.a
    client = app.test_client()
    client.get(a.councillor_link)
    assert client.post(a.councillor_link, data={"reply": "No token"}).status_code == 400
    empty = _reply(client, a.councillor_link, "")
    assert empty.status_code == 400
    assert "Enter your reply" in empty.text
    with app.app_context():
        assert not db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "reply")).all()


def test_once_the_case_is_closed_the_link_still_shows_it_but_takes_no_reply(app, smtp, cases):
    staff, a = cases.staff, cases.a
    councillor = app.test_client()
    stale = councillor.get(a.councillor_link)  # a reply form left open in a browser tab
    step(staff, a.case_id, "mo", "withdraw", {"reason": "Letter"}, to="withdrawn")
    html = councillor.get(a.councillor_link).text
    assert "This case was closed on" in html
    assert 'name="reply"' not in html
    before = len(smtp.messages)
    refused = councillor.post(
        a.councillor_link, data={"csrf_token": csrf_token(stale.text), "reply": "Too late"}
    )
    assert refused.status_code == 409
    assert "Your reply was not sent because this case is closed." in refused.text
    with app.app_context():
        assert not db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "reply")).all()
        outbox.deliver()
    # Only the withdrawal notices went out; no officer was told of a reply.
    assert sorted(m["To"] for m in smtp.messages[before:]) == sorted(
        [a.complainant["email"], a.councillor_email]
    )


# --- expiry and revocation ---------------------------------------------------------------------


def test_a_link_expires_after_the_configured_number_of_days(app, cases):
    a = cases.a
    issued = _links(app, a.case_id)["subject"].created_at.replace(tzinfo=UTC)
    days = timedelta(days=app.config["CASE_LINK_DAYS"])
    with time_machine.travel(issued + days - timedelta(minutes=5), tick=False):
        assert app.test_client().get(a.councillor_link).status_code == 200
    with time_machine.travel(issued + days + timedelta(minutes=5), tick=False):
        late = app.test_client()
        expired = late.get(a.councillor_link)
        assert expired.status_code == 404
        assert EXPIRED in expired.text
        _never_shows(expired.text, a)
        refused = late.post(
            a.councillor_link, data={"csrf_token": csrf_token(expired.text), "reply": "Too late"}
        )
        assert refused.status_code == 404
    with app.app_context():
        assert not db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "reply")).all()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_link_revoked_on_the_case_page_is_refused(app, cases, htmx):
    staff, a, b = cases.staff, cases.a, cases.b
    link = _links(app, a.case_id)["subject"]
    html = page(staff["mo"], a.case_id)
    assert f'data-link="{link.id}"' in html
    headers = {"HX-Request": "true"} if htmx else {}
    response = staff["mo"].post(
        f"/cases/{a.case_id}/links/{link.id}/revoke",
        data={"csrf_token": csrf_token(html)},
        headers=headers,
    )
    if htmx:
        assert response.status_code == 200
        assert "Link revoked." in response.text
        assert 'id="casework"' in response.text
    else:
        assert response.status_code == 303
    councillor = app.test_client()
    refused = councillor.get(a.councillor_link)
    assert refused.status_code == 404
    assert EXPIRED in refused.text
    _never_shows(refused.text, a)
    reply = councillor.post(
        a.councillor_link, data={"csrf_token": csrf_token(refused.text), "reply": "Still here?"}
    )
    assert reply.status_code == 404
    with app.app_context():
        assert not db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "reply")).all()
    # The complainant's link and the other case's links still work.
    assert app.test_client().get(a.complainant_link).status_code == 200
    assert app.test_client().get(b.councillor_link).status_code == 200
    after = page(staff["mo"], a.case_id)
    assert f"Secure link revoked for {a.councillor_email}" in after
    row = after.split(f'data-link="{link.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Revoked" in row and "<form" not in row


def test_revoking_needs_the_csrf_token(app, cases):
    staff, a = cases.staff, cases.a
    link = _links(app, a.case_id)["subject"]
    response = staff["mo"].post(f"/cases/{a.case_id}/links/{link.id}/revoke", data={})
    assert response.status_code == 400
    assert app.test_client().get(a.councillor_link).status_code == 200


def test_only_the_cases_officers_may_revoke_its_links(app, cases):
    staff, a, b = cases.staff, cases.a, cases.b
    link = _links(app, a.case_id)["subject"]
    url = f"/cases/{a.case_id}/links/{link.id}/revoke"
    # The clerk has no role on conduct complaints and cannot see the case at all; the
    # Independent Person reads it but does not manage links; another council's officer
    # cannot see it.
    expected = {"clerk": (404,), "ip": (403,), "other_mo": (404,)}
    for name, statuses in expected.items():
        own = staff[name].get("/cases/")  # a page of their own, for their session's token
        response = staff[name].post(url, data={"csrf_token": csrf_token(own.text)})
        assert response.status_code in statuses, (name, response.status_code)
    ip_page = page(staff["ip"], a.case_id)
    assert f"/links/{link.id}/revoke" not in ip_page
    # A link of case B cannot be revoked through case A's address.
    b_link = _links(app, b.case_id)["subject"]
    token = csrf_token(page(staff["mo"], a.case_id))
    wrong = staff["mo"].post(
        f"/cases/{a.case_id}/links/{b_link.id}/revoke", data={"csrf_token": token}
    )
    assert wrong.status_code == 404
    for party_link in (a.councillor_link, b.councillor_link):
        assert app.test_client().get(party_link).status_code == 200
    with app.app_context():
        assert not db.session.scalars(
            select(CaseLink).where(CaseLink.revoked_at.is_not(None))
        ).all()
