"""The case list filtered by stage, procedure and deadline state, as plain links and htmx."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from conduct.models import Case
from core.db import db
from tests.casework_helpers import perform_as, record_case
from tests.conftest import login, make_council, make_user

MO = "mo@example.org"
HTMX = {"HX-Request": "true"}
# Wednesday 11 March 2026: "this week" runs to Sunday 15 March.
WEDNESDAY = datetime(2026, 3, 11, 12, tzinfo=UTC)


@pytest.fixture
def cases(app) -> dict[str, str]:
    """name -> reference. Acknowledgements fall due 5 working days after receipt."""
    with app.app_context():
        ashby = make_council("ashby", procedures=("conduct-complaint", "local-resolution"))
        brockton = make_council("brockton")
        make_user(MO, (ashby, "monitoring-officer"))
        make_user("mo@brockton.example.org", (brockton, "monitoring-officer"))
        db.session.commit()
    made = {
        # received Monday 2 March: acknowledgement due Monday 9 March (overdue on the 11th)
        "overdue": record_case(app, "ashby", date(2026, 3, 2), subject=("Olive", "Overton")),
        # received Wednesday 4 March: due Wednesday 11 March, today
        "today": record_case(app, "ashby", date(2026, 3, 4), subject=("Dana", "Weekly")),
        # received Friday 6 March: due Friday 13 March
        "friday": record_case(app, "ashby", date(2026, 3, 6), subject=("Fred", "Weekly")),
        # received Tuesday 10 March: due Tuesday 17 March, next week
        "next-week": record_case(app, "ashby", date(2026, 3, 10), subject=("Nina", "Later")),
        # acknowledged and moved on: no open deadline
        "notified": record_case(app, "ashby", date(2026, 3, 2), subject=("Paul", "Notified")),
        # overdue acknowledgement, but the case is paused
        "paused": record_case(app, "ashby", date(2026, 3, 2), subject=("Pat", "Paused")),
        "local": record_case(
            app, "ashby", date(2026, 3, 2), procedure="local-resolution", subject=("Lou", "Local")
        ),
        "withdrawn": record_case(app, "ashby", date(2026, 3, 2), subject=("Wes", "Gone")),
        # another council's overdue case, which this officer never sees
        "elsewhere": record_case(app, "brockton", date(2026, 3, 2), subject=("Eli", "Weekly")),
    }
    on = date(2026, 3, 2)
    perform_as(app, made["notified"], MO, "record-acknowledgement", {"how": "post"}, on=on)
    perform_as(app, made["notified"], MO, "proceed", on=on)
    perform_as(app, made["paused"], MO, "pause", {"reason": "Illness"}, on=date(2026, 3, 5))
    perform_as(app, made["withdrawn"], MO, "withdraw", {"reason": "Letter"}, on=on)
    with app.app_context():
        references = dict(db.session.execute(select(Case.id, Case.reference)).all())
    return {name: references[case_id] for name, case_id in made.items()}


def _listed(client, query: str = "", headers=None) -> tuple[set[str], str, str]:
    """(references listed, the count line, the whole response) for /cases/?query."""
    response = client.get(f"/cases/?{query}", headers=headers or {})
    assert response.status_code == 200
    count = re.search(r'id="case-count">\s*(.*?)\s*</p>', response.text, re.S)
    assert count, response.text
    references = set(re.findall(r">([A-Z0-9]+-\d{4}-\d{4})</a>", response.text))
    return references, count.group(1).strip(), response.text


def _names(cases: dict[str, str], *names: str) -> set[str]:
    return {cases[name] for name in names}


@pytest.fixture
def mo():
    """The Monitoring Officer of Ashby, signed in on Wednesday 11 March 2026."""

    def sign_in(app):
        client = app.test_client()
        assert login(client, MO).status_code == 302
        return client

    return sign_in


FILTERS = [
    ("", ("overdue", "today", "friday", "next-week", "notified", "paused", "local", "withdrawn")),
    ("procedure=local-resolution", ("local",)),
    (
        "procedure=conduct-complaint",
        ("overdue", "today", "friday", "next-week", "notified", "paused", "withdrawn"),
    ),
    ("stage=conduct-complaint:notify-subject", ("notified",)),
    (
        "stage=conduct-complaint:received",
        ("overdue", "today", "friday", "next-week", "paused"),
    ),
    # The same stage key in another procedure is another stage.
    ("stage=local-resolution:received", ("local",)),
    ("stage=closed", ("withdrawn",)),
    ("stage=open", ("overdue", "today", "friday", "next-week", "notified", "paused", "local")),
    # Paused cases are not overdue: their deadlines are on hold.
    ("deadline=overdue", ("overdue",)),
    ("deadline=due-this-week", ("today", "friday")),
    ("q=weekly", ("today", "friday")),
    ("q=weekly&deadline=due-this-week", ("today", "friday")),
    ("q=fred&deadline=due-this-week", ("friday",)),
    ("q=overton&deadline=due-this-week", ()),
    ("deadline=overdue&procedure=local-resolution", ()),
    ("deadline=overdue&stage=conduct-complaint:received&q=olive", ("overdue",)),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS, ids=[q or "all" for q, _e in FILTERS])
def test_filters_as_plain_links_and_as_htmx_fragments(
    app, cases, mo, query: str, expected: tuple[str, ...]
):
    with time_machine.travel(WEDNESDAY, tick=False):
        client = mo(app)
        listed, count, html = _listed(client, query)
        assert listed == _names(cases, *expected)
        assert count == (f"{len(expected)} case" + ("" if len(expected) == 1 else "s"))
        assert "<form" in html and 'id="case-results"' in html
        if not expected:
            assert "No cases match." in html

        fragment_listed, fragment_count, fragment = _listed(client, query, HTMX)
        assert (fragment_listed, fragment_count) == (listed, count)
        assert fragment.lstrip().startswith('<div id="case-results"')
        assert "<form" not in fragment and "<html" not in fragment


def test_the_page_keeps_the_chosen_filters_selected(app, cases, mo):
    with time_machine.travel(WEDNESDAY, tick=False):
        _listed_refs, _count, html = _listed(
            mo(app), "procedure=conduct-complaint&stage=conduct-complaint:received&deadline=overdue"
        )
    for name, value in (
        ("procedure", "conduct-complaint"),
        ("stage", "conduct-complaint:received"),
        ("deadline", "overdue"),
    ):
        select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
        chosen = re.findall(r'<option[^>]*value="([^"]*)"[^>]*selected', select_html)
        chosen += re.findall(r'<option[^>]*selected[^>]*value="([^"]*)"', select_html)
        assert chosen == [value], (name, select_html)
    # Closed stages are not offered (use "Closed cases"); Welsh protocol stages are.
    assert 'value="conduct-complaint:withdrawn"' not in html
    assert 'value="local-resolution:stage-1"' in html


def test_overdue_cases_are_marked_in_the_list(app, cases, mo):
    with time_machine.travel(WEDNESDAY, tick=False):
        _refs, _count, html = _listed(mo(app), "deadline=overdue")
    row = re.search(rf"{cases['overdue']}</a>.*?</tr>", html, re.S).group(0)
    assert '<time datetime="2026-03-09" data-deadline="acknowledge">' in row
    assert "Overdue" in row
    _refs, _count, paused_html = _listed_with_paused(app, mo)
    paused_row = re.search(rf"{cases['paused']}</a>.*?</tr>", paused_html, re.S).group(0)
    assert "Paused" in paused_row and "Overdue" not in paused_row


def _listed_with_paused(app, mo):
    with time_machine.travel(WEDNESDAY, tick=False):
        return _listed(mo(app), "q=paused")


@pytest.mark.parametrize(
    ("now", "overdue", "this_week"),
    [
        # Monday 9 March: the Monday-2nd cases are due today, the rest later this week.
        (datetime(2026, 3, 9, 9, tzinfo=UTC), (), ("overdue", "today", "friday")),
        # Friday 13 March: the Friday case is due today; Wednesday's is overdue now.
        (datetime(2026, 3, 13, 9, tzinfo=UTC), ("overdue", "today"), ("friday",)),
        # Sunday 15 March: only what falls due today counts as this week (nothing does).
        (datetime(2026, 3, 15, 9, tzinfo=UTC), ("overdue", "today", "friday"), ()),
        # Monday 16 March: a new week; next week's case is due this week.
        (
            datetime(2026, 3, 16, 9, tzinfo=UTC),
            ("overdue", "today", "friday"),
            ("next-week",),
        ),
        # Wednesday 18 March: everything still open is overdue.
        (
            datetime(2026, 3, 18, 9, tzinfo=UTC),
            ("overdue", "today", "friday", "next-week"),
            (),
        ),
    ],
)
def test_deadline_filters_follow_the_calendar(
    app, cases, mo, now: datetime, overdue: tuple[str, ...], this_week: tuple[str, ...]
):
    with time_machine.travel(now, tick=False):
        client = mo(app)
        assert _listed(client, "deadline=overdue")[0] == _names(cases, *overdue)
        assert _listed(client, "deadline=due-this-week")[0] == _names(cases, *this_week)


def test_unknown_filter_values_are_ignored_rather_than_failing(app, cases, mo):
    with time_machine.travel(WEDNESDAY, tick=False):
        client = mo(app)
        everything = _listed(client)[0]
        assert _listed(client, "procedure=nonsense")[0] == everything
        assert _listed(client, "deadline=someday")[0] == everything
        assert _listed(client, "stage=no-such-stage")[0] == set()
