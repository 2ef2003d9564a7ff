"""The staff case list: search, filter, sort and paging, as htmx fragments and plain links."""

from __future__ import annotations

import re
from datetime import date

import pytest

from conduct.models import CaseDeadline
from core.db import db
from tenants.models import Council
from tests.conftest import login, make_user
from tests.factories import make_case, make_cases


def _references(html: str) -> list[str]:
    return re.findall(r">([A-Z0-9]+-\d{4}-\d{4})</a>", html)


@pytest.fixture
def district_mo(app, two_councils):
    """A Monitoring Officer serving both councils."""
    with app.app_context():
        a = db.session.get(Council, two_councils.a_id)
        b = db.session.get(Council, two_councils.b_id)
        make_user("district.mo@example.org", (a, "monitoring-officer"), (b, "monitoring-officer"))
        db.session.commit()
    return "district.mo@example.org"


def _seed(app, two_councils, a_count: int, b_count: int = 0) -> None:
    with app.app_context():
        make_cases(db.session.get(Council, two_councils.a_id), a_count)
        if b_count:
            make_cases(db.session.get(Council, two_councils.b_id), b_count)
        db.session.commit()


def test_case_list_runs_the_same_number_of_queries_for_10_and_1000_cases(
    app, client, two_councils, district_mo, count_queries
):
    login(client, district_mo)
    _seed(app, two_councils, 5, 5)
    client.get("/cases/")  # warm up: templates, the session's user
    with count_queries() as small:
        assert client.get("/cases/").status_code == 200
    with app.app_context():
        make_cases(db.session.get(Council, two_councils.a_id), 990, start=6)
        db.session.commit()
    with count_queries() as large:
        page = client.get("/cases/")
    assert page.status_code == 200
    assert "1,000 cases" in page.text
    assert len(_references(page.text)) == 25
    assert large.count == small.count, (small.statements, large.statements)


def test_beyond_a_thousand_cases_the_list_says_more_and_pages_on(
    app, client, two_councils, district_mo
):
    """Counting stops after 1,000 (caselist.COUNT_CAP); the pages still reach every case."""
    with app.app_context():
        make_cases(db.session.get(Council, two_councils.a_id), 1001)
        db.session.commit()
    login(client, district_mo)
    first = client.get("/cases/?sort=reference").text
    assert "More than 1,000 cases, page 1" in first
    assert len(_references(first)) == 25
    assert 'rel="next"' in first and 'rel="prev"' not in first
    # The last page is counted exactly, since counting goes as far as the page asked for.
    last = client.get("/cases/?sort=reference&page=41").text
    assert "1,001 cases, page 41 of 41" in last
    assert len(_references(last)) == 1 and 'rel="next"' not in last
    # Past the end, the last page (as before).
    assert "page 41 of 41" in client.get("/cases/?sort=reference&page=9999").text


def test_list_shows_cases_of_every_council_the_officer_serves_and_filters_by_council(
    app, client, two_councils, district_mo
):
    _seed(app, two_councils, 2, 3)
    login(client, district_mo)
    everything = _references(client.get("/cases/").text)
    assert len(everything) == 5
    only_b = _references(client.get("/cases/?council=brockton").text)
    assert len(only_b) == 3 and all(r.startswith("BROC") for r in only_b)


def test_search_finds_by_reference_and_by_member_name(app, client, two_councils):
    with app.app_context():
        a = db.session.get(Council, two_councils.a_id)
        make_case(a, 1, subject=("Robin", "Gale"))
        make_case(a, 2, subject=("Jo", "Mills"))
        db.session.commit()
        code = a.code
    login(client, "mo.a@example.org")
    assert _references(client.get("/cases/?q=mills").text) == [f"{code}-2026-0002"]
    assert _references(client.get(f"/cases/?q={code}-2026-0001").text) == [f"{code}-2026-0001"]
    assert _references(client.get("/cases/?q=robin gale").text) == [f"{code}-2026-0001"]


def test_sorting_orders_by_received_date_or_reference(app, client, two_councils):
    from datetime import date

    with app.app_context():
        a = db.session.get(Council, two_councils.a_id)
        make_case(a, 1, received=date(2026, 5, 1))
        make_case(a, 2, received=date(2026, 1, 1))
        make_case(a, 3, received=date(2026, 3, 1))
        db.session.commit()
    login(client, "mo.a@example.org")
    newest = [r[-1] for r in _references(client.get("/cases/?sort=newest").text)]
    oldest = [r[-1] for r in _references(client.get("/cases/?sort=oldest").text)]
    by_reference = [r[-1] for r in _references(client.get("/cases/?sort=reference").text)]
    assert newest == ["1", "3", "2"]
    assert oldest == ["2", "3", "1"]
    assert by_reference == ["1", "2", "3"]


def test_paging_works_as_plain_links_and_keeps_the_filters(app, client, two_councils):
    _seed(app, two_councils, 30)
    login(client, "mo.a@example.org")
    first = client.get("/cases/?sort=reference").text
    assert len(_references(first)) == 25
    assert "page 1 of 2" in first
    next_link = re.search(r'href="(/cases/\?[^"]*page=2[^"]*)" rel="next"', first)
    assert next_link and "sort=reference" in next_link.group(1)
    second = client.get(next_link.group(1).replace("&amp;", "&")).text
    assert len(_references(second)) == 5
    assert 'rel="prev"' in second


def test_htmx_requests_get_only_the_results_fragment(app, client, two_councils):
    _seed(app, two_councils, 3)
    login(client, "mo.a@example.org")
    fragment = client.get("/cases/?q=Last2", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="case-results"')
    assert len(_references(fragment.text)) == 1
    assert "HX-Request" in fragment.headers["Vary"]
    # A history restore needs the whole page again.
    restore = client.get(
        "/cases/?q=Last2",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.text


def test_the_filter_form_works_without_javascript(app, client, two_councils):
    login(client, "mo.a@example.org")
    page = client.get("/cases/").text
    form = re.search(r'<form method="get" action="/cases/"[^>]*>', page)
    assert form, "the filters are a plain GET form"
    assert 'hx-get="/cases/"' in form.group(0)
    assert 'for="q"' in page and 'for="sort"' in page


def test_case_pages_are_not_cached(app, client, two_councils):
    _seed(app, two_councils, 1)
    login(client, "mo.a@example.org")
    assert client.get("/cases/").headers["Cache-Control"] == "no-store"


def test_each_row_shows_its_earliest_open_deadline_and_never_a_met_one(app, client, two_councils):
    def deadline(case, key: str, due: date, status: str = "open") -> CaseDeadline:
        return CaseDeadline(
            council_id=case.council_id,
            case=case,
            key=key,
            owner="monitoring-officer",
            unit="working_days",
            amount=5,
            start_on=date(2026, 3, 2),
            due_on=due,
            status=status,
        )

    with app.app_context():
        ashby = db.session.get(Council, two_councils.a_id)
        both, met_first, none = make_case(ashby, 1), make_case(ashby, 2), make_case(ashby, 3)
        db.session.add_all(
            [
                deadline(both, "assessment", date(2026, 3, 20)),
                deadline(both, "acknowledgement", date(2026, 3, 9)),
                deadline(met_first, "acknowledgement", date(2026, 3, 5), status="met"),
                deadline(met_first, "assessment", date(2026, 3, 25)),
            ]
        )
        db.session.commit()
        references = (both.reference, met_first.reference, none.reference)

    login(client, "mo.a@example.org")
    page = client.get("/cases/?sort=reference").text

    rows = {ref: row for row in page.split("<tr")[1:] for ref in references if ref in row}
    assert '<time datetime="2026-03-09" data-deadline="acknowledgement">' in rows[references[0]]
    assert '<time datetime="2026-03-25" data-deadline="assessment">' in rows[references[1]]
    assert "data-deadline" not in rows[references[2]]
