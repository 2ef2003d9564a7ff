"""Council closure days and newly learned bank holidays move the open deadlines they affect."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import holidays
import pytest
from sqlalchemy import select

from conduct import calendar
from conduct.models import CaseDeadline, CaseEvent
from core.db import db
from tenants.models import ClosureDay
from tests.casework_helpers import page, perform_as, record_case
from tests.conftest import csrf_token, login

MONDAY = date(2026, 2, 23)
THURSDAY = date(2026, 2, 26)  # inside every open deadline below
HTMX = {"HX-Request": "true"}


@pytest.fixture
def cases(app, two_councils) -> dict[str, int]:
    """Three cases received on Monday 23 February 2026.

    - "notified" (Ashby): acknowledged that day (met, due Monday 2 March) and the councillor
      told: the councillor's response is due in 7 working days, Wednesday 4 March.
    - "fresh" (Ashby): not yet acknowledged, due in 5 working days, Monday 2 March.
    - "other" (Brockton): the same as "fresh", at another council.
    """
    notified = record_case(app, "ashby", MONDAY)
    perform_as(
        app, notified, "mo.a@example.org", "record-acknowledgement", {"how": "post"}, on=MONDAY
    )
    perform_as(app, notified, "mo.a@example.org", "proceed", on=MONDAY)
    perform_as(app, notified, "mo.a@example.org", "subject-notified", on=MONDAY)
    return {
        "notified": notified,
        "fresh": record_case(app, "ashby", MONDAY),
        "other": record_case(app, "brockton", MONDAY),
    }


BEFORE = {
    "notified": {
        "acknowledge": (date(2026, 3, 2), "met"),
        "subject-response": (date(2026, 3, 4), "open"),
    },
    "fresh": {"acknowledge": (date(2026, 3, 2), "open")},
    "other": {"acknowledge": (date(2026, 3, 2), "open")},
}
# With Thursday 26 February not a working day, the open deadlines in Ashby move by one
# working day: 24, 25, 27, 2, 3, 4, 5 -> Thursday 5 March; 24, 25, 27, 2, 3 -> Tuesday 3
# March. The met acknowledgement stays where it was.
AFTER_ASHBY = {
    "notified": {
        "acknowledge": (date(2026, 3, 2), "met"),
        "subject-response": (date(2026, 3, 5), "open"),
    },
    "fresh": {"acknowledge": (date(2026, 3, 3), "open")},
    "other": {"acknowledge": (date(2026, 3, 2), "open")},
}


def _dues(app, cases: dict[str, int]) -> dict[str, dict[str, tuple[date, str]]]:
    with app.app_context():
        found: dict[str, dict[str, tuple[date, str]]] = {}
        for name, case_id in cases.items():
            rows = db.session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case_id))
            found[name] = {row.key: (row.due_on, row.status) for row in rows}
        return found


def _deadline_events(app, case_id: int) -> list[CaseEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(CaseEvent)
                .where(CaseEvent.case_id == case_id, CaseEvent.kind == "deadline")
                .order_by(CaseEvent.id)
            )
        )


def _admin(app):
    client = app.test_client()
    assert login(client, "admin@example.org").status_code == 302
    return client


def _add(client, day: date, reason: str = "Staff training", headers=None):
    token = csrf_token(client.get("/admin/councils/ashby").text)
    return client.post(
        "/admin/councils/ashby/closure-days",
        data={
            "csrf_token": token,
            "closure-day": [str(day.day), str(day.month), str(day.year)],
            "closure-reason": reason,
        },
        headers=headers or {},
    )


def _closure_id(app, day: date) -> int:
    with app.app_context():
        return db.session.scalar(select(ClosureDay.id).where(ClosureDay.day == day))


def test_a_closure_day_inside_open_deadlines_moves_them_and_not_the_met_ones(app, cases):
    assert _dues(app, cases) == BEFORE
    admin = _admin(app)
    response = _add(admin, THURSDAY)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/councils/ashby#closure-days")
    shown = admin.get(response.headers["Location"]).text
    assert "Closure day added; 2 open deadlines moved." in shown
    assert '<time datetime="2026-02-26">' in shown and "Staff training" in shown
    assert _dues(app, cases) == AFTER_ASHBY

    # The case's timeline says what moved and why, as a system change.
    [moved] = _deadline_events(app, cases["notified"])
    assert (moved.actor_name, moved.actor_role, moved.reason) == (
        "System",
        "system",
        "Closure day added: 2026-02-26",
    )
    assert moved.data == {"deadline": "subject-response", "from": "2026-03-04", "to": "2026-03-05"}
    assert _deadline_events(app, cases["other"]) == []
    mo = app.test_client()
    login(mo, "mo.a@example.org")
    html = page(mo, cases["notified"])
    assert "Deadline moved: Councillor&#39;s initial response" in html
    assert "Closure day added: 2026-02-26" in html
    assert '<time datetime="2026-03-05" data-deadline="subject-response">' in html


def test_removing_the_closure_day_moves_the_deadlines_back(app, cases):
    admin = _admin(app)
    _add(admin, THURSDAY)
    token = csrf_token(admin.get("/admin/councils/ashby").text)
    response = admin.post(
        f"/admin/councils/ashby/closure-days/{_closure_id(app, THURSDAY)}/delete",
        data={"csrf_token": token},
    )
    assert response.status_code == 303
    assert (
        "Closure day removed; 2 open deadlines moved."
        in admin.get(response.headers["Location"]).text
    )
    assert _dues(app, cases) == BEFORE
    assert [e.reason for e in _deadline_events(app, cases["fresh"])] == [
        "Closure day added: 2026-02-26",
        "Closure day removed: 2026-02-26",
    ]


def test_closure_days_work_as_htmx_fragments(app, cases):
    admin = _admin(app)
    added = _add(admin, THURSDAY, headers=HTMX)
    assert added.status_code == 200
    assert added.text.lstrip().startswith('<section id="closure-days"')
    assert "Closure day added; 2 open deadlines moved." in added.text
    assert 'id="closure-list"' in added.text and "Staff training" in added.text
    assert _dues(app, cases) == AFTER_ASHBY

    removed = admin.post(
        f"/admin/councils/ashby/closure-days/{_closure_id(app, THURSDAY)}/delete",
        data={"csrf_token": csrf_token(added.text)},
        headers=HTMX,
    )
    assert removed.status_code == 200
    assert removed.text.lstrip().startswith('<section id="closure-days"')
    assert "Closure day removed; 2 open deadlines moved." in removed.text
    assert 'id="closure-list"' not in removed.text
    assert _dues(app, cases) == BEFORE


def test_a_closure_day_outside_every_deadline_moves_nothing(app, cases):
    admin = _admin(app)
    response = _add(admin, date(2026, 3, 10))
    assert (
        "Closure day added; 0 open deadlines moved." in admin.get(response.headers["Location"]).text
    )
    assert _dues(app, cases) == BEFORE
    assert all(_deadline_events(app, case_id) == [] for case_id in cases.values())
    # The same day again is not added twice.
    _add(admin, date(2026, 3, 10))
    with app.app_context():
        assert len(db.session.scalars(select(ClosureDay)).all()) == 1


def test_a_closure_day_form_with_errors_is_shown_again(app, cases):
    admin = _admin(app)
    token = csrf_token(admin.get("/admin/councils/ashby").text)
    data = {"csrf_token": token, "closure-day": ["", "", ""], "closure-reason": ""}
    plain = admin.post("/admin/councils/ashby/closure-days", data=data)
    assert plain.status_code == 400
    assert "Enter the date as day, month and year" in plain.text
    fragment = admin.post("/admin/councils/ashby/closure-days", data=data, headers=HTMX)
    assert fragment.text.lstrip().startswith('<section id="closure-days"')
    assert "Enter the date as day, month and year" in fragment.text
    assert _dues(app, cases) == BEFORE


def test_only_host_administrators_manage_closure_days(app, cases):
    mo = app.test_client()
    login(mo, "mo.a@example.org")
    token = csrf_token(mo.get("/cases/").text)
    response = mo.post(
        "/admin/councils/ashby/closure-days",
        data={"csrf_token": token, "closure-day": ["26", "2", "2026"]},
    )
    assert response.status_code == 403
    assert _dues(app, cases) == BEFORE


def test_recompute_command_reports_nothing_moved_when_nothing_changed(app, cases, runner):
    result = runner.invoke(args=["deadlines", "recompute"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "0 open deadlines moved"
    assert _dues(app, cases) == BEFORE


def test_recompute_command_refuses_an_unknown_council(runner, two_councils):
    result = runner.invoke(args=["deadlines", "recompute", "--council", "nowhere"])
    assert result.exit_code != 0
    assert "no council with slug 'nowhere'" in result.output


@contextmanager
def library_learns(day: date, name: str = "Newly announced bank holiday") -> Iterator[None]:
    """The ``holidays`` library, as after an upgrade that adds a bank holiday."""
    original = holidays.UnitedKingdom

    def upgraded(*args, **kwargs):
        found = original(*args, **kwargs)
        found[day] = name
        return found

    calendar._cached_holidays.cache_clear()
    calendar._holiday_dates.cache_clear()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(holidays, "UnitedKingdom", upgraded)
            yield
    finally:
        calendar._cached_holidays.cache_clear()
        calendar._holiday_dates.cache_clear()


def test_a_bank_holiday_the_library_learns_moves_open_deadlines_on_recompute(app, cases, runner):
    with library_learns(THURSDAY):
        assert THURSDAY in calendar.bank_holidays("england", 2026)
        # Only the council asked for ...
        result = runner.invoke(args=["deadlines", "recompute", "--council", "ashby"])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == ["ashby: 2 deadlines moved", "2 open deadlines moved"]
        assert _dues(app, cases) == AFTER_ASHBY
        # ... then every council.
        result = runner.invoke(args=["deadlines", "recompute"])
        assert result.output.splitlines() == [
            "brockton: 1 deadlines moved",
            "1 open deadlines moved",
        ]
        assert _dues(app, cases)["other"] == {"acknowledge": (date(2026, 3, 3), "open")}
        assert _dues(app, cases)["notified"]["acknowledge"] == (date(2026, 3, 2), "met")
    [moved] = _deadline_events(app, cases["notified"])
    assert moved.reason == "Bank holidays or closure days changed"
    assert moved.data == {"deadline": "subject-response", "from": "2026-03-04", "to": "2026-03-05"}

    # Without it (the library's list as it is), recomputing puts them back.
    assert THURSDAY not in calendar.bank_holidays("england", 2026)
    result = runner.invoke(args=["deadlines", "recompute"])
    assert result.output.splitlines()[-1] == "3 open deadlines moved"
    assert _dues(app, cases) == BEFORE
