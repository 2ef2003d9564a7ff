"""The landing page and the blank complaint form are rendered once and kept (core/pagecache.py).

What must hold: each visitor still gets a CSRF token of their own that works,
an edit to the council shows at once, one council's page is never another's,
and nothing personal (a draft, a flashed message) is ever kept or shared.
"""

from __future__ import annotations

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from werkzeug.exceptions import NotFound

from conduct.council_pages import enter_council_row
from core.db import db
from core.pagecache import HOLE
from tenants.models import ContactRoute, Council

from .conftest import COMPLAINT, csrf_token


def _tokens(html: str) -> set[str]:
    import re

    return set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', html)) | set(
        re.findall(r'name="csrf-token" content="([^"]+)"', html)
    )


def test_two_visitors_get_the_same_blank_form_each_with_a_working_token_of_their_own(
    app: Flask, two_councils
):
    first, second = app.test_client(), app.test_client()
    one = first.get("/ashby/complaints/new").text
    two = second.get("/ashby/complaints/new").text
    assert HOLE not in one and HOLE not in two
    kept = [k for k in app.extensions["page_cache"] if k[0] == "public/complaint_form.html"]
    assert len(kept) == 1  # rendered once, served twice
    assert _tokens(one) and _tokens(two) and _tokens(one).isdisjoint(_tokens(two))
    for token in _tokens(one):
        one = one.replace(token, "T")
    for token in _tokens(two):
        two = two.replace(token, "T")
    assert one == two


def test_the_token_put_in_a_cached_form_is_accepted_when_the_form_is_sent(app: Flask, two_councils):
    app.test_client().get("/ashby/complaints/new")  # renders and keeps the page
    visitor = app.test_client()
    page = visitor.get("/ashby/complaints/new")
    response = visitor.post(
        "/ashby/complaints/new", data={**COMPLAINT, "csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/ashby/complaints/check")


def test_a_changed_contact_route_shows_on_the_landing_page_at_once(
    app: Flask, client: FlaskClient, two_councils
):
    assert "Safeguarding duty team" in client.get("/ashby/").text
    with app.app_context():
        route = db.session.scalar(
            db.select(ContactRoute).where(
                ContactRoute.council_id == two_councils.a_id,
                ContactRoute.kind == "safeguarding-duty",
            )
        )
        route.name = "Children and adults at risk team"
        db.session.commit()
    page = client.get("/ashby/").text
    assert "Children and adults at risk team" in page
    assert "Safeguarding duty team" not in page


def test_a_renamed_council_shows_its_new_name_at_once(
    app: Flask, client: FlaskClient, two_councils
):
    client.get("/ashby/complaints/new")
    with app.app_context():
        db.session.get(Council, two_councils.a_id).name = "Ashby-de-la-Marsh Town Council"
        db.session.commit()
    assert "Ashby-de-la-Marsh Town Council" in client.get("/ashby/complaints/new").text


def test_one_councils_kept_page_is_never_served_for_another(client: FlaskClient, two_councils):
    assert "Ashby Council" in client.get("/ashby/").text
    page = client.get("/brockton/").text
    assert "Brockton Council" in page and "Ashby Council" not in page


def test_a_visitors_draft_is_shown_to_them_and_never_to_the_next_visitor(app: Flask, two_councils):
    app.test_client().get("/ashby/complaints/new")  # the blank form is kept
    writer = app.test_client()
    page = writer.get("/ashby/complaints/new")
    answers = {**COMPLAINT, "email": "not-an-email", "csrf_token": csrf_token(page.text)}
    writer.post("/ashby/complaints/new", data=answers)
    assert "The councillor shouted at me" in writer.get("/ashby/complaints/new").text
    stranger = app.test_client().get("/ashby/complaints/new").text
    assert "The councillor shouted at me" not in stranger
    assert "Alex" not in stranger


def test_the_landing_page_in_welsh_is_kept_apart_from_the_english_one(app: Flask, two_councils):
    english = app.test_client().get("/ashby/").text
    welsh = app.test_client().get("/ashby/?lang=cy").text
    assert '<html lang="cy"' in welsh and '<html lang="en"' in english
    assert '<html lang="en"' in app.test_client().get("/ashby/").text


def test_a_kept_page_is_served_from_the_councils_row_alone(
    client: FlaskClient, two_councils, count_queries
):
    client.get("/ashby/")
    client.get("/ashby/complaints/new")
    with count_queries() as counter:
        assert "Ashby Council" in client.get("/ashby/").text
        assert "Ashby Council" in client.get("/ashby/complaints/new").text

    assert counter.count == 2
    assert all("FROM councils" in s and "JOIN" not in s for s in counter.statements)


def test_a_council_deleted_after_its_row_was_read_is_not_found(
    app: Flask, client: FlaskClient, two_councils
):
    with app.test_request_context("/ashby/help"):
        enter_council_row("ashby")
        db.session.delete(db.session.get(Council, two_councils.a_id))
        db.session.flush()
        db.session.expunge_all()
        with pytest.raises(NotFound):
            g.council  # noqa: B018  (loading it is the test)
        db.session.rollback()
