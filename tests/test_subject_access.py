"""Subject access export: exactly one person's data, only from the officer's readable cases.

Alex Jones appears in three Ashby cases (complainant through the online form
with a file, councillor complained about, witness at a hearing) and in one
Brockton case; other people appear in Ashby cases too. Ashby's Monitoring
Officer gets Alex's three Ashby cases and nothing else; Brockton's gets only
Brockton's; a clerk gets nothing at all.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from io import BytesIO

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from conduct.hearings.models import HearingAttendee
from conduct.models import Case, CaseEvent
from core.db import db
from core.outbox_models import OutboxMessage
from tests.conftest import (
    COMPLAINT,
    csrf_token,
    login,
    make_council,
    make_user,
    reference_on,
    submit_complaint,
)
from tests.factories import make_case
from tests.publication_factories import make_hearing

PDF = b"%PDF-1.4\n" + b"1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 40 + b"%%EOF\n"
ALEX = {"email": "alex@example.com", "name": "Alex Jones"}
# People who must never be in Alex's export.
OTHERS = (
    "Morgan",
    "Outsider",
    "outsider@example.com",
    "Zebedee",
    "Quilter",
    "complainant@example.com",
)


@pytest.fixture
def people(app: Flask) -> dict[str, str]:
    """Council slug + role -> reference of each case, with Alex and others in them."""
    with app.app_context():
        ashby = make_council("ashby")
        brockton = make_council("brockton")
        make_user("mo.a@example.org", (ashby, "monitoring-officer"))
        make_user("clerk.a@example.org", (ashby, "clerk"))
        make_user("mo.b@example.org", (brockton, "monitoring-officer"))
        db.session.commit()
    refs = {
        "ashby-complainant": reference_on(
            submit_complaint(
                app.test_client(),
                "ashby",
                {"witnesses": "none"},
                files=[(BytesIO(PDF), "evidence.pdf")],
            ).text
        ),
        "ashby-other": reference_on(
            submit_complaint(
                app.test_client(),
                "ashby",
                {"first_name": "Morgan", "last_name": "Outsider", "email": "outsider@example.com"},
            ).text
        ),
        "brockton-complainant": reference_on(
            submit_complaint(app.test_client(), "brockton", {"witnesses": "none"}).text
        ),
    }
    with app.app_context():
        ashby = db.session.scalar(select(Case).where(Case.reference == refs["ashby-other"])).council
        about = make_case(ashby, 50, subject=("Alex", "Jones"), complainant=("Zebedee", "Quilter"))
        about.facts = {"subject_email": "alex@example.com"}
        witnessed = make_case(
            ashby, 51, subject=("Robin", "Gale"), complainant=("Zebedee", "Quilter")
        )
        db.session.flush()
        db.session.add(
            OutboxMessage(
                council_id=ashby.id,
                case_id=about.id,
                kind="notice-subject",
                recipient="Alex@Example.com",
                subject="A complaint about you",
                body_text="You have 7 working days to respond.",
                message_id="<about-alex@example.org>",
            )
        )
        hearing = make_hearing(
            witnessed,
            committee_council_id=ashby.id,
            starts_at=datetime(2026, 5, 1, 10, tzinfo=UTC),
        )
        hearing.attendees = [
            HearingAttendee(council_id=ashby.id, kind="witness", name="Alex Jones"),
            HearingAttendee(
                council_id=ashby.id,
                kind="witness",
                name="Morgan Outsider",
                email="outsider@example.com",
            ),
        ]
        db.session.commit()
        refs["ashby-subject"], refs["ashby-witness"] = about.reference, witnessed.reference
    return refs


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def _search(client: FlaskClient, **person: str):
    form = client.get("/cases/subject-access")
    assert form.status_code == 200
    return client.post(
        "/cases/subject-access", data={"csrf_token": csrf_token(form.text), **person}
    )


def _export(client: FlaskClient, **person: str) -> zipfile.ZipFile:
    listing = _search(client, **person)
    response = client.post(
        "/cases/subject-access/export", data={"csrf_token": csrf_token(listing.text), **person}
    )
    assert response.status_code == 200, response.text[:2000]
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.data
    response.close()  # as the server does: the spooled file is closed with the response
    return zipfile.ZipFile(io.BytesIO(data))


def _everything(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())


def test_the_export_contains_exactly_that_persons_data_in_the_officers_councils(app, people):
    mo = _signed_in(app, "mo.a@example.org")

    listing = _search(mo, **ALEX)

    assert listing.status_code == 200
    for key in ("ashby-complainant", "ashby-subject", "ashby-witness"):
        assert f'data-reference="{people[key]}"' in listing.text
    for key in ("ashby-other", "brockton-complainant"):
        assert people[key] not in listing.text

    archive = _export(mo, **ALEX)

    names = set(archive.namelist())
    complainant, subject, witness = (
        people[k] for k in ("ashby-complainant", "ashby-subject", "ashby-witness")
    )
    assert {f"{r}/case.json" for r in (complainant, subject, witness)} <= names
    request = json.loads(archive.read("request.json"))
    assert sorted(request["cases"]) == sorted([complainant, subject, witness])
    as_complainant = json.loads(archive.read(f"{complainant}/case.json"))
    assert as_complainant["appears_as"] == ["complainant", "recipient"]
    assert as_complainant["as_complainant"]["email_address"] == "alex@example.com"
    assert as_complainant["as_complainant"]["complaint"]["details"] == COMPLAINT["details"]
    (evidence,) = as_complainant["files_they_uploaded"]
    assert archive.read(f"{complainant}/{evidence['file']}") == PDF
    (ack,) = as_complainant["emails_sent_to_them"]
    eml = archive.read(f"{complainant}/{ack['file']}").decode()
    assert "To: alex@example.com" in eml and "Subject: Your complaint" in eml
    as_subject = json.loads(archive.read(f"{subject}/case.json"))
    assert as_subject["appears_as"] == ["subject", "recipient"]
    assert as_subject["as_councillor_complained_about"]["named_as"][0]["last_name"] == "Jones"
    assert "as_complainant" not in as_subject
    as_witness = json.loads(archive.read(f"{witness}/case.json"))
    assert as_witness["appears_as"] == ["hearing-witness"]
    assert [a["name"] for a in as_witness["at_hearings"]] == ["Alex Jones"]
    text = _everything(archive)
    for other in (*OTHERS, people["ashby-other"], people["brockton-complainant"], "brockton"):
        assert other.lower() not in text.lower(), other


def test_the_same_person_is_found_by_full_name(app, people):
    mo = _signed_in(app, "mo.a@example.org")

    listing = _search(mo, name="  alex   JONES ")

    for key in ("ashby-complainant", "ashby-subject", "ashby-witness"):
        assert f'data-reference="{people[key]}"' in listing.text
    assert people["ashby-other"] not in listing.text


def test_every_export_is_recorded_in_the_timeline_of_each_case_it_includes(app, people):
    mo = _signed_in(app, "mo.a@example.org")

    _export(mo, **ALEX)

    with app.app_context():
        events = db.session.scalars(
            select(CaseEvent).where(CaseEvent.action == "subject-access-export")
        ).all()
        recorded = {e.case.reference: (e.actor_name, e.actor_role) for e in events}
    assert recorded == {
        people[k]: ("mo.a@example.org", "monitoring-officer")
        for k in ("ashby-complainant", "ashby-subject", "ashby-witness")
    }
    with app.app_context():
        case_id = db.session.scalar(
            select(Case.id).where(Case.reference == people["ashby-subject"])
        )
    assert 'data-action="subject-access-export"' in mo.get(f"/cases/{case_id}").text


def test_a_clerk_is_refused(app, people):
    clerk = _signed_in(app, "clerk.a@example.org")
    page = clerk.get("/cases/")

    assert clerk.get("/cases/subject-access").status_code == 403
    refused = clerk.post(
        "/cases/subject-access/export",
        data={"csrf_token": csrf_token(page.text), **ALEX},
    )
    assert refused.status_code == 403
    assert "Subject access" not in page.text


def test_another_councils_monitoring_officer_gets_none_of_its_cases(app, people):
    mo_b = _signed_in(app, "mo.b@example.org")

    archive = _export(mo_b, **ALEX)

    assert json.loads(archive.read("request.json"))["cases"] == [people["brockton-complainant"]]
    text = _everything(archive)
    for key in ("ashby-complainant", "ashby-subject", "ashby-witness", "ashby-other"):
        assert people[key] not in text
    with app.app_context():
        recorded = db.session.scalars(
            select(CaseEvent).where(CaseEvent.action == "subject-access-export")
        ).all()
        assert [e.case.reference for e in recorded] == [people["brockton-complainant"]]


def test_the_form_needs_an_email_address_or_a_full_name(app, people):
    mo = _signed_in(app, "mo.a@example.org")

    empty = _search(mo, email="", name="")
    one_word = _search(mo, email="", name="Alex")
    nobody = _search(mo, email="nobody@example.com", name="")

    assert empty.status_code == 400
    assert "Enter the person's email address or full name" in empty.text
    assert one_word.status_code == 400 and "Enter their first and last name" in one_word.text
    assert nobody.status_code == 200 and 'id="nothing-held"' in nobody.text
    assert "nobody@example.com" not in mo.get("/cases/subject-access").text


def test_an_export_is_in_the_access_log_of_every_case_it_includes(app, people):
    from conduct.models import CaseAccess

    _export(_signed_in(app, "mo.a@example.org"), **ALEX)
    with app.app_context():
        rows = db.session.scalars(select(CaseAccess).where(CaseAccess.what == "export")).all()
        assert len(rows) == 3 and {r.detail for r in rows} == {"Subject access export"}
