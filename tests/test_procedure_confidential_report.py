"""Confidential reporting by members (seed 000): every path from intake to each end state.

Only the Monitoring Officer and the deputy read these reports (seed 000 §4.1, §5.1); excluded
matters (§3) are routed elsewhere with the council's contact routes in front of the officer.
The procedure sets no deadlines.
"""

from __future__ import annotations

import re

import pytest

from conduct.models import Case
from core.db import db
from tests.casework_helpers import (
    ROLE_ACCOUNTS,
    Staff,
    assert_closed_to_everyone,
    deadlines,
    make_role_accounts,
    offered,
    page,
    stage,
    step,
)
from tests.conftest import csrf_token, make_council

ACCOUNTS = ROLE_ACCOUNTS
SLUG = "wrexham"
READERS = {"mo", "dmo"}


@pytest.fixture
def accounts(app):
    from tenants.models import ContactRoute

    with app.app_context():
        council = make_council(SLUG, nation="wales", procedures=("confidential-report",))
        council.routes.append(
            ContactRoute(
                kind="out-of-hours",
                name="Out of Hours Emergency Duty Team",
                phone="0845 0533116",
                position=3,
            )
        )
        other = make_council("flint", nation="wales", procedures=("confidential-report",))
        make_role_accounts(council, other)
        db.session.commit()
    return lambda: Staff(app, ACCOUNTS)


@pytest.fixture
def staff(accounts):
    return accounts()


def _new_report(staff: Staff, who: str = "mo") -> int:
    """A report marked CONFIDENTIAL, recorded by the Monitoring Officer (seed 000 §5.1)."""
    client = staff[who]
    form = client.get("/cases/new")
    assert form.status_code == 200
    response = client.post(
        "/cases/new",
        data={
            "csrf_token": csrf_token(form.text),
            "council": SLUG,
            "kind": "confidential-report:report",
            "channel": "in-person",
            "received_on": ["2", "3", "2026"],
            "first_name": "Morgan",
            "last_name": "Reporter",
            "subject_first_name": "Owen",
            "subject_last_name": "Officer",
            "details": "Believes contracts were awarded in return for payments.",
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
    assert_closed_to_everyone(staff, case_id, "confidential-report", READERS)


def test_only_the_monitoring_officer_and_deputy_read_a_confidential_report(app, staff):
    case_id = _new_report(staff)
    reference = _case(app, case_id).reference
    for name, client in staff.clients.items():
        expected = 200 if name in READERS else 404
        assert client.get(f"/cases/{case_id}").status_code == expected, name
        listing = client.get("/cases/")
        if listing.status_code == 200:
            assert (reference in listing.text) == (name in READERS), name
        # Not even the action pages reveal it.
        refused = client.get(f"/cases/{case_id}/actions/accept-report")
        assert refused.status_code in ((200,) if name in READERS else (404,)), name
    assert stage(staff["mo"], case_id) == "received"
    assert offered(staff["dmo"], case_id) == {"accept-report", "excluded-matter", "add-note"}
    assert deadlines(staff["mo"], case_id) == {}
    assert "Marked CONFIDENTIAL" in page(staff["mo"], case_id)


def test_investigated_and_the_reporter_told_the_outcome(app, staff):
    case_id = _new_report(staff)
    step(staff, case_id, "mo", "accept-report", {"about": "officer"}, to="consideration")
    step(staff, case_id, "dmo", "add-note", {"note": "Met the member"}, to="consideration")
    step(
        staff,
        case_id,
        "mo",
        "decide-investigate",
        {"reason": "Possible fraud"},
        to="investigation",
    )
    step(
        staff,
        case_id,
        "dmo",
        "investigation-concluded",
        {"findings": "Contracts properly awarded"},
        to="outcome",
    )
    step(
        staff,
        case_id,
        "mo",
        "reporter-told",
        {"told": "No wrongdoing found"},
        to="closed-concluded",
    )
    case = _case(app, case_id)
    assert case.outcome == "concluded"
    assert (case.facts["about"], case.facts["reporter_told"]) == ("officer", "yes")
    _finished(staff, case_id)


def test_investigated_and_the_outcome_withheld_from_the_reporter(app, staff):
    case_id = _new_report(staff)
    step(staff, case_id, "dmo", "accept-report", {"about": "member"}, others_refused=False)
    step(staff, case_id, "dmo", "decide-investigate", {"reason": "x"}, others_refused=False)
    step(staff, case_id, "dmo", "investigation-concluded", {"findings": "y"}, others_refused=False)
    step(
        staff,
        case_id,
        "dmo",
        "reporter-not-told",
        {"reason": "Disciplinary proceedings would be prejudiced (§6.3)"},
        to="closed-concluded",
    )
    assert _case(app, case_id).facts["reporter_told"] == "no"
    assert "Outcome withheld from the reporting member" in page(staff["mo"], case_id)


def test_resolved_directly(app, staff):
    case_id = _new_report(staff)
    step(staff, case_id, "mo", "accept-report", {"about": "volunteer"}, others_refused=False)
    step(
        staff,
        case_id,
        "mo",
        "decide-direct-resolution",
        {"resolution": "Volunteer stood down"},
        to="outcome",
    )
    step(
        staff,
        case_id,
        "mo",
        "reporter-told",
        {"told": "Dealt with"},
        to="closed-concluded",
    )
    _finished(staff, case_id)


@pytest.mark.parametrize("body", ["police", "ombudsman", "regulator"])
def test_referred_to_the_police_the_ombudsman_or_another_body(app, staff, body):
    case_id = _new_report(staff)
    step(staff, case_id, "mo", "accept-report", {"about": "contractor"}, others_refused=False)
    step(
        staff,
        case_id,
        "mo",
        "decide-refer",
        {"body": body, "reason": "Outside the council's powers"},
        to="outcome",
    )
    assert _case(app, case_id).facts["referred_to"] == body
    step(
        staff, case_id, "mo", "reporter-not-told", {"reason": "Police asked"}, others_refused=False
    )
    assert stage(staff["mo"], case_id) == "closed-concluded"


def test_a_safeguarding_concern_is_routed_with_the_councils_numbers_in_front_of_the_officer(
    app, staff
):
    case_id = _new_report(staff)
    form = staff["mo"].get(f"/cases/{case_id}/actions/excluded-matter")
    assert form.status_code == 200
    panel = re.search(r'data-routes-for="safeguarding">(.*?)</div>', form.text, re.S)
    assert panel, "the safeguarding routes are shown next to the choice"
    routes = re.sub(r"\s+", " ", panel.group(1))
    assert "Safeguarding duty team: 01632 960100" in routes
    assert "Out of Hours Emergency Duty Team: 0845 0533116" in routes
    assert "Police: 101" in routes
    assert "Monitoring Officer" not in routes  # only the routes for that choice
    # The member/officer protocol choice points at the Monitoring Officer route.
    protocol = re.search(r'data-routes-for="member-officer-protocol">(.*?)</div>', form.text, re.S)
    assert protocol and "01632 960000" in protocol.group(1)

    step(
        staff,
        case_id,
        "mo",
        "excluded-matter",
        {"exclusion": "safeguarding", "routed_to": "Duty team phoned on 2 March"},
        to="closed-routed",
    )
    case = _case(app, case_id)
    assert (case.outcome, case.facts["exclusion"]) == ("routed-elsewhere", "safeguarding")
    _finished(staff, case_id)


@pytest.mark.parametrize(
    "exclusion", ["existing-investigation", "whistleblowing", "member-officer-protocol"]
)
def test_other_excluded_matters_are_routed_elsewhere(app, staff, exclusion):
    case_id = _new_report(staff)
    step(
        staff,
        case_id,
        "dmo",
        "excluded-matter",
        {"exclusion": exclusion, "routed_to": "Told the member where to go"},
        to="closed-routed",
        others_refused=exclusion == "whistleblowing",
    )
    assert _case(app, case_id).facts["exclusion"] == exclusion


def test_the_routing_form_says_when_the_council_has_no_route_of_that_kind(app, staff):
    case_id = _new_report(staff)
    form = staff["mo"].get(f"/cases/{case_id}/actions/excluded-matter").text
    whistleblowing = re.search(r'data-routes-for="whistleblowing">(.*?)</div>', form, re.S)
    assert whistleblowing
    assert "The council has no contact route of this kind yet." in whistleblowing.group(1)
