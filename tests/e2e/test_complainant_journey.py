"""The complainant's journey in a real browser, in English, in Welsh, and with JavaScript off.

Landing page -> "what is your concern about?" -> who to contact -> the complaint
form, sent once with mistakes and corrected from the error summary -> check your
answers -> confirmation with a reference -> the acknowledgement email arriving
at a real SMTP server. axe runs on every page on the way.
"""

from __future__ import annotations

import time
from email.message import Message

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from core.branding import readable_on_white_text
from core.db import db
from tests.conftest import Mailbox, body_of, make_council
from tests.e2e.audit import check_page, focused, tab_to, type_into

SLUG = "ashby"
# A light brand colour: white header text on it would read at 2.1:1, so the app
# must darken it (axe's colour-contrast rule checks the result).
BRAND = "#f499be"

ANSWERS = {
    "title": "Ms",
    "first_name": "Alex",
    "last_name": "Jones",
    "address": "1 High Street\nAshby Marsh",
    "phone": "01632 960123",
    "email": "alex@example.com",
    "members-0-first_name": "Robin",
    "members-0-last_name": "Gale",
    "details": "The councillor shouted at me during the public session.",
    "incident_dates": "3 March 2026",
    "outcome_sought": "An apology",
}
# Left out the first time, so the form comes back with their errors.
FORGOTTEN = ("last_name", "outcome_sought")


@pytest.fixture
def council(app) -> None:
    with app.app_context():
        make_council(
            SLUG,
            name="Ashby Marsh Town Council",
            name_cy="Cyngor Tref Ashby Marsh",
            brand_colour=BRAND,
            procedures=("conduct-complaint", "member-officer-protocol"),
        )
        db.session.commit()


def wait_for_mail(app, mailbox: Mailbox, to: str, seconds: float = 10) -> Message:
    """Mail is delivered after the response has gone: wait for it to reach the server."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = mailbox.to(to)
        if found:
            return found[0]
        time.sleep(0.1)
    with app.app_context():
        # The outbox as it stands says why: still queued, or failed with the SMTP error.
        outbox = db.session.execute(
            text("SELECT recipient, status, attempts, last_error FROM outbox_messages")
        ).all()
    raise AssertionError(
        f"no email to {to} within {seconds}s; the SMTP server received "
        f"{[m['To'] for m in mailbox.messages]}; outbox: {outbox}"
    )


def expect_language(page: Page, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)


def assert_error_summary_links_to_fields(page: Page, expected: tuple[str, ...]) -> None:
    """Each link of the error summary points at a control on the page, in the page's order."""
    links = page.locator(".govuk-error-summary__list a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == [f"#{name}" for name in expected], hrefs
    for href in hrefs:
        target = page.locator(href)
        expect(target).to_have_count(1)
        assert target.evaluate("el => el.matches('input, textarea, select')"), href
        # The message at the field itself, announced with it.
        described = target.get_attribute("aria-describedby") or ""
        assert f"{href[1:]}-error" in described.split(), (href, described)


@pytest.mark.parametrize("variant", ["english", "welsh", "no-javascript"])
def test_complainant_journey(variant, app, council, live_server, new_page):
    lang = "cy" if variant == "welsh" else "en"
    js = variant != "no-javascript"
    page = new_page(java_script_enabled=js)
    # axe cannot run in a page without JavaScript: it audits the same HTML in a twin.
    twin = None if js else new_page()
    prefix = {"english": "", "welsh": "cy-", "no-javascript": "nojs-"}[variant]

    def check(name: str) -> None:
        expect_language(page, lang)
        # No-JavaScript screenshots would repeat the English ones.
        check_page(page, prefix + name, twin=twin, main=js)

    page.goto(live_server(f"/{SLUG}/" + ("?lang=cy" if lang == "cy" else "")))
    check("landing")
    # The header wears the council's colour, darkened for its white text (axe measured it).
    shade = readable_on_white_text(BRAND)
    assert shade != BRAND
    rgb = "rgb({}, {}, {})".format(*(int(shade[i : i + 2], 16) for i in (1, 3, 5)))
    expect(page.locator(".app-header--council")).to_have_css("background-color", rgb)
    # Language is remembered: every following page is in the same language.
    switch = page.locator(".app-header__nav a")
    expect(switch).to_have_attribute("lang", "en" if lang == "cy" else "cy")

    page.locator("input[name=concern][value=councillor]").check()
    page.locator("#submit").click()
    expect(page).to_have_url(live_server(f"/{SLUG}/help?concern=councillor"))
    check("who-to-contact")

    page.locator("a.govuk-button--start").click()
    expect(page).to_have_url(live_server(f"/{SLUG}/complaints/new"))
    check("complaint-form")
    form_title = page.title()

    for name, value in ANSWERS.items():
        if name not in FORGOTTEN:
            page.locator(f"[name='{name}']").fill(value)
    page.locator("input[name=preferred_contact][value=email]").check()
    page.locator("input[name=confidentiality][value=no]").check()
    page.locator("input[name=declaration]").check()
    page.locator("#submit").click()

    # The same form, with an error summary linked to the fields and every answer kept.
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    # The title starts by saying there is an error ("Error: " in English).
    assert page.title() != form_title and page.title().endswith(form_title), page.title()
    assert_error_summary_links_to_fields(page, FORGOTTEN)
    expect(page.locator("[name=first_name]")).to_have_value(ANSWERS["first_name"])
    expect(page.locator("[name=details]")).to_have_value(ANSWERS["details"])
    if js:
        # GOV.UK Frontend moves the focus to the summary, so it is read out first,
        expect(page.locator(".govuk-error-summary")).to_be_focused()
        # and each of its links to the field it names.
        page.locator(".govuk-error-summary__list a").first.click()
        expect(page.locator("#last_name")).to_be_focused()
    check("complaint-form-errors")

    for name in FORGOTTEN:
        page.locator(f"[name='{name}']").fill(ANSWERS[name])
    page.locator("#submit").click()
    expect(page).to_have_url(live_server(f"/{SLUG}/complaints/check"))
    for name in ("first_name", "last_name", "details", "outcome_sought"):
        expect(page.locator("main")).to_contain_text(ANSWERS[name])
    check("check-answers")

    page.locator("#submit").click()
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel).to_be_visible()
    reference = panel.locator("strong").inner_text().strip()
    assert reference.startswith("ASHB-"), reference
    check("confirmation")

    message = wait_for_mail(app, live_server.mailbox, ANSWERS["email"])
    assert reference in message["Subject"]
    assert reference in body_of(message)


def press_and_wait(page: Page, key: str) -> None:
    """Press a key that sends a form or follows a link, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_keyboard_only_complainant_journey(app, council, live_server, page):
    """The whole journey with Tab, Shift+Tab, Space, Enter and typing: no pointer at all.

    Every element focused on the way must show a focus indicator (tab_to checks).
    """
    page.goto(live_server(f"/{SLUG}/"))

    # The first Tab stop is the skip link, and it takes the focus past the header.
    page.keyboard.press("Tab")
    assert focused(page, "a.govuk-skip-link")
    page.keyboard.press("Enter")
    assert focused(page, "main#main-content")

    tab_to(page, "input[name=concern][value=councillor]")
    page.keyboard.press("Space")
    tab_to(page, "#submit")
    press_and_wait(page, "Enter")
    check_page(page, "keyboard-who-to-contact", main=False)

    tab_to(page, "a.govuk-button--start")
    press_and_wait(page, "Enter")
    check_page(page, "keyboard-complaint-form", main=False)

    for name in ("title", "first_name", "address", "phone", "email"):
        type_into(page, f"[name='{name}']", ANSWERS[name])
    # The first of the radios: Tab lands on it, Space chooses it (Email).
    tab_to(page, "input[name=preferred_contact]")
    page.keyboard.press("Space")
    for name in ("members-0-first_name", "members-0-last_name", "details", "incident_dates"):
        type_into(page, f"[name='{name}']", ANSWERS[name])
    # Yes, with reasons: the first radio again, so no arrow keys are needed.
    tab_to(page, "input[name=confidentiality]")
    page.keyboard.press("Space")
    type_into(page, "[name=confidentiality_reasons]", "I work with the councillor.")
    tab_to(page, "input[name=declaration]")
    page.keyboard.press("Space")
    tab_to(page, "#submit")
    press_and_wait(page, "Enter")

    # Errors: the summary has the focus; each link takes it to the field to correct.
    assert focused(page, ".govuk-error-summary")
    check_page(page, "keyboard-complaint-form-errors", main=False)
    tab_to(page, ".govuk-error-summary a[href='#last_name']")
    page.keyboard.press("Enter")
    assert focused(page, "#last_name")
    page.keyboard.type(ANSWERS["last_name"])
    # Back up to the summary for the next one.
    tab_to(page, ".govuk-error-summary a[href='#outcome_sought']", backwards=True)
    page.keyboard.press("Enter")
    assert focused(page, "#outcome_sought")
    page.keyboard.type(ANSWERS["outcome_sought"])
    tab_to(page, "#submit")
    press_and_wait(page, "Enter")

    expect(page).to_have_url(live_server(f"/{SLUG}/complaints/check"))
    expect(page.locator("main")).to_contain_text("I work with the councillor.")
    check_page(page, "keyboard-check-answers", main=False)
    tab_to(page, "#submit")
    press_and_wait(page, "Enter")

    panel = page.locator(".govuk-panel--confirmation")
    expect(panel).to_be_visible()
    reference = panel.locator("strong").inner_text().strip()
    check_page(page, "keyboard-confirmation", main=False)
    assert reference in wait_for_mail(app, live_server.mailbox, ANSWERS["email"])["Subject"]
