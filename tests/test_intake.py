"""Staff record complaints received by post, email, phone or in person (/cases/new)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from conduct.intake import intake_warnings
from conduct.models import Case
from conduct.procedures import PROCEDURES
from core.db import db
from core.outbox_models import OutboxMessage
from tests.casework_helpers import Staff, date_fields, deadlines, offered, page, stage
from tests.conftest import csrf_token, make_council, make_user

ACCOUNTS = {
    "mo": "mo@example.org",  # Monitoring Officer of Ashby and Brockton
    "clerk": "clerk@example.org",  # clerk of Ashby
    "ip": "ip@example.org",
    "panel": "panel@example.org",
    "admin": "admin@example.org",
}
# Wednesday 8 April 2026, the week after Easter.
NOW = datetime(2026, 4, 8, 11, tzinfo=UTC)
TODAY = date(2026, 4, 8)


@pytest.fixture
def staff(app):
    with app.app_context():
        ashby = make_council("ashby")
        brockton = make_council("brockton", nation="wales", procedures=("local-resolution",))
        carlton = make_council("carlton")
        make_user(ACCOUNTS["mo"], (ashby, "monitoring-officer"), (brockton, "monitoring-officer"))
        make_user(ACCOUNTS["clerk"], (ashby, "clerk"))
        make_user(ACCOUNTS["ip"], (ashby, "independent-person"))
        make_user(ACCOUNTS["panel"], (ashby, "panel-member"))
        make_user(ACCOUNTS["admin"], host_admin=True)
        make_user("mo@carlton.example.org", (carlton, "monitoring-officer"))
        db.session.commit()
    with time_machine.travel(NOW, tick=False):
        yield Staff(app, ACCOUNTS)


def _answers(**changes) -> dict:
    answers = {
        "council": "ashby",
        "kind": "conduct-complaint:complaint",
        "channel": "post",
        **date_fields("received_on", TODAY),
        "first_name": "Sam",
        "last_name": "Parker",
        "email": "",
        "address": "2 Mill Lane, Ashby",
        "subject_first_name": "Robin",
        "subject_last_name": "Gale",
        "details": "The councillor was abusive at the planning meeting.",
        # A browser sends the optional date's three inputs, empty.
        "events_on": ["", "", ""],
    }
    answers.update(changes)
    return answers


def _post(client, **changes):
    form = client.get("/cases/new")
    assert form.status_code == 200
    return client.post(
        "/cases/new", data={"csrf_token": csrf_token(form.text), **_answers(**changes)}
    )


def _case_id(response) -> int:
    assert response.status_code == 303, response.text
    match = re.search(r"/cases/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def _case_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Case.id)))


def test_a_complaint_received_by_post_on_a_saturday_runs_its_deadlines_from_that_date(app, staff):
    mo = staff["mo"]
    case_id = _case_id(_post(mo, channel="post", **date_fields("received_on", date(2026, 4, 4))))
    html = page(mo, case_id)
    assert "Received 4 April 2026" in html
    assert stage(mo, case_id) == "received"
    # Saturday 4 April 2026 counts as received on Tuesday 7 (Easter Monday is the 6th);
    # 5 working days on: 8, 9, 10, 13, 14 -> Tuesday 14 April. Nothing was emailed, so the
    # acknowledgement is still to do, not met.
    assert deadlines(mo, case_id) == {"acknowledge": (date(2026, 4, 14), "due")}
    assert "record-acknowledgement" in offered(mo, case_id)
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.received_on, case.channel, case.intake_warnings) == (
            date(2026, 4, 4),
            "post",
            [],
        )
        assert case.complainant_address == "2 Mill Lane, Ashby"
        assert [(e.kind, e.actor_name, e.data["channel"]) for e in case.events] == [
            ("opened", ACCOUNTS["mo"], "post")
        ]
        assert (
            db.session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.case_id == case_id)
            )
            == 0
        )


def test_a_complaint_by_email_under_the_welsh_protocol_is_recorded_for_that_council(app, staff):
    case_id = _case_id(
        _post(
            staff["mo"],
            council="brockton",
            kind="local-resolution:complaint",
            channel="email",
            email="sam@example.com",
            **date_fields("received_on", date(2026, 4, 7)),
        )
    )
    assert stage(staff["mo"], case_id) == "received"
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.council.slug, case.procedure_key, case.channel) == (
            "brockton",
            "local-resolution",
            "email",
        )
        assert case.reference.startswith(case.council.code + "-2026-")


@pytest.mark.parametrize(
    ("changes", "warning"),
    [
        # seed 003 Rule 9 §2.2.4: events more than 6 months before receipt.
        ({"events_on": ["7", "10", "2025"]}, "events-over-six-months"),
        ({"subject_not_councillor": "y"}, "no-longer-councillor"),
        # seed 002 §4.4(i): more than one month after the events.
        (
            {
                "council": "brockton",
                "kind": "local-resolution:complaint",
                "events_on": ["7", "3", "2026"],
            },
            "over-one-month",
        ),
        (
            {"council": "brockton", "kind": "local-resolution:complaint", "repeat": "y"},
            "repeat",
        ),
    ],
)
def test_intake_warnings_must_be_acknowledged_before_the_complaint_is_recorded(
    app, staff, changes: dict, warning: str
):
    mo = staff["mo"]
    first = _post(mo, **changes)
    assert first.status_code == 400
    assert re.findall(r'data-warning="([a-z-]+)"', first.text) == [warning]
    assert 'id="acknowledge-error"' in first.text
    assert "Confirm that you have read the warnings" in first.text
    # The answers are kept for the second go.
    assert 'value="Parker"' in first.text
    assert "The councillor was abusive at the planning meeting." in first.text
    assert _case_count(app) == 0

    case_id = _case_id(
        mo.post(
            "/cases/new",
            data={"csrf_token": csrf_token(first.text), **_answers(**changes), "acknowledge": "y"},
        )
    )
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.intake_warnings == [warning]
        assert case.events[0].data["warnings_acknowledged"] == [warning]
    timeline = page(mo, case_id).split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    assert re.search(r"Warnings acknowledged:</strong>\s*" + warning, timeline), timeline


def test_a_complaint_without_warnings_is_recorded_straight_away(app, staff):
    # 8 October 2025 + 6 months is 8 April 2026, the day of receipt: not more than 6 months.
    response = _post(staff["mo"], events_on=["8", "10", "2025"])
    case_id = _case_id(response)
    with app.app_context():
        assert db.session.get(Case, case_id).intake_warnings == []


def test_dates_in_the_future_are_refused(app, staff):
    response = _post(staff["mo"], **date_fields("received_on", date(2026, 4, 9)))
    assert response.status_code == 400
    assert 'id="received_on-error"' in response.text
    assert "The date cannot be in the future" in response.text
    response = _post(staff["mo"], events_on=["9", "4", "2026"])
    assert response.status_code == 400
    assert 'id="events_on-error"' in response.text
    assert _case_count(app) == 0


def test_a_council_without_an_intake_role_is_not_offered_and_is_refused(app, staff):
    form = staff["mo"].get("/cases/new").text
    assert 'value="ashby"' in form and 'value="brockton"' in form
    assert 'value="carlton"' not in form
    response = _post(staff["mo"], council="carlton")
    assert response.status_code == 400
    assert 'id="council-error"' in response.text
    clerk_form = staff["clerk"].get("/cases/new").text
    assert 'value="brockton"' not in clerk_form
    assert _post(staff["clerk"], council="brockton").status_code == 400
    assert _case_count(app) == 0


def test_a_kind_of_case_the_council_does_not_use_is_refused(app, staff):
    response = _post(staff["mo"], council="ashby", kind="local-resolution:complaint")
    assert response.status_code == 400
    assert "Ashby Council does not use this procedure" in response.text
    unknown = _post(staff["mo"], kind="no-such-procedure:complaint")
    assert unknown.status_code == 400
    assert 'id="kind-error"' in unknown.text
    # The clerk of Ashby is not offered the Welsh protocol at all.
    assert "local-resolution:complaint" not in staff["clerk"].get("/cases/new").text
    assert _case_count(app) == 0


def test_a_post_without_the_optional_date_inputs_is_refused_not_an_error(staff):
    answers = _answers(**date_fields("received_on", date(2026, 4, 9)))
    del answers["events_on"]
    form = staff["mo"].get("/cases/new")
    response = staff["mo"].post("/cases/new", data={"csrf_token": csrf_token(form.text), **answers})
    assert response.status_code == 400


@pytest.mark.parametrize("who", ["ip", "panel", "admin"])
def test_roles_without_intake_get_403(staff, who: str):
    client = staff[who]
    assert client.get("/cases/new").status_code == 403
    token = csrf_token(client.get("/login", follow_redirects=True).text)
    assert client.post("/cases/new", data={"csrf_token": token, **_answers()}).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(app):
    response = app.test_client().get("/cases/new")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_clerk_can_record_a_complaint_they_may_not_then_read(app, staff):
    """A clerk records conduct complaints that arrive by post but does not read them."""
    response = _post(staff["clerk"])
    assert response.status_code == 303
    landing = staff["clerk"].get(response.headers["Location"])
    assert landing.status_code == 200
    with app.app_context():
        reference = db.session.scalar(select(Case.reference))
    assert f"Recorded as {reference}" in landing.text


@pytest.mark.parametrize(
    ("events_on", "received_on", "expected"),
    [
        (date(2025, 10, 7), date(2026, 4, 8), ["events-over-six-months"]),
        (date(2025, 10, 8), date(2026, 4, 8), []),
        (None, date(2026, 4, 8), []),
        # 31 August + 6 months clamps to 28 February: received 1 March is over 6 months.
        (date(2025, 8, 31), date(2026, 3, 1), ["events-over-six-months"]),
        (date(2025, 8, 31), date(2026, 2, 28), []),
    ],
)
def test_the_six_month_check_counts_calendar_months(events_on, received_on, expected):
    found = intake_warnings(PROCEDURES["conduct-complaint"], received_on, events_on, {})
    assert [w.key for w in found] == expected
