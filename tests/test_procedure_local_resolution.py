"""Local resolution protocol, Welsh model (seed 002): every path from intake to each end state.

Deadlines hand-computed from seed 002: two weeks to reconfirm (§4.5(ii)), one calendar month
for the councillor's response (§4.5(iii)), a two-month hearing window (§4.5(vi)); only the
Chair may vary them (NB after §4.6).
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import select

from conduct.models import Case, CaseEvent
from core.db import db
from tests.casework_helpers import (
    ROLE_ACCOUNTS,
    Staff,
    act,
    date_fields,
    deadlines,
    make_role_accounts,
    offered,
    page,
    stage,
    step,
)
from tests.conftest import csrf_token, make_council
from tests.hearing_helpers import convene, decide, make_committee

ACCOUNTS = ROLE_ACCOUNTS
SLUG = "caerphilly"
KIND = "local-resolution:complaint"


@pytest.fixture
def accounts(app):
    with app.app_context():
        council = make_council(SLUG, nation="wales", procedures=("local-resolution",))
        other = make_council("cwmbran", nation="wales", procedures=("local-resolution",))
        make_role_accounts(council, other, {"io": "Ivy Investigator"})
        db.session.commit()
    # Signed in lazily, inside any time travel (sessions refuse timestamps from the future).
    return lambda: Staff(app, ACCOUNTS)


@pytest.fixture
def staff(accounts):
    return accounts()


def _intake(received_on: date, events_on: date | None = None, **extra) -> dict:
    data = {
        "council": SLUG,
        "kind": KIND,
        "channel": "email",
        **date_fields("received_on", received_on),
        "first_name": "Carys",
        "last_name": "Complainant",
        "email": "cllr.carys@example.org",
        "subject_first_name": "Dafydd",
        "subject_last_name": "Subject",
        "details": "Called me a liar in full council.",
        **extra,
    }
    # A browser sends the three inputs of the optional date even when left blank.
    data["events_on"] = ["", "", ""]
    if events_on is not None:
        data.update(date_fields("events_on", events_on))
    return data


def _new_case(staff: Staff, received_on: date, events_on: date | None = None, **extra) -> int:
    """Recorded by the Monitoring Officer through /cases/new, as a member's emailed complaint."""
    client = staff["mo"]
    form = client.get("/cases/new")
    assert form.status_code == 200
    data = {"csrf_token": csrf_token(form.text), **_intake(received_on, events_on, **extra)}
    response = client.post("/cases/new", data=data)
    assert response.status_code == 303, response.text[:3000]
    match = re.search(r"/cases/(\d+)$", response.headers["Location"])
    assert match
    return int(match.group(1))


def _io_id(app) -> int:
    from tenants.models import User

    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == "io@example.org"))


def _case(app, case_id: int) -> Case:
    with app.app_context():
        case = db.session.get(Case, case_id)
        db.session.expunge(case)
        return case


def _nobody_can_act(staff: Staff, case_id: int, keys: tuple[str, ...]) -> None:
    """No one is offered anything, and posting any action is refused (final: seed 002 §4.3)."""
    for name, client in staff.clients.items():
        if client.get(f"/cases/{case_id}").status_code == 404:
            continue
        assert offered(client, case_id) == set(), name
        token = csrf_token(page(client, case_id))
        for key in keys:
            refused = client.post(f"/cases/{case_id}/actions/{key}", data={"csrf_token": token})
            assert refused.status_code in (403, 409), (name, key, refused.status_code)


STAGE_1 = {"criteria": ["member-on-member", "low-level", "not-repeat"]}


def _to_stage_2_response(staff: Staff, case_id: int) -> None:
    step(staff, case_id, "mo", "within-protocol", STAGE_1, others_refused=False)
    step(staff, case_id, "mo", "stage-2-requested", others_refused=False)
    step(
        staff,
        case_id,
        "mo",
        "reconfirmation-received",
        {"standards": "2.1(a) respect"},
        others_refused=False,
    )


# --- intake -----------------------------------------------------------------------------


def test_intake_warns_when_recorded_more_than_one_month_after_the_events(app, accounts):
    with time_machine.travel(date(2026, 3, 10), tick=False):
        staff = accounts()
        client = staff["mo"]
        token = csrf_token(client.get("/cases/new").text)
        # Events 31 January, received 2 March: 31 January + one month is 28 February, so
        # the complaint is late under seed 002 §4.4(i).
        late = _intake(date(2026, 3, 2), date(2026, 1, 31))
        refused = client.post("/cases/new", data={"csrf_token": token, **late})
        assert refused.status_code == 400
        assert 'data-warning="over-one-month"' in refused.text
        assert "more than one month after the events" in refused.text
        with app.app_context():
            assert db.session.scalar(select(Case.id)) is None

        recorded = client.post("/cases/new", data={"csrf_token": token, **late, "acknowledge": "y"})
        assert recorded.status_code == 303
        case_id = int(recorded.headers["Location"].rsplit("/", 1)[1])
        assert stage(client, case_id) == "received"
        assert _case(app, case_id).intake_warnings == ["over-one-month"]


def test_intake_does_not_warn_within_one_month_of_the_events(app, accounts):
    with time_machine.travel(date(2026, 3, 10), tick=False):
        staff = accounts()
        # 31 January + one month clamps to 28 February: received that day is in time.
        case_id = _new_case(staff, date(2026, 2, 28), date(2026, 1, 31))
        assert _case(app, case_id).intake_warnings == []


def test_intake_warns_about_repeats_and_former_councillors(app, staff):
    client = staff["mo"]
    token = csrf_token(client.get("/cases/new").text)
    data = _intake(date(2026, 3, 2), repeat="y", subject_not_councillor="y")
    response = client.post("/cases/new", data={"csrf_token": token, **data})
    assert response.status_code == 400
    assert 'data-warning="repeat"' in response.text
    assert 'data-warning="no-longer-councillor"' in response.text


# --- Stage 1 and the protocol decision ----------------------------------------------------


def test_within_protocol_then_resolved_at_stage_1(app, staff):
    case_id = _new_case(staff, date(2026, 3, 2))
    assert stage(staff["mo"], case_id) == "received"
    step(staff, case_id, "mo", "within-protocol", STAGE_1, to="stage-1")
    step(
        staff,
        case_id,
        "dmo",
        "stage-1-resolved",
        {"resolution": "Apology in writing", "complaint_type": "respect"},
        to="closed-stage-1",
    )
    case = _case(app, case_id)
    assert case.outcome == "stage-1-resolved"
    assert case.facts["complaint_type"] == "respect"
    _nobody_can_act(staff, case_id, ("stage-2-requested", "referred-to-ombudsman", "add-note"))


def test_the_protocol_decision_needs_all_three_criteria_given(app, staff):
    case_id = _new_case(staff, date(2026, 3, 2))
    response = act(staff["mo"], case_id, "within-protocol", {})
    assert response.status_code == 400
    assert stage(staff["mo"], case_id) == "received"


def test_outside_the_protocol_closes_and_advises_the_ombudsman(app, staff):
    case_id = _new_case(staff, date(2026, 3, 2))
    step(
        staff,
        case_id,
        "mo",
        "outside-protocol",
        {"reason": "Serious allegation of bullying"},
        to="closed-outside-protocol",
    )
    assert _case(app, case_id).outcome == "outside-protocol"
    _nobody_can_act(staff, case_id, ("within-protocol", "referred-to-ombudsman"))


# --- Stage 2 --------------------------------------------------------------------------------


def test_stage_2_to_the_committees_conclusion_with_every_deadline(app, accounts):
    investigator = _io_id(app)
    with time_machine.travel(date(2026, 1, 12), tick=False):
        staff = accounts()
        case_id = _new_case(staff, date(2026, 1, 12), date(2026, 1, 5))
        step(staff, case_id, "mo", "within-protocol", STAGE_1, to="stage-1")
    with time_machine.travel(date(2026, 1, 16), tick=False):  # Friday
        staff = accounts()
        step(staff, case_id, "mo", "stage-2-requested", to="stage-2-reconfirm")
        # Two weeks (14 calendar days) from Friday 16 January 2026: Friday 30 January.
        assert deadlines(staff["mo"], case_id)["reconfirm"] == (date(2026, 1, 30), "due")
    with time_machine.travel(date(2026, 1, 31), tick=False):  # Saturday, a day late
        staff = accounts()
        assert deadlines(staff["mo"], case_id)["reconfirm"][1] == "overdue"
        step(
            staff,
            case_id,
            "mo",
            "reconfirmation-received",
            {
                "standards": "2.1(a) and 2.2(b)",
                "document": (io.BytesIO(b"%PDF-1.4 complaint"), "complaint.pdf"),
            },
            to="stage-2-response",
        )
        # One month from 31 January 2026 clamps to the end of February: Saturday 28th.
        dl = deadlines(staff["mo"], case_id)
        assert dl["reconfirm"][1] == "met"
        assert dl["subject-response"] == (date(2026, 2, 28), "due")
        # The Investigating Officer sees the case only once named (seed 002 §4.5(iv)).
        assert staff["io"].get(f"/cases/{case_id}").status_code == 404
        step(
            staff,
            case_id,
            "mo",
            "assign-investigating-officer",
            {"investigator": str(investigator)},
            to="stage-2-response",
        )
        assert staff["io"].get(f"/cases/{case_id}").status_code == 200
    with time_machine.travel(date(2026, 2, 27), tick=False):  # Friday
        staff = accounts()
        assert deadlines(staff["mo"], case_id)["subject-response"][1] == "due-soon"
        step(
            staff,
            case_id,
            "io",
            "subject-response-received",
            {"document": (io.BytesIO(b"%PDF-1.4 response"), "response.pdf")},
            to="hearing-scheduling",
        )
        # Two months from Friday 27 February 2026: Monday 27 April.
        dl = deadlines(staff["mo"], case_id)
        assert dl["subject-response"][1] == "met"
        assert dl["hearing-window"] == (date(2026, 4, 27), "due")
        # The Investigating Officer, who has conduct of the matter (§4.5(iv)), arranges the
        # hearing on the hearing pages: the date agreed meets the two-month window.
        assert "hearing-date-agreed" not in offered(staff["io"], case_id)
        committee = _committee(app)
        agreed = convene(staff["io"], case_id, committee, date(2026, 4, 14), ip=None)
        assert agreed.status_code == 303, agreed.text
        assert stage(staff["io"], case_id) == "stage-2-hearing"
        dl = deadlines(staff["mo"], case_id)
        assert dl["hearing-window"][1] == "met"
        # Papers distributed 5 working days before Tuesday 14 April 2026 (after Easter
        # Monday 6 April): Tuesday 7 April.
        assert dl["agenda-pack"] == (date(2026, 4, 7), "due")
        decided = decide(
            staff["io"],
            case_id,
            {
                "outcome": "c",
                "minute": "Censure at the next meeting of Council.",
                "unanimous": "yes",
            },
        )
        assert decided.status_code == 303, decided.text
        assert stage(staff["io"], case_id) == "closed-stage-2"
        case = _case(app, case_id)
        assert (case.outcome, case.facts["outcome"]) == ("committee-conclusion", "c")
        assert case.facts["hearing_date"] == "2026-04-14"
        _nobody_can_act(staff, case_id, ("committee-conclusion", "referred-to-ombudsman"))
        timeline = staff["chair"].get(f"/cases/{case_id}").text
        assert "Ivy Investigator (Investigating Officer)" in timeline


@pytest.mark.parametrize("outcome", ["a", "b", "d"])
def test_every_committee_conclusion_closes_stage_2(app, staff, outcome):
    case_id = _new_case(staff, date(2026, 3, 2))
    _to_stage_2_response(staff, case_id)
    step(staff, case_id, "mo", "subject-response-received", others_refused=False)
    committee = _committee(app)
    hearing_day = date.today() + timedelta(days=40)
    assert convene(staff["mo"], case_id, committee, hearing_day, ip=None).status_code == 303
    decided = decide(
        staff["dmo"], case_id, {"outcome": outcome, "minute": "Minuted.", "unanimous": "no"}
    )
    assert decided.status_code == 303, decided.text
    assert stage(staff["dmo"], case_id) == "closed-stage-2"
    assert _case(app, case_id).facts["outcome"] == outcome


def _committee(app) -> dict[str, int]:
    from tenants.models import Council

    with app.app_context():
        council = db.session.scalar(select(Council).where(Council.slug == SLUG))
        committee = make_committee(council)
        db.session.commit()
        return committee


def test_complaint_not_reconfirmed_within_two_weeks_lapses(app, accounts):
    with time_machine.travel(date(2026, 12, 24), tick=False):
        staff = accounts()
        case_id = _new_case(staff, date(2026, 12, 21))
        step(staff, case_id, "mo", "within-protocol", STAGE_1, others_refused=False)
        step(staff, case_id, "mo", "stage-2-requested", to="stage-2-reconfirm")
        # Two weeks are 14 calendar days, bank holidays included: Thursday 24 December
        # 2026 + 14 = Thursday 7 January 2027 (Christmas, Boxing Day substitute on
        # Monday 28 December and New Year's Day do not move it).
        assert deadlines(staff["mo"], case_id)["reconfirm"] == (date(2027, 1, 7), "due")
    with time_machine.travel(date(2027, 1, 8), tick=False):
        staff = accounts()
        assert deadlines(staff["mo"], case_id)["reconfirm"][1] == "overdue"
        step(
            staff,
            case_id,
            "mo",
            "not-reconfirmed",
            {"reason": "Nothing in writing by 7 January"},
            to="closed-lapsed",
        )
        assert deadlines(staff["mo"], case_id)["reconfirm"][1] == "closed"
        assert _case(app, case_id).outcome == "lapsed"
        _nobody_can_act(staff, case_id, ("reconfirmation-received",))


# --- discontinuance on referral to the Ombudsman (seed 002 §4.3) ---------------------------

ALL_ACTIONS = (
    "within-protocol",
    "outside-protocol",
    "stage-1-resolved",
    "stage-2-requested",
    "reconfirmation-received",
    "not-reconfirmed",
    "assign-investigating-officer",
    "subject-response-received",
    "hearing-date-agreed",
    "committee-conclusion",
    "referred-to-ombudsman",
    "pause",
    "resume",
    "add-note",
)


def test_referral_to_the_ombudsman_at_stage_1_discontinues_for_good(app, staff):
    case_id = _new_case(staff, date(2026, 3, 2))
    step(staff, case_id, "mo", "within-protocol", STAGE_1, others_refused=False)
    step(
        staff,
        case_id,
        "mo",
        "referred-to-ombudsman",
        {"reason": "The complainant wrote to the Ombudsman"},
        to="discontinued",
    )
    assert _case(app, case_id).outcome == "discontinued-ombudsman"
    _nobody_can_act(staff, case_id, ALL_ACTIONS)


def test_referral_to_the_ombudsman_at_stage_2_discontinues_and_closes_deadlines(app, staff):
    case_id = _new_case(staff, date(2026, 3, 2))
    _to_stage_2_response(staff, case_id)
    assert deadlines(staff["mo"], case_id)["subject-response"][1] in ("due", "due-soon")
    step(
        staff,
        case_id,
        "dmo",
        "referred-to-ombudsman",
        {"reason": "The councillor referred it to the Ombudsman"},
        to="discontinued",
    )
    assert deadlines(staff["mo"], case_id)["subject-response"][1] == "closed"
    _nobody_can_act(staff, case_id, ALL_ACTIONS)
    # Nor can a deadline be extended on a discontinued case.
    with app.app_context():
        rows = db.session.scalars(select(Case).where(Case.id == case_id)).one().deadlines
        deadline_id = rows[0].id
    assert "Extend" not in page(staff["chair"], case_id)
    response = staff["chair"].get(f"/cases/{case_id}/deadlines/{deadline_id}/extend")
    assert response.status_code == 409


# --- only the Chair varies the time limits (seed 002 NB after §4.6) -------------------------


def _deadline_id(app, case_id: int, key: str) -> int:
    with app.app_context():
        case = db.session.get(Case, case_id)
        return next(d.id for d in case.deadlines if d.key == key and d.status == "open")


def test_only_the_chair_extends_a_deadline_with_a_reason(app, accounts):
    with time_machine.travel(date(2026, 3, 19), tick=False):  # Thursday
        staff = accounts()
        case_id = _new_case(staff, date(2026, 3, 16))
        step(staff, case_id, "mo", "within-protocol", STAGE_1, others_refused=False)
        step(staff, case_id, "mo", "stage-2-requested", others_refused=False)
        # 14 days from Thursday 19 March 2026: Thursday 2 April.
        assert deadlines(staff["mo"], case_id)["reconfirm"] == (date(2026, 4, 2), "due")
        deadline_id = _deadline_id(app, case_id, "reconfirm")
        url = f"/cases/{case_id}/deadlines/{deadline_id}/extend"

        for name in ("mo", "dmo"):
            assert f"/deadlines/{deadline_id}/extend" not in page(staff[name], case_id)
            assert staff[name].get(url).status_code == 403
            token = csrf_token(page(staff[name], case_id))
            refused = staff[name].post(
                url, data={"csrf_token": token, "days": "5", "reason": "Leave"}
            )
            assert refused.status_code == 403, name
        for name in ("ip", "io", "clerk", "panel", "admin", "other_mo"):
            assert staff[name].get(url).status_code == 404, name
        assert deadlines(staff["mo"], case_id)["reconfirm"][0] == date(2026, 4, 2)

        chair = staff["chair"]
        assert f"/deadlines/{deadline_id}/extend" in page(chair, case_id)
        assert offered(chair, case_id) == set()  # the Chair varies time, takes no action
        form = chair.get(url)
        assert form.status_code == 200
        token = csrf_token(form.text)
        no_reason = chair.post(url, data={"csrf_token": token, "days": "2", "reason": ""})
        assert no_reason.status_code == 400
        assert deadlines(chair, case_id)["reconfirm"][0] == date(2026, 4, 2)
        done = chair.post(
            url, data={"csrf_token": token, "days": "2", "reason": "Complainant in hospital"}
        )
        assert done.status_code == 303
        # Two working days after Thursday 2 April 2026: Good Friday (3rd) and Easter Monday
        # (6th) are bank holidays in Wales, so Tuesday 7th and Wednesday 8 April.
        assert deadlines(chair, case_id)["reconfirm"] == (date(2026, 4, 8), "due")
        html = page(staff["mo"], case_id)
        assert 'data-action="extend-deadline"' in html
        assert "Complainant in hospital" in html
        assert "(Chair)" in html
    with app.app_context():
        event = db.session.scalar(
            select(CaseEvent).where(
                CaseEvent.case_id == case_id, CaseEvent.action == "extend-deadline"
            )
        )
        assert event.data == {"deadline": "reconfirm", "from": "2026-04-02", "to": "2026-04-08"}


def test_pausing_stage_2_moves_the_open_deadline_by_the_paused_working_days(app, accounts):
    with time_machine.travel(date(2026, 3, 31), tick=False):  # Tuesday
        staff = accounts()
        case_id = _new_case(staff, date(2026, 3, 16))
        _to_stage_2_response(staff, case_id)
        # One month from 31 March 2026 clamps to Thursday 30 April.
        assert deadlines(staff["mo"], case_id)["subject-response"] == (date(2026, 4, 30), "due")
        step(staff, case_id, "mo", "pause", {"reason": "Councillor seriously ill"})
        assert deadlines(staff["mo"], case_id)["subject-response"][1] == "paused"
        assert offered(staff["mo"], case_id) == {"resume", "add-note"}
        step(staff, case_id, "dmo", "add-note", {"note": "Sick note received"})
        assert "Sick note received" in page(staff["chair"], case_id)
    with time_machine.travel(date(2026, 4, 7), tick=False):  # Tuesday after Easter
        staff = accounts()
        step(staff, case_id, "dmo", "resume", {"reason": "Recovered"})
        # Paused from Tuesday 31 March until Tuesday 7 April: 31 March, 1 and 2 April are the
        # working days lost (3 and 6 April are the Easter bank holidays). Three working days
        # after Thursday 30 April: Friday 1 May, (Monday 4 May is the early May bank
        # holiday), Tuesday 5 and Wednesday 6 May.
        assert deadlines(staff["mo"], case_id)["subject-response"][0] == date(2026, 5, 6)


def test_names_are_kept_from_the_chair_at_stage_1_and_shown_at_stage_2(app, staff):
    """Seed 002 §5.1: both names confidential at Stage 1; Stage 2 is heard in public (§5.3)."""
    case_id = _new_case(staff, date(2026, 3, 2))
    step(staff, case_id, "mo", "within-protocol", STAGE_1, others_refused=False)
    assert "Carys Complainant" in page(staff["mo"], case_id)
    for html in (page(staff["chair"], case_id), staff["chair"].get("/cases/").text):
        assert "Carys Complainant" not in html
        assert "Dafydd Subject" not in html
    # The case list says so, and the Monitoring Officer's shows the councillor's name.
    assert "Withheld at this stage" in staff["chair"].get("/cases/").text
    assert "Dafydd Subject" in staff["mo"].get("/cases/").text
    step(staff, case_id, "mo", "stage-2-requested", others_refused=False)
    html = page(staff["chair"], case_id)
    assert "Carys Complainant" in html
    assert "Dafydd Subject" in html
    assert "Dafydd Subject" in staff["chair"].get("/cases/").text
