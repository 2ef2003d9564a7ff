"""Member/officer protocol (seed 001 §14-16, §34-36; seed 004 §15, §10.3): every path.

Concerns are routed by whom they are about, discussed informally with a retained record, then
referred to the Monitoring Officer for an investigation and written recommendations. Member
casework enquiries are answered within 3 working days, or the member is told the enquiry needs
more work and it is answered within 10 (seed 004 §10.3.1), both counted from receipt.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import time_machine

from conduct.models import Case
from core.db import db
from tests.casework_helpers import (
    ROLE_ACCOUNTS,
    Staff,
    assert_closed_to_everyone,
    date_fields,
    deadlines,
    make_role_accounts,
    offered,
    page,
    stage,
    step,
)
from tests.conftest import csrf_token, make_council

ACCOUNTS = ROLE_ACCOUNTS
SLUG = "ashby"
READERS = {"mo", "dmo", "clerk", "chair"}


@pytest.fixture
def accounts(app):
    with app.app_context():
        council = make_council(SLUG, procedures=("member-officer-protocol",))
        other = make_council("brockton", procedures=("member-officer-protocol",))
        make_role_accounts(council, other)
        db.session.commit()
    return lambda: Staff(app, ACCOUNTS)


@pytest.fixture
def staff(accounts):
    return accounts()


def _new_case(staff: Staff, entry: str, received_on: date = date(2026, 3, 2)) -> int:
    """Recorded by the clerk through /cases/new (the clerk receives these, seed 001 §14, §16)."""
    client = staff["clerk"]
    form = client.get("/cases/new")
    assert form.status_code == 200
    response = client.post(
        "/cases/new",
        data={
            "csrf_token": csrf_token(form.text),
            "council": SLUG,
            "kind": f"member-officer-protocol:{entry}",
            "channel": "email",
            **date_fields("received_on", received_on),
            "first_name": "Mel",
            "last_name": "Member",
            "email": "cllr.mel@example.org",
            "subject_first_name": "Oli",
            "subject_last_name": "Officer",
            "details": "Shouted at in the corridor after the planning meeting.",
            "events_on": ["", "", ""],
        },
    )
    assert response.status_code == 303, response.text[:3000]
    match = re.search(r"/cases/(\d+)$", response.headers["Location"])
    assert match
    return int(match.group(1))


def _case(app, case_id: int) -> Case:
    with app.app_context():
        case = db.session.get(Case, case_id)
        db.session.expunge(case)
        return case


def _finished(staff: Staff, case_id: int) -> None:
    assert_closed_to_everyone(staff, case_id, "member-officer-protocol", READERS)


def _to_mo_referral(staff: Staff, case_id: int) -> None:
    step(
        staff,
        case_id,
        "clerk",
        "route-concern",
        {"about": "member", "handler": "Clerk"},
        others_refused=False,
    )
    step(staff, case_id, "clerk", "record-discussion", {"record": "Met"}, others_refused=False)
    step(
        staff,
        case_id,
        "clerk",
        "refer-to-monitoring-officer",
        {"reason": "Disputed"},
        others_refused=False,
    )


def _to_recommendations(staff: Staff, case_id: int) -> None:
    _to_mo_referral(staff, case_id)
    step(
        staff, case_id, "mo", "arrange-investigation", {"investigator": "ED"}, others_refused=False
    )
    step(staff, case_id, "mo", "recommendations", {"recommendations": "x"}, others_refused=False)


# --- concerns ---------------------------------------------------------------------------------


def test_only_the_councils_handlers_read_a_concern(app, staff):
    case_id = _new_case(staff, "concern")
    for name, client in staff.clients.items():
        expected = 200 if name in READERS else 404
        assert client.get(f"/cases/{case_id}").status_code == expected, name
    assert stage(staff["chair"], case_id) == "received"
    assert deadlines(staff["mo"], case_id) == {}


@pytest.mark.parametrize(
    ("about", "who", "handler"),
    [
        ("officer", "clerk", "The Clerk"),  # seed 001 §14
        ("clerk", "chair", "The Chair of the Council"),  # seed 001 §15
        ("member", "clerk", "The Clerk, advised by the Monitoring Officer"),  # §16, §36
        ("senior-officer", "mo", "The Chief Executive"),  # seed 004 §15
    ],
)
def test_a_concern_is_routed_by_whom_it_is_about(app, staff, about, who, handler):
    case_id = _new_case(staff, "concern")
    step(
        staff,
        case_id,
        who,
        "route-concern",
        {"about": about, "handler": handler},
        to="informal-discussion",
    )
    case = _case(app, case_id)
    assert (case.fact("about"), case.fact("handler")) == (about, handler)
    # What was typed (the handler's name) is sealed; the choice stays readable for statistics.
    assert "handler" in case.private_facts and "about" in case.facts
    assert handler in page(staff["mo"], case_id)


def test_the_discussion_is_recorded_before_it_can_be_resolved_or_referred(app, staff):
    case_id = _new_case(staff, "concern")
    step(
        staff,
        case_id,
        "clerk",
        "route-concern",
        {"about": "officer", "handler": "Clerk"},
        others_refused=False,
    )
    for name in READERS:
        assert offered(staff[name], case_id) == {"record-discussion", "add-note"}, name
    token = csrf_token(page(staff["clerk"], case_id))
    for key in ("resolved-by-discussion", "refer-to-monitoring-officer"):
        early = staff["clerk"].post(f"/cases/{case_id}/actions/{key}", data={"csrf_token": token})
        assert early.status_code == 409, key
    step(
        staff,
        case_id,
        "clerk",
        "record-discussion",
        {"record": "Both apologised; agreed to email, not phone, after 6pm"},
        to="informal-discussion",
    )
    assert {"resolved-by-discussion", "refer-to-monitoring-officer"} <= offered(
        staff["clerk"], case_id
    )
    step(staff, case_id, "chair", "resolved-by-discussion", to="closed-resolved")
    assert _case(app, case_id).outcome == "resolved"
    assert "Both apologised" in page(staff["mo"], case_id)
    _finished(staff, case_id)


def test_referred_investigated_and_recommendations_made(app, staff):
    case_id = _new_case(staff, "concern")
    step(
        staff,
        case_id,
        "clerk",
        "route-concern",
        {"about": "member", "handler": "Clerk"},
        to="informal-discussion",
    )
    step(staff, case_id, "clerk", "record-discussion", {"record": "Met on 3 March"})
    step(staff, case_id, "chair", "add-note", {"note": "Spoke to the clerk"})
    step(
        staff,
        case_id,
        "clerk",
        "refer-to-monitoring-officer",
        {"reason": "The conduct continues"},
        to="mo-referral",
    )
    step(
        staff,
        case_id,
        "mo",
        "arrange-investigation",
        {"investigator": "Executive Director of Resources"},
        to="investigation",
    )
    assert _case(app, case_id).fact("investigator") == "Executive Director of Resources"
    step(
        staff,
        case_id,
        "dmo",
        "recommendations",
        {
            "recommendations": "Training for the member",
            "document": (io.BytesIO(b"%PDF-1.4 report"), "recommendations.pdf"),
        },
        to="recommendations",
    )
    assert "recommendations.pdf" in page(staff["mo"], case_id)
    # Only the Monitoring Officer refers a member to the standards committee (seed 004 §15).
    assert "standards-committee" not in offered(staff["clerk"], case_id)
    assert offered(staff["clerk"], case_id) >= {"disciplinary-route", "no-further-action"}


@pytest.mark.parametrize(
    ("who", "key", "end", "outcome"),
    [
        ("clerk", "disciplinary-route", "closed-disciplinary", "disciplinary"),  # seed 001 §35
        ("mo", "standards-committee", "closed-standards", "standards-committee"),
        ("chair", "no-further-action", "closed-resolved", "resolved"),
    ],
)
def test_recommendations_end_in_discipline_the_standards_committee_or_nothing(
    app, staff, who, key, end, outcome
):
    case_id = _new_case(staff, "concern")
    _to_recommendations(staff, case_id)
    step(staff, case_id, who, key, {"reason": "As recommended"}, to=end)
    assert _case(app, case_id).outcome == outcome
    _finished(staff, case_id)


def test_the_monitoring_officers_advice_resolves_it_without_an_investigation(app, staff):
    case_id = _new_case(staff, "concern")
    _to_mo_referral(staff, case_id)
    assert offered(staff["clerk"], case_id) == {"add-note"}
    step(
        staff,
        case_id,
        "dmo",
        "advice-given",
        {"advice": "Remind the member of the protocol §12"},
        to="closed-resolved",
    )
    _finished(staff, case_id)


# --- member casework enquiries (seed 004 §10.3.1) -------------------------------------------


def test_enquiry_answered_within_three_working_days_of_receipt(app, accounts):
    with time_machine.travel(date(2026, 4, 2), tick=False):  # Thursday before Easter
        staff = accounts()
        case_id = _new_case(staff, "enquiry", received_on=date(2026, 4, 2))
        assert stage(staff["clerk"], case_id) == "enquiry"
        # 3 working days from Thursday 2 April 2026 in England: Good Friday (3rd) and
        # Easter Monday (6th) are bank holidays, so Tuesday 7th (1), Wednesday 8th (2),
        # Thursday 9 April (3).
        dl = deadlines(staff["clerk"], case_id)
        assert dl["enquiry-response"] == (date(2026, 4, 9), "due")
        # The outer limit, should the enquiry need more work: 10 working days from receipt,
        # Monday 20 April (see the next test).
        assert dl["enquiry-full-response"] == (date(2026, 4, 20), "due")
    with time_machine.travel(date(2026, 4, 8), tick=False):
        staff = accounts()
        assert deadlines(staff["clerk"], case_id)["enquiry-response"][1] == "due-soon"
        step(
            staff,
            case_id,
            "clerk",
            "enquiry-answered",
            {"answer": "The bins will be collected on Friday"},
            to="closed-answered",
        )
        dl = deadlines(staff["mo"], case_id)
        assert dl["enquiry-response"] == (date(2026, 4, 9), "met")
        assert dl["enquiry-full-response"] == (date(2026, 4, 20), "met")
        case = _case(app, case_id)
        assert case.outcome == "answered"
        _finished(staff, case_id)


def test_enquiry_needing_more_work_is_answered_within_ten_working_days_of_receipt(app, accounts):
    with time_machine.travel(date(2026, 4, 7), tick=False):  # Tuesday after Easter
        staff = accounts()
        case_id = _new_case(staff, "enquiry", received_on=date(2026, 4, 2))
        step(staff, case_id, "dmo", "enquiry-needs-work", to="enquiry")
        dl = deadlines(staff["clerk"], case_id)
        assert dl["enquiry-response"] == (date(2026, 4, 9), "met")
        # 10 working days from receipt on Thursday 2 April 2026: 7, 8, 9, 10, 13, 14, 15,
        # 16, 17 and Monday 20 April (3 and 6 April are bank holidays).
        assert dl["enquiry-full-response"] == (date(2026, 4, 20), "due")
        # The member has been told; that cannot be done twice.
        assert "enquiry-needs-work" not in offered(staff["clerk"], case_id)
    with time_machine.travel(date(2026, 4, 21), tick=False):
        staff = accounts()
        assert deadlines(staff["clerk"], case_id)["enquiry-full-response"][1] == "overdue"
        step(
            staff,
            case_id,
            "chair",
            "enquiry-answered",
            {"answer": "Highways will resurface it in May"},
            to="closed-answered",
        )
        assert deadlines(staff["clerk"], case_id)["enquiry-full-response"] == (
            date(2026, 4, 20),
            "met",
        )


def test_enquiry_left_unanswered_shows_overdue(app, accounts):
    with time_machine.travel(date(2026, 4, 10), tick=False):
        staff = accounts()
        case_id = _new_case(staff, "enquiry", received_on=date(2026, 4, 2))
        assert deadlines(staff["mo"], case_id)["enquiry-response"] == (date(2026, 4, 9), "overdue")
        listing = staff["clerk"].get("/cases/?deadline=overdue")
        assert listing.status_code == 200
        assert _case(app, case_id).reference in listing.text


def test_the_monitoring_officer_extends_an_enquiry_deadline_with_a_reason(app, accounts):
    with time_machine.travel(date(2026, 4, 2), tick=False):
        staff = accounts()
        case_id = _new_case(staff, "enquiry", received_on=date(2026, 4, 2))
        with app.app_context():
            row = next(
                d for d in db.session.get(Case, case_id).deadlines if d.key == "enquiry-response"
            )
            url = f"/cases/{case_id}/deadlines/{row.id}/extend"
        for name in ("clerk", "chair"):
            assert "/extend" not in page(staff[name], case_id), name
            assert staff[name].get(url).status_code == 403, name
        token = csrf_token(staff["mo"].get(url).text)
        done = staff["mo"].post(
            url, data={"csrf_token": token, "days": "1", "reason": "Officer on leave"}
        )
        assert done.status_code == 303
        # One working day after Thursday 9 April: Friday 10 April 2026.
        assert deadlines(staff["mo"], case_id)["enquiry-response"] == (date(2026, 4, 10), "due")


def test_a_concern_about_the_clerk_is_closed_to_the_clerk_once_routed_to_the_chair(app, staff):
    """seed 001 §15: complaints about the clerk go to the chair; the clerk loses sight of it."""
    case_id = _new_case(staff, "concern")
    reference = _case(app, case_id).reference
    step(
        staff,
        case_id,
        "mo",
        "route-concern",
        {"about": "clerk", "handler": "Chair of the council"},
        to="informal-discussion",
    )
    assert staff["clerk"].get(f"/cases/{case_id}").status_code == 404
    assert reference not in staff["clerk"].get("/cases/").text
    token = csrf_token(staff["clerk"].get("/cases/").text)
    refused = staff["clerk"].post(
        f"/cases/{case_id}/actions/record-discussion", data={"csrf_token": token}
    )
    assert refused.status_code == 404
    step(staff, case_id, "chair", "record-discussion", {"record": "Met the clerk"})
    step(staff, case_id, "chair", "resolved-by-discussion", to="closed-resolved")
    assert reference in staff["chair"].get("/cases/").text
