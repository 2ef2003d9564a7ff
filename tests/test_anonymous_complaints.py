"""Anonymous complaints (seed 003 Rule 9 §2.1.7): no name, no contact, a receipt code instead.

The journey with JavaScript off, as a person makes it: the form with only the
complaint and the declaration, check answers, the confirmation page with a
receipt code shown once, then the receipt page to see the stage and reply.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from conduct import links, receipts
from conduct.models import Case, CaseEvent, CaseLink, EvidenceFile
from core import outbox
from core.db import db
from core.outbox_models import OutboxMessage
from core.tenancy import set_scope
from tests.casework_helpers import page
from tests.conftest import (
    Mailbox,
    body_of,
    csrf_token,
    login,
    make_council,
    make_user,
    reference_on,
    submit_complaint,
)

# Only the complaint and the declaration: no name, no address, no contact preference.
ANONYMOUS = {
    "anonymous": "y",
    "members-0-first_name": "Robin",
    "members-0-last_name": "Gale",
    "members-0-authority": "Ashby Council",
    "details": "The councillor shouted at a member of the public.",
    "incident_dates": "3 March 2026",
    "outcome_sought": "An apology",
    "declaration": "y",
}
CODE = re.compile(r'id="receipt-code">([0-9A-Z-]+)<')
WRONG = "The reference or the receipt code is not right."


@pytest.fixture
def councils(app: Flask) -> None:
    with app.app_context():
        ashby = make_council("ashby")
        brockton = make_council("brockton")
        make_user("mo@example.org", (ashby, "monitoring-officer"))
        make_user("mo.b@example.org", (brockton, "monitoring-officer"))
        db.session.commit()


def _send(client: FlaskClient, answers: dict, slug: str = "ashby"):
    """Form, check answers, send: the confirmation page."""
    form = client.get(f"/{slug}/complaints/new")
    posted = client.post(
        f"/{slug}/complaints/new",
        data={**answers, "csrf_token": csrf_token(form.text), "action": "continue"},
        content_type="multipart/form-data",
    )
    assert posted.status_code == 303, posted.text
    check = client.get(f"/{slug}/complaints/check")
    assert check.status_code == 200
    sent = client.post(
        f"/{slug}/complaints/check",
        data={"csrf_token": csrf_token(check.text)},
        follow_redirects=True,
    )
    assert sent.status_code == 200
    return check, sent


def _anonymous_case(app: Flask, slug: str = "ashby") -> tuple[str, str]:
    """An anonymous complaint sent through the form: (reference, receipt code)."""
    _check, sent = _send(app.test_client(), ANONYMOUS, slug)
    return reference_on(sent.text), CODE.search(sent.text).group(1)


def _enter(client: FlaskClient, reference: str, code: str, slug: str = "ashby"):
    form = client.get(f"/{slug}/complaints/receipt")
    assert form.status_code == 200
    return client.post(
        f"/{slug}/complaints/receipt",
        data={"csrf_token": csrf_token(form.text), "reference": reference, "code": code},
    )


def _case(app: Flask, reference: str) -> Case:
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        db.session.expunge(case)
        return case


def test_the_form_offers_to_complain_anonymously_with_the_public_interest_guidance(
    client, councils
):
    html = client.get("/ashby/complaints/new").text

    assert 'name="anonymous"' in html and "I want to complain anonymously" in html
    assert 'data-module="govuk-checkboxes"' in html and 'data-aria-controls="conditional-' in html
    # The revealed guidance is in the page itself, so it shows without JavaScript.
    assert "will not normally be acted on unless there is a clear public interest" in html


def test_an_anonymous_complaint_needs_only_the_complaint_and_the_declaration(
    app, councils, smtp: Mailbox
):
    client = app.test_client()
    check, sent = _send(client, {**ANONYMOUS, "first_name": "Typed", "email": "not-an-email"})

    assert "Anonymous" in check.text and "Typed" not in check.text
    reference = reference_on(sent.text)
    code = CODE.search(sent.text).group(1)
    assert len(receipts.normalise(code)) == 20
    assert "shown only this once" in sent.text
    case = _case(app, reference)
    assert case.anonymous
    assert (case.complainant_first_name, case.complainant_last_name) == ("", "")
    assert (case.complainant_email, case.complainant_address, case.complainant_phone) == ("",) * 3
    assert not case.confidentiality_requested

    with app.app_context():
        outbox.deliver(due_only=False)
        kinds = set(db.session.scalars(select(OutboxMessage.kind)))
    assert kinds == {"new-complaint"}  # no acknowledgement: there is no address
    (notice,) = smtp.messages
    assert notice["To"] == "mo@ashby.example.org"
    body = body_of(notice)
    assert "made anonymously" in body and "Typed" not in body and "None" not in body


def test_an_anonymous_complaint_still_needs_the_declaration_and_the_complaint(client, councils):
    form = client.get("/ashby/complaints/new")
    response = client.post(
        "/ashby/complaints/new",
        data={
            "anonymous": "y",
            "csrf_token": csrf_token(form.text),
            "action": "continue",
            "members-0-first_name": "Robin",
            "members-0-last_name": "Gale",
            "members-0-authority": "Ashby Council",
        },
    )

    assert response.status_code == 400
    for message in (
        "You must confirm the declaration to submit your complaint",
        "Explain what the member has done",
    ):
        assert message in response.text
    for not_asked in ("Enter your first name", "Select how you would prefer us to contact you"):
        assert not_asked not in response.text


def test_the_receipt_code_is_shown_once_and_only_its_hash_is_stored(app, councils):
    client = app.test_client()
    _check, sent = _send(client, ANONYMOUS)
    code = CODE.search(sent.text).group(1)

    again = client.get("/ashby/complaints/submitted")

    assert again.status_code == 200 and code not in again.text
    assert "cannot be shown again" in again.text
    with app.app_context():
        (link,) = db.session.scalars(select(CaseLink)).all()
        assert (link.via, link.party, link.email) == ("receipt", "complainant", "")
        stored = " ".join(str(getattr(link, c.name)) for c in CaseLink.__table__.columns)
    assert receipts.normalise(code) not in stored.upper() and code not in stored


def test_the_right_code_shows_the_stage_and_accepts_a_reply_with_a_document(app, councils):
    reference, code = _anonymous_case(app)
    client = app.test_client()

    entered = _enter(client, reference, code.lower().replace("-", " "))

    assert entered.status_code == 303
    assert entered.headers["Location"] == "/ashby/complaints/receipt/case"
    case_page = client.get("/ashby/complaints/receipt/case")
    assert case_page.status_code == 200
    assert reference in case_page.text and 'id="party-stage"' in case_page.text
    reply = client.post(
        "/ashby/complaints/receipt/case",
        data={
            "csrf_token": csrf_token(case_page.text),
            "reply": "I saw it happen again last night.",
            "document": (BytesIO(b"%PDF-1.4 a photo"), "photo.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert reply.status_code == 303
    assert reply.headers["Location"] == "/ashby/complaints/receipt/case"
    assert "Your reply has been sent" in client.get(reply.headers["Location"]).text
    with app.app_context():
        event = db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "reply"))
        assert event.reason == "I saw it happen again last night."
        assert event.actor_name == "the complainant"
        assert db.session.scalar(select(EvidenceFile.original_name)) == "photo.pdf"
        told = db.session.scalars(
            select(OutboxMessage.recipient).where(OutboxMessage.kind == "party-reply")
        ).all()
    assert told == ["mo@ashby.example.org"]


@pytest.mark.parametrize("wrong", ["code", "reference", "other-council", "named-case", "revoked"])
def test_a_wrong_code_or_another_councils_reference_gets_one_generic_answer(app, councils, wrong):
    reference, code = _anonymous_case(app)
    other_reference, other_code = _anonymous_case(app, "brockton")
    named = reference_on(submit_complaint(app.test_client(), "ashby").text)
    if wrong == "revoked":
        with app.app_context():
            db.session.scalar(
                select(CaseLink).where(CaseLink.via == "receipt")
            ).revoked_at = datetime.now(UTC)
            db.session.commit()
    attempt = {
        "code": (reference, "ABCD-EFGH-JKMN-PQRS-TVWX"),
        "reference": ("ASH-2026-9999", code),
        "other-council": (other_reference, other_code),
        "named-case": (named, code),
        "revoked": (reference, code),
    }[wrong]
    client = app.test_client()

    response = _enter(client, *attempt)

    assert response.status_code == 400
    assert WRONG in response.text
    summary = re.search(r'<div class="govuk-error-summary".*?</div>\s*</div>', response.text, re.S)
    assert summary and WRONG in summary.group(0)
    assert client.get("/ashby/complaints/receipt/case").headers["Location"] == (
        "/ashby/complaints/receipt"
    )


def test_every_wrong_answer_costs_the_same_queries(app, councils, count_queries):
    reference, code = _anonymous_case(app)
    council_id = _case(app, reference).council_id
    counts = []
    for attempt in ((reference, "ABCD-EFGH-JKMN-PQRS-TVWX"), ("ASH-2026-9999", code)):
        with app.test_request_context(), count_queries() as counter:
            set_scope({council_id})
            assert receipts.verify(*attempt) is None
        counts.append(counter.count)
    assert counts[0] == counts[1] == 1


def test_a_receipt_code_is_not_a_secure_link_and_a_link_is_not_a_receipt(app, councils):
    _reference, code = _anonymous_case(app)
    named = reference_on(submit_complaint(app.test_client(), "ashby").text)
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == named))
        url = links.issue(case, "complainant", case.complainant_email)
        db.session.commit()
    token = url.rsplit("/", 1)[1]
    client = app.test_client()

    assert client.get(f"/ashby/my-case/{code}").status_code == 404
    assert client.get(f"/ashby/my-case/{receipts.normalise(code)}").status_code == 404
    assert client.get(f"/ashby/my-case/{token}").status_code == 200
    assert _enter(client, named, token).status_code == 400


def test_leaving_the_case_page_or_an_hour_later_asks_for_the_code_again(app, councils):
    reference, code = _anonymous_case(app)
    client = app.test_client()
    _enter(client, reference, code)
    case_page = client.get("/ashby/complaints/receipt/case")
    assert case_page.status_code == 200

    left = client.post(
        "/ashby/complaints/receipt/finish", data={"csrf_token": csrf_token(case_page.text)}
    )

    assert left.headers["Location"] == "/ashby/complaints/receipt"
    assert client.get("/ashby/complaints/receipt/case").status_code == 303
    _enter(client, reference, code)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=61)):
        assert client.get("/ashby/complaints/receipt/case").status_code == 303


def test_staff_see_the_anonymous_flag_and_the_acknowledgement_is_met(app, councils):
    reference, _code = _anonymous_case(app)
    case_id = _case(app, reference).id
    mo = app.test_client()
    login(mo, "mo@example.org")

    listing = mo.get("/cases/").text
    html = page(mo, case_id)

    row = re.search(rf"{reference}.*?</tr>", listing, re.S).group(0)
    assert "data-anonymous" in row and "not normally acted on unless in the public interest" in row
    assert 'id="anonymous-flag"' in html and "clear public interest" in html
    assert 'id="complainant-anonymous"' in html
    assert 'data-action="acknowledged-by-receipt"' in html
    assert re.search(r'data-deadline-row="acknowledge" data-state="met"', html)
    assert "Receipt code" in html  # the receipt is listed with the links, and can be revoked
