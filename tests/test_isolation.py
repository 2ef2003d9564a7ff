"""Tenant isolation: one council's cases never reach anyone without a role for that council."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select, update

from conduct.models import Case, CaseSubject, EvidenceFile
from core import tenancy
from core.db import db
from core.outbox import Outgoing, Rendered, queue_many
from core.outbox_models import OutboxMessage
from core.tenancy import CrossCouncilWriteError, scope
from tenants.models import Council
from tests.conftest import login, reference_on, submit_complaint
from tests.factories import attach_file, make_case


@pytest.fixture(autouse=True, params=["bound one by one", "as one parameter"])
def scope_in_sql(request, monkeypatch):
    """Every test here runs with the scope in each of its two SQL forms (core/tenancy.py):
    a few councils bound one by one, and a district's many as one parameter."""
    if request.param == "as one parameter":
        monkeypatch.setattr(tenancy, "FEW_COUNCILS", 0)
    tenancy._criteria.cache_clear()
    yield request.param
    tenancy._criteria.cache_clear()


@pytest.fixture
def cases(app, two_councils):
    """One case in each council, with a file; returns their ids."""
    with app.app_context():
        a = db.session.get(Council, two_councils.a_id)
        b = db.session.get(Council, two_councils.b_id)
        case_a = make_case(a, 1, subject=("Alice", "Ashcroft"))
        case_b = make_case(b, 1, subject=("Bertie", "Brockman"))
        db.session.flush()
        file_a, file_b = attach_file(case_a, "a" * 32), attach_file(case_b, "b" * 32)
        db.session.commit()
        return {
            "a": case_a.id,
            "b": case_b.id,
            "file_a": file_a.id,
            "file_b": file_b.id,
            "ref_a": case_a.reference,
            "ref_b": case_b.reference,
        }


@pytest.mark.parametrize("user", ["mo.a@example.org"])
def test_staff_of_one_council_get_404_for_every_url_of_another_councils_case(client, cases, user):
    login(client, user)
    assert client.get(f"/cases/{cases['a']}").status_code == 200
    assert client.get(f"/cases/{cases['b']}").status_code == 404
    assert client.get(f"/cases/{cases['b']}/files/{cases['file_b']}").status_code == 404
    # A file of B's case asked for through A's case is not found either.
    assert client.get(f"/cases/{cases['a']}/files/{cases['file_b']}").status_code == 404


def test_another_councils_cases_never_appear_in_the_list_or_search(client, cases):
    login(client, "mo.a@example.org")
    listing = client.get("/cases/").text
    assert cases["ref_a"] in listing
    assert cases["ref_b"] not in listing and "Brockman" not in listing
    assert "1 case" in listing

    for term in (cases["ref_b"], "Brockman", "Bertie"):
        found = client.get(
            "/cases/", query_string={"q": term}, headers={"HX-Request": "true"}
        ).text  # the results fragment only, without the search box echoing the term
        assert cases["ref_b"] not in found
        assert "0 cases" in found
    # Naming the other council in the filter shows nothing of it either.
    other = client.get("/cases/", query_string={"council": "brockton"}).text
    assert cases["ref_b"] not in other


def test_guessing_ids_gets_404_not_403(client, cases):
    login(client, "mo.b@example.org")
    assert client.get(f"/cases/{cases['a']}").status_code == 404
    assert client.get(f"/cases/{cases['a'] + 1000}").status_code == 404


def test_host_administrator_without_casework_role_cannot_open_case_content(client, cases):
    login(client, "admin@example.org")
    assert client.get(f"/cases/{cases['a']}").status_code == 404
    assert client.get(f"/cases/{cases['a']}/files/{cases['file_a']}").status_code == 404
    listing = client.get("/cases/").text
    assert cases["ref_a"] not in listing and cases["ref_b"] not in listing
    assert "do not have a casework role" in listing


def test_scope_applies_to_get_relationship_loads_and_bulk_updates(app, cases):
    with app.app_context():
        a_id = db.session.get(Case, cases["a"]).council_id
    with app.app_context(), scope({a_id}):
        assert db.session.get(Case, cases["b"]) is None
        assert db.session.get(EvidenceFile, cases["file_b"]) is None
        subjects = db.session.scalars(select(CaseSubject)).all()
        assert {s.last_name for s in subjects} == {"Ashcroft"}
        case_a = db.session.get(Case, cases["a"])
        assert [f.id for f in case_a.files] == [cases["file_a"]]
        changed = db.session.execute(update(Case).values(stage="tampered"))
        assert changed.rowcount == 1
        db.session.rollback()


def test_writing_another_councils_case_data_inside_a_scope_is_refused(app, cases):
    with app.app_context():
        b = db.session.get(Council, db.session.get(Case, cases["b"]).council_id)
        a_id = db.session.get(Case, cases["a"]).council_id
        with scope({a_id}):
            make_case(b, 99)
            with pytest.raises(CrossCouncilWriteError):
                db.session.flush()
            db.session.rollback()


def test_bulk_inserts_of_another_councils_rows_inside_a_scope_are_refused(app, cases):
    """Bulk INSERTs skip the flush; the session event checks their rows instead."""
    with app.app_context():
        a_id = db.session.get(Case, cases["a"]).council_id
        b_id = db.session.get(Case, cases["b"]).council_id
        email = Rendered("Subject", "Text", "<p>HTML</p>")
        with scope({a_id}):
            ids = queue_many([Outgoing(email, "test", "a@example.org", a_id, cases["a"])])
            assert len(ids) == 1
            with pytest.raises(CrossCouncilWriteError, match="OutboxMessage of council"):
                queue_many([Outgoing(email, "test", "b@example.org", b_id, cases["b"])])
            with pytest.raises(CrossCouncilWriteError):
                db.session.execute(insert(OutboxMessage), [_message_row(b_id)])
            db.session.rollback()


def _message_row(council_id: int) -> dict:
    return {
        "kind": "test",
        "recipient": "b@example.org",
        "subject": "Subject",
        "body_text": "Text",
        "council_id": council_id,
        "message_id": f"<bulk-{council_id}@example.org>",
    }


def test_emails_about_another_councils_case_are_not_visible(app, client, two_councils):
    submit_complaint(client, "brockton")
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.id).limit(1)) is not None
        with scope({two_councils.a_id}):
            assert db.session.scalars(select(OutboxMessage)).all() == []


def test_a_complaint_is_stored_for_the_council_whose_form_was_used(app, client, two_councils):
    reference = reference_on(submit_complaint(client, "brockton").text)
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        assert case.council_id == two_councils.b_id
        assert all(s.council_id == two_councils.b_id for s in case.subjects)
    login(client, "mo.a@example.org")
    assert reference not in client.get("/cases/").text
    assert client.get(f"/cases/{case.id}").status_code == 404


def test_a_draft_started_on_one_councils_form_is_not_used_by_another(app, client, two_councils):
    from tests.conftest import COMPLAINT, csrf_token

    page = client.get("/ashby/complaints/new")
    client.post(
        "/ashby/complaints/new",
        data={**COMPLAINT, "csrf_token": csrf_token(page.text), "action": "continue"},
    )
    # Brockton's check page has no draft of its own: back to its empty form.
    response = client.get("/brockton/complaints/check")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/brockton/complaints/new")
    assert "Robin" not in client.get("/brockton/complaints/new").text


def test_a_clerk_reads_only_the_procedures_a_clerk_handles_in_their_own_council(
    app, client, cases, two_councils
):
    """Clerks handle member/officer protocol cases; conduct complaints stay with the
    Monitoring Officer (Procedure.readers)."""
    with app.app_context():
        a = db.session.get(Council, two_councils.a_id)
        b = db.session.get(Council, two_councils.b_id)
        protocol_a = make_case(a, 7)
        protocol_a.procedure_key = "member-officer-protocol"
        protocol_b = make_case(b, 7)
        protocol_b.procedure_key = "member-officer-protocol"
        db.session.commit()
        own, other = protocol_a.id, protocol_b.id
    login(client, "clerk.a@example.org")
    assert client.get(f"/cases/{own}").status_code == 200
    assert client.get(f"/cases/{cases['a']}").status_code == 404  # a conduct complaint
    assert client.get(f"/cases/{other}").status_code == 404
    listing = client.get("/cases/").text
    assert protocol_a.reference in listing
    assert cases["ref_a"] not in listing and protocol_b.reference not in listing
