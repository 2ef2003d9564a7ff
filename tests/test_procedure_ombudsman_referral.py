"""Ombudsman referral, Welsh model (seed 001 §4): every path from intake to each end state.

The council records the referral to the Public Services Ombudsman for Wales and tracks what the
Ombudsman decides. The procedure sets no deadlines of its own: the Ombudsman's are the
Ombudsman's.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine

from conduct.models import Case
from core.db import db
from tests.casework_helpers import (
    ROLE_ACCOUNTS,
    Staff,
    act,
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
SLUG = "cwmbran"
READERS = {"mo", "dmo", "clerk"}


@pytest.fixture
def accounts(app):
    with app.app_context():
        council = make_council(SLUG, nation="wales", procedures=("ombudsman-referral",))
        other = make_council("torfaen", nation="wales", procedures=("ombudsman-referral",))
        make_role_accounts(council, other, {"clerk": "Cerys Clerk"})
        db.session.commit()
    return lambda: Staff(app, ACCOUNTS)


@pytest.fixture
def staff(accounts):
    return accounts()


def _new_case(staff: Staff, received_on: date = date(2026, 3, 2), who: str = "clerk") -> int:
    """A Code of Conduct complaint recorded through /cases/new (the clerk records them too)."""
    client = staff[who]
    form = client.get("/cases/new")
    assert form.status_code == 200
    assert "ombudsman-referral:referral" in form.text
    response = client.post(
        "/cases/new",
        data={
            "csrf_token": csrf_token(form.text),
            "council": SLUG,
            "kind": "ombudsman-referral:referral",
            "channel": "post",
            **date_fields("received_on", received_on),
            "first_name": "Rhys",
            "last_name": "Resident",
            "address": "1 High Street, Cwmbran",
            "subject_first_name": "Cllr",
            "subject_last_name": "Subject",
            "details": "Failed to declare an interest.",
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
    assert_closed_to_everyone(staff, case_id, "ombudsman-referral", READERS)


def test_only_the_councils_casework_staff_read_a_referral(app, staff):
    case_id = _new_case(staff)
    for name, client in staff.clients.items():
        expected = 200 if name in READERS else 404
        assert client.get(f"/cases/{case_id}").status_code == expected, name
    assert stage(staff["clerk"], case_id) == "received"
    assert offered(staff["clerk"], case_id) == {
        "referred",
        "complainant-referred-directly",
        "add-note",
    }
    assert deadlines(staff["mo"], case_id) == {}


def test_referral_recorded_then_the_ombudsman_declines_to_investigate(app, accounts):
    with time_machine.travel(date(2026, 3, 4), tick=False):
        staff = accounts()
        case_id = _new_case(staff)
        step(
            staff,
            case_id,
            "clerk",
            "referred",
            {**date_fields("referred_on", date(2026, 3, 3)), "ombudsman_reference": "202601234"},
            to="with-ombudsman",
        )
        case = _case(app, case_id)
        assert case.fact("ombudsman_reference") == "202601234"
        html = page(staff["mo"], case_id)
        assert "Referred to the Public Services Ombudsman for Wales" in html
        assert "202601234" in html
        assert "2026-03-03" in html  # the date referred, in the timeline
        assert "Cerys Clerk (Clerk)" in html
        step(
            staff,
            case_id,
            "mo",
            "ombudsman-declined",
            {"reason": "Not enough evidence of a breach to investigate"},
            to="closed-not-investigated",
        )
        case = _case(app, case_id)
        assert (case.outcome, case.closed_on) == ("ombudsman-declined", date(2026, 3, 4))
        _finished(staff, case_id)


def test_the_referral_needs_the_date_it_was_made(app, staff):
    case_id = _new_case(staff)
    # A browser sends the three inputs of the date, left blank.
    blank = {"referred_on": ["", "", ""], "ombudsman_reference": "X1"}
    response = act(staff["mo"], case_id, "referred", blank)
    assert response.status_code == 400
    assert "Enter date referred" in response.text
    assert stage(staff["mo"], case_id) == "received"


def test_a_post_without_the_date_inputs_is_refused_with_the_form_not_a_server_error(app, staff):
    case_id = _new_case(staff)
    response = act(staff["mo"], case_id, "referred", {"ombudsman_reference": "X1"})
    assert response.status_code == 400
    assert "Enter date referred" in response.text
    assert stage(staff["mo"], case_id) == "received"


@pytest.mark.parametrize(
    "outcome", ["no-evidence", "no-action", "standards-committee", "adjudication-panel"]
)
def test_ombudsman_investigates_and_its_outcome_is_recorded(app, staff, outcome):
    case_id = _new_case(staff)
    step(
        staff,
        case_id,
        "dmo",
        "referred",
        date_fields("referred_on", date(2026, 3, 2)),
        to="with-ombudsman",
    )
    step(staff, case_id, "clerk", "ombudsman-investigating", to="ombudsman-investigation")
    step(
        staff,
        case_id,
        "clerk",
        "ombudsman-outcome",
        {"outcome": outcome, "summary": "Report of 1 June"},
        to="closed-outcome",
    )
    case = _case(app, case_id)
    assert (case.outcome, case.facts["outcome"]) == ("ombudsman-outcome", outcome)
    _finished(staff, case_id)


def test_complainant_who_went_to_the_ombudsman_directly(app, staff):
    case_id = _new_case(staff, who="mo")
    step(
        staff,
        case_id,
        "clerk",
        "complainant-referred-directly",
        {"ombudsman_reference": "202605555"},
        to="with-ombudsman",
    )
    assert _case(app, case_id).fact("ombudsman_reference") == "202605555"
    # The case cannot be referred a second time once it is with the Ombudsman.
    token = csrf_token(page(staff["mo"], case_id))
    again = staff["mo"].post(f"/cases/{case_id}/actions/referred", data={"csrf_token": token})
    assert again.status_code == 409
    step(staff, case_id, "mo", "ombudsman-investigating", to="ombudsman-investigation")
    step(
        staff,
        case_id,
        "mo",
        "ombudsman-outcome",
        {"outcome": "no-action", "summary": "No action needed"},
        to="closed-outcome",
    )
    _finished(staff, case_id)


def test_notes_may_be_added_while_open_by_every_reader(app, staff):
    case_id = _new_case(staff)
    for name in READERS:
        step(staff, case_id, name, "add-note", {"note": f"Phoned by {name}"}, to="received")
    html = page(staff["mo"], case_id)
    assert all(f"Phoned by {name}" in html for name in READERS)
