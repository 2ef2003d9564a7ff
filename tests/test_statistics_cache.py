"""The public statistics kept a few minutes per process, and numbers formatted without babel's cost.

Public figures are the same for every visitor, so a process keeps them for
STATISTICS_CACHE_SECONDS (off in TestConfig, on here); staff figures never are.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from babel.numbers import format_decimal as babel_decimal
from flask import Flask
from sqlalchemy import select

from conduct.statistics import figures
from conduct.statistics.cache import cache_of
from core.db import db
from core.memo import Kept
from tenants.models import Council
from tests.conftest import login
from tests.statistics_data import (
    DISTRICT_MO,
    NOW,
    SPECS,
    figures_in_csv,
    figures_on,
    insert,
    setup_councils,
)

LIFETIME = 300.0


class Clock:
    """The cache's clock, moved by hand (time_machine does not move time.monotonic)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _friday_20_march_2026() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clock(app: Flask) -> Clock:
    app.config["STATISTICS_CACHE_SECONDS"] = LIFETIME
    found = Clock()
    cache_of(app).clock = found
    return found


@pytest.fixture
def councils(app: Flask) -> dict[str, int]:
    with app.app_context():
        made = setup_councils()
        insert(SPECS, made)
        db.session.commit()
        return {slug: c.id for slug, c in made.items()}


def _add_cases(app: Flask, start: int) -> None:
    """Every case of SPECS again, in each council: every "received" count doubles."""
    with app.app_context():
        made = {c.slug: c for c in db.session.scalars(select(Council))}
        insert(list(SPECS), made, start)
        db.session.commit()


def _received(client, url: str) -> str:
    return figures_on(client.get(url).text)["by-procedure"]["all"]["received"]


def _received_in_csv(client, url: str) -> str:
    return figures_in_csv(client.get(url + ".csv").text)["by-procedure"]["all"]["received"]


@pytest.mark.parametrize("url", ["/standards/statistics", "/ashby/standards/statistics"])
def test_public_figures_come_from_the_cache_within_its_lifetime_and_are_computed_again_after(
    app, client, councils, clock, url
):
    before = _received(client, url)
    before_csv = _received_in_csv(client, url)
    assert before == before_csv
    _add_cases(app, 1000)
    clock.now += LIFETIME - 1
    assert _received(client, url) == before
    assert _received_in_csv(client, url) == before
    clock.now += 2
    after = _received(client, url)
    assert int(after) == 2 * int(before)
    assert _received_in_csv(client, url) == after


def test_the_cache_runs_no_query_for_the_figures_while_they_are_fresh(
    client, councils, clock, count_queries
):
    client.get("/standards/statistics")
    with count_queries() as fresh:
        client.get("/standards/statistics")
    clock.now += LIFETIME + 1
    with count_queries() as computed:
        client.get("/standards/statistics")
    # The five aggregates, and nothing else, are what the cache saves.
    assert computed.count - fresh.count == 5, (fresh.statements, computed.statements)


def test_each_language_and_each_set_of_councils_has_its_own_figures(client, councils, clock):
    english = client.get("/standards/statistics").text
    welsh = client.get("/standards/statistics?lang=cy").text
    assert "Cases received, by council" in english
    assert "Cases received, by council" not in welsh
    english_of = {"llai na 3": "fewer than 3", "heb ei gyhoeddi": "not published"}
    in_welsh = {
        f: {r: {m: english_of.get(v, v) for m, v in c.items()} for r, c in rows.items()}
        for f, rows in figures_on(welsh).items()
    }
    assert in_welsh == figures_on(english)
    ashby = figures_on(client.get("/ashby/standards/statistics").text)
    brockton = figures_on(client.get("/brockton/standards/statistics").text)
    assert ashby != brockton
    assert "by-council" not in ashby


def test_a_new_day_computes_the_figures_again(app, client, councils, clock, _friday_20_march_2026):
    before = client.get("/standards/statistics").text
    assert "Cases received from 21 March 2025 to 20 March 2026." in before
    _add_cases(app, 1000)
    _friday_20_march_2026.shift(timedelta(days=1))
    after = client.get("/standards/statistics").text
    assert "Cases received from 22 March 2025 to 21 March 2026." in after
    assert figures_on(after) != figures_on(before)


def test_staff_figures_are_never_kept(app, client, councils, clock):
    login(client, DISTRICT_MO)
    before = _received(client, "/cases/statistics")
    _add_cases(app, 1000)
    assert int(_received(client, "/cases/statistics")) == 2 * int(before)


def test_a_lifetime_of_0_keeps_nothing(app, client, councils):
    assert app.config["STATISTICS_CACHE_SECONDS"] == 0  # TestConfig: tests see fresh figures
    before = _received(client, "/standards/statistics")
    _add_cases(app, 1000)
    assert int(_received(client, "/standards/statistics")) == 2 * int(before)


def test_the_cache_keeps_a_bounded_number_of_entries():
    now = [0.0]
    cache = Kept(entries=2, clock=lambda: now[0])
    made: list[str] = []

    def make(name: str):
        return lambda: made.append(name) or name

    assert cache.get_or_make("a", 10, make("a")) == "a"
    assert cache.get_or_make("b", 10, make("b")) == "b"
    assert cache.get_or_make("a", 10, make("a")) == "a"  # kept, and now the latest used
    assert cache.get_or_make("c", 10, make("c")) == "c"  # drops the least recently used: "b"
    assert cache.get_or_make("a", 10, make("a")) == "a"
    assert cache.get_or_make("b", 10, make("b")) == "b"  # made again; drops "c"
    assert made == ["a", "b", "c", "b"]
    now[0] = 11
    assert cache.get_or_make("a", 10, make("a")) == "a"
    assert made == ["a", "b", "c", "b", "a"]
    assert cache.get_or_make("z", 0, make("z")) == "z"
    assert cache.get_or_make("z", 0, make("z")) == "z"
    assert made[-2:] == ["z", "z"]


# --- numbers ------------------------------------------------------------------

NUMBERS = (0, 1, 7, 42, 999, 1000, 1001, 12_345, 999_999, 1_000_000, 1_234_567, -1, -1234)


@pytest.mark.parametrize("locale", ["en", "cy", "en_GB"])
def test_whole_numbers_are_written_as_babel_writes_them(locale):
    for n in NUMBERS:
        assert figures.number_text(n, locale) == babel_decimal(n, locale=locale), n
    assert figures.number_text(1_234_567, locale) == "1,234,567"


@pytest.mark.parametrize(("locale", "expected"), [("de", "1.234.567"), ("en_IN", "12,34,567")])
def test_a_locale_that_groups_otherwise_is_left_to_babel(locale, expected):
    assert figures.number_text(1_234_567, locale) == expected
    for n in NUMBERS:
        assert figures.number_text(n, locale) == babel_decimal(n, locale=locale), n


@pytest.mark.parametrize("locale", ["en", "cy", "de"])
def test_medians_are_written_as_babel_writes_them(locale):
    for value in (0.5, 2.0, 2.5, 1234.5, 12_345.0):
        assert figures.number_text(value, locale) == babel_decimal(value, locale=locale), value
    assert figures.number_text(2.0, locale) == "2"


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_cells_show_in_the_pages_language(app, lang):
    with app.test_request_context(f"/?lang={lang}"):
        assert figures.display(figures.Cell(12_345)) == "12,345"
        assert figures.display(figures.Cell(1234.5, basis=4)) == "1,234.5"
        assert figures.display(figures.Cell(None, suppressed=True)) == (
            "fewer than 3" if lang == "en" else "llai na 3"
        )
