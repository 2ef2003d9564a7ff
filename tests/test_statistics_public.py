"""Public statistics of a council and of the host: small counts suppressed, no one named."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
import time_machine
from sqlalchemy import select

from conduct.models import Case
from core.db import db
from tenants import services
from tenants.models import Council
from tests.conftest import make_council
from tests.statistics_data import (
    CC,
    COMPLAINANT,
    DETAILS,
    LR,
    NOW,
    SPECS,
    SUBJECT,
    expected_figures,
    figures_in_csv,
    figures_on,
    insert,
    setup_councils,
)

FEWER = "fewer than 3"


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


def public(expected: dict, *, hidden: str = FEWER, withheld: str = "not published") -> dict:
    """The staff figures as the public sees them: 1 and 2 suppressed, small medians withheld."""
    shown: dict = {}
    for figure, rows in expected.items():
        shown[figure] = {}
        for row, cells in rows.items():
            shown[figure][row] = {k: hidden if v in ("1", "2") else v for k, v in cells.items()}
            if figure == "time-to-close" and int(cells["closed"]) < 3:
                shown[figure][row]["median-days"] = withheld
    return shown


def _of(council: str) -> list:
    return [s for s in SPECS if s.council == council]


def test_a_councils_page_shows_its_figures_with_counts_of_1_and_2_suppressed(client, councils):
    response = client.get("/ashby/standards/statistics")
    assert response.status_code == 200
    shown = figures_on(response.text)
    assert shown == public(expected_figures(_of("ashby")))
    # Spot checks: 2 breaches and 1 no-breach are both "fewer than 3"; 0 is published.
    assert shown[f"decisions:{CC}"] == {
        "breach": {"cases": FEWER},
        "no-breach": {"cases": FEWER},
    }
    assert shown[f"outcomes:{CC}"]["terminated"] == {"cases": "0"}
    assert shown["stage-one:types"]["respect"] == {"resolved": FEWER}
    assert "Cases received from 21 March 2025 to 20 March 2026." in response.text


def test_the_hosts_page_shows_every_councils_figures_suppressed(client, councils):
    response = client.get("/standards/statistics")
    assert response.status_code == 200
    shown = figures_on(response.text)
    assert shown == public(expected_figures(SPECS))
    assert set(shown["by-council"]) == {"ashby", "brockton", "cwm-aur"}
    assert shown["stage-one:types"]["respect"] == {"resolved": "3"}
    assert shown["sanctions:conduct-complaint"]["reprimand"] == {"hearings": FEWER}


def test_a_councils_page_never_counts_another_councils_cases(client, councils):
    shown = figures_on(client.get("/brockton/standards/statistics").text)
    assert shown == public(expected_figures(_of("brockton")))
    assert set(shown["by-procedure"]) == {CC, "all"}
    assert not any(key.startswith(("stage-one", f"stages:{LR}")) for key in shown)


@pytest.mark.parametrize(
    ("url", "filename"),
    [
        ("/ashby/standards/statistics", "ashby-statistics-2025-03-21-to-2026-03-20.csv"),
        ("/standards/statistics", "statistics-2025-03-21-to-2026-03-20.csv"),
    ],
)
def test_the_public_csv_has_the_pages_figures_with_small_counts_as_less_than_3(
    client, councils, url, filename
):
    page = figures_on(client.get(url).text)
    response = client.get(url + ".csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["Cache-Control"] == "no-store"
    in_csv = figures_in_csv(response.text)
    assert in_csv == public(
        expected_figures(_of("ashby") if "ashby" in url else SPECS), hidden="<3", withheld=""
    )
    assert in_csv.keys() == page.keys()
    assert re.search(r",[12]\r?$", response.text, re.M) is None


def test_public_pages_and_files_hold_no_reference_name_or_free_text(app, client, councils):
    with app.app_context():
        references = list(db.session.scalars(select(Case.reference)))
    assert len(references) == len(SPECS)
    never = [
        *references,
        *COMPLAINANT,
        *SUBJECT,
        DETAILS,
        "zebedee@example.com",
        "Council Chamber",  # a hearing's venue
    ]
    urls = ["/standards/statistics", *(f"/{slug}/standards/statistics" for slug in councils)]
    for url in urls:
        for suffix in ("", ".csv", "?lang=cy"):
            text = client.get(url + suffix).text
            for item in never:
                assert item not in text, (url + suffix, item)
            # Reference-shaped text of any kind, e.g. ASH-2026-0001.
            assert not re.search(r"\b[A-Z0-9]{1,8}-\d{4}-\d{4}\b", text), url + suffix


def test_suppressed_counts_have_no_bar_and_the_chart_has_a_note(client, councils):
    page = client.get("/ashby/standards/statistics").text
    rest = page.split('data-figure="decisions:conduct-complaint"', 1)[1]
    # The figure ends where the next one starts, or with its section (its table
    # sits in a scrolling box of its own, so the first </div> is not the end).
    figure = re.split(r'<div class="app-figure"|</section>', rest, maxsplit=1)[0]
    chart = figure.split("</svg>", 1)[0]
    assert "<rect" not in chart  # breach 2, no-breach 1: both suppressed
    assert chart.count(">&lt;3</text>") == 2
    assert "counts of 1 or 2 are shown as “fewer than 3” and have no bar" in figure
    by_procedure = page.split('data-figure="by-procedure"', 1)[1].split("</svg>", 1)[0]
    # Conduct complaints (8), local resolution (6), member/officer protocol (2: no bar), all.
    assert by_procedure.count("<rect") == 3


def test_public_pages_have_no_filter_so_no_one_can_narrow_the_period_to_one_case(client, councils):
    everything = figures_on(client.get("/standards/statistics").text)
    narrowed = client.get(
        "/standards/statistics?received_from=2&received_from=3&received_from=2026&council=ashby"
    )
    assert figures_on(narrowed.text) == everything
    # (The language switch in the header keeps the address as it was asked for.)
    main = narrowed.text.split("<main")[1]
    assert "received_from" not in main and "<form" not in main


def test_public_pages_use_the_council_layout_or_the_hosts(client, councils):
    council = client.get("/cwm-aur/standards/statistics").text
    assert 'class="app-header__name">Cwm Aur Council</a>' in council
    assert 'href="/cwm-aur/"' in council
    host = client.get("/standards/statistics").text
    assert "Complaints statistics for every council" in host
    assert 'href="/"' in host


def test_an_unknown_council_gets_404(client, councils):
    assert client.get("/nowhere/standards/statistics").status_code == 404
    assert client.get("/nowhere/standards/statistics.csv").status_code == 404


def test_standards_cannot_be_taken_as_a_council_address(app):
    with app.app_context(), pytest.raises(services.ValidationError):
        services.check_slug("standards")


def test_public_pages_run_the_same_number_of_queries_with_more_cases_and_councils(
    app, client, councils, count_queries
):
    urls = (
        "/standards/statistics",
        "/standards/statistics.csv",
        "/ashby/standards/statistics",
        "/ashby/standards/statistics.csv",
    )
    for url in urls:
        client.get(url)  # warm up: templates
    with count_queries() as small:
        for url in urls:
            assert client.get(url).status_code == 200
    with app.app_context():
        made = {c.slug: c for c in db.session.scalars(select(Council))}
        for slug in ("dunmore", "eastfield", "fairley"):
            made[slug] = make_council(slug, procedures=(CC, LR))
            insert([replace(s, council=slug) for s in SPECS] * 2, made, 100 * len(made))
        insert(list(SPECS) * 3, made, 1000)
        db.session.commit()
    with count_queries() as large:
        pages = [client.get(url) for url in urls]
    assert figures_on(pages[0].text)["by-procedure"]["all"]["received"] == str(21 * 10)
    assert len(figures_on(pages[0].text)["by-council"]) == 6
    assert large.count == small.count, (small.statements, large.statements)


def test_every_chart_colour_stands_out_from_the_page():
    from conduct.statistics.charts import PALETTE
    from core.branding import contrast_with_white

    assert all(contrast_with_white(colour) >= 3 for colour in PALETTE)
