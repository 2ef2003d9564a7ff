"""The staff statistics page and its CSV: the figures of the cases each officer may read."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from urllib.parse import urlencode

import pytest
import time_machine
from sqlalchemy import select

from core.db import db
from tenants.models import Council, RoleGrant, User
from tests.conftest import login, make_council
from tests.statistics_data import (
    ADMIN,
    CC,
    CLERK_A,
    DISTRICT_MO,
    LR,
    MO_B,
    NOW,
    SPECS,
    expected_figures,
    figures_in_csv,
    figures_on,
    insert,
    setup_councils,
    within,
)

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _friday_20_march_2026():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def councils(app) -> dict[str, int]:
    with app.app_context():
        made = setup_councils()
        insert(SPECS, made)
        db.session.commit()
        return {slug: c.id for slug, c in made.items()}


def _page(client, **query) -> str:
    response = client.get("/cases/statistics?" + urlencode(query, doseq=True))
    assert response.status_code == 200, response.text[:2000]
    return response.text


def _dates(name: str, day: date) -> dict[str, list[str]]:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def test_the_page_shows_exactly_the_figures_of_the_cases_received_in_the_last_12_months(
    client, councils
):
    login(client, DISTRICT_MO)
    page = _page(client)
    assert "Cases received from 21 March 2025 to 20 March 2026." in page
    assert figures_on(page) == expected_figures(SPECS)
    # Spot checks, for a reader of this test.
    shown = figures_on(page)
    assert shown["sanctions:conduct-complaint"]["reprimand"] == {"hearings": "2"}
    assert shown["deadlines:conduct-complaint"]["acknowledge"] == {
        "met": "3",
        "late": "2",
        "overdue": "1",
        "missed": "3",
    }
    assert shown["stage-one:councils"]["cwm-aur"]["total"] == "2"


def test_the_csv_has_the_same_figures_as_the_page(client, councils):
    login(client, DISTRICT_MO)
    page = _page(client)
    response = client.get("/cases/statistics.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="statistics-2025-03-21-to-2026-03-20.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert figures_in_csv(response.text) == figures_on(page) == expected_figures(SPECS)


def test_another_councils_monitoring_officer_sees_none_of_ashbys_cases(client, councils):
    login(client, MO_B)
    page = _page(client)
    brockton = [s for s in SPECS if s.council == "brockton"]
    assert figures_on(page) == expected_figures(brockton)
    assert figures_on(page)["by-procedure"]["all"]["received"] == "2"
    assert "Ashby" not in page and "Cwm" not in page
    csv = client.get("/cases/statistics.csv").text
    assert figures_in_csv(csv) == expected_figures(brockton)
    # Asking for Ashby by name is a filter error, not Ashby's figures.
    refused = client.get("/cases/statistics?council=ashby")
    assert refused.status_code == 400
    assert "Choose a council from the list" in refused.text
    assert "data-figure" not in refused.text


def test_a_clerk_sees_figures_only_of_the_cases_a_clerk_may_read(client, councils):
    login(client, CLERK_A)
    shown = figures_on(_page(client))
    readable = [
        s for s in SPECS if s.council == "ashby" and s.procedure == "member-officer-protocol"
    ]
    assert shown == expected_figures(readable)
    assert set(shown["by-procedure"]) == {"member-officer-protocol", "all"}


def test_the_period_filter_counts_cases_received_between_the_two_dates(client, councils):
    login(client, DISTRICT_MO)
    start, end = date(2026, 1, 12), date(2026, 2, 20)
    page = _page(client, **_dates("received_from", start), **_dates("received_to", end))
    assert "Cases received from 12 January 2026 to 20 February 2026." in page
    shown = figures_on(page)
    cases = within(SPECS, start, end)
    assert shown["by-procedure"]["all"]["received"] == str(len(cases)) == "7"
    expected = expected_figures([s for s in SPECS if s.received <= end], start)
    expected.pop("stage-one:months")  # its months run to today, not to the period's end
    shown.pop("stage-one:months")
    assert shown == expected


def test_the_council_filter_counts_one_councils_cases(client, councils):
    login(client, DISTRICT_MO)
    page = _page(client, council="cwm-aur")
    assert figures_on(page) == expected_figures([s for s in SPECS if s.council == "cwm-aur"])
    assert 'data-figure="by-council"' not in page
    response = client.get("/cases/statistics.csv?council=cwm-aur")
    assert (
        'filename="statistics-cwm-aur-2025-03-21-to-2026-03-20.csv"'
        in (response.headers["Content-Disposition"])
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"received_from": ["1", "", "2026"]}, "The start date must include a day, month and year"),
        ({"received_from": ["31", "2", "2026"]}, "The start date must be a real date"),
        ({"received_to": ["x", "3", "2026"]}, "The end date must be a real date"),
        ({"received_to": ["1", "3", "26"]}, "The end date must be a real date"),
        ({"received_to": ["1", "13", "2026"]}, "The end date must be a real date"),
        ({"received_from": "2026-01-01"}, "The start date must include a day, month and year"),
        (
            {"received_from": ["2", "3", "2026"], "received_to": ["1", "3", "2026"]},
            "The end date must be the same as or after the start date",
        ),
        ({"council": "nowhere"}, "Choose a council from the list"),
    ],
)
def test_bad_filter_input_gets_a_message_at_the_field_not_an_error_page(
    client, councils, query, message
):
    login(client, DISTRICT_MO)
    response = client.get("/cases/statistics?" + urlencode(query, doseq=True))
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert response.text.count(message) == 2  # in the summary and at the field
    assert "govuk-form-group--error" in response.text
    assert "data-figure" not in response.text
    # What was typed is shown again.
    for value in query.values():
        for part in [value] if isinstance(value, str) else value:
            if part and query.get("council") != part:
                assert f'value="{part}"' in response.text
    # The summary links to the first box of a date.
    assert re.search(r'href="#(received_from-day|received_to-day|council)"', response.text)
    # With htmx the same errors replace the filter (htmx would not swap a 400).
    swapped = client.get("/cases/statistics?" + urlencode(query, doseq=True), headers=HTMX)
    assert swapped.status_code == 200
    assert message in swapped.text and "<html" not in swapped.text


def test_a_csv_asked_with_a_bad_filter_sends_back_to_the_page_with_the_error(client, councils):
    login(client, DISTRICT_MO)
    response = client.get("/cases/statistics.csv?received_from=1&received_from=&received_from=x")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/cases/statistics?received_from=1")


def test_htmx_gets_the_filter_and_results_block_only(client, councils):
    login(client, DISTRICT_MO)
    response = client.get("/cases/statistics?council=brockton", headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text and "<h1" not in response.text
    # The block goes inside the page's #statistics, which the form targets.
    assert 'id="statistics"' not in response.text
    assert 'hx-target="#statistics"' in response.text
    assert "data-focus-after-swap" in response.text
    assert "HX-Request" in response.headers["Vary"]
    assert figures_on(response.text)["by-procedure"]["all"]["received"] == "2"
    # Without JavaScript the same URL is a whole page that works as a plain form.
    page = client.get("/cases/statistics?council=brockton").text
    assert '<form method="get" action="/cases/statistics"' in page
    assert 'hx-get="/cases/statistics"' in page


def test_each_figure_is_an_accessible_svg_chart_next_to_a_data_table(client, councils):
    login(client, DISTRICT_MO)
    page = _page(client)
    assert "<script" not in page.split('id="statistics"', 1)[1]
    blocks = re.findall(r'<div class="app-figure" id="([^"]+)".*?</table>', page, re.S)
    assert len(blocks) == len(expected_figures(SPECS))
    for figure_id in blocks:
        block = page.split(f'id="{figure_id}"', 1)[1].split("</table>", 1)[0]
        assert f'role="img" aria-labelledby="{figure_id}-title {figure_id}-desc"' in block
        assert (
            f'<title id="{figure_id}-title">' in block and f'<desc id="{figure_id}-desc">' in block
        )
        assert '<caption class="govuk-table__caption' in block
        assert '<th scope="col"' in block and '<th scope="row"' in block
    by_procedure = page.split('id="figure-by-procedure"', 1)[1].split("</svg>", 1)[0]
    assert by_procedure.count("<rect") == 5  # four procedures and the total


def test_the_statistics_link_is_in_the_navigation_of_staff_who_read_cases(client, councils):
    login(client, MO_B)
    assert 'href="/cases/statistics"' in client.get("/cases/").text
    client.post("/logout", data={})
    admin = client.application.test_client()
    login(admin, ADMIN)
    assert 'href="/cases/statistics"' not in admin.get("/admin/councils").text
    page = admin.get("/cases/statistics")
    assert page.status_code == 200
    assert "no statistics to show" in page.text and "data-figure" not in page.text
    assert admin.get("/cases/statistics.csv").status_code == 403


def test_signing_in_is_needed(client, councils):
    for url in ("/cases/statistics", "/cases/statistics.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_the_page_runs_the_same_number_of_queries_with_more_cases_and_councils(
    app, client, councils, count_queries
):
    login(client, DISTRICT_MO)
    client.get("/cases/statistics")  # warm up: templates, the session's user
    with count_queries() as small:
        assert client.get("/cases/statistics").status_code == 200
        assert client.get("/cases/statistics.csv").status_code == 200
    with app.app_context():
        made = {c.slug: c for c in db.session.scalars(select(Council))}
        made["dunmore"] = make_council("dunmore", procedures=(CC, LR))
        officer = db.session.scalar(select(User).where(User.email == DISTRICT_MO))
        officer.roles.append(RoleGrant(council_id=made["dunmore"].id, role="monitoring-officer"))
        insert([replace(s, council="dunmore") for s in SPECS] * 3 + list(SPECS) * 3, made, 100)
        db.session.commit()
    with count_queries() as large:
        page = client.get("/cases/statistics")
        assert client.get("/cases/statistics.csv").status_code == 200
    assert figures_on(page.text)["by-procedure"]["all"]["received"] == str(21 * 7)
    assert "dunmore" in figures_on(page.text)["by-council"]
    assert large.count == small.count, (small.statements, large.statements)
