"""The standards pages: each council publishes only its own notices, hearings and committee."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from core.db import db
from tenants import committee_services as committees
from tenants import services
from tenants.committee_services import MemberDetails
from tenants.models import Council
from tests.conftest import make_council
from tests.factories import make_case
from tests.publication_factories import (
    PDF,
    make_draft,
    make_hearing,
    make_notice,
    stored_file,
    unlink_corrections,
)

ATOM = "{http://www.w3.org/2005/Atom}"
# Hearings are dated around this moment: British Summer Time, so UTC 09:00 is 10:00 in London.
NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


@dataclass
class Published:
    v1: int
    v2: int
    draft: int
    other: int
    past: int
    upcoming: int
    other_hearing: int
    agenda_file: int
    unpublished_file: int
    confidential_reference: str


@pytest.fixture
def published(app: Flask, two_councils) -> Iterator[Published]:
    """Ashby: a corrected notice, a draft on a confidential case, two hearings.

    Brockton: one notice and one hearing.
    """
    with app.app_context():
        a = db.session.get(Council, two_councils.a_id)
        b = db.session.get(Council, two_councils.b_id)
        decided = make_case(a, 1, subject=("Robin", "Gale"))
        secret = make_case(a, 2, subject=("Jo", "Mills"), complainant=("Secret", "Sender"))
        secret.confidentiality_requested = True
        other = make_case(b, 1, subject=("Bertie", "Brockman"))
        db.session.flush()
        v1 = make_notice(
            decided,
            html="<p>Ashby notice, first version.</p>",
            title="Decision on the complaint about Cllr Robin Gale",
        )
        v2 = make_notice(
            decided,
            version=2,
            html="<p>Ashby notice, corrected version.</p>",
            title="Decision on the complaint about Cllr Robin Gale",
            published_at=datetime(2026, 3, 8, 12, tzinfo=UTC),
            corrects=v1,
            correction_note="The date of the meeting was wrong.",
        )
        draft = make_draft(secret, text="Draft reasons nobody may read", title="Draft notice")
        notice_b = make_notice(other, html="<p>Brockton notice.</p>", title="Brockton decision")
        agenda_file = stored_file(decided, "hearing-bundle.pdf", PDF)
        unpublished_file = stored_file(decided, "private-letter.pdf", PDF + b"private")
        past = make_hearing(
            decided,
            committee_council_id=b.id,
            starts_at=NOW - timedelta(days=30),
            agenda_html="<p>Agenda: the complaint about Cllr Robin Gale.</p>",
            agenda_published_at=NOW - timedelta(days=40),
            files=(agenda_file,),
        )
        upcoming = make_hearing(
            secret,
            committee_council_id=b.id,
            starts_at=datetime(2026, 6, 10, 9, tzinfo=UTC),
            venue="Room 2, Ashby Town Hall",
        )
        other_hearing = make_hearing(
            other,
            committee_council_id=b.id,
            starts_at=datetime(2026, 6, 11, 13, 30, tzinfo=UTC),
            agenda_html="<p>Brockton agenda.</p>",
            agenda_published_at=NOW - timedelta(days=1),
        )
        db.session.commit()
        yield Published(
            v1=v1.id,
            v2=v2.id,
            draft=draft.id,
            other=notice_b.id,
            past=past.id,
            upcoming=upcoming.id,
            other_hearing=other_hearing.id,
            agenda_file=agenda_file.id,
            unpublished_file=unpublished_file.id,
            confidential_reference=secret.reference,
        )
    unlink_corrections(app)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def feed_of(client: FlaskClient, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response.content_type == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.data)


# --- the index and how to get there -------------------------------------------------------


def test_landing_page_links_to_the_standards_pages(client, two_councils):
    assert 'href="/ashby/standards/"' in client.get("/ashby/").text
    assert 'href="/standards/"' in client.get("/").text


def test_index_links_to_everything_the_council_publishes(client, two_councils):
    page = client.get("/ashby/standards/")

    assert page.status_code == 200
    for href in (
        "/ashby/standards/rules/conduct-complaint",
        "/ashby/standards/guidance/making-a-complaint",
        "/ashby/standards/guidance/hearings",
        "/ashby/standards/committee",
        "/ashby/standards/hearings",
        "/ashby/standards/notices",
        "/ashby/standards/notices.atom",
    ):
        assert f'href="{href}"' in page.text, href
    assert re.search(
        r'<link rel="alternate" type="application/atom\+xml" href="/ashby/standards/notices.atom"',
        page.text,
    )


def test_unknown_council_has_no_standards_pages(client, two_councils):
    assert client.get("/nowhere/standards/").status_code == 404
    assert client.get("/nowhere/standards/notices.atom").status_code == 404


def test_standards_is_an_address_no_council_can_take(app_ctx):
    with pytest.raises(services.ValidationError) as refused:
        services.create_council(
            slug="standards", name="Standards", nation="england", procedures=["conduct-complaint"]
        )
    assert refused.value.field == "slug"


# --- decision notices ---------------------------------------------------------------------


def test_notice_list_shows_the_latest_published_version_of_this_councils_notices(client, published):
    page = client.get("/ashby/standards/notices").text

    assert f'href="/ashby/standards/notices/{published.v2}"' in page
    assert f'/notices/{published.v1}"' not in page
    assert f'/notices/{published.draft}"' not in page
    assert f'/notices/{published.other}"' not in page
    assert "Brockton" not in page.replace("Brockton Council", "")
    assert "1 notice" in page


def test_draft_and_other_councils_notices_are_not_found(client, published):
    for url in (
        f"/ashby/standards/notices/{published.draft}",
        f"/ashby/standards/notices/{published.draft}.pdf",
        f"/ashby/standards/notices/{published.other}",
        f"/ashby/standards/notices/{published.other}.pdf",
        f"/brockton/standards/notices/{published.v1}",
        f"/brockton/standards/notices/{published.v2}.pdf",
        "/ashby/standards/notices/999999",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Draft reasons" not in response.data


def test_superseded_version_points_to_the_latest_and_the_correction_back(client, published):
    first = client.get(f"/ashby/standards/notices/{published.v1}").text
    second = client.get(f"/ashby/standards/notices/{published.v2}").text

    assert "This version has been superseded by version 2." in first
    assert f'href="/ashby/standards/notices/{published.v2}"' in first
    assert "Ashby notice, first version." in first
    assert 'id="superseded"' not in second
    assert "This version corrects version 1." in second
    assert "The date of the meeting was wrong." in second
    assert f'href="/ashby/standards/notices/{published.v1}"' in second
    assert "<p>Ashby notice, corrected version.</p>" in second  # the frozen html, as is
    assert f'href="/ashby/standards/notices/{published.v2}.pdf"' in second


def test_notice_pdf_is_the_frozen_file_as_an_attachment(app, client, published):
    response = client.get(f"/ashby/standards/notices/{published.v2}.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "-initial-assessment-v2.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data == PDF + b"<p>Ashby notice, corrected version.</p>"


def test_council_feed_is_atom_with_stable_ids_and_only_its_published_notices(client, published):
    feed = feed_of(client, "/ashby/standards/notices.atom")
    again = feed_of(client, "/ashby/standards/notices.atom")

    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "http://localhost/ashby/standards/notices.atom"
    entries = feed.findall(f"{ATOM}entry")
    links = [e.find(f"{ATOM}link[@rel='alternate']").get("href") for e in entries]
    assert links == [
        f"http://localhost/ashby/standards/notices/{published.v2}",
        f"http://localhost/ashby/standards/notices/{published.v1}",
    ]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert ids == [e.findtext(f"{ATOM}id") for e in again.findall(f"{ATOM}entry")]
    assert all(i.startswith("urn:uuid:") for i in ids) and len(set(ids)) == 2
    assert feed.findtext(f"{ATOM}updated") == "2026-03-08T12:00:00Z"
    for entry in entries:
        for required in ("id", "title", "updated", "content"):
            assert entry.find(f"{ATOM}{required}") is not None, required
    assert entries[0].find(f"{ATOM}content").get("type") == "html"
    assert "Ashby notice, corrected version." in entries[0].findtext(f"{ATOM}content")
    assert b"Brockton" not in client.get("/ashby/standards/notices.atom").data
    assert b"Draft reasons" not in client.get("/ashby/standards/notices.atom").data


def test_host_feed_has_every_councils_notices_under_the_same_ids(client, published):
    council = feed_of(client, "/ashby/standards/notices.atom")
    council_ids = {e.findtext(f"{ATOM}id") for e in council.findall(f"{ATOM}entry")}
    host = feed_of(client, "/standards/notices.atom")

    host_ids = {e.findtext(f"{ATOM}id") for e in host.findall(f"{ATOM}entry")}
    assert council_ids < host_ids and len(host_ids) == 3
    assert b"Draft reasons" not in client.get("/standards/notices.atom").data


def test_notices_are_paged_newest_first(app, client, two_councils):
    with app.app_context():
        b = db.session.get(Council, two_councils.b_id)
        for n in range(1, 26):
            case = make_case(b, n)
            db.session.flush()
            make_notice(
                case,
                html=f"<p>Notice {n}</p>",
                title=f"Notice number {n:02d}",
                published_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n),
            )
        db.session.commit()

    first = client.get("/brockton/standards/notices").text
    second = client.get("/brockton/standards/notices?page=2").text

    assert first.count('<tr class="govuk-table__row" id="notice-') == 20
    assert second.count('<tr class="govuk-table__row" id="notice-') == 5
    assert first.index("Notice number 25") < first.index("Notice number 24")
    assert "Notice number 05" in second and "Notice number 06" not in second
    assert 'href="/brockton/standards/notices?page=2"' in first
    assert "25 notices, page 1 of 2" in first
    for bad in ("3", "0", "-1", "two"):
        assert client.get(f"/brockton/standards/notices?page={bad}").status_code == 404


# --- hearings -------------------------------------------------------------------------------


def test_hearings_show_london_time_and_nothing_of_the_case_before_the_agenda(
    client, published, frozen
):
    page = client.get("/ashby/standards/hearings").text

    upcoming = re.search(rf'<tr[^>]*id="hearing-{published.upcoming}">.*?</tr>', page, re.S)
    assert upcoming, page
    row = upcoming.group(0)
    assert 'datetime="2026-06-10T09:00:00+00:00"' in row
    assert "Wednesday 10 June 2026, 10:00" in row
    assert "Room 2, Ashby Town Hall" in row
    assert "Hearing Panel of the Conduct Committee of Brockton Council" in row
    assert "Not published yet" in row
    for secret in (published.confidential_reference, "Secret", "Sender", "Mills"):
        assert secret not in page
    assert f'href="/ashby/standards/hearings/{published.past}/agenda"' in page
    assert f"hearing-{published.other_hearing}" not in page
    assert page.index("Forthcoming hearings") < page.index(f"hearing-{published.upcoming}")
    assert page.index("Past hearings") < page.index(f"hearing-{published.past}")


def test_agenda_pack_is_public_once_published_with_its_files_as_downloads(client, published):
    agenda = client.get(f"/ashby/standards/hearings/{published.past}/agenda")
    url = f"/ashby/standards/hearings/{published.past}/agenda/files/{published.agenda_file}"

    assert agenda.status_code == 200
    assert "<p>Agenda: the complaint about Cllr Robin Gale.</p>" in agenda.text
    assert f'href="{url}"' in agenda.text and "hearing-bundle.pdf" in agenda.text
    assert "private-letter.pdf" not in agenda.text
    with client.get(url) as download:
        assert download.status_code == 200
        assert download.mimetype == "application/octet-stream"
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.data == PDF


def test_unpublished_agendas_other_files_and_other_councils_hearings_are_not_found(
    client, published
):
    base = "/ashby/standards/hearings"
    for url in (
        f"{base}/{published.upcoming}/agenda",
        f"{base}/{published.past}/agenda/files/{published.unpublished_file}",
        f"{base}/{published.upcoming}/agenda/files/{published.agenda_file}",
        f"{base}/{published.other_hearing}/agenda",
        f"/brockton/standards/hearings/{published.past}/agenda",
        f"/brockton/standards/hearings/{published.past}/agenda/files/{published.agenda_file}",
    ):
        assert client.get(url).status_code == 404, url


# --- committee, rules and guidance -------------------------------------------------------------


def test_committee_page_shows_the_committee_that_hears_this_councils_complaints(
    app, client, two_councils
):
    with app.app_context():
        a = db.session.get(Council, two_councils.a_id)
        b = db.session.get(Council, two_councils.b_id)
        for details in (
            MemberDetails("Cllr Vera Chair", office="chair", political_group="Green Group"),
            MemberDetails("Cllr Victor Vice", office="vice-chair", political_group="Blue Group"),
            MemberDetails("Cllr Una Grouped"),
            MemberDetails("Cllr Cora Opted", kind="co-opted", represents="Ashby Council"),
            MemberDetails("Ivan Independent", kind="independent-person"),
            MemberDetails("Cllr Former Member"),
        ):
            committees.add_member(b, details)
        former = committees.members_of(b)[-1]
        committees.deactivate_member(former)
        committees.set_hearing_council(a, b.id)
        db.session.commit()

    page = client.get("/ashby/standards/committee").text
    own = client.get("/brockton/standards/committee").text

    assert "are heard by the conduct committee of Brockton Council" in page
    assert 'href="/brockton/standards/"' in page
    for text in (
        "Cllr Vera Chair",
        "Chair",
        "Green Group",
        "Vice-chair",
        "Not in a group",
        "Cllr Cora Opted",
        "Ashby Council",
        "Ivan Independent",
    ):
        assert text in page, text
    assert "Cllr Former Member" not in page
    assert page.index("Cllr Vera Chair") < page.index("Cllr Victor Vice") < page.index("Una")
    assert "heard-elsewhere" not in own
    assert "It also hears complaints about the members of" in own and "Ashby Council" in own


def test_rules_page_is_rendered_from_the_procedure_with_citations(client, two_councils):
    page = client.get("/ashby/standards/rules/conduct-complaint").text

    assert "Conduct complaint about a councillor" in page
    assert "Acknowledge the complaint in writing" in page and "5 working days" in page
    assert "seed 003 Rule 9 §2.1.4" in page
    assert "Declarations of interest" in page and "seed 003 Rule 9 §3.2.3.4" in page
    assert "Issue a formal letter of reprimand" in page and "seed 003 Rule 9 §3.6.3" in page
    assert "Initial Assessment Decision Notice" in page
    assert "Add a note to the timeline" not in page
    assert client.get("/ashby/standards/rules/local-resolution").status_code == 404
    assert client.get("/ashby/standards/rules/no-such-thing").status_code == 404


def test_complaint_guidance_in_england_points_to_the_form_and_the_lgsco(client, two_councils):
    page = client.get("/ashby/standards/guidance/making-a-complaint").text

    assert 'href="/ashby/complaints/new"' in page
    assert "Anonymous complaints are not normally acted on" in page
    assert "no right of appeal" in page
    assert "https://www.lgo.org.uk/make-a-complaint" in page
    assert "More than 6 months have passed since the events" in page
    assert "Public Services Ombudsman for Wales" not in page


def test_complaint_guidance_in_wales_points_to_the_ombudsman_for_wales(app, client):
    with app.app_context():
        make_council(
            "caerwen", nation="wales", procedures=("ombudsman-referral", "local-resolution")
        )
        db.session.commit()

    page = client.get("/caerwen/standards/guidance/making-a-complaint").text
    hearing = client.get("/caerwen/standards/guidance/hearings").text

    assert "Public Services Ombudsman for Wales" in page
    assert "lgo.org.uk" not in page and "complaints/new" not in page
    assert 'href="/caerwen/standards/rules/local-resolution"' in page
    assert "Standards Committee" in hearing
    assert "(a) Opening address by the Chairman" in hearing


def test_hearing_guidance_follows_the_procedures_hearing_rules(client, two_councils):
    page = client.get("/ashby/standards/guidance/hearings").text

    assert "Hearing Panel of the Conduct Committee" in page
    assert "5 working days before the hearing" in page
    assert "Schedule 12A" in page
    assert page.index("Apologies for absence") < page.index("Declarations of interest")
    assert "The councillor failed to comply with the Code" in page
    assert "Offer additional training" in page
    assert "There is no right of appeal against the Hearing Panel" in page


# --- the host's pages ---------------------------------------------------------------------


def test_host_pages_list_every_councils_published_work(client, published, frozen):
    index = client.get("/standards/").text
    notices = client.get("/standards/notices").text
    hearings = client.get("/standards/hearings").text
    committees_page = client.get("/standards/committees").text

    assert 'href="/ashby/standards/"' in index and 'href="/brockton/standards/"' in index
    assert f'href="/ashby/standards/notices/{published.v2}"' in notices
    assert f'href="/brockton/standards/notices/{published.other}"' in notices
    assert f'/notices/{published.v1}"' not in notices
    assert f'/notices/{published.draft}"' not in notices
    assert "2 notices" in notices
    assert f'id="hearing-{published.upcoming}"' in hearings
    assert f'href="/brockton/standards/hearings/{published.other_hearing}/agenda"' in hearings
    assert f'id="hearing-{published.past}"' not in hearings  # forthcoming only
    assert published.confidential_reference not in hearings
    assert 'id="committee-ashby"' in committees_page
    assert 'id="committee-brockton"' in committees_page
    assert re.search(r'<link rel="alternate" type="application/atom\+xml"', index)
