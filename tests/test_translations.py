"""Welsh: the catalogue is complete and in step with the code, and the service works in it.

The first tests are the check CI relies on: they extract the marked messages
from the code as `bin/translations` does (core/catalogue.py reads babel.cfg)
and fail while any lacks a Welsh translation, is fuzzy, has other
placeholders or HTML than the English, or the committed catalogues are out
of step with the code. The rest use the service in Welsh: a complaint made in
Welsh is acknowledged in Welsh and read by staff in English with its language
recorded; every kind of page is in Welsh, switchable, with Welsh dates.
"""

from __future__ import annotations

import ast
import logging
import re
from datetime import UTC, datetime
from email.header import decode_header, make_header
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from conduct.demo import DEMO_PASSWORD, totp_secret
from conduct.models import Case, CaseAccess
from core import catalogue
from core.db import db
from core.outbox import deliver
from tests.conftest import (
    COMPLAINT,
    build_app,
    csrf_token,
    login,
    reference_on,
    submit_complaint,
)

ROOT = Path(__file__).resolve().parent.parent
# Thursday 3 December 2026, 10:00 in London: dates on pages and in emails read "Rhagfyr".
THURSDAY = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
COMPLAINANT = COMPLAINT["email"]
WELSH_MONTHS = (
    "Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr"
)


# --- the catalogue: the check CI runs ---------------------------------------------------------


@pytest.fixture(scope="module")
def marked() -> Catalog:
    return catalogue.extract()


def test_every_marked_string_has_a_welsh_translation(marked: Catalog) -> None:
    problems = catalogue.problems("cy", marked)
    assert not problems, (
        f"{len(problems)} problems in the Welsh catalogue; run bin/translations, translate "
        "what it lists in translations/cy/LC_MESSAGES/messages.po, and run it again:\n  "
        + "\n  ".join(problems[:40])
    )


def test_the_committed_template_is_in_step_with_the_code(marked: Catalog) -> None:
    committed = catalogue.read(catalogue.TEMPLATE)
    ids = {(m.id if isinstance(m.id, str) else m.id[0]) for m in marked if m.id}
    assert {(m.id if isinstance(m.id, str) else m.id[0]) for m in committed if m.id} == ids, (
        "translations/messages.pot is out of date: run bin/translations"
    )


def test_text_is_marked_only_with_functions_the_extractor_knows() -> None:
    """A gettext imported under another name would be translated nowhere, silently."""
    families = {
        "gettext",
        "ngettext",
        "pgettext",
        "npgettext",
        "lazy_gettext",
        "lazy_ngettext",
        "lazy_pgettext",
    }
    unknown = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        if path.parts[len(ROOT.parts)] in {".venv", "tests", "migrations", "node_modules"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
                for alias in node.names:
                    name = alias.asname or alias.name
                    if alias.name in families and name not in catalogue.KEYWORDS:
                        unknown.append(f"{path.relative_to(ROOT)}: {alias.name} as {name}")
    assert not unknown, f"not extracted (add to core.catalogue.KEYWORDS, or rename): {unknown}"


def test_the_compiled_catalogue_is_the_committed_one() -> None:
    compiled = catalogue.mo_path("cy")
    assert compiled.exists(), "no compiled catalogue: bin/test compiles it (bin/_setup.sh)"
    fresh = BytesIO()
    write_mo(fresh, catalogue.read(catalogue.po_path("cy"), "cy"), use_fuzzy=False)
    assert compiled.read_bytes() == fresh.getvalue(), (
        f"{compiled} is older than its .po: run bin/translations compile"
    )


def test_the_check_finds_what_a_translator_still_has_to_do(tmp_path: Path) -> None:
    """Untranslated, fuzzy, wrong placeholders or HTML, missing, stale: each is reported."""
    code = Catalog()
    for text in (
        "Enter your name",
        "Hello %(name)s",
        "Read <a href='#x'>the guide</a>",
        "New in the code",
        "Translated properly",
    ):
        code.add(text, locations=[("templates/page.html", 1)])
    code.add(("%(num)d case", "%(num)d cases"), locations=[("templates/page.html", 2)])
    welsh = Catalog(locale="cy")
    welsh.add("Enter your name", "")
    welsh.add("Hello %(name)s", "Helo %(enw)s")
    welsh.add("Read <a href='#x'>the guide</a>", "Darllenwch y canllaw")
    welsh.add("Translated properly", "Wedi'i gyfieithu", flags=["fuzzy"])
    welsh.add(("%(num)d case", "%(num)d cases"), ("%(num)d achos", "%(num)d achos"))
    welsh.add("Gone from the code", "Wedi mynd")
    path = tmp_path / "messages.po"
    with path.open("wb") as handle:
        write_po(handle, welsh)
    found = "\n".join(catalogue.problems("cy", code, path))
    assert "untranslated: 'Enter your name'" in found
    assert "placeholders differ" in found and "Hello %(name)s" in found
    assert "HTML tags differ" in found
    assert "not in the catalogue (run bin/translations): 'New in the code'" in found
    assert "fuzzy, to be checked by a translator: 'Translated properly'" in found
    assert "untranslated: '%(num)d case'" in found  # 2 of Welsh's 5 plural forms
    assert "no longer in the code (run bin/translations): 'Gone from the code'" in found


def test_the_service_works_in_english_without_a_compiled_catalogue(
    database_url: str, _schema: None, tmp_path: Path, monkeypatch, caplog
) -> None:
    import core.app

    monkeypatch.setattr(core.app, "TRANSLATIONS", tmp_path / "translations")
    with caplog.at_level(logging.WARNING, logger="core.app"):
        app = build_app(database_url, tmp_path / "uploads")
    assert "messages.mo is missing" in caplog.text and "'cy'" in caplog.text
    assert app.config["LANGUAGES"] == ("en",)
    page = app.test_client().get("/?lang=cy")
    assert page.status_code == 200
    assert '<html lang="en"' in page.text  # never English labelled as Welsh
    assert "Skip to main content" in page.text


# --- a complaint made in Welsh ---------------------------------------------------------------


def _header(value: str) -> str:
    return str(make_header(decode_header(value)))


def _text_and_html(message) -> tuple[str, str]:
    parts = {}
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            charset = part.get_content_charset() or "utf-8"
            parts[part.get_content_type()] = part.get_payload(decode=True).decode(charset)
    return parts["text/plain"], parts["text/html"]


def test_a_complaint_in_welsh_is_acknowledged_in_welsh_and_read_by_staff_in_english(
    app: Flask, client: FlaskClient, smtp, two_councils
) -> None:
    with time_machine.travel(THURSDAY, tick=False):
        assert 'lang="cy"' in client.get("/ashby/?lang=cy").text
        confirmation = submit_complaint(client, "ashby")
        assert '<html lang="cy"' in confirmation.text
        assert "Cwyn wedi'i hanfon" in confirmation.text and "Eich cyfeirnod" in confirmation.text
        reference = reference_on(confirmation.text)
        with app.app_context():
            deliver(due_only=False)
            case = db.session.scalar(select(Case).where(Case.reference == reference))
            case_id, language = case.id, case.language
            timeline = [(e.summary, e.actor_name) for e in case.events]

        (acknowledgement,) = smtp.to(COMPLAINANT)
        assert _header(acknowledgement["Subject"]) == (
            f"Eich cwyn i Ashby Council: cyfeirnod {reference}"
        )
        text, html = _text_and_html(acknowledgement)
        for welsh in (
            "Annwyl Ms Alex Jones,",
            "Diolch am eich cwyn am ymddygiad Cllr Robin Gale. Daeth i law ar 3 Rhagfyr 2026.",
            f"Eich cyfeirnod yw {reference}.",
            "Beth fydd yn digwydd nesaf",
            "Byddwn yn cydnabod eich cwyn yn ysgrifenedig o fewn 5 diwrnod gwaith.",
            "Cadwch fanylion eich cwyn yn gyfrinachol nes iddi ddod i ben.",
            "Cysylltu: Monitoring Officer",  # the route's name as the council entered it
        ):
            assert welsh in text, welsh
        assert '<html lang="cy">' in html and "Rhagfyr" in html
        assert "Thank you" not in text and "December" not in text

        # The Monitoring Officer is told in English, the service's language.
        (notice,) = smtp.to("mo@ashby.example.org")
        assert "A new complaint has been received for Ashby Council." in _text_and_html(notice)[0]

        # The case: its language recorded, its record in English though a Welsh page wrote it.
        assert language == "cy"
        assert timeline == [
            ("Case opened: Received", "System"),
            ("Acknowledgement emailed to the complainant", "System"),
        ]

        staff = app.test_client()
        login(staff, "mo.a@example.org")
        page = staff.get(f"/cases/{case_id}")
        assert page.status_code == 200
        assert '<html lang="en"' in page.text
        assert "Language: Cymraeg" in page.text
        assert "Case opened: Received" in page.text
        assert "3 December 2026" in page.text
        for welsh in ("Achos wedi'i agor", "Cydnabyddiaeth", "Rhagfyr", "Iaith:"):
            assert welsh not in page.text

        # A Welsh-speaking officer reads the same case with the pages in Welsh.
        page = staff.get(f"/cases/{case_id}?lang=cy")
        assert '<html lang="cy"' in page.text
        assert "Iaith: Cymraeg" in page.text and "3 Rhagfyr 2026" in page.text


def test_the_complainants_secure_link_opens_in_their_language(
    app: Flask, client: FlaskClient, two_councils
) -> None:
    from conduct import links

    client.get("/ashby/?lang=cy")
    reference = reference_on(submit_complaint(client, "ashby").text)
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        complainant = links.issue(case, "complainant", COMPLAINANT)
        councillor = links.issue(case, "subject", "robin.gale@example.org")
        db.session.commit()
    complainant_path = complainant.removeprefix("http://localhost")
    councillor_path = councillor.removeprefix("http://localhost")

    # Another device, no choice made there: the language of the complaint.
    page = app.test_client().get(complainant_path)
    assert page.status_code == 200
    assert '<html lang="cy"' in page.text and f"Achos {reference}" in page.text
    # An explicit choice wins, and is remembered.
    elsewhere = app.test_client()
    assert '<html lang="en"' in elsewhere.get(complainant_path + "?lang=en").text
    assert '<html lang="en"' in elsewhere.get(complainant_path).text
    # The councillor's language is not known: the browser's, else English.
    assert '<html lang="en"' in app.test_client().get(councillor_path).text
    welsh_browser = app.test_client().get(councillor_path, headers={"Accept-Language": "cy"})
    assert '<html lang="cy"' in welsh_browser.text

    # The party's view is logged in the record's language.
    with app.app_context():
        who = db.session.scalars(select(CaseAccess.who)).all()
    assert set(who) == {
        "System",  # the emails about the case
        "the complainant, through their secure link",
        "the councillor, through their secure link",
    }


def test_wtforms_own_messages_are_in_welsh_too(app: Flask, client: FlaskClient, two_councils):
    """A reply over the limit gets WTForms' length message, from this app's catalogue."""
    from conduct import links

    client.get("/ashby/?lang=cy")
    reference = reference_on(submit_complaint(client, "ashby").text)
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        path = links.issue(case, "complainant", COMPLAINANT).removeprefix("http://localhost")
        db.session.commit()
    page = client.get(path)
    response = client.post(
        path,
        data={"reply": "x" * 20001, "csrf_token": csrf_token(page.text)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Ni all y maes fod yn hwy na 20000 nod." in response.text
    assert '<span class="govuk-visually-hidden">Gwall:</span>' in response.text
    assert "Mae problem wedi codi" in response.text
    assert "<title>Gwall:" in response.text


# --- every kind of page in Welsh --------------------------------------------------------------


class _Landmarks(HTMLParser):
    """The text of the headings, navigation links, labels, buttons and table headers.

    Text inside an element marked as another language (a published notice is
    `<article lang="en">`) is that language by declaration, and is left out.
    """

    WATCHED = {"h1", "h2", "h3", "label", "legend", "button", "th", "title", "summary"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, bool]] = []  # (tag, watched), for every open element
        self.langs: list[tuple[str, str]] = []  # (tag, lang) of elements that declare one
        self.in_nav = 0
        self.texts: list[str] = []
        self.lang: str | None = None
        self.switch: str | None = None
        self._buffers: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "a" and attrs.get("hreflang") and "app-header__link" in str(attrs.get("class")):
            self.switch = attrs.get("href")
        if tag in self.VOID:
            return
        if attrs.get("lang"):
            self.langs.append((tag, attrs["lang"]))
        if tag == "nav":
            self.in_nav += 1
        watched = tag in self.WATCHED or (tag == "a" and self.in_nav > 0)
        if watched:
            self._buffers.append([])
        self.open.append((tag, watched))

    def handle_endtag(self, tag):
        if not any(t == tag for t, _watched in self.open):
            return
        while self.open:
            current, watched = self.open.pop()
            if watched:
                text = " ".join("".join(self._buffers.pop()).split())
                if text:
                    self.texts.append(text)
            if current == "nav":
                self.in_nav -= 1
            if self.langs and self.langs[-1][0] == current:
                self.langs.pop()
            if current == tag:
                break

    def handle_data(self, data):
        declared = self.langs[-1][1] if self.langs else self.lang
        if declared not in (None, "cy"):
            return
        for buffer in self._buffers:
            buffer.append(data)


@pytest.fixture(scope="module")
def english_only() -> set[str]:
    """English messages whose Welsh differs: none of them may show on a Welsh page."""
    welsh = catalogue.read(catalogue.po_path("cy"), "cy")
    found = set()
    for message in welsh:
        if (
            message.id
            and isinstance(message.id, str)
            and message.string != message.id
            and not catalogue.placeholders(message.id)
            and len(message.id) > 2
        ):
            found.add(message.id.rstrip(":"))
    return found


def _assert_welsh(response, english_only: set[str], path: str) -> _Landmarks:
    page = _Landmarks()
    page.feed(response.get_data(as_text=True))
    assert page.lang == "cy", f"{path}: <html lang={page.lang!r}>"
    left = [t for t in page.texts if t.rstrip(":") in english_only]
    assert not left, f"{path}: English left in headings, navigation or labels: {left}"
    assert page.switch is not None and "lang=en" in page.switch, f"{path}: no language switch"
    return page


def _demo_client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    client.get("/?lang=cy")
    response = login(client, email, DEMO_PASSWORD, totp_secret=totp_secret(email))
    assert response.status_code == 302, response.text
    return client


def test_every_kind_of_page_is_in_welsh(app: Flask, runner, english_only: set[str]) -> None:
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    public = app.test_client()
    public.get("/?lang=cy")

    def welsh(path: str, client: FlaskClient = public, status: int = 200) -> str:
        response = client.get(path)
        assert response.status_code == status, (path, response.status_code)
        _assert_welsh(response, english_only, path)
        return response.get_data(as_text=True)

    text = welsh("/")
    assert "Codi pryder am ymddygiad cynghorydd" in text
    # A Welsh council in Welsh: its name and its routes.
    text = welsh("/cwm-aur/")
    for name in (
        "Cyngor Cymuned Cwm Aur",
        "Swyddog Monitro, Cyngor Dosbarth Fenmoor",
        "Clerc Cyngor Cymuned Cwm Aur",
        "Cadeirydd Cyngor Cymuned Cwm Aur",
        "Ombwdsmon Gwasanaethau Cyhoeddus Cymru",
        "Tîm dyletswydd diogelu",
    ):
        assert name in text, name
    assert "Cwm Aur Community Council" not in text
    welsh("/cwm-aur/help?concern=councillor")
    welsh("/ashby-marsh/help?concern=safety")
    welsh("/cwm-aur/complaints/new")  # the Welsh model: no online form, the ombudsman instead

    # The complaint form, with errors, then checking the answers, then sent.
    form = welsh("/ashby-marsh/complaints/new")
    errors = public.post(
        "/ashby-marsh/complaints/new",
        data={"csrf_token": csrf_token(form), "action": "continue"},
        content_type="multipart/form-data",
    )
    assert errors.status_code == 400
    _assert_welsh(errors, english_only, "complaint form with errors")
    assert "Mae problem wedi codi" in errors.text and "Rhowch eich enw cyntaf" in errors.text
    page = public.post(
        "/ashby-marsh/complaints/new",
        data={**COMPLAINT, "csrf_token": csrf_token(form), "action": "continue"},
        content_type="multipart/form-data",
    )
    assert page.status_code == 303
    check = welsh("/ashby-marsh/complaints/check")
    assert "Gwiriwch eich atebion cyn anfon eich cwyn" in check
    sent = public.post("/ashby-marsh/complaints/check", data={"csrf_token": csrf_token(check)})
    assert sent.status_code == 303
    assert "Cwyn wedi'i hanfon" in welsh(sent.headers["Location"])

    # The standards pages, the council's and every council's.
    for path in (
        "/standards/",
        "/standards/notices",
        "/standards/hearings",
        "/standards/committees",
        "/standards/statistics",
        "/ashby-marsh/standards/",
        "/ashby-marsh/standards/rules/conduct-complaint",
        "/ashby-marsh/standards/guidance/making-a-complaint",
        "/ashby-marsh/standards/guidance/hearings",
        "/ashby-marsh/standards/committee",
        "/ashby-marsh/standards/hearings",
        "/ashby-marsh/standards/notices",
        "/ashby-marsh/standards/statistics",
        "/cwm-aur/standards/",
        "/cwm-aur/standards/rules/local-resolution",
        "/cwm-aur/standards/guidance/making-a-complaint",
    ):
        welsh(path)
    notices = welsh("/ashby-marsh/standards/notices")
    notice = re.search(r'href="(/ashby-marsh/standards/notices/\d+)"', notices)
    assert notice, "the demo publishes a notice"
    text = welsh(notice.group(1))
    assert re.search(rf"\d{{1,2}} ({WELSH_MONTHS}) \d{{4}}", text), "a date in Welsh"
    hearings = welsh("/ashby-marsh/standards/hearings")
    agenda = re.search(r'href="(/ashby-marsh/standards/hearings/\d+/agenda)"', hearings)
    if agenda:
        welsh(agenda.group(1))

    # Errors.
    assert "Heb ddod o hyd i'r dudalen" in welsh("/no-such-council/", status=404)

    # Staff: signing in, the case list, a case, statistics, and host administration.
    signing_in = app.test_client()
    signing_in.get("/?lang=cy")
    text = welsh("/login", client=signing_in)
    assert "Mewngofnodi" in text
    officer = _demo_client(app, "monitoring.officer@fenmoor.example.org")
    cases = welsh("/cases/", client=officer)
    assert "Achosion" in cases
    case = re.search(r'href="/cases/(\d+)"', cases)
    assert case
    text = welsh(f"/cases/{case.group(1)}", client=officer)
    assert "Llinell amser" in text
    welsh(f"/cases/{case.group(1)}/access-log", client=officer)
    welsh("/cases/statistics", client=officer)
    welsh("/cases/emails", client=officer)
    welsh("/account", client=officer)
    admin = _demo_client(app, "admin@fenmoor.example.org")
    welsh("/admin/councils", client=admin)
    text = welsh("/admin/councils/cwm-aur", client=admin)
    assert "Llwybrau cysylltu" in text
    welsh("/admin/users", client=admin)


def test_the_language_switch_keeps_the_page_and_the_choice_is_remembered(
    app: Flask, client: FlaskClient, two_councils
) -> None:
    page = client.get("/ashby/help?concern=councillor&lang=cy")
    switch = _Landmarks()
    switch.feed(page.text)
    assert switch.lang == "cy"
    assert switch.switch == "/ashby/help?concern=councillor&lang=en"
    # Remembered on the next page, without ?lang=.
    assert '<html lang="cy"' in client.get("/ashby/").text
    assert '<html lang="en"' in client.get("/ashby/?lang=en").text
    assert '<html lang="en"' in client.get("/ashby/").text
    # Without a choice, the browser's language.
    browser = app.test_client().get("/ashby/", headers={"Accept-Language": "cy-GB,cy;q=0.9"})
    assert '<html lang="cy"' in browser.text
