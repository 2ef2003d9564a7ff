"""`flask demo load`: a demo district anyone can sign in to, loaded once however often it runs."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from conduct.demo import DEMO_PASSWORD, totp_secret
from conduct.models import Case, CaseSubject, ReferenceCounter
from core.db import db
from core.outbox_models import OutboxMessage
from tenants.committees import CommitteeMember
from tenants.models import ContactRoute, Council, CouncilProcedure, RoleGrant, User
from tenants.roles import ROLES
from tests.conftest import login

COUNTED = (
    CommitteeMember,
    Council,
    CouncilProcedure,
    ContactRoute,
    User,
    RoleGrant,
    Case,
    CaseSubject,
    ReferenceCounter,
    OutboxMessage,
)


def _load(runner) -> str:
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def _listed_accounts(output: str) -> list[str]:
    return re.findall(r"^\s+(\S+@\S+)\s", output, re.MULTILINE)


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in COUNTED
        }


def _signed_in_client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    response = login(client, email, DEMO_PASSWORD, totp_secret=totp_secret(email))
    assert response.status_code == 302, f"{email} could not sign in with the demo password"
    landing = client.get(response.headers["Location"])
    assert landing.status_code == 200, f"{email} was not signed in"
    assert "/login" not in response.headers["Location"]
    return client


def _references_on(html: str) -> set[str]:
    return set(re.findall(r"\b[A-Z0-9]+-\d{4}-\d{4}\b", html))


@pytest.fixture
def demo_output(app: Flask, runner) -> str:
    return _load(runner)


def test_demo_has_three_or_more_councils_on_different_procedures_with_routes_and_a_welsh_one(
    app, demo_output
):
    with app.app_context():
        councils = db.session.scalars(select(Council)).all()
        assert len(councils) >= 3
        procedure_sets = {frozenset(p.key for p in c.procedures) for c in councils}
        assert len(procedure_sets) >= 3, "the demo councils should not all run the same procedures"
        assert all(council.routes for council in councils), "a demo council has no contact route"
        welsh = [c for c in councils if c.nation == "wales"]
        assert welsh, "no Welsh council in the demo"
        assert all(c.name_cy and c.name_cy != c.name for c in welsh)


def test_demo_has_staff_for_every_role_a_host_administrator_and_some_cases(app, demo_output):
    with app.app_context():
        granted = set(db.session.scalars(select(RoleGrant.role)))
        admins = db.session.scalars(select(User).where(User.is_host_admin)).all()
        cases = db.session.scalars(select(Case)).all()
    assert granted >= set(ROLES), f"no demo account for {sorted(set(ROLES) - granted)}"
    assert admins
    assert len(cases) >= 3
    assert len({case.council_id for case in cases}) >= 2


def test_demo_fenmoor_committee_hears_the_english_parishes(app, demo_output):
    with app.app_context():
        councils = {c.slug: c for c in db.session.scalars(select(Council))}
        fenmoor = councils["fenmoor"]
        members = db.session.scalars(
            select(CommitteeMember).where(CommitteeMember.council_id == fenmoor.id)
        ).all()
        elected = [m for m in members if m.kind == "member"]
        by_office = {m.office: m for m in elected if m.office}
        co_opted = [m for m in members if m.kind == "co-opted"]
        [independent] = [m for m in members if m.kind == "independent-person"]
        assert len(elected) == 5 and set(by_office) == {"chair", "vice-chair"}
        assert len({m.political_group for m in elected}) == 2
        assert len(co_opted) == 2 and all(m.represents for m in co_opted)
        assert by_office["chair"].user.email == "panel.member@fenmoor.example.org"
        assert independent.user.email == "independent.person@fenmoor.example.org"
        heard = {slug: c.hearing_council.slug for slug, c in councils.items()}
    assert heard == {
        "fenmoor": "fenmoor",
        "ashby-marsh": "fenmoor",
        "little-hadley": "fenmoor",
        "cwm-aur": "cwm-aur",
    }


def test_loading_the_demo_twice_changes_nothing(app, runner, demo_output):
    before = _counts(app)

    second_output = _load(runner)

    assert _counts(app) == before
    assert _listed_accounts(second_output) == _listed_accounts(demo_output)


def test_demo_output_lists_every_account_and_the_password(app, demo_output):
    listed = _listed_accounts(demo_output)
    assert DEMO_PASSWORD in demo_output
    with app.app_context():
        emails = set(db.session.scalars(select(User.email)))
        admins = set(db.session.scalars(select(User.email).where(User.is_host_admin)))
    assert sorted(listed) == sorted(emails)
    assert admins <= set(listed)


def test_demo_output_gives_each_account_its_authenticator_key_and_otpauth_link(demo_output):
    lines = demo_output.splitlines()
    assert any("authenticator app" in line for line in lines[:3])
    for email in _listed_accounts(demo_output):
        secret = totp_secret(email)
        at = next(i for i, line in enumerate(lines) if line.split()[:1] == [email])
        key_line, link_line = lines[at + 1], lines[at + 2]
        assert key_line.split()[1:] == [secret[i : i + 4] for i in range(0, len(secret), 4)]
        assert link_line.strip().startswith("otpauth://totp/")
        assert f"secret={secret}" in link_line


def test_every_listed_demo_account_can_sign_in_with_the_demo_password(app, demo_output):
    listed = _listed_accounts(demo_output)
    assert listed
    for email in listed:
        _signed_in_client(app, email)


def test_demo_monitoring_officer_sees_cases_of_several_councils(app, demo_output):
    with app.app_context():
        references = {
            ref: cid for ref, cid in db.session.execute(select(Case.reference, Case.council_id))
        }
    assert len(set(references.values())) >= 2

    client = _signed_in_client(app, "monitoring.officer@fenmoor.example.org")
    page = client.get("/cases/")

    assert page.status_code == 200
    assert _references_on(page.text) == set(references)


def test_demo_ashby_marsh_clerk_sees_only_ashby_marsh_protocol_cases(app, demo_output):
    """The clerk handles member/officer protocol cases; conduct complaints are the
    Monitoring Officer's (SPEC: the clerk is informed "where appropriate")."""
    with app.app_context():
        ashby_marsh = db.session.scalar(select(Council).where(Council.slug == "ashby-marsh"))
        references = {
            ref: cid
            for ref, cid, procedure in db.session.execute(
                select(Case.reference, Case.council_id, Case.procedure_key)
            )
            if procedure == "member-officer-protocol"
        }
        others = {c.name for c in db.session.scalars(select(Council)) if c.id != ashby_marsh.id}
        ashby_marsh_id = ashby_marsh.id
    own = {ref for ref, council_id in references.items() if council_id == ashby_marsh_id}
    assert own

    client = _signed_in_client(app, "clerk@ashby-marsh.example.org")
    page = client.get("/cases/")

    assert page.status_code == 200
    assert _references_on(page.text) == own
    for name in others:
        assert name not in page.text
