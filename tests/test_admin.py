"""Host administration: councils, contact routes, staff accounts and roles; who may see what."""

from __future__ import annotations

import html as htmllib
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from conduct.models import Case, EvidenceFile
from core import outbox
from core.db import db
from core.outbox_models import OutboxMessage
from tenants.models import ContactRoute, Council, RoleGrant, User
from tests.conftest import body_of, csrf_token, login, submit_complaint

HTMX = {"HX-Request": "true"}
ADMIN = "admin@example.org"

NEW_COUNCIL = {
    "name": "Caldwell Town Council",
    "name_cy": "Cyngor Tref Caldwell",
    "slug": "caldwell",
    "nation": "wales",
    "procedures": ["local-resolution", "ombudsman-referral"],
    "brand_colour": "#00703c",
}

NEW_ROUTE = {
    "kind": "clerk",
    "name": "Town Clerk",
    "purpose": "Questions about the town council",
    "email": "clerk@ashby.example.org",
    "phone": "01632 960555",
    "address": "Town Hall, Ashby",
    "hours": "Monday to Friday, 9am to 5pm",
    "web_link": "https://ashby.example.org/clerk",
}


# --- helpers ------------------------------------------------------------------------


def field_error(page_html: str, field_id: str) -> str:
    """The GOV.UK error message shown at one field ('' when there is none)."""
    match = re.search(
        rf'<p id="{re.escape(field_id)}-error" class="govuk-error-message">(.*?)</p>',
        page_html,
        re.S,
    )
    if not match:
        return ""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())


def post_form(client: FlaskClient, url: str, data: dict, headers: dict | None = None, page=None):
    """GET the form (for its CSRF token), then POST it."""
    page = client.get(page or url)
    assert page.status_code == 200, page.text
    return client.post(
        url, data={**data, "csrf_token": csrf_token(page.text)}, headers=headers or {}
    )


def token_for(client: FlaskClient) -> str:
    return csrf_token(client.get("/admin/councils").text)


def council_row(app: Flask, slug: str) -> Council | None:
    with app.app_context():
        council = db.session.scalar(select(Council).where(Council.slug == slug))
        if council is not None:
            _ = council.procedure_keys, council.routes
        return council


def route_id(app: Flask, slug: str, name: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(ContactRoute.id)
            .join(Council)
            .where(Council.slug == slug, ContactRoute.name == name)
        )


def user_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def grants_of(app: Flask, email: str) -> set[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(Council.slug, RoleGrant.role)
            .join(RoleGrant.council)
            .join(RoleGrant.user)
            .where(User.email == email)
        )
        return {(slug, role) for slug, role in rows}


@pytest.fixture
def admin(client: FlaskClient, two_councils) -> FlaskClient:
    assert login(client, ADMIN).status_code == 302
    return client


# --- councils -------------------------------------------------------------------------


def test_councils_are_listed_with_their_address_nation_and_procedures(admin):
    page = admin.get("/admin/councils")

    assert page.status_code == 200
    assert "Ashby Council" in page.text and "Brockton Council" in page.text
    assert 'href="/admin/councils/ashby"' in page.text
    assert "/ashby/" in page.text and "England" in page.text
    assert "Conduct complaint about a councillor" in page.text
    assert admin.get("/admin/").headers["Location"] == "/admin/councils"


def test_council_form_labels_the_procedure_checkboxes(admin):
    page = admin.get("/admin/councils/new")

    legend = re.search(r"<legend[^>]*>(.*?)</legend>", page.text, re.S)
    assert legend and " ".join(legend.group(1).split()) == "Procedures this council uses"


def test_host_admin_creates_a_council_with_its_procedures(app, admin):
    response = post_form(admin, "/admin/councils/new", NEW_COUNCIL)

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/councils/caldwell"
    council = council_row(app, "caldwell")
    assert council.name == "Caldwell Town Council"
    assert council.name_cy == "Cyngor Tref Caldwell"
    assert council.nation == "wales"
    assert council.brand_colour == "#00703c"
    assert sorted(council.procedure_keys) == ["local-resolution", "ombudsman-referral"]
    assert "Caldwell Town Council has been added." in admin.get("/admin/councils/caldwell").text
    listing = admin.get("/admin/councils").text
    assert "Caldwell Town Council" in listing
    assert "Local resolution of low-level complaints between councillors" in listing


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": "Bad Slug!"}, "slug", "lower-case letters, numbers and hyphens"),
        ({"slug": "admin"}, "slug", "used by the service itself"),
        ({"slug": "ashby"}, "slug", "already uses that address"),
        ({"procedures": []}, "procedures", "Choose at least one procedure"),
        ({"brand_colour": "blue"}, "brand_colour", "like #1d70b8"),
        ({"name": ""}, "name", "Enter the council's name"),
    ],
)
def test_invalid_council_is_refused_at_the_field_and_answers_kept(
    app, admin, changes, field, message
):
    response = post_form(admin, "/admin/councils/new", {**NEW_COUNCIL, **changes})

    assert response.status_code == 400
    assert message in field_error(response.text, field)
    assert "There is a problem" in response.text
    assert htmllib.escape(changes.get("slug", "caldwell")) in response.text
    if field != "name":
        assert 'value="Caldwell Town Council"' in response.text
    assert 'value="Cyngor Tref Caldwell"' in response.text
    assert re.search(r'<option value="wales" selected', response.text)
    if field != "procedures":
        assert re.search(r'value="local-resolution"[^>]*checked', response.text)
    with app.app_context():
        assert db.session.scalar(select(Council).where(Council.name.like("Caldwell%"))) is None


def test_host_admin_changes_a_councils_procedures_but_not_its_address(app, admin):
    response = post_form(
        admin,
        "/admin/councils/ashby",
        {
            "name": "Ashby District Council",
            "name_cy": "",
            "slug": "somewhere-else",
            "nation": "england",
            "procedures": ["conduct-complaint", "confidential-report"],
            "brand_colour": "#1d70b8",
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/councils/ashby"
    council = council_row(app, "ashby")
    assert council.name == "Ashby District Council"
    assert sorted(council.procedure_keys) == ["conduct-complaint", "confidential-report"]
    assert council_row(app, "somewhere-else") is None


def test_removing_every_procedure_from_a_council_is_refused(app, admin):
    response = post_form(
        admin,
        "/admin/councils/ashby",
        {"name": "Ashby Council", "nation": "england", "brand_colour": "#1d70b8"},
    )

    assert response.status_code == 400
    assert "Choose at least one procedure" in field_error(response.text, "procedures")
    assert council_row(app, "ashby").procedure_keys == ["conduct-complaint"]


def test_unknown_council_is_404(admin):
    assert admin.get("/admin/councils/nowhere").status_code == 404


# --- contact routes ---------------------------------------------------------------------


def test_route_added_without_javascript_shows_on_council_and_public_pages(app, admin):
    response = post_form(admin, "/admin/councils/ashby/routes/new", NEW_ROUTE)

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/councils/ashby"
    council_page = admin.get("/admin/councils/ashby").text
    assert "Route added." in council_page
    assert "Town Clerk" in council_page and "clerk@ashby.example.org" in council_page
    public = app.test_client().get("/ashby/")
    assert public.status_code == 200
    assert "Town Clerk" in public.text
    assert "clerk@ashby.example.org" in public.text
    assert "Monday to Friday, 9am to 5pm" in public.text
    assert "Town Clerk" not in app.test_client().get("/brockton/").text


def test_route_added_with_htmx_returns_only_the_row_and_closes_the_editor(app, admin):
    response = post_form(admin, "/admin/councils/ashby/routes/new", NEW_ROUTE, headers=HTMX)

    assert response.status_code == 200
    body = response.text.strip()
    new_id = route_id(app, "ashby", "Town Clerk")
    assert body.startswith(f'<tr class="govuk-table__row" id="route-{new_id}">')
    assert "Town Clerk" in body
    assert body.endswith('<div id="route-editor" hx-swap-oob="true"></div>')
    assert body.count("<tr") == 1
    for whole_page in ("<html", "<body", "<main", "govuk-header"):
        assert whole_page not in body


def test_htmx_route_form_is_a_fragment(admin):
    response = admin.get("/admin/councils/ashby/routes/new", headers=HTMX)

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div class="govuk-grid-row" id="route-form"')
    assert "<html" not in response.text


def test_htmx_route_with_bad_email_is_retargeted_to_the_editor_with_the_error(app, admin):
    response = post_form(
        admin,
        "/admin/councils/ashby/routes/new",
        {**NEW_ROUTE, "email": "not an email"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#route-editor"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert "correct format" in field_error(response.text, "email")
    assert 'value="Town Clerk"' in response.text
    assert "<html" not in response.text
    assert route_id(app, "ashby", "Town Clerk") is None


def test_plain_route_with_bad_email_is_a_whole_page_with_the_error(app, admin):
    response = post_form(
        admin, "/admin/councils/ashby/routes/new", {**NEW_ROUTE, "email": "not an email"}
    )

    assert response.status_code == 400
    assert "HX-Retarget" not in response.headers
    assert "<html" in response.text
    assert "correct format" in field_error(response.text, "email")
    assert route_id(app, "ashby", "Town Clerk") is None


def test_host_admin_edits_a_route(app, admin):
    rid = route_id(app, "ashby", "Monitoring Officer")

    response = post_form(
        admin,
        f"/admin/councils/ashby/routes/{rid}",
        {
            "kind": "monitoring-officer",
            "name": "Monitoring Officer",
            "email": "mo2@ashby.example.org",
            "phone": "",
        },
    )

    assert response.status_code == 303
    with app.app_context():
        route = db.session.get(ContactRoute, rid)
        assert route.email == "mo2@ashby.example.org"
        assert route.phone is None
    assert "mo2@ashby.example.org" in app.test_client().get("/ashby/").text


def test_route_edited_with_htmx_returns_the_replacement_row(app, admin):
    rid = route_id(app, "ashby", "Police")

    response = post_form(
        admin,
        f"/admin/councils/ashby/routes/{rid}",
        {"kind": "police", "name": "Ashby Police", "phone": "999"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response.text.strip().startswith(f'<tr class="govuk-table__row" id="route-{rid}">')
    assert "Ashby Police" in response.text


def test_route_of_another_council_is_404(app, admin):
    rid = route_id(app, "ashby", "Police")

    assert admin.get(f"/admin/councils/brockton/routes/{rid}").status_code == 404
    response = admin.post(
        f"/admin/councils/brockton/routes/{rid}/delete", data={"csrf_token": token_for(admin)}
    )
    assert response.status_code == 404
    assert route_id(app, "ashby", "Police") == rid


def test_route_deleted_with_htmx_gets_an_empty_body(app, admin):
    rid = route_id(app, "ashby", "Police")

    response = admin.post(
        f"/admin/councils/ashby/routes/{rid}/delete",
        data={"csrf_token": token_for(admin)},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response.text == ""
    assert route_id(app, "ashby", "Police") is None


def test_route_deleted_without_javascript_redirects_to_the_council(app, admin):
    rid = route_id(app, "ashby", "Police")

    response = admin.post(
        f"/admin/councils/ashby/routes/{rid}/delete", data={"csrf_token": token_for(admin)}
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/councils/ashby"
    assert route_id(app, "ashby", "Police") is None
    assert "Route removed." in admin.get("/admin/councils/ashby").text


def test_route_delete_without_csrf_is_refused(app, admin):
    rid = route_id(app, "ashby", "Police")

    response = admin.post(f"/admin/councils/ashby/routes/{rid}/delete")

    assert response.status_code == 400
    assert route_id(app, "ashby", "Police") == rid


# --- staff accounts and roles ----------------------------------------------------------------


def test_new_staff_account_is_invited_by_email_and_can_set_a_password(app, admin, smtp):
    response = post_form(
        admin, "/admin/users/new", {"full_name": "Dana Evans", "email": "dana@example.org"}
    )

    assert response.status_code == 303
    new_id = user_id(app, "dana@example.org")
    assert response.headers["Location"] == f"/admin/users/{new_id}"
    with app.app_context():
        user = db.session.get(User, new_id)
        assert user.full_name == "Dana Evans"
        assert user.password_hash is None and not user.is_host_admin
        # Recipients are sealed at rest: found by reading, not by a SQL comparison.
        [queued] = [
            m
            for m in db.session.scalars(select(OutboxMessage))
            if m.recipient == "dana@example.org"
        ]
        assert queued.kind == "password-invite"
        outbox.deliver(due_only=False)

    [invite] = smtp.to("dana@example.org")
    match = re.search(r"http://localhost(/password/reset/[\w-]+)", body_of(invite))
    assert match, body_of(invite)
    assert "72 hours" in body_of(invite)

    newcomer = app.test_client()
    page = newcomer.get(match.group(1))
    assert page.status_code == 200
    newcomer.post(
        match.group(1),
        data={
            "password": "dana's own long passphrase",
            "confirm": "dana's own long passphrase",
            "csrf_token": csrf_token(page.text),
        },
    )
    assert login(newcomer, "dana@example.org", "dana's own long passphrase").status_code == 302
    assert "dana@example.org" in admin.get("/admin/users").text


def test_host_admin_emails_an_existing_user_a_reset_link(app, admin, smtp):
    uid = user_id(app, "clerk.a@example.org")

    response = admin.post(f"/admin/users/{uid}/send-link", data={"csrf_token": token_for(admin)})

    assert response.status_code == 303
    assert "has been sent to clerk.a@example.org" in admin.get(f"/admin/users/{uid}").text
    with app.app_context():
        outbox.deliver(due_only=False)
    [message] = smtp.to("clerk.a@example.org")
    assert re.search(r"http://localhost/password/reset/[\w-]+", body_of(message))


def test_duplicate_staff_email_is_refused_at_the_field(app, admin):
    response = post_form(
        admin, "/admin/users/new", {"full_name": "Someone Else", "email": "MO.A@example.org"}
    )

    assert response.status_code == 400
    assert "already exists" in field_error(response.text, "email")
    assert 'value="Someone Else"' in response.text
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage)) is None


def test_changing_a_users_email_to_anothers_is_refused_at_the_field(app, admin):
    uid = user_id(app, "clerk.a@example.org")

    response = post_form(
        admin, f"/admin/users/{uid}", {"full_name": "Clerk", "email": "mo.b@example.org"}
    )

    assert response.status_code == 400
    assert "already exists" in field_error(response.text, "email")
    assert user_id(app, "clerk.a@example.org") == uid


def _grant(admin: FlaskClient, uid: int, council_id: int, role: str, headers=None):
    return admin.post(
        f"/admin/users/{uid}/roles",
        data={
            "grant-council_id": str(council_id),
            "grant-role": role,
            "grant-csrf_token": csrf_token(admin.get(f"/admin/users/{uid}").text),
        },
        headers=headers or {},
    )


def test_role_granted_without_javascript(app, admin, two_councils):
    uid = user_id(app, "clerk.a@example.org")

    response = _grant(admin, uid, two_councils.b_id, "independent-person")

    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/users/{uid}"
    assert grants_of(app, "clerk.a@example.org") == {
        ("ashby", "clerk"),
        ("brockton", "independent-person"),
    }
    assert "Role granted." in admin.get(f"/admin/users/{uid}").text


def test_role_granted_with_htmx_returns_the_roles_section(app, admin, two_councils):
    uid = user_id(app, "clerk.a@example.org")

    response = _grant(admin, uid, two_councils.b_id, "chair", headers=HTMX)

    assert response.status_code == 200
    body = response.text.strip()
    assert body.startswith('<section id="roles"')
    assert body.endswith("</section>")
    assert "Brockton Council" in body and "Chair" in body
    assert "<html" not in body
    assert ("brockton", "chair") in grants_of(app, "clerk.a@example.org")


def test_granting_an_unknown_role_is_refused(app, admin, two_councils):
    uid = user_id(app, "clerk.a@example.org")

    response = _grant(admin, uid, two_councils.b_id, "emperor", headers=HTMX)

    assert response.status_code == 400
    assert "Choose a council and a role." in response.text
    assert grants_of(app, "clerk.a@example.org") == {("ashby", "clerk")}


def test_role_removed_without_and_with_javascript(app, admin, two_councils):
    uid = user_id(app, "clerk.a@example.org")
    _grant(admin, uid, two_councils.b_id, "chair")
    with app.app_context():
        grants = dict(
            db.session.execute(
                select(RoleGrant.role, RoleGrant.id).where(RoleGrant.user_id == uid)
            ).all()
        )

    plain = admin.post(
        f"/admin/users/{uid}/roles/{grants['clerk']}/delete",
        data={"csrf_token": token_for(admin)},
    )
    assert plain.status_code == 303
    assert grants_of(app, "clerk.a@example.org") == {("brockton", "chair")}

    htmx = admin.post(
        f"/admin/users/{uid}/roles/{grants['chair']}/delete",
        data={"csrf_token": token_for(admin)},
        headers=HTMX,
    )
    assert htmx.status_code == 200
    assert htmx.text.strip().startswith('<section id="roles"')
    assert "No roles yet." in htmx.text
    assert grants_of(app, "clerk.a@example.org") == set()


def test_removing_another_users_role_is_404(app, admin):
    clerk = user_id(app, "clerk.a@example.org")
    with app.app_context():
        mo_grant = db.session.scalar(
            select(RoleGrant.id).join(RoleGrant.user).where(User.email == "mo.a@example.org")
        )

    response = admin.post(
        f"/admin/users/{clerk}/roles/{mo_grant}/delete", data={"csrf_token": token_for(admin)}
    )

    assert response.status_code == 404
    assert grants_of(app, "mo.a@example.org") == {("ashby", "monitoring-officer")}


# --- who may use the admin pages -----------------------------------------------------------

ADMIN_PAGES = [
    "/admin/",
    "/admin/councils",
    "/admin/councils/new",
    "/admin/councils/ashby",
    "/admin/councils/ashby/routes/new",
    "/admin/councils/ashby/routes/{route}",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/{user}",
]

ADMIN_ACTIONS = [
    "/admin/councils/new",
    "/admin/councils/ashby",
    "/admin/councils/ashby/routes/new",
    "/admin/councils/ashby/routes/{route}",
    "/admin/councils/ashby/routes/{route}/delete",
    "/admin/users/new",
    "/admin/users/{user}",
    "/admin/users/{user}/roles",
    "/admin/users/{user}/roles/{grant}/delete",
    "/admin/users/{user}/send-link",
]


def _fill(app: Flask, url: str) -> str:
    with app.app_context():
        grant = db.session.scalar(
            select(RoleGrant.id).join(RoleGrant.user).where(User.email == "clerk.a@example.org")
        )
    return url.format(
        route=route_id(app, "ashby", "Police"),
        user=user_id(app, "clerk.a@example.org"),
        grant=grant,
    )


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_staff_who_are_not_host_admins_get_403_on_admin_pages(app, client, two_councils, url):
    login(client, "mo.a@example.org")

    response = client.get(_fill(app, url))

    assert response.status_code == 403


def test_staff_who_are_not_host_admins_get_403_on_admin_actions(app, client, two_councils):
    login(client, "mo.a@example.org")
    token = csrf_token(client.get("/cases/").text)
    form = {**NEW_COUNCIL, "email": "x@example.org", "full_name": "X", "csrf_token": token}

    statuses = {url: client.post(_fill(app, url), data=form).status_code for url in ADMIN_ACTIONS}

    assert statuses == dict.fromkeys(ADMIN_ACTIONS, 403)
    assert council_row(app, "caldwell") is None
    assert user_id(app, "x@example.org") is None
    assert grants_of(app, "clerk.a@example.org") == {("ashby", "clerk")}
    assert route_id(app, "ashby", "Police") is not None
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage)) is None


def test_signed_out_visitors_are_sent_to_sign_in(app, client, two_councils):
    urls = [_fill(app, url) for url in [*ADMIN_PAGES, "/cases/", "/cases/1", "/cases/1/files/1"]]

    redirects = {url: client.get(url) for url in urls}

    assert {url: r.status_code for url, r in redirects.items()} == dict.fromkeys(urls, 302)
    for url, response in redirects.items():
        assert response.headers["Location"].startswith("/login?next="), url


# --- a host administrator manages but does not read cases -----------------------------------------


@pytest.fixture
def case_with_file(app: Flask, two_councils) -> tuple[int, int]:
    submit_complaint(
        app.test_client(),
        "ashby",
        files=[(io.BytesIO(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"), "letter.pdf")],
    )
    with app.app_context():
        case = db.session.scalar(select(Case))
        evidence = db.session.scalar(select(EvidenceFile))
        assert evidence is not None and evidence.case_id == case.id
        return case.id, evidence.id


def test_host_admin_without_casework_role_sees_no_cases(admin, case_with_file):
    page = admin.get("/cases/")

    assert page.status_code == 200
    assert "You do not have a casework role on any council" in page.text
    assert "ASHB-" not in page.text


def test_host_admin_without_casework_role_gets_404_for_case_and_file(app, admin, case_with_file):
    case_id, file_id = case_with_file

    case_page = admin.get(f"/cases/{case_id}")
    download = admin.get(f"/cases/{case_id}/files/{file_id}")

    assert case_page.status_code == 404
    assert "Robin" not in case_page.text and "shouted" not in case_page.text
    assert download.status_code == 404
    assert b"%PDF" not in download.data

    # The same URLs do work for the council's Monitoring Officer.
    officer = app.test_client()
    login(officer, "mo.a@example.org")
    assert officer.get(f"/cases/{case_id}").status_code == 200
    with officer.get(f"/cases/{case_id}/files/{file_id}") as allowed:
        assert allowed.status_code == 200
        assert allowed.data.startswith(b"%PDF")
