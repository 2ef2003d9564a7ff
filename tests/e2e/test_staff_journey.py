"""A Monitoring Officer's journey in a real browser, with htmx doing its part.

Sign in with a password and a TOTP code, filter the case list (htmx swaps the
results and the count is announced), open a case, take actions (a form loaded
into the page, then a button) and see the timeline update without a page load.
axe runs on every page and after every swap.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from core.db import db
from tests.conftest import (
    PASSWORD,
    TOTP_SECRET,
    make_council,
    make_user,
    submit_complaint,
    totp_code,
)
from tests.e2e.audit import assert_accessible, check_page, focused

MO = "mo@example.org"
NOTE = "Spoke to the complainant by phone; they are happy to wait."


@pytest.fixture
def cases(app, live_server) -> None:
    """Two complaints made through the public form, about different councillors."""
    with app.app_context():
        council = make_council(
            "ashby",
            name="Ashby Marsh Town Council",
            brand_colour="#00703c",
            procedures=("conduct-complaint",),
        )
        make_user(MO, (council, "monitoring-officer"))
        db.session.commit()
    submit_complaint(app.test_client(), "ashby")
    submit_complaint(
        app.test_client(),
        "ashby",
        {"members-0-first_name": "Sam", "members-0-last_name": "Hill", "email": "pat@example.com"},
    )


def mark_page(page: Page) -> None:
    """A flag in the page's JavaScript: still there after a swap, gone after a page load."""
    page.evaluate("window.appNoReload = true")


def not_reloaded(page: Page) -> bool:
    return page.evaluate("window.appNoReload === true")


def test_staff_journey(app, cases, live_server, page):
    page.goto(live_server("/login"))
    check_page(page, "staff-sign-in")
    page.locator("#email").fill(MO)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()

    expect(page).to_have_url(live_server("/login/code"))
    check_page(page, "staff-code")
    page.locator("#code").fill(totp_code(app, MO, TOTP_SECRET))
    page.locator("#submit").click()

    expect(page).to_have_url(live_server("/cases/"))
    count = page.locator("#case-count")
    expect(count).to_contain_text("2 cases")
    check_page(page, "staff-case-list")

    # Filtering: htmx swaps the results as the person types, keeps the focus in
    # the search box, and a live region says how many cases match.
    mark_page(page)
    page.locator("#q").fill("Hill")
    expect(count).to_contain_text("1 case")
    # The filtered list has its own address (back, reload and sharing work).
    expect(page).to_have_url(re.compile(r"/cases/\?q=Hill"))
    assert not_reloaded(page)
    assert focused(page, "#q")
    expect(page.locator("#app-live-region")).to_have_text(count.inner_text().strip())
    rows = page.locator("#case-results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sam Hill")
    assert_accessible(page, "case list, filtered")

    rows.first.locator("a").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    check_page(page, "staff-case")
    timeline = page.locator("#timeline > li")
    events_before = timeline.count()

    # An action with inputs: its form is loaded into the page and its heading
    # (an h2 there, under "What you can do now") takes the focus.
    mark_page(page)
    page.locator("#actions a[data-action=add-note]").click()
    form = page.locator("#action-panel #action-form")
    expect(form.locator("h2")).to_be_focused()
    assert_accessible(page, "case page, note form loaded")
    form.locator("textarea").fill(NOTE)
    form.locator("#submit").click()

    # The casework section is swapped: a success banner takes the focus and the
    # timeline has the note at the top; no page was loaded.
    banner = page.locator("#casework .govuk-notification-banner--success")
    expect(banner).to_be_focused()
    expect(timeline).to_have_count(events_before + 1)
    expect(timeline.first).to_have_attribute("data-action", "add-note")
    expect(timeline.first).to_contain_text(NOTE)
    assert not_reloaded(page)
    assert_accessible(page, "case page, after adding a note")

    # An action without inputs: one button, and the stage moves on.
    page.locator("#actions button[data-action=proceed]").click()
    expect(page.locator("#current-stage")).to_have_attribute("data-stage", "notify-subject")
    expect(timeline).to_have_count(events_before + 2)
    expect(timeline.first).to_have_attribute("data-action", "proceed")
    expect(banner).to_be_focused()
    assert not_reloaded(page)
    check_page(page, "staff-case-after-action")


def test_a_long_timeline_shows_its_latest_entries_and_swaps_in_the_rest(
    app, cases, live_server, page
):
    """The case page lists the latest 20 entries; the link loads them all in place (htmx),
    and the focus goes to the list, as the link it was on is gone."""
    from sqlalchemy import select

    from conduct import engine
    from conduct.models import Case

    with app.app_context():
        case = db.session.scalar(select(Case).order_by(Case.id))
        for n in range(1, 25):
            engine.system_event(case, None, f"Entry {n}")
        db.session.commit()
        case_id, total = case.id, len(case.events)
    page.goto(live_server("/login"))
    page.locator("#email").fill(MO)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    page.locator("#code").fill(totp_code(app, MO, TOTP_SECRET))
    page.locator("#submit").click()
    expect(page).to_have_url(live_server("/cases/"))

    page.goto(live_server(f"/cases/{case_id}"))
    timeline = page.locator("#timeline > li")
    expect(timeline).to_have_count(20)
    expect(timeline.first).to_contain_text("Entry 24")
    mark_page(page)
    page.get_by_role("link", name=f"Show all {total} entries").click()
    expect(timeline).to_have_count(total)
    expect(page.locator("#timeline")).to_be_focused()
    expect(page.locator("#timeline-all")).to_have_count(0)
    assert not_reloaded(page)
    assert_accessible(page, "case page, whole timeline swapped in")

    # Without the swap, the link's own page.
    page.goto(live_server(f"/cases/{case_id}/timeline"))
    expect(timeline).to_have_count(total)
    check_page(page, "staff-case-timeline", main=False)
