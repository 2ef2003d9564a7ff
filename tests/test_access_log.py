"""The access log: every view, download, export and email of a case's content, append-only."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from conduct.models import Case, CaseAccess
from core.db import db
from tests.conftest import login, make_council, make_user, reference_on, submit_complaint


@pytest.fixture
def world(app):
    with app.app_context():
        a = make_council("ashby")
        b = make_council("brockton")
        mo = make_user("mo.a@example.org", (a, "monitoring-officer"))
        mo.full_name = "Morgan Price"
        make_user("ip.a@example.org", (a, "independent-person"))
        make_user("mo.b@example.org", (b, "monitoring-officer"))
        db.session.commit()


def _case(app, client) -> tuple[int, str]:
    reference = reference_on(
        submit_complaint(
            client, "ashby", files=[(io.BytesIO(b"%PDF-1.4 evidence"), "evidence.pdf")]
        ).text
    )
    with app.app_context():
        return db.session.scalar(select(Case.id).where(Case.reference == reference)), reference


def _entries(app, case_id: int) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(
            select(CaseAccess).where(CaseAccess.case_id == case_id).order_by(CaseAccess.id)
        ).all()
        return [(r.who, r.what, r.detail) for r in rows]


def test_views_downloads_and_emails_of_a_case_are_logged_with_who_and_what(app, world):
    public = app.test_client()
    case_id, _reference = _case(app, public)
    staff = app.test_client()
    login(staff, "mo.a@example.org")
    page = staff.get(f"/cases/{case_id}")
    file_id = re.search(rf"/cases/{case_id}/files/(\d+)", page.text).group(1)
    download = staff.get(f"/cases/{case_id}/files/{file_id}")
    assert download.status_code == 200
    download.close()
    entries = _entries(app, case_id)
    # The acknowledgement and the officer's notice, queued on submission.
    emails = [e for e in entries if e[1] == "email"]
    assert {e[2].split(":")[0] for e in emails} == {"alex@example.com", "mo@ashby.example.org"}
    assert ("Morgan Price", "view", f"/cases/{case_id}") in entries
    assert ("Morgan Price", "download", "evidence.pdf") in entries
    # A refused or missing page is not an access.
    before = len(entries)
    assert staff.get(f"/cases/{case_id}/files/999999").status_code == 404
    assert len(_entries(app, case_id)) == before


def test_the_monitoring_officer_reads_the_log_others_do_not(app, world):
    case_id, _ = _case(app, app.test_client())
    mo, ip, other = app.test_client(), app.test_client(), app.test_client()
    login(mo, "mo.a@example.org")
    login(ip, "ip.a@example.org")
    login(other, "mo.b@example.org")
    ip.get(f"/cases/{case_id}")  # the Independent Person reads the case...
    log = mo.get(f"/cases/{case_id}/access-log")
    assert log.status_code == 200
    assert 'data-what="view"' in log.text and "ip.a@example.org" in log.text
    # ...but not who else did; another council's officer does not even find the case.
    assert ip.get(f"/cases/{case_id}/access-log").status_code == 403
    assert other.get(f"/cases/{case_id}/access-log").status_code == 404
    assert "Access log: who saw this case" in mo.get(f"/cases/{case_id}").text
    assert "Access log: who saw this case" not in ip.get(f"/cases/{case_id}").text


def test_a_partys_secure_link_view_is_logged_as_theirs(app, world, smtp):
    from core import outbox

    case_id, _ = _case(app, app.test_client())
    staff = app.test_client()
    login(staff, "mo.a@example.org")
    with app.app_context():
        case = db.session.get(Case, case_id)
        from conduct import links

        url = links.issue(case, "complainant", case.complainant_email)
        db.session.commit()
        outbox.deliver()
    path = re.sub(r"^https?://[^/]+", "", url)
    party = app.test_client()
    assert party.get(path).status_code == 200
    assert ("the complainant, through their secure link", "view", path) in _entries(app, case_id)


def test_the_log_is_append_only(app, world):
    case_id, _ = _case(app, app.test_client())
    with app.app_context():
        entry = db.session.scalar(select(CaseAccess).where(CaseAccess.case_id == case_id))
        entry.who = "someone else"
        with pytest.raises(PermissionError):
            db.session.flush()
        db.session.rollback()
        entry = db.session.scalar(select(CaseAccess).where(CaseAccess.case_id == case_id))
        db.session.delete(entry)
        with pytest.raises(PermissionError):
            db.session.flush()


def test_a_page_whose_access_cannot_be_logged_is_not_shown(app, world, monkeypatch):
    case_id, reference = _case(app, app.test_client())
    staff = app.test_client()
    login(staff, "mo.a@example.org")
    from conduct import access_log

    def broken(*_args, **_kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(access_log, "insert", broken)
    response = staff.get(f"/cases/{case_id}")
    assert response.status_code == 503
    assert reference not in response.get_data(as_text=True)
