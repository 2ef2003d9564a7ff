"""Conduct complaint, English model (seed 003): every path from intake to each end state."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from conduct.models import Case
from core.db import db
from tests.casework_helpers import (
    ROLE_ACCOUNTS,
    Staff,
    deadlines,
    make_role_accounts,
    offered,
    stage,
    step,
)
from tests.conftest import make_council, reference_on, submit_complaint
from tests.hearing_helpers import convene, decide, make_committee, publish_papers

ACCOUNTS = ROLE_ACCOUNTS


@pytest.fixture
def accounts(app):
    with app.app_context():
        council = make_council("ashby")
        other = make_council("brockton")
        make_role_accounts(council, other, {"io": "Ivy Investigator"})
        db.session.commit()
    # Signed in lazily, inside any time travel (sessions refuse timestamps from the future).
    return lambda: Staff(app, ACCOUNTS)


@pytest.fixture
def staff(accounts):
    return accounts()


def _new_case(app, client, **answers) -> int:
    reference = reference_on(submit_complaint(client, "ashby", answers).text)
    with app.app_context():
        return db.session.scalar(select(Case.id).where(Case.reference == reference))


def _io_id(app) -> int:
    from tenants.models import User

    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == "io@example.org"))


def test_online_complaint_opens_at_received_with_acknowledgement_met_by_the_email(
    app, client, accounts
):
    with time_machine.travel(date(2026, 4, 2), tick=False):  # Thursday before Easter
        staff = accounts()
        case_id = _new_case(app, client)
        dl = deadlines(staff["mo"], case_id)
        assert stage(staff["mo"], case_id) == "received"
    # Received Thursday 2 April 2026: Good Friday 3rd and Easter Monday 6th are bank
    # holidays, so day 1 is Tuesday 7th and day 5 is Monday 13 April.
    assert dl["acknowledge"] == (date(2026, 4, 13), "met")


def test_confidentiality_is_decided_and_complainant_told_before_anything_else(app, client, staff):
    case_id = _new_case(app, client, confidentiality="yes", confidentiality_reasons="Fear")
    # Nothing moves the case on until the request is decided.
    assert "proceed" not in offered(staff["mo"], case_id)
    assert {"grant-confidentiality", "refuse-confidentiality"} <= offered(staff["mo"], case_id)
    step(
        staff,
        case_id,
        "mo",
        "refuse-confidentiality",
        {"reason": "Not justified"},
        to="confidentiality-refused",
    )
    step(staff, case_id, "mo", "complainant-continues", to="notify-subject")


def test_path_to_informal_resolution_with_confidentiality_granted(app, client, accounts):
    with time_machine.travel(date(2026, 5, 21), tick=False):  # Thursday before late May BH
        staff = accounts()
        case_id = _new_case(app, client, confidentiality="yes", confidentiality_reasons="Fear")
        step(
            staff,
            case_id,
            "mo",
            "grant-confidentiality",
            {"reason": "Risk of harm"},
            to="notify-subject",
        )
        step(staff, case_id, "dmo", "subject-notified", to="subject-response")
        # 7 working days from Thursday 21 May 2026: 22 (1), 26 (2: 25th is the late
        # May bank holiday), 27, 28, 29, 1 June, 2 June (7).
        assert deadlines(staff["mo"], case_id)["subject-response"] == (date(2026, 6, 2), "due")
    with time_machine.travel(date(2026, 6, 1), tick=False):
        staff = accounts()
        assert deadlines(staff["mo"], case_id)["subject-response"][1] == "due-soon"
    with time_machine.travel(date(2026, 6, 3), tick=False):
        staff = accounts()
        assert deadlines(staff["mo"], case_id)["subject-response"][1] == "overdue"
        step(
            staff,
            case_id,
            "mo",
            "subject-responded",
            {"summary": "Denies it"},
            to="informal-resolution",
        )
        assert deadlines(staff["mo"], case_id)["subject-response"][1] == "met"
        step(
            staff,
            case_id,
            "mo",
            "resolved-informally",
            {"resolution": "Apology"},
            to="closed-informal",
        )
        assert offered(staff["mo"], case_id) == set()


def test_path_to_no_further_action_needs_the_independent_persons_view(app, client, staff):
    case_id = _new_case(app, client)
    step(staff, case_id, "mo", "proceed", to="notify-subject")
    step(staff, case_id, "mo", "subject-notified", to="subject-response")
    step(
        staff,
        case_id,
        "mo",
        "no-subject-response",
        {"reason": "No reply"},
        to="informal-resolution",
    )
    assert deadlines(staff["mo"], case_id)["subject-response"][1] == "closed"
    step(staff, case_id, "mo", "not-resolved", to="initial-assessment")
    assert "assess-no-further-action" not in offered(staff["mo"], case_id)
    step(staff, case_id, "ip", "record-ip-view", {"view": "Trivial"})
    step(
        staff,
        case_id,
        "mo",
        "assess-no-further-action",
        {"factors": ["misuse"], "reasons": "Trivial"},
        to="closed-no-action",
    )


def _to_initial_assessment(staff, case_id: int) -> None:
    step(staff, case_id, "mo", "proceed", others_refused=False)
    step(staff, case_id, "mo", "subject-notified", others_refused=False)
    step(staff, case_id, "mo", "subject-responded", {"summary": "x"}, others_refused=False)
    step(staff, case_id, "mo", "not-resolved", others_refused=False)
    step(staff, case_id, "ip", "record-ip-view", {"view": "Serious"}, others_refused=False)


def test_police_referral_pauses_the_case_and_its_conclusion_resumes_it(app, client, staff):
    case_id = _new_case(app, client)
    _to_initial_assessment(staff, case_id)
    step(
        staff, case_id, "mo", "assess-police-referral", {"reasons": "Possible offence"}, to="police"
    )
    assert "paused-banner" in staff["mo"].get(f"/cases/{case_id}").text
    step(staff, case_id, "mo", "police-concluded", {"result": "No charge"}, to="initial-assessment")


def test_path_through_investigation_and_hearing(app, client, accounts):
    io = _io_id(app)
    with time_machine.travel(date(2026, 1, 30), tick=False):
        staff = accounts()
        case_id = _new_case(app, client)
        _to_initial_assessment(staff, case_id)
        step(
            staff,
            case_id,
            "mo",
            "assess-investigate",
            {"reasons": "Serious", "scope": "Meeting of 3 March", "investigator": str(io)},
            to="investigation",
        )
        # 3 calendar months from Friday 30 January 2026: 30 April 2026.
        assert deadlines(staff["mo"], case_id)["investigation"] == (date(2026, 4, 30), "due")
        step(
            staff,
            case_id,
            "io",
            "draft-report",
            {
                "document": (__import__("io").BytesIO(b"%PDF-1.4 draft"), "draft.pdf"),
                "comment_days": "10",
            },
            to="draft-report",
        )
        # 10 working days from Friday 30 January: Friday 13 February 2026.
        assert deadlines(staff["mo"], case_id)["draft-report-comments"] == (
            date(2026, 2, 13),
            "due",
        )
        step(
            staff,
            case_id,
            "io",
            "final-report",
            {
                "document": (__import__("io").BytesIO(b"%PDF-1.4 final"), "final.pdf"),
                "finding": "breach",
            },
            to="report-consideration",
        )
        # 7 working days from Friday 30 January: Tuesday 10 February 2026.
        assert deadlines(staff["mo"], case_id)["report-consideration"] == (date(2026, 2, 10), "due")
        assert deadlines(staff["mo"], case_id)["investigation"][1] == "met"
        step(staff, case_id, "ip", "record-ip-view", {"view": "Breach"}, others_refused=False)
        step(staff, case_id, "mo", "decide-hearing", {"reasons": "Breach"}, to="hearing")
        # The hearing steps are taken on the hearing pages, never the case page's list.
        for hearing_step in ("schedule-hearing", "agenda-published", "hearing-decision"):
            assert hearing_step not in offered(staff["mo"], case_id)
        committee = _committee(app)
        assert convene(staff["mo"], case_id, committee, date(2026, 3, 9)).status_code == 303
        # 5 working days before Monday 9 March 2026: Monday 2 March.
        assert deadlines(staff["mo"], case_id)["agenda-pack"] == (date(2026, 3, 2), "due")
        assert publish_papers(staff["mo"], case_id).status_code == 303
        assert deadlines(staff["mo"], case_id)["agenda-pack"][1] == "met"
        decided = decide(
            staff["mo"],
            case_id,
            {
                "finding": "breach",
                "decision": "Censure",
                "sanctions": ["reprimand"],
                "unanimous": "yes",
            },
        )
        assert decided.status_code == 303, decided.text
        assert stage(staff["mo"], case_id) == "closed-hearing"


def _committee(app) -> dict[str, int]:
    from tenants.models import Council

    with app.app_context():
        council = db.session.scalar(select(Council).where(Council.slug == "ashby"))
        committee = make_committee(council)
        db.session.commit()
        return committee


def test_investigating_officer_sees_only_the_case_assigned_to_them(app, client, staff):
    assigned = _new_case(app, client)
    unassigned = _new_case(app, client)
    assert staff["io"].get(f"/cases/{assigned}").status_code == 404
    _to_initial_assessment(staff, assigned)
    step(
        staff,
        assigned,
        "mo",
        "assess-investigate",
        {"reasons": "x", "scope": "y", "investigator": str(_io_id(app))},
        others_refused=False,
    )
    assert staff["io"].get(f"/cases/{assigned}").status_code == 200
    assert staff["io"].get(f"/cases/{unassigned}").status_code == 404


def test_investigation_can_be_terminated_or_the_report_find_no_breach(app, client, staff):
    io = _io_id(app)
    first = _new_case(app, client)
    _to_initial_assessment(staff, first)
    step(
        staff,
        first,
        "mo",
        "assess-investigate",
        {"reasons": "x", "scope": "y", "investigator": str(io)},
        others_refused=False,
    )
    step(
        staff,
        first,
        "mo",
        "terminate-investigation",
        {"circumstance": "resigned", "reason": "Resigned"},
        to="closed-terminated",
    )

    second = _new_case(app, client)
    _to_initial_assessment(staff, second)
    step(
        staff,
        second,
        "mo",
        "assess-investigate",
        {"reasons": "x", "scope": "y", "investigator": str(io)},
        others_refused=False,
    )
    step(
        staff,
        second,
        "io",
        "draft-report",
        {
            "document": (__import__("io").BytesIO(b"%PDF-1.4 d"), "d.pdf"),
            "comment_days": "5",
        },
        others_refused=False,
    )
    step(
        staff,
        second,
        "io",
        "final-report",
        {
            "document": (__import__("io").BytesIO(b"%PDF-1.4 f"), "f.pdf"),
            "finding": "no-breach",
        },
        others_refused=False,
    )
    step(staff, second, "ip", "record-ip-view", {"view": "Agree"}, others_refused=False)
    step(staff, second, "mo", "decide-no-breach", {"reasons": "None"}, to="closed-no-breach")


def test_summary_resolution_accepted_or_refused_then_heard(app, client, staff):
    accepted = _new_case(app, client)
    _to_initial_assessment(staff, accepted)
    step(
        staff,
        accepted,
        "mo",
        "assess-summary-resolution",
        {"reasons": "x"},
        to="summary-resolution",
    )
    step(staff, accepted, "mo", "summary-accepted", {"resolution": "Apology"}, to="closed-summary")

    refused = _new_case(app, client)
    _to_initial_assessment(staff, refused)
    step(staff, refused, "mo", "assess-summary-resolution", {"reasons": "x"}, others_refused=False)
    step(staff, refused, "mo", "summary-refused", {"reason": "Refused"}, to="hearing")


def test_withdrawal_at_any_time_and_the_monitoring_officer_may_continue(app, client, staff):
    case_id = _new_case(app, client)
    step(staff, case_id, "mo", "proceed", others_refused=False)
    step(staff, case_id, "mo", "subject-notified", others_refused=False)
    step(staff, case_id, "mo", "withdraw", {"reason": "Letter of 1 May"}, to="withdrawn")
    assert deadlines(staff["mo"], case_id)["subject-response"][1] == "closed"
    step(
        staff,
        case_id,
        "mo",
        "continue-after-withdrawal",
        {"reason": "Good governance"},
        to="subject-response",
    )
    assert deadlines(staff["mo"], case_id)["subject-response"][1] in ("due", "due-soon", "overdue")


def test_informal_resolution_after_assessment_and_reconsideration(app, client, staff):
    case_id = _new_case(app, client)
    _to_initial_assessment(staff, case_id)
    step(staff, case_id, "mo", "assess-informal-resolution", {"reasons": "x"}, to="informal-action")
    step(
        staff,
        case_id,
        "mo",
        "reconsideration-requested",
        {"reason": "Unhappy"},
        to="initial-assessment",
    )
    step(staff, case_id, "mo", "assess-informal-resolution", {"reasons": "x"}, others_refused=False)
    step(
        staff,
        case_id,
        "mo",
        "informal-action-resolved",
        {"resolution": "Training"},
        to="closed-informal",
    )


def test_councillor_not_told_in_exceptional_circumstances(app, client, staff):
    case_id = _new_case(app, client)
    step(staff, case_id, "mo", "proceed", others_refused=False)
    step(
        staff,
        case_id,
        "mo",
        "withhold-from-subject",
        {"reason": "Would prejudice"},
        to="initial-assessment",
    )


def test_complainant_not_responding_to_the_investigator_is_treated_as_withdrawn(app, client, staff):
    case_id = _new_case(app, client)
    _to_initial_assessment(staff, case_id)
    step(
        staff,
        case_id,
        "mo",
        "assess-investigate",
        {"reasons": "x", "scope": "y"},
        others_refused=False,
    )
    step(staff, case_id, "mo", "complainant-not-responding", {"reason": "No reply"}, to="withdrawn")
