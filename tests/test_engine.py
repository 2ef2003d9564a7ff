"""The procedure engine's mechanics: start-up validation, a sixth variant made of data only,
pauses, extensions, the append-only timeline and deadline arithmetic."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from conduct import engine
from conduct.calendar import WorkingCalendar
from conduct.models import Case, CaseAccess, CaseDeadline, CaseEvent
from conduct.procedures import PROCEDURES, register, unregister, validate_all
from conduct.procedures.common import MO, REASON, note, pause, resume
from conduct.procedures.model import Action, Deadline, Procedure, Stage
from conduct.procedures.validation import ProcedureDefinitionError, validate
from config import TestConfig
from core.app import create_app
from core.db import db
from tests.casework_helpers import (
    Staff,
    act,
    date_fields,
    deadlines,
    offered,
    page,
    perform_as,
    record_case,
    stage,
    step,
)
from tests.conftest import csrf_token, make_council, make_user

ENGLAND = WorkingCalendar("england")

# --- a procedure definition with an error stops the application ----------------------------


def _procedure(**changes) -> Procedure:
    """A small valid procedure; each test breaks one thing in it."""
    fields: dict = {
        "key": "broken-example",
        "title": "Broken example",
        "summary": "Only for tests.",
        "seed": "test seed §1",
        "stages": (
            Stage(
                "received",
                "Received",
                "test seed §1.1",
                deadlines=("decide",),
                actions=(
                    Action(
                        "decide",
                        "Decide",
                        MO,
                        "test seed §1.2",
                        to="closed",
                        meets=("decide",),
                    ),
                ),
            ),
            Stage("closed", "Closed", "test seed §1.3", kind="closed", outcome="decided"),
        ),
        "deadlines": (
            Deadline(
                "decide", "Decide", 10, "working_days", "monitoring-officer", "test seed §1.2"
            ),
        ),
    }
    fields.update(changes)
    return Procedure(**fields)


def _received(*actions: Action, deadlines: tuple[str, ...] = ("decide",)) -> Stage:
    return Stage("received", "Received", "test seed §1.1", deadlines=deadlines, actions=actions)


DECIDE = Action("decide", "Decide", MO, "test seed §1.2", to="closed", meets=("decide",))
CLOSED = Stage("closed", "Closed", "test seed §1.3", kind="closed", outcome="decided")

BROKEN = {
    "unknown-target-stage": (
        _procedure(
            stages=(
                _received(DECIDE, Action("refer", "Refer", MO, "test seed §2", to="elsewhere")),
                CLOSED,
            )
        ),
        ["action 'refer' in stage 'received'", "goes to unknown stage 'elsewhere'"],
    ),
    "unreachable-stage": (
        _procedure(
            stages=(
                _received(DECIDE),
                CLOSED,
                Stage("orphan", "Orphan", "test seed §3", kind="closed", outcome="orphaned"),
            )
        ),
        ["stage 'orphan' cannot be reached"],
    ),
    "deadline-without-owner": (
        _procedure(deadlines=(Deadline("decide", "Decide", 10, "working_days", "", "seed §1"),)),
        ["deadline 'decide'", "has no owner"],
    ),
    "deadline-nothing-starts": (
        _procedure(stages=(_received(DECIDE, deadlines=()), CLOSED)),
        ["deadline 'decide'", "nothing starts it"],
    ),
    "unknown-guard": (
        _procedure(
            stages=(
                _received(
                    Action(
                        "decide",
                        "Decide",
                        MO,
                        "test seed §1.2",
                        to="closed",
                        meets=("decide",),
                        when=("moon-is-full",),
                    )
                ),
                CLOSED,
            )
        ),
        ["action 'decide' in stage 'received'", "unknown condition 'moon-is-full'"],
    ),
    "unknown-role": (
        _procedure(
            stages=(
                _received(
                    Action(
                        "decide",
                        "Decide",
                        ("mayor",),
                        "test seed §1.2",
                        to="closed",
                        meets=("decide",),
                    )
                ),
                CLOSED,
            )
        ),
        ["action 'decide' in stage 'received'", "role 'mayor' is not a role"],
    ),
    "closed-stage-without-outcome": (
        _procedure(
            stages=(_received(DECIDE), Stage("closed", "Closed", "test seed §1.3", kind="closed"))
        ),
        ["stage 'closed'", "a closed stage needs an outcome"],
    ),
    "dead-end-active-stage": (
        _procedure(
            stages=(
                _received(DECIDE, Action("wait", "Wait", MO, "test seed §4", to="waiting")),
                Stage(
                    "waiting",
                    "Waiting",
                    "test seed §4",
                    actions=(note(MO),),
                ),
                CLOSED,
            )
        ),
        ["stage 'waiting'", "no action leads out of it (a dead end)"],
    ),
}


def _build_app(tmp_path: Path):
    return create_app(type("StartUpConfig", (TestConfig,), {"UPLOAD_FOLDER": str(tmp_path)}))


@pytest.mark.parametrize("mistake", sorted(BROKEN))
def test_a_procedure_with_an_error_stops_start_up_naming_the_procedure_and_the_part(
    mistake: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    procedure, expected = BROKEN[mistake]
    monkeypatch.setitem(PROCEDURES, procedure.key, procedure)
    with pytest.raises(ProcedureDefinitionError) as error:
        _build_app(tmp_path)
    message = str(error.value)
    assert "procedure 'broken-example' is not valid" in message
    for part in expected:
        assert part in message, message


def test_the_same_procedure_without_the_error_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setitem(PROCEDURES, "broken-example", _procedure())
    assert _build_app(tmp_path).name == "conduct_casework"


def test_validate_lists_every_problem_of_a_procedure_in_one_message():
    procedure = _procedure(
        stages=(
            _received(
                Action(
                    "decide",
                    "Decide",
                    ("mayor",),
                    "test seed §1.2",
                    to="nowhere",
                    meets=("decide",),
                )
            ),
            Stage("closed", "Closed", "test seed §1.3", kind="closed"),
        )
    )
    with pytest.raises(ProcedureDefinitionError) as error:
        validate(procedure)
    message = str(error.value)
    assert "role 'mayor' is not a role" in message
    assert "goes to unknown stage 'nowhere'" in message
    assert "a closed stage needs an outcome" in message
    assert "stage 'closed' cannot be reached" in message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"key": "Not A Key"}, "key 'Not A Key' must be lower-case words joined by hyphens"),
        ({"seed": ""}, "it cites no seed paragraph"),
        ({"readers": ("mayor",)}, "reader role 'mayor' is not a role"),
        ({"confidential_stages": ("nowhere",)}, "confidential stage 'nowhere' is not a stage"),
        (
            {
                "deadlines": (
                    Deadline("decide", "Decide", 5, "fortnights", "monitoring-officer", "s"),
                )
            },
            "deadline 'decide': unknown unit 'fortnights'",
        ),
        (
            {
                "deadlines": (
                    Deadline("decide", "Decide", 5, "working_days_before", "subject", "s"),
                )
            },
            "deadline 'decide': counts back from a date but names no anchor input",
        ),
        (
            {
                "deadlines": (
                    Deadline("decide", "Decide", 5, "working_days", "subject", "s"),
                    Deadline("unmet", "Unmet", 5, "working_days", "subject", "s"),
                ),
                "stages": (_received(DECIDE, deadlines=("decide", "unmet")), CLOSED),
            },
            "deadline 'unmet': no action meets it",
        ),
        ({"stages": (_received(DECIDE, deadlines=("decide", "ghost")), CLOSED)}, "ghost"),
    ],
)
def test_validate_names_the_offending_part(changes: dict, expected: str):
    with pytest.raises(ProcedureDefinitionError, match=re.escape(expected)):
        validate(_procedure(**changes))


def test_the_five_seed_procedures_are_valid_and_register_refuses_a_broken_one():
    validate_all()
    assert {
        "conduct-complaint",
        "local-resolution",
        "ombudsman-referral",
        "confidential-report",
        "member-officer-protocol",
    } <= set(PROCEDURES)
    broken, _expected = BROKEN["unknown-role"]
    with pytest.raises(ProcedureDefinitionError):
        register(broken)
    assert broken.key not in PROCEDURES


# --- a sixth variant made of data only ------------------------------------------------------

PARISH_SHORT_FORM = Procedure(
    key="parish-short-form",
    title="Parish short-form complaint",
    summary="A test variant built only from the existing vocabulary.",
    seed="test: a parish council's short procedure",
    stages=(
        Stage(
            key="received",
            label="Received",
            seed="short form §1",
            deadlines=("decision",),
            actions=(
                Action(
                    key="accept",
                    label="Accept for a decision",
                    roles=MO,
                    seed="short form §1",
                    to="decision",
                    done="Accepted for a decision",
                ),
            ),
        ),
        Stage(
            key="decision",
            label="Decision",
            seed="short form §2",
            actions=(
                Action(
                    key="uphold",
                    label="Uphold the complaint",
                    roles=MO,
                    seed="short form §2",
                    inputs=(REASON,),
                    meets=("decision",),
                    to="closed-upheld",
                    done="Complaint upheld",
                ),
                Action(
                    key="not-uphold",
                    label="Do not uphold the complaint",
                    roles=MO,
                    seed="short form §2",
                    inputs=(REASON,),
                    meets=("decision",),
                    to="closed-not-upheld",
                    done="Complaint not upheld",
                ),
            ),
        ),
        Stage("closed-upheld", "Closed: upheld", "short form §3", kind="closed", outcome="upheld"),
        Stage(
            "closed-not-upheld",
            "Closed: not upheld",
            "short form §3",
            kind="closed",
            outcome="not-upheld",
        ),
    ),
    deadlines=(
        Deadline(
            key="decision",
            label="Decide the complaint",
            amount=10,
            unit="working_days",
            owner="monitoring-officer",
            seed="short form §2 (10 working days of receipt)",
            extend_roles=MO,
        ),
    ),
    anywhere=(pause(MO, "short form §4"), resume(MO, "short form §4"), note(MO)),
    readers=(*MO, "clerk"),
)

PARISH_STAFF = {
    "mo": "mo@parish.example.org",
    "clerk": "clerk@parish.example.org",
    "other_mo": "mo@other.example.org",
}


@pytest.fixture
def parish_accounts(app):
    register(PARISH_SHORT_FORM)
    try:
        with app.app_context():
            parish = make_council("little-ashby", procedures=("parish-short-form",))
            other = make_council("brockton")
            make_user(PARISH_STAFF["mo"], (parish, "monitoring-officer"))
            make_user(PARISH_STAFF["clerk"], (parish, "clerk"))
            make_user(PARISH_STAFF["other_mo"], (other, "monitoring-officer"))
            db.session.commit()
        yield lambda: Staff(app, PARISH_STAFF)
    finally:
        unregister(PARISH_SHORT_FORM.key)


def _record_through_the_form(client, **answers) -> int:
    form = client.get("/cases/new")
    assert form.status_code == 200
    data = {
        "csrf_token": csrf_token(form.text),
        "channel": "email",
        "first_name": "Sam",
        "last_name": "Parker",
        "subject_first_name": "Robin",
        "subject_last_name": "Gale",
        "details": "Rude at the parish meeting.",
        **answers,
    }
    response = client.post("/cases/new", data=data)
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_a_sixth_variant_defined_only_as_data_is_recorded_and_walked_through_the_web(
    parish_accounts,
):
    with time_machine.travel(date(2026, 4, 2), tick=False):  # Thursday before Easter
        staff = parish_accounts()
        assert "parish-short-form:default" in staff["mo"].get("/cases/new").text
        case_id = _record_through_the_form(
            staff["mo"],
            council="little-ashby",
            kind="parish-short-form:default",
            **date_fields("received_on", date(2026, 4, 2)),
        )
        assert stage(staff["mo"], case_id) == "received"
        # 10 working days from Thursday 2 April 2026: Good Friday (3rd) and Easter Monday
        # (6th) are bank holidays, so day 1 is Tuesday 7th: 7, 8, 9, 10, 13, 14, 15, 16,
        # 17, 20 -> Monday 20 April.
        assert deadlines(staff["mo"], case_id) == {"decision": (date(2026, 4, 20), "due")}
        assert staff["other_mo"].get(f"/cases/{case_id}").status_code == 404
        step(staff, case_id, "mo", "add-note", {"note": "Called the complainant"}, to="received")
        step(staff, case_id, "mo", "accept", to="decision")
    with time_machine.travel(date(2026, 4, 7), tick=False):
        staff = parish_accounts()
        step(staff, case_id, "mo", "pause", {"reason": "Clerk on leave"}, to="decision")
        assert deadlines(staff["mo"], case_id)["decision"] == (date(2026, 4, 20), "paused")
        assert offered(staff["mo"], case_id) == {"resume", "add-note"}
    with time_machine.travel(date(2026, 4, 14), tick=False):
        staff = parish_accounts()
        step(staff, case_id, "mo", "resume", {"reason": "Clerk back"}, to="decision")
        # Paused Tuesday 7 to Tuesday 14 April: 5 working days, so 20 April -> 27 April.
        assert deadlines(staff["mo"], case_id)["decision"] == (date(2026, 4, 27), "due")
        step(staff, case_id, "mo", "uphold", {"reason": "Admitted"}, to="closed-upheld")
        assert deadlines(staff["mo"], case_id)["decision"] == (date(2026, 4, 27), "met")
        assert offered(staff["mo"], case_id) == set()


def test_the_sixth_variant_reaches_its_other_end_state(parish_accounts):
    staff = parish_accounts()
    case_id = _record_through_the_form(
        staff["clerk"],
        council="little-ashby",
        kind="parish-short-form:default",
        **date_fields("received_on", engine.today()),
    )
    step(staff, case_id, "mo", "accept", to="decision")
    step(staff, case_id, "mo", "not-uphold", {"reason": "No evidence"}, to="closed-not-upheld")


# --- pausing and resuming ---------------------------------------------------------------------

ASHBY_STAFF = {
    "mo": "mo@example.org",
    "ip": "ip@example.org",
    "clerk": "clerk@example.org",
}


@pytest.fixture
def ashby_accounts(app):
    with app.app_context():
        council = make_council("ashby")
        mo = make_user(ASHBY_STAFF["mo"], (council, "monitoring-officer"))
        mo.full_name = "Morgan Officer"
        make_user(ASHBY_STAFF["ip"], (council, "independent-person"))
        make_user(ASHBY_STAFF["clerk"], (council, "clerk"))
        db.session.commit()
    return lambda: Staff(app, ASHBY_STAFF)


def _at_subject_response(app, notified: date = date(2026, 2, 23)) -> int:
    """A conduct complaint received, acknowledged and sent to the councillor on `notified`."""
    case_id = record_case(app, "ashby", notified)
    perform_as(
        app, case_id, ASHBY_STAFF["mo"], "record-acknowledgement", {"how": "post"}, on=notified
    )
    perform_as(app, case_id, ASHBY_STAFF["mo"], "proceed", on=notified)
    perform_as(app, case_id, ASHBY_STAFF["mo"], "subject-notified", on=notified)
    return case_id


def test_pausing_and_resuming_moves_open_deadlines_by_the_paused_working_days(app, ashby_accounts):
    case_id = _at_subject_response(app)  # Monday 23 February 2026
    with time_machine.travel(date(2026, 2, 23), tick=False):
        staff = ashby_accounts()
        # 7 working days from Monday 23 February: 24, 25, 26, 27, 2, 3, 4 -> Wednesday 4 March.
        assert deadlines(staff["mo"], case_id) == {
            "acknowledge": (date(2026, 3, 2), "met"),
            "subject-response": (date(2026, 3, 4), "due"),
        }
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=UTC), tick=False):  # Monday
        staff = ashby_accounts()
        step(staff, case_id, "mo", "pause", {"reason": "Councillor in hospital"})
        assert deadlines(staff["mo"], case_id) == {
            "acknowledge": (date(2026, 3, 2), "met"),
            "subject-response": (date(2026, 3, 4), "paused"),
        }
        # Only resuming (and notes) while paused; the stage's own actions wait.
        assert offered(staff["mo"], case_id) == {"resume", "add-note"}
        assert offered(staff["ip"], case_id) == {"add-note"}
        refused = act(staff["mo"], case_id, "subject-responded", {"summary": "x"})
        assert refused.status_code == 409
        assert "paused-banner" in page(staff["mo"], case_id)
    with time_machine.travel(datetime(2026, 3, 9, 10, tzinfo=UTC), tick=False):  # the Monday after
        staff = ashby_accounts()
        step(staff, case_id, "mo", "resume", {"reason": "Councillor home"})
        # Paused Monday 2 to Monday 9 March: 5 working days; Wednesday 4 -> Wednesday 11 March.
        assert deadlines(staff["mo"], case_id) == {
            "acknowledge": (date(2026, 3, 2), "met"),
            "subject-response": (date(2026, 3, 11), "due-soon"),
        }
        html = page(staff["mo"], case_id)
        assert "paused-banner" not in html
        assert "Deadline subject-response moved from 2026-03-04 to 2026-03-11" in html
        assert {"subject-responded", "no-subject-response", "pause"} <= offered(
            staff["mo"], case_id
        )
    timeline = re.findall(r'data-action="([a-z0-9-]+)"', html.split('id="timeline"', 1)[1])
    assert timeline[:2] == ["resume", "pause"]  # newest first
    assert "Councillor in hospital" in html and "Councillor home" in html


# --- extensions -------------------------------------------------------------------------------


def _extend_links(html: str) -> dict[str, str]:
    """deadline key -> its Extend link on the case page."""
    found = {}
    for row in re.findall(r"<tr[^>]*data-deadline-row=.*?</tr>", html, re.S):
        key = re.search(r'data-deadline-row="([a-z0-9-]+)"', row).group(1)
        link = re.search(r'href="(/cases/\d+/deadlines/\d+/extend)"', row)
        if link:
            found[key] = link.group(1)
    return found


def _deadline_ids(app, case_id: int) -> dict[str, int]:
    with app.app_context():
        rows = db.session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case_id))
        return {row.key: row.id for row in rows}


def test_extending_a_deadline_needs_a_reason_and_the_role_the_procedure_names(app, ashby_accounts):
    case_id = _at_subject_response(app)
    ids = _deadline_ids(app, case_id)
    with time_machine.travel(datetime(2026, 2, 25, 10, tzinfo=UTC), tick=False):
        staff = ashby_accounts()
        mo, ip, clerk = staff["mo"], staff["ip"], staff["clerk"]
        url = f"/cases/{case_id}/deadlines/{ids['subject-response']}/extend"
        # Only the open deadline can be extended, and only by the Monitoring Officer.
        assert _extend_links(page(mo, case_id)) == {"subject-response": url}
        assert _extend_links(page(ip, case_id)) == {}
        assert ip.get(url).status_code == 403
        assert (
            ip.post(
                url, data={"csrf_token": csrf_token(page(ip, case_id)), "days": "3", "reason": "x"}
            ).status_code
            == 403
        )
        # A clerk does not read conduct complaints at all (seed 003: MO and IP).
        assert clerk.get(f"/cases/{case_id}").status_code == 404
        assert clerk.get(url).status_code == 404

        form = mo.get(url)
        assert form.status_code == 200
        missing = mo.post(url, data={"csrf_token": csrf_token(form.text), "days": "3"})
        assert missing.status_code == 400
        assert 'id="reason-error"' in missing.text
        assert "Enter the reason for the extension" in missing.text
        assert 'value="3"' in missing.text  # the answer given is kept
        assert deadlines(mo, case_id)["subject-response"] == (date(2026, 3, 4), "due")

        done = mo.post(
            url,
            data={"csrf_token": csrf_token(form.text), "days": "3", "reason": "Illness"},
        )
        assert done.status_code == 303
        # Wednesday 4 March + 3 working days: 5, 6, 9 -> Monday 9 March 2026.
        assert deadlines(mo, case_id) == {
            "acknowledge": (date(2026, 3, 2), "met"),
            "subject-response": (date(2026, 3, 9), "due"),
        }
        html = page(mo, case_id)
        entry = html.split('id="timeline"', 1)[1].split("</li>", 1)[0]
        assert 'data-action="extend-deadline"' in entry
        assert "Illness" in entry and "Morgan Officer" in entry and "Monitoring Officer" in entry
        assert "extended by 3 working days" in html

        met = f"/cases/{case_id}/deadlines/{ids['acknowledge']}/extend"
        assert mo.get(met).status_code == 409
        assert (
            mo.post(
                met, data={"csrf_token": csrf_token(html), "days": "2", "reason": "Late"}
            ).status_code
            == 409
        )
    with app.app_context():
        event = db.session.scalar(
            select(CaseEvent).where(
                CaseEvent.case_id == case_id, CaseEvent.action == "extend-deadline"
            )
        )
        assert (event.actor_role, event.reason) == ("monitoring-officer", "Illness")
        assert event.data == {
            "deadline": "subject-response",
            "from": "2026-03-04",
            "to": "2026-03-09",
        }


def test_an_extension_through_htmx_swaps_the_casework_back_into_the_page(app, ashby_accounts):
    case_id = _at_subject_response(app)
    ids = _deadline_ids(app, case_id)
    with time_machine.travel(datetime(2026, 2, 25, 10, tzinfo=UTC), tick=False):
        mo = ashby_accounts()["mo"]
        url = f"/cases/{case_id}/deadlines/{ids['subject-response']}/extend"
        headers = {"HX-Request": "true"}
        form = mo.get(url, headers=headers)
        assert form.status_code == 200 and 'id="extend-form"' in form.text
        assert "<html" not in form.text
        bad = mo.post(
            url,
            data={"csrf_token": csrf_token(form.text), "days": "0", "reason": "x"},
            headers=headers,
        )
        assert bad.headers["HX-Retarget"] == "#action-panel"
        assert "Enter a number from 1 to 120" in bad.text
        done = mo.post(
            url,
            data={"csrf_token": csrf_token(form.text), "days": "1", "reason": "Leave"},
            headers=headers,
        )
        assert done.status_code == 200
        assert done.text.lstrip().startswith('<div id="casework"')
        assert '<time datetime="2026-03-05" data-deadline="subject-response">' in done.text


# --- the timeline ------------------------------------------------------------------------------


def test_the_timeline_is_append_only(app, ashby_accounts):
    case_id = _at_subject_response(app)
    with app.app_context():
        event = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)).first()
        event.summary = "Something else"
        with pytest.raises(PermissionError, match="append-only"):
            db.session.flush()
        db.session.rollback()

        event = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)).first()
        db.session.delete(event)
        with pytest.raises(PermissionError, match="append-only"):
            db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(CaseEvent.summary).where(CaseEvent.id == event.id))

        # Deleting the whole case (retention) takes its history with it.
        db.session.delete(db.session.get(Case, case_id))
        db.session.flush()
        assert not db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)).all()
        db.session.rollback()


def test_the_case_page_lists_the_latest_entries_and_links_to_them_all(app, ashby_accounts):
    case_id = _at_subject_response(app)  # opened, acknowledged, proceeded, notified: 4
    for n in range(1, 22):
        perform_as(
            app, case_id, ASHBY_STAFF["mo"], "add-note", {"note": f"Note {n}"}, on=date(2026, 3, 2)
        )
    staff = ashby_accounts()
    mo = staff["mo"]
    html = page(mo, case_id)
    items = html.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    # The latest 20 of 25, newest first, numbered as in the whole timeline.
    assert re.search(r'<ol [^>]*id="timeline" reversed start="25"', html)
    notes = re.findall(r"Note (\d+)<", items)
    assert notes == [str(n) for n in range(21, 1, -1)]
    url = f"/cases/{case_id}/timeline"
    link = re.search(
        r'<a class="govuk-link" href="([^"]+)" hx-get="([^"]+)"[^>]*>([^<]+)</a>', html
    )
    assert link.groups() == (url, url, "Show all 25 entries")

    # Without JavaScript: a page of its own, with every entry.
    full = mo.get(url)
    assert full.status_code == 200
    entries = re.findall(r'data-action="([a-z0-9-]+)"', full.text.split('id="timeline"', 1)[1])
    assert len(entries) == 25
    assert entries[-4:] == ["subject-notified", "proceed", "record-acknowledgement", "opened"]
    assert "Show all" not in full.text
    assert f'href="/cases/{case_id}"' in full.text  # back to the case

    # With htmx: the entries alone, replacing the case page's, taking the focus.
    swap = mo.get(url, headers={"HX-Request": "true"})
    assert swap.text.lstrip().startswith('<div id="timeline-entries">')
    assert "<html" not in swap.text and "data-focus-after-swap" in swap.text
    assert swap.text.count('class="app-timeline__item"') == 25

    # Seeing the whole timeline is seeing the case; who may not read it finds nothing.
    with app.app_context():
        seen = db.session.scalars(
            select(CaseAccess.detail).where(
                CaseAccess.case_id == case_id, CaseAccess.what == "view"
            )
        ).all()
    assert url in seen
    assert staff["clerk"].get(url).status_code == 404


def test_actions_taken_are_the_same_from_loaded_entries_or_from_the_database(app, ashby_accounts):
    case_id = _at_subject_response(app)
    with app.app_context():
        case = db.session.get(Case, case_id)
        asked = engine.actions_taken(case)  # the entries are not loaded
        assert "events" not in case.__dict__
        assert case.events  # now they are
        assert engine.actions_taken(case) == asked
        assert asked == {"record-acknowledgement", "proceed", "subject-notified"}


def test_every_action_records_who_took_it_in_which_role_when_and_why(app, ashby_accounts):
    case_id = _at_subject_response(app)
    with time_machine.travel(datetime(2026, 2, 24, 9, 30, tzinfo=UTC), tick=False):
        staff = ashby_accounts()
        step(staff, case_id, "ip", "add-note", {"note": "Spoke to the MO"}, others_refused=False)
        step(
            staff,
            case_id,
            "mo",
            "no-subject-response",
            {"reason": "No reply"},
            to="informal-resolution",
            others_refused=False,
        )
        html = page(staff["mo"], case_id)
    items = html.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    assert "Morgan Officer (Monitoring Officer)" in items
    assert "ip@example.org (Independent Person)" in items
    with app.app_context():
        events = db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        ).all()
    assert [e.action for e in events] == [
        None,  # opened
        "record-acknowledgement",
        "proceed",
        "subject-notified",
        "add-note",
        "no-subject-response",
    ]
    for event in events[1:]:
        assert event.actor_name and event.actor_role and event.at is not None
    note_event, moved = events[-2], events[-1]
    assert (note_event.actor_name, note_event.actor_role) == (
        "ip@example.org",
        "independent-person",
    )
    assert note_event.data == {"note": "Spoke to the MO"}
    assert (moved.actor_name, moved.actor_role, moved.reason) == (
        "Morgan Officer",
        "monitoring-officer",
        "No reply",
    )
    assert (moved.stage_from, moved.stage_to) == ("subject-response", "informal-resolution")
    assert moved.at.replace(tzinfo=None) == datetime(2026, 2, 24, 9, 30)


# --- deadline arithmetic and states ---------------------------------------------------------


def _row(unit: str, amount: int, start: date, **kw) -> CaseDeadline:
    fields = {"extension_days": 0, "paused_days": 0, "status": "open", "anchor_on": None}
    fields.update(kw)
    return CaseDeadline(
        key="k", owner="subject", unit=unit, amount=amount, start_on=start, **fields
    )


@pytest.mark.parametrize(
    ("row", "due"),
    [
        # Received Saturday 4 April 2026 counts from Tuesday 7 (Easter Monday is the 6th):
        # 8, 9, 10, 13, 14.
        (_row("working_days", 5, date(2026, 4, 4)), date(2026, 4, 14)),
        # Christmas 2026: Friday 25 and the substitute Boxing Day Monday 28 December.
        (_row("working_days", 3, date(2026, 12, 23)), date(2026, 12, 30)),
        # Two weeks are 14 calendar days, weekends and holidays included.
        (_row("calendar_days", 14, date(2026, 3, 30)), date(2026, 4, 13)),
        # Months clamp to the month's end.
        (_row("months", 1, date(2026, 1, 31)), date(2026, 2, 28)),
        (_row("months", 3, date(2026, 11, 30)), date(2027, 2, 28)),
        (_row("months", 1, date(2028, 1, 31)), date(2028, 2, 29)),
        # 5 working days before Monday 9 March 2026: Monday 2 March.
        (
            _row("working_days_before", 5, date(2026, 2, 2), anchor_on=date(2026, 3, 9)),
            date(2026, 3, 2),
        ),
        # 5 working days before Tuesday 7 April 2026, skipping Easter: Friday 27 March.
        (
            _row("working_days_before", 5, date(2026, 3, 1), anchor_on=date(2026, 4, 7)),
            date(2026, 3, 27),
        ),
        # Extensions and pauses add working days to the rule's date: Tuesday 14 April
        # + 3 + 2 -> 15, 16, 17, 20, 21.
        (
            _row("working_days", 5, date(2026, 4, 4), extension_days=3, paused_days=2),
            date(2026, 4, 21),
        ),
        # One month from 31 January is Saturday 28 February; a paused day moves it to the
        # next working day after it, Monday 2 March.
        (_row("months", 1, date(2026, 1, 31), paused_days=1), date(2026, 3, 2)),
        (_row("calendar_days", 14, date(2026, 3, 30), extension_days=1), date(2026, 4, 14)),
    ],
)
def test_compute_due_for_each_unit(row: CaseDeadline, due: date):
    assert engine.compute_due(row, ENGLAND) == due


def test_compute_due_counts_council_closure_days_as_non_working():
    row = _row("working_days", 5, date(2026, 12, 21))
    # 22, 23, 24, 29, 30 (25 and the substitute 28th are bank holidays) ...
    assert engine.compute_due(row, ENGLAND) == date(2026, 12, 30)
    # ... and with the office closed 29-31 December: 22, 23, 24, 4 Jan, 5 Jan.
    closed = WorkingCalendar(
        "england", [date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)]
    )
    assert engine.compute_due(row, closed) == date(2027, 1, 5)


@pytest.mark.parametrize(
    ("on", "state"),
    [
        (date(2026, 3, 6), "due"),  # Friday: two working days on is Tuesday 10th
        (date(2026, 3, 7), "due"),  # Saturday: Monday 9th, Tuesday 10th
        (date(2026, 3, 9), "due-soon"),  # Monday: Wednesday 11th is two working days on
        (date(2026, 3, 11), "due-soon"),  # the day itself
        (date(2026, 3, 12), "overdue"),
    ],
)
def test_deadline_state_by_the_day(on: date, state: str):
    row = _row("working_days", 7, date(2026, 3, 2), due_on=date(2026, 3, 11))
    assert engine.deadline_state(row, Case(paused_on=None), ENGLAND, on) == state


def test_due_soon_counts_working_days_across_a_bank_holiday():
    row = _row("working_days", 5, date(2026, 3, 30), due_on=date(2026, 4, 7))
    # Thursday 2 April 2026: Good Friday and Easter Monday are not working days, so
    # Tuesday 7 April is only two working days away.
    assert engine.deadline_state(row, Case(paused_on=None), ENGLAND, date(2026, 4, 2)) == (
        "due-soon"
    )
    assert engine.deadline_state(row, Case(paused_on=None), ENGLAND, date(2026, 3, 31)) == "due"


def test_met_closed_and_paused_states_win_over_the_date():
    late = date(2026, 5, 1)
    running = Case(paused_on=None)
    paused = Case(paused_on=date(2026, 3, 2))
    met = _row("working_days", 7, date(2026, 3, 2), due_on=date(2026, 3, 11), status="met")
    closed = _row("working_days", 7, date(2026, 3, 2), due_on=date(2026, 3, 11), status="closed")
    open_ = _row("working_days", 7, date(2026, 3, 2), due_on=date(2026, 3, 11))
    assert engine.deadline_state(met, running, ENGLAND, late) == "met"
    assert engine.deadline_state(met, paused, ENGLAND, late) == "met"
    assert engine.deadline_state(closed, running, ENGLAND, late) == "closed"
    assert engine.deadline_state(open_, paused, ENGLAND, late) == "paused"
    assert engine.deadline_state(open_, running, ENGLAND, late) == "overdue"
