"""Crawl everything public over the demo district and look for anything unpublished.

Starting at the host's front page, its standards pages and every council's
landing page, the crawl follows every same-site link (and the links in the
Atom feeds); then it asks for every public URL rule of the app with the ids
of all notices, hearings and files in the database, drafts included. No page
may fail, nothing unpublished may be served, and nothing of a case without a
published notice may appear.
"""

from __future__ import annotations

import html
import itertools
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from conduct.decisions.models import PUBLISHED, DecisionNotice
from conduct.hearings.models import Hearing
from conduct.models import Case, EvidenceFile
from conduct.procedures import PROCEDURES
from core.db import db, utcnow
from core.tenancy import scope
from tenants.committees import CommitteeMember
from tenants.models import Council
from tests.publication_factories import (
    PDF,
    make_draft,
    make_hearing,
    make_notice,
    stored_file,
    unlink_corrections,
)

PRIVATE_AREAS = ("/static/", "/admin", "/cases", "/login", "/logout", "/password", "/account")
STAFF_BLUEPRINTS = ("admin", "staff", "auth")
DRAFT_TEXT = "Draft reasons: the complainant Sam Okafor fears reprisals"
HOST = "http://localhost"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "link"):
            self.found.extend(value for name, value in attrs if name == "href" and value)


def _links(response) -> list[str]:
    if response.mimetype == "application/atom+xml":
        root = ET.fromstring(response.data)
        return [e.get("href") for e in root.iter("{http://www.w3.org/2005/Atom}link")]
    if response.mimetype != "text/html":
        return []
    parser = _Links()
    parser.feed(response.get_data(as_text=True))
    return parser.found


def _same_site(href: str) -> str | None:
    href = urldefrag(html.unescape(href)).url
    if href.startswith(HOST + "/"):
        href = href[len(HOST) :]
    if not href.startswith("/") or href.startswith("//"):
        return None
    if href.startswith(PRIVATE_AREAS) or "lang=" in urlsplit(href).query:
        return None
    return href


@dataclass
class Crawl:
    statuses: dict[str, int] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)
    followed: set[str] = field(default_factory=set)

    def fetch(self, client: FlaskClient, url: str) -> list[str]:
        target, hops = url, 0
        while True:
            with client.get(target) as response:
                location = response.headers.get("Location")
                if response.status_code not in (302, 303) or hops == 3:
                    self.statuses[url] = response.status_code
                    # Bytes too (PDFs, downloads): a leak is a leak whatever the type.
                    body = response.get_data().decode("utf-8", errors="ignore")
                    self.bodies[url] = body + "\n" + html.unescape(body)
                    return _links(response)
            target = _same_site(location or "")
            assert target, f"{url} redirects off the public site: {location}"
            hops += 1

    def follow(self, client: FlaskClient, starts: list[str]) -> None:
        queue = deque(starts)
        while queue:
            url = queue.popleft()
            if url in self.followed:
                continue
            self.followed.add(url)
            for href in self.fetch(client, url):
                target = _same_site(href)
                if target and target not in self.followed:
                    queue.append(target)

    def everything(self) -> str:
        return "\n".join(self.bodies.values())


@dataclass
class Planted:
    published: list[int]
    draft: int
    agendas: list[int]
    unpublished_agenda: int
    agenda_file: int
    withheld_file: int
    notice_council: str


def _case(council: Council, last_name: str) -> Case:
    # Names are sealed at rest: found by reading the council's cases, not in SQL.
    cases = db.session.scalars(select(Case).where(Case.council_id == council.id))
    return next(c for c in cases if c.complainant_last_name == last_name)


def _plant(app: Flask) -> Planted:
    """Something to leak: a draft notice on a confidential complaint, a corrected
    published notice, hearings with and without a published agenda pack."""
    now = utcnow()
    with app.app_context():
        councils = {c.slug: c for c in db.session.scalars(select(Council))}
        ashby, hadley = councils["ashby-marsh"], councils["little-hadley"]
        fenmoor_id = councils["fenmoor"].id
        with scope({ashby.id}):
            decided = _case(ashby, "Jones")
            confidential = _case(ashby, "Okafor")
            assert confidential.confidentiality_requested
            v1 = make_notice(
                decided,
                html="<p>Initial assessment of the complaint about Cllr Robin Gale.</p>",
                title="Initial Assessment Decision Notice: Cllr Robin Gale",
            )
            v2 = make_notice(
                decided,
                version=2,
                html="<p>Initial assessment about Cllr Robin Gale, corrected.</p>",
                title="Initial Assessment Decision Notice: Cllr Robin Gale",
                published_at=now - timedelta(days=1),
                corrects=v1,
                correction_note="The meeting date was corrected.",
            )
            draft = make_draft(confidential, text=DRAFT_TEXT, title="Draft: Cllr Jo Mills")
            agenda_file = stored_file(decided, "agenda-bundle.pdf", PDF)
            withheld = stored_file(decided, "withheld.pdf", PDF + b"withheld")
            past = make_hearing(
                decided,
                committee_council_id=fenmoor_id,
                starts_at=now - timedelta(days=20),
                agenda_html="<p>Hearing of the complaint about Cllr Robin Gale.</p>",
                agenda_published_at=now - timedelta(days=30),
                files=(agenda_file,),
            )
            unpublished = make_hearing(
                confidential, committee_council_id=fenmoor_id, starts_at=now + timedelta(days=20)
            )
            db.session.flush()
        with scope({hadley.id}):
            planning = _case(hadley, "Quinn")
            upcoming = make_hearing(
                planning,
                committee_council_id=fenmoor_id,
                starts_at=now + timedelta(days=12),
                agenda_html="<p>Hearing of a complaint about Cllr Tom Reeve.</p>",
                agenda_published_at=now - timedelta(days=2),
            )
            db.session.flush()
        db.session.commit()
        return Planted(
            published=[v1.id, v2.id],
            draft=draft.id,
            agendas=[past.id, upcoming.id],
            unpublished_agenda=unpublished.id,
            agenda_file=agenda_file.id,
            withheld_file=withheld.id,
            notice_council=ashby.slug,
        )


@pytest.fixture
def demo(app: Flask, runner) -> Iterator[Planted]:
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, (result.output, result.exception)
    yield _plant(app)
    unlink_corrections(app)


def _every_public_url(app: Flask) -> dict[str, str]:
    """Every GET rule outside the staff areas, with every id in the database: url -> endpoint."""
    with app.app_context():
        values = {
            "council": list(db.session.scalars(select(Council.slug))),
            "notice_id": [*db.session.scalars(select(DecisionNotice.id)), 999_999],
            "hearing_id": [*db.session.scalars(select(Hearing.id)), 999_999],
            "file_id": [*db.session.scalars(select(EvidenceFile.id)), 999_999],
            "key": list(PROCEDURES),
            "token": ["not-a-real-token"],
        }
    adapter = app.url_map.bind("localhost")
    urls: dict[str, str] = {}
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.partition(".")[0]
        if rule.endpoint == "static" or blueprint in STAFF_BLUEPRINTS:
            continue
        if "GET" not in rule.methods:
            continue
        names = sorted(rule.arguments)
        for combination in itertools.product(*(values.get(n, ["1"]) for n in names)):
            urls[adapter.build(rule.endpoint, dict(zip(names, combination, strict=True)))] = (
                rule.endpoint
            )
    return urls


def _secrets(app: Flask) -> dict[str, str]:
    """What must never be public: text -> whose it is."""
    with app.app_context():
        cases = db.session.scalars(select(Case)).all()
        noticed = set(
            db.session.scalars(
                select(DecisionNotice.case_id).where(DecisionNotice.status == PUBLISHED)
            )
        )
        # A published agenda pack makes the complaint public too (seed 003 guidance,
        # Conduct Hearing), with the complainant's name unless it is kept confidential.
        noticed |= set(
            db.session.scalars(
                select(Hearing.case_id).where(Hearing.agenda_published_at.is_not(None))
            )
        )
        members = db.session.scalars(select(CommitteeMember.email)).all()
    found: dict[str, str] = {DRAFT_TEXT: "the draft notice", "Draft: Cllr Jo Mills": "draft"}
    for case in cases:
        for value in (case.complainant_email, case.complainant_address, case.complainant_phone):
            if value.strip():
                found[value] = f"contact details of the complainant of {case.reference}"
        if case.confidentiality_requested:
            found[f"{case.complainant_first_name} {case.complainant_last_name}"] = (
                f"the confidential complainant of {case.reference}"
            )
        if case.id in noticed:
            continue
        found[case.reference] = "the reference of a case without a published notice"
        found[f"{case.complainant_first_name} {case.complainant_last_name}"] = (
            f"the complainant of {case.reference}"
        )
        found[case.details] = f"the complaint details of {case.reference}"
    for email in members:
        if email:
            found[email] = "a committee member's email address"
    return found


def test_nothing_unpublished_is_public_anywhere(app, client, demo):
    crawl = Crawl()
    with app.app_context():
        slugs = list(db.session.scalars(select(Council.slug)))
    crawl.follow(client, ["/", "/standards/", *(f"/{slug}/" for slug in slugs)])
    swept = _every_public_url(app)
    for url in swept:
        if url not in crawl.statuses:
            crawl.fetch(client, url)

    # The crawl reached what it checks, by following links from the start pages.
    expected = [
        "/standards/notices",
        "/standards/hearings",
        "/standards/committees",
        "/standards/notices.atom",
        *(f"/{slug}/standards/{page}" for slug in slugs for page in ("", "committee")),
        *(f"/{slug}/standards/{page}" for slug in slugs for page in ("notices", "hearings")),
        *(f"/{slug}/standards/notices.atom" for slug in slugs),
        *(f"/{demo.notice_council}/standards/notices/{n}" for n in demo.published),
        f"/{demo.notice_council}/standards/notices/{demo.published[1]}.pdf",
        f"/ashby-marsh/standards/hearings/{demo.agendas[0]}/agenda",
        f"/little-hadley/standards/hearings/{demo.agendas[1]}/agenda",
        f"/ashby-marsh/standards/hearings/{demo.agendas[0]}/agenda/files/{demo.agenda_file}",
        "/ashby-marsh/standards/rules/conduct-complaint",
        "/cwm-aur/standards/rules/local-resolution",
        "/ashby-marsh/standards/guidance/making-a-complaint",
        "/cwm-aur/standards/guidance/making-a-complaint",
        "/fenmoor/standards/guidance/hearings",
    ]
    assert [url for url in expected if url not in crawl.followed] == []
    for url in expected:
        assert crawl.statuses[url] == 200, url

    # Never an error: found or not found (a question left unanswered is a 400 by design).
    failures = {
        url: status
        for url, status in crawl.statuses.items()
        if status not in (200, 404)
        and not (swept.get(url) == "public.route_finder" and status == 400)
    }
    assert failures == {}

    # Unpublished things are not found, wherever they are asked for.
    for slug in slugs:
        base = f"/{slug}/standards"
        assert crawl.statuses[f"{base}/notices/{demo.draft}"] == 404
        assert crawl.statuses[f"{base}/notices/{demo.draft}.pdf"] == 404
        assert crawl.statuses[f"{base}/hearings/{demo.unpublished_agenda}/agenda"] == 404
        for hearing in (*demo.agendas, demo.unpublished_agenda):
            withheld = f"{base}/hearings/{hearing}/agenda/files/{demo.withheld_file}"
            assert crawl.statuses[withheld] == 404
    # A published agenda pack is found only on its own council's pages.
    assert crawl.statuses[f"/fenmoor/standards/hearings/{demo.agendas[0]}/agenda"] == 404

    # And nothing of them appears anywhere public.
    everything = crawl.everything()
    leaks = {what: whose for what, whose in _secrets(app).items() if what in everything}
    assert leaks == {}
    published_references = set(re.findall(r"\b[A-Z]+-\d{4}-\d{4}\b", everything))
    with app.app_context():
        noticed = set(
            db.session.scalars(
                select(Case.reference)
                .join(DecisionNotice, DecisionNotice.case_id == Case.id)
                .where(DecisionNotice.status == PUBLISHED)
            )
        )
    assert published_references <= noticed
    assert published_references, "the published notice's reference should be on its page"
