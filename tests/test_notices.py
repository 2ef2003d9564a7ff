"""Notices declared on procedure actions reach the right people, with the minimum, in time.

Walked through the web pages the way staff work a case, against a real SMTP server:
the complainant and the councillor are kept informed (seed 003 Rule 9 §2.1.8), a
complainant granted confidentiality is never named to the councillor (§2.1.7), staff
are told only the reference and a sign-in link, and the closing notice signposts the
Ombudsman with no right of appeal (§4.1).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.header import decode_header, make_header
from email.message import Message

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from conduct.models import Case
from conduct.procedures import PROCEDURES
from core import outbox
from core.db import db
from core.outbox_models import OutboxMessage
from tenants import services
from tenants.models import User
from tests import hearing_helpers as hearings
from tests.casework_helpers import Staff, date_fields, step
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
    "dmo": "dmo@example.org",
    "ip": "ip@example.org",
    "io": "io@example.org",
    "clerk": "clerk@example.org",
}
COUNCILLOR = "robin.gale@councillors.example.org"
COMPLAINANT = COMPLAINT["email"]
REPLY = "I deny raising my voice at anyone."
# Everything that would identify the complainant or tell the complaint.
COMPLAINANT_DETAILS = (COMPLAINT["first_name"], COMPLAINT["last_name"], COMPLAINANT)
COMPLAINT_DETAILS = (
    *COMPLAINANT_DETAILS,
    COMPLAINT["members-0-first_name"],
    COMPLAINT["members-0-last_name"],
    "shouted",
    "public session",
    "An apology",
    "01632 960123",
    REPLY,
)
LGSCO = "Local Government and Social Care Ombudsman"
PSOW = "Public Services Ombudsman for Wales"
NO_APPEAL = "There is no right of appeal against this decision."


# --- reading what the SMTP server received -----------------------------------------------


def subject_of(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"] or "")))


def everything_in(message: Message) -> str:
    """The decoded Subject, the address headers and every body part (text and HTML)."""
    parts = [subject_of(message), *(message.get(h, "") for h in ("From", "To", "Reply-To", "Cc"))]
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        parts.append(payload.decode(part.get_content_charset() or "utf-8"))
    return "\n".join(parts)


def secure_link(message: Message, slug: str) -> str:
    """The path of the secure link in the message (there is exactly one)."""
    found = set(
        re.findall(rf"https?://[^/\s\"<]+(/{slug}/my-case/[A-Za-z0-9_-]+)", body_of(message))
    )
    assert len(found) == 1, body_of(message)
    return found.pop()


def staff_link(message: Message) -> str:
    found = set(re.findall(r"https?://[^/\s\"<]+(/cases/\d+)\b", body_of(message)))
    assert len(found) == 1, body_of(message)
    return found.pop()


def deliver(app: Flask) -> None:
    with app.app_context():
        report = outbox.deliver()
    assert not report.failed and not report.retrying, report


@dataclass
class Run:
    """A walked case and the mail each step sent: step key -> {recipient: [messages]}."""

    case_id: int
    reference: str
    by_step: dict[str, dict[str, list[Message]]] = field(default_factory=dict)

    def to(self, key: str, address: str) -> list[Message]:
        return self.by_step.get(key, {}).get(address, [])


class Walker:
    """Takes each step as staff do, delivers the outbox, and files what arrived under it."""

    def __init__(self, app: Flask, smtp: Mailbox, staff: Staff, run: Run) -> None:
        self.app, self.smtp, self.staff, self.run = app, smtp, staff, run

    def __call__(self, who: str, key: str, data: dict | None = None, to: str | None = None):
        self.on_page(
            key,
            lambda: step(self.staff, self.run.case_id, who, key, data, to=to, others_refused=False),
        )

    def on_page(self, key: str, take: Callable[[], object]) -> None:
        """Something done on a page of its own (the hearing pages), filed under `key`."""
        before = len(self.smtp.messages)
        take()
        deliver(self.app)
        arrived: dict[str, list[Message]] = {}
        for message in self.smtp.messages[before:]:
            arrived.setdefault(message["To"], []).append(message)
        self.run.by_step[key] = arrived


@pytest.fixture
def accounts(app: Flask) -> Callable[[], Staff]:
    with app.app_context():
        council = make_council("ashby")
        wales = make_council("caerffili", nation="wales", name="Caerphilly County Borough Council")
        make_user("mo@example.org", (council, "monitoring-officer"), (wales, "monitoring-officer"))
        make_user("dmo@example.org", (council, "deputy-monitoring-officer"))
        make_user("ip@example.org", (council, "independent-person"), (wales, "independent-person"))
        make_user("io@example.org", (council, "investigating-officer"))
        make_user("panel@example.org", (council, "panel-member"))
        make_user("clerk@example.org", (council, "clerk"), (wales, "clerk"))
        db.session.commit()
    # Signed in lazily, inside any time travel (sessions refuse timestamps from the future).
    return lambda: Staff(app, ACCOUNTS)


def _case_id(app: Flask, reference: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Case.id).where(Case.reference == reference))


def _user_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


# Wednesday 23 December 2026, 10:00 London: Christmas Day (Friday 25th), Boxing Day
# observed (Monday 28th) and New Year's Day (Friday 1 January 2027) fall in the next
# seven working days.
WALK_DAY = datetime(2026, 12, 23, 10, 0, tzinfo=UTC)
# 7 working days from Wednesday 23 December 2026: 24 (1), 29 (2), 30 (3), 31 (4),
# 4 January (5), 5 (6), 6 (7).
SUBJECT_RESPONSE_DUE = "Wednesday 6 January 2027"
# 3 calendar months from Wednesday 23 December 2026 (Rule 9 §2.3.6).
INVESTIGATION_DUE = "Tuesday 23 March 2027"


def walk_to_hearing_decision(app: Flask, client, smtp: Mailbox, accounts) -> Run:
    """A confidential complaint from the online form to the Hearing Panel's decision."""
    with time_machine.travel(WALK_DAY, tick=False):
        staff = accounts()
        before = len(smtp.messages)
        reference = reference_on(
            submit_complaint(
                client, "ashby", {"confidentiality": "yes", "confidentiality_reasons": "Fear"}
            ).text
        )
        run = Run(case_id=_case_id(app, reference), reference=reference)
        deliver(app)
        run.by_step["submitted"] = {}
        for message in smtp.messages[before:]:
            run.by_step["submitted"].setdefault(message["To"], []).append(message)
        walk = Walker(app, smtp, staff, run)
        walk("mo", "grant-confidentiality", {"reason": "Risk of harm"}, to="notify-subject")
        walk("mo", "subject-notified", {"subject_email": COUNCILLOR}, to="subject-response")
        # The councillor answers through the secure link in their email.
        councillor = app.test_client()
        link = secure_link(run.to("subject-notified", COUNCILLOR)[0], "ashby")
        before = len(smtp.messages)
        replied = councillor.post(
            link,
            data={"csrf_token": csrf_token(councillor.get(link).text), "reply": REPLY},
        )
        assert replied.status_code == 303
        deliver(app)
        run.by_step["councillor-reply"] = {}
        for message in smtp.messages[before:]:
            run.by_step["councillor-reply"].setdefault(message["To"], []).append(message)
        walk("mo", "subject-responded", {"summary": "Denies it"}, to="informal-resolution")
        walk("mo", "not-resolved", to="initial-assessment")
        walk("ip", "record-ip-view", {"view": "Serious"})
        walk(
            "mo",
            "assess-investigate",
            {
                "reasons": "Serious",
                "scope": "The meeting of 3 March",
                "investigator": str(_user_id(app, "io@example.org")),
            },
            to="investigation",
        )
        walk(
            "io",
            "draft-report",
            {"document": (io.BytesIO(b"%PDF-1.4 draft"), "draft.pdf"), "comment_days": "10"},
            to="draft-report",
        )
        walk(
            "io",
            "final-report",
            {"document": (io.BytesIO(b"%PDF-1.4 final"), "final.pdf"), "finding": "breach"},
            to="report-consideration",
        )
        run.by_step["record-ip-view-2"] = run.by_step.pop("record-ip-view")
        walk("ip", "record-ip-view", {"view": "Breach"})
        walk("mo", "decide-hearing", {"reasons": "Breach"}, to="hearing")
        committee = _committee(app)
        mo = staff["mo"]
        walk.on_page(
            "schedule-hearing",
            lambda: _ok(hearings.convene(mo, run.case_id, committee, date(2027, 2, 8))),
        )
        walk.on_page("agenda-published", lambda: _ok(hearings.publish_papers(mo, run.case_id)))
        walk.on_page(
            "hearing-decision",
            lambda: _ok(
                hearings.decide(
                    mo,
                    run.case_id,
                    {"finding": "breach", "decision": "Censure", "unanimous": "yes"},
                )
            ),
        )
    return run


def _ok(response) -> None:
    assert response.status_code == 303, response.text


def _committee(app: Flask) -> dict[str, int]:
    from tenants.models import Council

    with app.app_context():
        council = db.session.scalar(select(Council).where(Council.slug == "ashby"))
        committee = hearings.make_committee(council)
        db.session.commit()
        return committee


# Steps whose emails come from the hearing pages rather than the procedure's notices.
HEARING_STEPS = ("schedule-hearing", "agenda-published")


def _declared(key: str) -> list[tuple[str, str]]:
    """(audience, message) for each notice the conduct complaint procedure declares."""
    action = PROCEDURES["conduct-complaint"].action(key)
    return [(notice.to, str(notice.message)) for notice in action.notifies]


AUDIENCE = {
    "complainant": COMPLAINANT,
    "subject": COUNCILLOR,
    "clerk": "clerk@example.org",
    "investigating-officer": "io@example.org",
    "independent-person": "ip@example.org",
    "panel-member": "panel@example.org",
}


# --- tests ---------------------------------------------------------------------------------


def test_each_party_and_officer_receives_exactly_the_notices_the_procedure_declares(
    app, client, smtp, accounts
):
    run = walk_to_hearing_decision(app, client, smtp, accounts)
    with app.app_context():
        for key, arrived in run.by_step.items():
            if key in ("submitted", "councillor-reply", "record-ip-view-2", *HEARING_STEPS):
                continue
            expected = {AUDIENCE[to]: message for to, message in _declared(key)}
            assert set(arrived) == set(expected), (key, sorted(arrived))
            for address, message in expected.items():
                assert len(arrived[address]) == 1, (key, address)
                text = body_of(arrived[address][0])
                assert message in text, (key, address, text)
                assert run.reference in subject_of(arrived[address][0])
                assert run.reference in text
    # Steps that declare no notice send nothing; some tell only the Independent Person.
    for quiet in ("record-ip-view", "record-ip-view-2"):
        assert run.by_step[quiet] == {}, quiet
    for ip_only in ("not-resolved", "final-report"):
        assert set(run.by_step[ip_only]) == {"ip@example.org"}, ip_only
    assert run.by_step["agenda-published"] == {}
    # The hearing pages tell the parties and the panel the date, time and place.
    hearing_mail = run.by_step["schedule-hearing"]
    assert {
        COMPLAINANT,
        COUNCILLOR,
        "chair@committee.example.org",
        "ip@committee.example.org",
    } <= set(hearing_mail)
    for party in (COMPLAINANT, COUNCILLOR):
        (told,) = hearing_mail[party]
        assert "Monday 8 February 2027, 10:00" in body_of(told)
        assert run.reference in subject_of(told)
    # The declared notices, spelled out for the main ones (seed 003 Rule 9 §2.1.5-§2.1.8).
    assert "confidentiality has been granted" in body_of(
        run.to("grant-confidentiality", COMPLAINANT)[0]
    )
    assert "told about your complaint" in body_of(run.to("subject-notified", COMPLAINANT)[0])
    assert "The councillor has responded" in body_of(run.to("subject-responded", COMPLAINANT)[0])
    for party in (COMPLAINANT, COUNCILLOR):
        assert "decided that the complaint will be investigated" in body_of(
            run.to("assess-investigate", party)[0]
        )


def test_party_notices_carry_the_reference_the_message_their_own_date_and_a_secure_link(
    app, client, smtp, accounts
):
    run = walk_to_hearing_decision(app, client, smtp, accounts)
    councillor = run.to("subject-notified", COUNCILLOR)
    assert len(councillor) == 1
    text = body_of(councillor[0])
    assert run.reference in text and run.reference in subject_of(councillor[0])
    assert "A complaint has been made that you may have breached the Code of Conduct" in text
    assert f"Councillor's initial response: {SUBJECT_RESPONSE_DUE}" in text
    assert secure_link(councillor[0], "ashby").startswith("/ashby/my-case/")
    # Mail comes from the host's no-reply address, answers go to the council's route.
    assert councillor[0]["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert councillor[0]["Reply-To"] == "mo@ashby.example.org"

    # The complainant owns no deadline here: told what happened, with their own link.
    told = body_of(run.to("subject-notified", COMPLAINANT)[0])
    assert "What you need to do" not in told
    assert SUBJECT_RESPONSE_DUE not in told
    complainant_link = secure_link(run.to("subject-notified", COMPLAINANT)[0], "ashby")
    assert complainant_link != secure_link(councillor[0], "ashby")

    # Every party notice has a secure link, none a staff sign-in link.
    for key, arrived in run.by_step.items():
        for address in (COMPLAINANT, COUNCILLOR):
            for message in arrived.get(address, []) if key != "submitted" else []:
                secure_link(message, "ashby")
                assert "/cases/" not in everything_in(message), key


def test_staff_notices_carry_only_the_reference_and_a_sign_in_link(app, client, smtp, accounts):
    run = walk_to_hearing_decision(app, client, smtp, accounts)
    case_path = f"/cases/{run.case_id}"

    clerk = run.to("subject-notified", "clerk@example.org")
    assert len(clerk) == 1
    text = body_of(clerk[0])
    assert "A conduct complaint about a member of your council has been received." in text
    assert run.reference in text
    assert "What you need to do" not in text
    # Clerks do not read conduct complaints (Procedure.readers): no link they cannot open.
    assert "/cases/" not in everything_in(clerk[0])
    assert "my-case" not in everything_in(clerk[0])

    investigator = run.to("assess-investigate", "io@example.org")
    assert len(investigator) == 1
    text = body_of(investigator[0])
    assert "You have been asked to investigate this complaint." in text
    assert f"Complete the investigation (target): {INVESTIGATION_DUE}" in text
    assert staff_link(investigator[0]) == case_path

    new_complaint = run.to("submitted", "mo@ashby.example.org")
    assert len(new_complaint) == 1
    assert staff_link(new_complaint[0]) == case_path

    # The handling officer hears that the councillor replied, but not what they said.
    assert set(run.by_step["councillor-reply"]) == {"mo@ashby.example.org"}
    (reply_notice,) = run.to("councillor-reply", "mo@ashby.example.org")
    assert run.reference in subject_of(reply_notice)
    assert staff_link(reply_notice) == case_path

    staff_mail = [
        m
        for arrived in run.by_step.values()
        for address, messages in arrived.items()
        if address not in (COMPLAINANT, COUNCILLOR)
        for m in messages
    ]
    assert len(staff_mail) >= 3
    for message in staff_mail:
        content = everything_in(message)
        for detail in COMPLAINT_DETAILS:
            assert detail not in content, (message["To"], subject_of(message), detail)


def test_a_confidential_complainant_is_named_in_no_message_to_the_councillor(
    app, client, smtp, accounts
):
    run = walk_to_hearing_decision(app, client, smtp, accounts)
    with app.app_context():
        case = db.session.get(Case, run.case_id)
        assert (case.facts["confidentiality_granted"], case.closed_on) == ("yes", WALK_DAY.date())
        assert case.complainant_email == COMPLAINANT
    assert smtp.to(COMPLAINANT), "the complainant was written to, by name and address"

    to_councillor = [m for m in smtp.messages if COUNCILLOR in m["To"]]
    # Told of the complaint, the investigation, the draft report, the referral, the hearing
    # date and the decision.
    assert len(to_councillor) == 6
    for message in to_councillor:
        content = everything_in(message)
        for detail in COMPLAINANT_DETAILS:
            assert detail.lower() not in content.lower(), (subject_of(message), detail)
    # Nor anywhere in what was stored for them to be sent.
    with app.app_context():
        # Recipients are sealed at rest: found by reading, not by a SQL comparison.
        stored = [m for m in db.session.scalars(select(OutboxMessage)) if m.recipient == COUNCILLOR]
        assert len(stored) == 6
        for row in stored:
            for detail in COMPLAINANT_DETAILS:
                for text in (row.subject, row.body_text, row.body_html or ""):
                    assert detail.lower() not in text.lower()


def test_closing_notices_signpost_the_english_ombudsman_with_no_right_of_appeal(
    app, client, smtp, accounts
):
    run = walk_to_hearing_decision(app, client, smtp, accounts)
    for party in (COMPLAINANT, COUNCILLOR):
        (closing,) = run.to("hearing-decision", party)
        text = body_of(closing)
        assert "The Hearing Panel has made its decision." in text
        assert NO_APPEAL in text
        assert LGSCO in text
        assert PSOW not in text
    # Notices while the case is open do not talk about appeals or the Ombudsman.
    for party in (COMPLAINANT, COUNCILLOR):
        (open_notice,) = run.to("decide-hearing", party)
        assert NO_APPEAL not in body_of(open_notice)
        assert "Ombudsman" not in body_of(open_notice)


def test_closing_notices_in_wales_signpost_the_public_services_ombudsman_for_wales(
    app, client, smtp, accounts
):
    with time_machine.travel(WALK_DAY, tick=False):
        staff = accounts()
        reference = reference_on(submit_complaint(client, "caerffili").text)
        run = Run(case_id=_case_id(app, reference), reference=reference)
        walk = Walker(app, smtp, staff, run)
        walk("mo", "proceed", to="notify-subject")
        walk("mo", "subject-notified", {"subject_email": COUNCILLOR}, to="subject-response")
        walk("mo", "subject-responded", {"summary": "Denies it"}, to="informal-resolution")
        walk("mo", "not-resolved", to="initial-assessment")
        walk("ip", "record-ip-view", {"view": "Trivial"})
        walk(
            "mo",
            "assess-no-further-action",
            {"factors": ["misuse"], "reasons": "Trivial"},
            to="closed-no-action",
        )
    for party in (COMPLAINANT, COUNCILLOR):
        (closing,) = run.to("assess-no-further-action", party)
        text = body_of(closing)
        assert "decided that no further action will be taken" in text
        assert NO_APPEAL in text
        assert PSOW in text
        assert LGSCO not in text
        assert secure_link(closing, "caerffili")


def test_withdrawal_notice_closes_the_case_and_signposts_the_ombudsman(app, client, smtp, accounts):
    with time_machine.travel(WALK_DAY, tick=False):
        staff = accounts()
        reference = reference_on(submit_complaint(client, "ashby").text)
        run = Run(case_id=_case_id(app, reference), reference=reference)
        walk = Walker(app, smtp, staff, run)
        walk("mo", "proceed", to="notify-subject")
        walk("mo", "subject-notified", {"subject_email": COUNCILLOR}, to="subject-response")
        walk("mo", "withdraw", {"reason": "Letter of 1 January"}, to="withdrawn")
    for party in (COMPLAINANT, COUNCILLOR):
        (closing,) = run.to("withdraw", party)
        text = body_of(closing)
        assert "The complaint has been withdrawn." in text
        assert NO_APPEAL in text and LGSCO in text


def test_notices_go_to_the_complainant_in_the_language_they_used(app, client, smtp, accounts):
    with time_machine.travel(WALK_DAY, tick=False):
        staff = accounts()
        assert client.get("/ashby/?lang=cy").status_code == 200
        reference = reference_on(submit_complaint(client, "ashby").text)
        run = Run(case_id=_case_id(app, reference), reference=reference)
        walk = Walker(app, smtp, staff, run)
        walk("mo", "proceed", to="notify-subject")
        walk("mo", "subject-notified", {"subject_email": COUNCILLOR}, to="subject-response")
    with app.app_context():
        case = db.session.get(Case, run.case_id)
        assert case.language == "cy"
        queued = db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.case_id == run.case_id, OutboxMessage.kind == "notice-complainant"
            )
        ).all()
    assert [m.recipient for m in queued] == [COMPLAINANT]
    assert 'lang="cy"' in queued[0].body_html
    (told,) = run.to("subject-notified", COMPLAINANT)
    assert run.reference in body_of(told)
    # The councillor's language is not known: they are written to in English.
    (councillor,) = run.to("subject-notified", COUNCILLOR)
    assert "A complaint has been made" in body_of(councillor)


# --- local resolution (seed 002): the parties' own deadlines ---------------------------------


LR_ACCOUNTS = {"mo": "mo@example.org"}


def test_local_resolution_tells_each_party_what_to_do_by_their_own_date(
    app, client, smtp, accounts
):
    with app.app_context():
        council = make_council("caerphilly", nation="wales", procedures=("local-resolution",))
        mo = db.session.scalar(select(User).where(User.email == "mo@example.org"))
        services.grant_role(mo, council, "monitoring-officer")
        db.session.commit()
    # Monday 2 March 2026: a member's emailed complaint, recorded by the Monitoring Officer.
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=UTC), tick=False):
        staff = Staff(app, LR_ACCOUNTS)
        form = staff["mo"].get("/cases/new")
        created = staff["mo"].post(
            "/cases/new",
            data={
                "csrf_token": csrf_token(form.text),
                "council": "caerphilly",
                "kind": "local-resolution:complaint",
                "channel": "email",
                **date_fields("received_on", date(2026, 3, 2)),
                "events_on": ["", "", ""],
                "first_name": "Carys",
                "last_name": "Complainant",
                "email": "cllr.carys@example.org",
                "subject_first_name": "Dafydd",
                "subject_last_name": "Subject",
                "details": "Called me a liar in full council.",
            },
        )
        assert created.status_code == 303, created.text[:2000]
        case_id = int(created.headers["Location"].rsplit("/", 1)[1])
        with app.app_context():
            reference = db.session.get(Case, case_id).reference
        run = Run(case_id=case_id, reference=reference)
        walk = Walker(app, smtp, staff, run)
        criteria = {"criteria": ["member-on-member", "low-level", "not-repeat"]}
        walk("mo", "within-protocol", criteria, to="stage-1")
        assert run.by_step["within-protocol"] == {}
        walk("mo", "stage-2-requested", to="stage-2-reconfirm")
    (reconfirm,) = run.to("stage-2-requested", "cllr.carys@example.org")
    assert set(run.by_step["stage-2-requested"]) == {"cllr.carys@example.org"}
    text = body_of(reconfirm)
    assert reference in text
    assert "confirm your complaint in writing to the Monitoring Officer" in text
    # Two weeks (14 calendar days) from Monday 2 March 2026: Monday 16 March (seed 002 §4.5(ii)).
    assert (
        "Complainant reconfirms the complaint in writing, with evidence: Monday 16 March 2026"
        in (text)
    )
    secure_link(reconfirm, "caerphilly")

    # Reconfirmed on Tuesday 10 March 2026; the councillor is told, with one month to respond.
    with time_machine.travel(datetime(2026, 3, 10, 10, tzinfo=UTC), tick=False):
        walk.staff = Staff(app, LR_ACCOUNTS)
        walk(
            "mo",
            "reconfirmation-received",
            {"standards": "2.1(a) respect", "subject_email": "cllr.dafydd@example.org"},
            to="stage-2-response",
        )
    assert set(run.by_step["reconfirmation-received"]) == {"cllr.dafydd@example.org"}
    (councillor,) = run.to("reconfirmation-received", "cllr.dafydd@example.org")
    text = body_of(councillor)
    assert reference in text
    assert "Please give your written response" in text
    # One calendar month from Tuesday 10 March 2026: Friday 10 April (seed 002 §4.5(iii)).
    assert "Councillor's written response, with evidence: Friday 10 April 2026" in text
    secure_link(councillor, "caerphilly")
    # Names are confidential at Stage 1 (seed 002 §5.1); the councillor is not given them.
    for detail in ("Carys", "Complainant", "cllr.carys@example.org"):
        assert detail not in everything_in(councillor)
