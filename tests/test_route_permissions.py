"""Every route of the app: public by declaration, or it refuses strangers and other councils.

The demo district gives every kind of row (cases, hearings, notices, links, committee
members); each URL rule is filled in with council A's ids (Ashby Marsh) and asked, by
GET, by POST and as an htmx fragment, by a signed-out visitor and by the Monitoring
Officer of another council. Then every state-changing route is posted without its CSRF
token by someone allowed to use it, and must refuse.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from conduct import links
from conduct.decisions.models import DecisionNotice
from conduct.demo import DEMO_PASSWORD, totp_secret
from conduct.hearings.models import Hearing
from conduct.models import Allegation, Case, CaseDeadline, CaseLink
from core import permissions
from core.db import db
from core.tenancy import scope
from tenants.committees import CommitteeMember
from tenants.models import ClosureDay, ContactRoute, Council, RoleGrant, User
from tests.conftest import csrf_token, login, make_council, make_user
from tests.factories import attach_file

A = "ashby-marsh"
OTHER_MO = "mo@brockton.example.org"
MO = "monitoring.officer@fenmoor.example.org"
ADMIN = "admin@fenmoor.example.org"
# Pages that are not about one case: a stranger's view of them lists nothing of A.
GENERAL = {
    "staff.cases",
    "staff.emails",
    "staff.statistics",
    "staff.statistics_csv",
    "staff.record_complaint",
    "staff.subject_access",
    "staff.subject_access_export",
    "auth.account",
    "auth.logout",
    "auth.new_recovery_codes",
    "auth.sign_out_everywhere",
}


@pytest.fixture
def world(app: Flask, runner) -> dict:
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        brockton = make_council("brockton")
        make_user(OTHER_MO, (brockton, "monitoring-officer"))
        council = db.session.scalar(select(Council).where(Council.slug == A))
        with scope({council.id}):
            case = db.session.scalar(
                select(Case)
                .where(Case.council_id == council.id, Case.procedure_key == "conduct-complaint")
                .order_by(Case.id)
            )
            evidence = attach_file(case, storage_key="a" * 32)
            token = links.issue(case, "complainant", "alex.jones@example.com").rsplit("/", 1)[1]
            db.session.flush()

            def first(model, *where):
                return db.session.scalar(select(model.id).where(*where).order_by(model.id))

            ids = {
                "council": A,
                "slug": A,
                "case_id": case.id,
                "file_id": evidence.id,
                "hearing_id": first(Hearing, Hearing.council_id == council.id),
                "notice_id": first(DecisionNotice, DecisionNotice.council_id == council.id),
                "allegation_id": first(Allegation, Allegation.council_id == council.id),
                "deadline_id": first(CaseDeadline, CaseDeadline.case_id == case.id),
                "link_id": first(CaseLink, CaseLink.case_id == case.id),
                "token": token,
                "key": "add-note",
                "kind": "initial-assessment",
                "slot": 0,
            }
            secrets = {
                text
                for c in db.session.scalars(select(Case).where(Case.council_id == council.id))
                for text in (c.reference, c.complainant_email, c.details)
                if text
            }
        ids.update(
            member_id=db.session.scalar(select(CommitteeMember.id).order_by(CommitteeMember.id)),
            route_id=db.session.scalar(
                select(ContactRoute.id).where(ContactRoute.council_id == council.id)
            ),
            user_id=db.session.scalar(select(User.id).where(User.email == MO)),
            grant_id=db.session.scalar(
                select(RoleGrant.id).where(RoleGrant.council_id == council.id)
            ),
            closure_id=db.session.scalar(select(ClosureDay.id)) or 1,
        )
        db.session.commit()
    assert all(v is not None for v in ids.values()), ids
    return {"ids": ids, "secrets": secrets}


def _urls(app: Flask, ids: dict) -> list[tuple[str, str, set[str]]]:
    """(endpoint, url, methods) for every rule, filled in with council A's ids."""
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {}
        for name in rule.arguments:
            assert name in ids, f"{rule.endpoint}: no test value for <{name}>; add one to world"
            values[name] = ids[name]
        if rule.endpoint == "transparency.rules":
            values["key"] = "conduct-complaint"
        if rule.endpoint == "staff.step":
            values["key"] = "apologies"
        found.append((rule.endpoint, adapter.build(rule.endpoint, values), set(rule.methods)))
    return found


def _requests(url: str, methods: set[str]):
    for method in sorted(methods & {"GET", "POST"}):
        yield method, {}
        if method == "GET":
            yield method, {"HX-Request": "true"}


def test_every_page_declares_who_may_see_it(app):
    permissions.check_declared(app)
    declared = {e: permissions.permission_of(app, e) for e in app.view_functions}
    assert declared["staff.case"] == permissions.CASEWORK
    assert declared["admin.users"] == permissions.HOST_ADMIN
    assert declared["auth.account"] == permissions.SIGNED_IN
    assert declared["public.complaint_form"] == permissions.PUBLIC


def test_an_undeclared_page_stops_the_app_from_starting(app):
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    with pytest.raises(permissions.UndeclaredPermissionError, match="forgotten"):
        permissions.check_declared(app)


def test_every_route_refuses_a_signed_out_visitor_unless_it_is_public(app, client, world):
    # A visitor's own valid CSRF token: the refusal tested is sign-in, not the token.
    token = csrf_token(client.get("/login").text)
    checked = 0
    for endpoint, url, methods in _urls(app, world["ids"]):
        public = permissions.permission_of(app, endpoint) == permissions.PUBLIC
        for method, headers in _requests(url, methods):
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(url, method=method, headers=headers, data=data)
            assert response.status_code != 500, (method, url)
            if public:
                continue
            if headers:
                # htmx is told to load the sign-in page in full, with nothing else.
                assert response.headers["HX-Redirect"].startswith("/login"), (method, url)
                assert response.get_data(as_text=True).strip() == "", (method, url)
            else:
                assert response.status_code == 302, (method, url, response.status_code)
                assert response.headers["Location"].startswith("/login"), (method, url)
            for secret in world["secrets"]:
                assert secret not in response.get_data(as_text=True), (url, secret)
            checked += 1
    assert checked > 80  # the staff and admin areas were all asked


def test_every_route_refuses_another_councils_officer_unless_public_or_general(app, client, world):
    assert login(client, OTHER_MO).status_code == 302
    token = csrf_token(client.get("/cases/").text)
    checked = 0
    for endpoint, url, methods in _urls(app, world["ids"]):
        permission = permissions.permission_of(app, endpoint)
        if permission == permissions.PUBLIC or endpoint in (
            "auth.logout",
            "auth.sign_out_everywhere",
        ):
            continue
        for method, headers in _requests(url, methods):
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(url, method=method, headers=headers, data=data)
            body = response.get_data(as_text=True)
            for secret in world["secrets"]:
                assert secret not in body, (method, url, secret)
            if endpoint in GENERAL:
                assert response.status_code in (200, 303, 400), (method, url)
            else:
                assert response.status_code in (403, 404), (method, url, response.status_code)
            checked += 1
    assert checked > 80


def test_every_state_changing_route_refuses_a_post_without_its_csrf_token(app, world):
    """As someone allowed to use each page: nothing happens without the token."""
    staff = app.test_client()
    assert login(staff, MO, DEMO_PASSWORD, totp_secret(MO)).status_code == 302
    admin = app.test_client()
    assert login(admin, ADMIN, DEMO_PASSWORD, totp_secret(ADMIN)).status_code == 302
    anyone = app.test_client()
    with app.app_context():
        before = db.session.scalar(select(db.func.count(Case.id)))
    for endpoint, url, methods in _urls(app, world["ids"]):
        if "POST" not in methods:
            continue
        permission = permissions.permission_of(app, endpoint)
        client = {permissions.HOST_ADMIN: admin, permissions.PUBLIC: anyone}.get(permission, staff)
        response = client.post(url, data={"reason": "x", "note": "y", "reply": "z"})
        if permission == permissions.PUBLIC and response.status_code == 303:
            # No draft in this visitor's session: sent back to the form, nothing sent.
            assert "submitted" not in response.headers["Location"], endpoint
            continue
        assert response.status_code == 400, (endpoint, url, response.status_code)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Case.id))) == before


def test_a_file_of_council_a_is_not_reached_through_a_case_of_council_b(app, client, world):
    """IDOR: a real file id under another case id, as the officer who reads both councils."""
    assert login(client, MO, DEMO_PASSWORD, totp_secret(MO)).status_code == 302
    with app.app_context():
        other_case = db.session.scalar(
            select(Case.id).where(Case.id != world["ids"]["case_id"]).order_by(Case.id.desc())
        )
    file_id = world["ids"]["file_id"]
    assert client.get(f"/cases/{other_case}/files/{file_id}").status_code == 404
