"""What a user may do is read from their role grants as (council, role) pairs.

They are read once per request as plain tuples (tenants/models.User.grants),
not as ORM objects with their councils; a grant added or removed through the
services shows at once, in the same session and at the next request.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from core.db import db
from tenants import services
from tenants.models import Council, User

from .conftest import TwoCouncils


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_grants_are_the_accounts_council_and_role_pairs(app: Flask, two_councils: TwoCouncils):
    with app.app_context():
        mo = _user("mo.a@example.org")
        assert mo.grants == {(two_councils.a_id, "monitoring-officer")}
        assert mo.council_ids_with({"monitoring-officer"}) == {two_councils.a_id}
        assert mo.roles_at(two_councils.b_id) == set()
        assert not mo.has_role(two_councils.b_id, "monitoring-officer")


def test_a_grant_added_and_removed_shows_in_the_same_session(app: Flask, two_councils):
    with app.app_context():
        mo = _user("mo.a@example.org")
        assert mo.grants == {(two_councils.a_id, "monitoring-officer")}
        brockton = db.session.get(Council, two_councils.b_id)

        grant = services.grant_role(mo, brockton, "clerk")
        db.session.commit()
        assert (two_councils.b_id, "clerk") in mo.grants

        services.remove_role(mo, grant)
        db.session.commit()
        assert mo.grants == {(two_councils.a_id, "monitoring-officer")}


def test_a_grant_made_in_another_session_shows_at_the_next_request(
    app: Flask, two_councils: TwoCouncils
):
    with app.app_context():
        first = _user("clerk.a@example.org")
        assert first.grants == {(two_councils.a_id, "clerk")}
    with app.app_context():
        clerk = _user("clerk.a@example.org")
        services.grant_role(clerk, db.session.get(Council, two_councils.b_id), "clerk")
        db.session.commit()
    with app.app_context():
        assert _user("clerk.a@example.org").grants == {
            (two_councils.a_id, "clerk"),
            (two_councils.b_id, "clerk"),
        }
