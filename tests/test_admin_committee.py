"""Host administration of conduct committees: members, offices, order, and who hears whom."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core.db import db
from tenants import committee_services as committees
from tenants.committees import CommitteeMember
from tenants.models import Council
from tests.conftest import csrf_token, login, make_council
from tests.test_admin import ADMIN, HTMX, field_error, post_form, token_for

CHAIR = {
    "name": "Cllr Helen Marsh",
    "kind": "member",
    "office": "chair",
    "political_group": "Independent Group",
    "represents": "",
    "email": "helen.marsh@example.org",
    "account": "",
}
CO_OPTED = {
    "name": "Cllr Omar Reid",
    "kind": "co-opted",
    "office": "",
    "represents": "Brockton Parish Council",
}


@pytest.fixture
def admin(client: FlaskClient, two_councils) -> FlaskClient:
    assert login(client, ADMIN).status_code == 302
    return client


def members(app: Flask, slug: str = "ashby") -> list[CommitteeMember]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(CommitteeMember)
                .join(Council, Council.id == CommitteeMember.council_id)
                .where(Council.slug == slug)
                .order_by(CommitteeMember.position, CommitteeMember.id)
            )
        )


def member_id(app: Flask, name: str) -> int:
    return next(m.id for m in members(app) if m.name == name)


def add(admin: FlaskClient, data: dict, headers: dict | None = None, slug: str = "ashby"):
    return post_form(admin, f"/admin/councils/{slug}/committee/new", data, headers=headers)


def press(admin: FlaskClient, app: Flask, name: str, action: str, headers=None, **extra):
    mid = member_id(app, name)
    return admin.post(
        f"/admin/councils/ashby/committee/{mid}/{action}",
        data={"csrf_token": token_for(admin), **extra},
        headers=headers or {},
    )


# --- adding and changing members ---------------------------------------------------------


def test_member_added_without_javascript_is_listed_on_the_council_page(app, admin):
    response = add(admin, CHAIR)

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/councils/ashby#committee"
    [chair] = members(app)
    assert (chair.name, chair.kind, chair.office) == ("Cllr Helen Marsh", "member", "chair")
    assert chair.political_group == "Independent Group"
    assert chair.email == "helen.marsh@example.org"
    assert chair.active and chair.user_id is None
    page = admin.get("/admin/councils/ashby").text
    assert "Cllr Helen Marsh added to the committee." in page
    assert '<section id="committee"' in page
    assert "Independent Group" in page


def test_member_added_with_htmx_returns_the_section_and_closes_the_editor(app, admin):
    response = add(admin, CHAIR, headers=HTMX)

    assert response.status_code == 200
    body = response.text.strip()
    assert body.startswith('<section id="committee"')
    assert body.endswith('<div id="committee-editor" hx-swap-oob="true"></div>')
    assert "Cllr Helen Marsh" in body and "Chair" in body
    for whole_page in ("<html", "<body", "<main"):
        assert whole_page not in body


def test_htmx_member_form_is_a_fragment(admin):
    response = admin.get("/admin/councils/ashby/committee/new", headers=HTMX)

    assert response.status_code == 200
    assert response.text.lstrip().startswith(
        '<div class="govuk-grid-row" id="committee-member-form"'
    )
    assert "<html" not in response.text


def test_linked_staff_account_is_found_by_email(app, admin):
    response = add(admin, {**CHAIR, "account": "MO.A@example.org"})

    assert response.status_code == 303
    [chair] = members(app)
    with app.app_context():
        assert db.session.get(CommitteeMember, chair.id).user.email == "mo.a@example.org"
    assert "mo.a@example.org" in admin.get("/admin/councils/ashby").text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the member's name"),
        (
            {"kind": "co-opted", "office": "", "represents": ""},
            "represents",
            "town or parish council",
        ),
        ({"kind": "co-opted", "represents": "Brockton"}, "office", "Only an elected member"),
        ({"kind": "independent-person"}, "office", "Only an elected member"),
        ({"email": "not an email"}, "email", "correct format"),
        ({"account": "nobody@example.org"}, "account", "no staff account"),
        ({"kind": "emperor"}, "kind", "Not a valid choice"),
    ],
)
def test_invalid_member_is_refused_at_the_field_and_answers_kept(
    app, admin, changes, field, message
):
    response = add(admin, {**CHAIR, **changes})

    assert response.status_code == 400
    assert message in field_error(response.text, field)
    assert "There is a problem" in response.text
    assert "<html" in response.text
    if field != "name":
        assert 'value="Cllr Helen Marsh"' in response.text
    assert members(app) == []


def test_htmx_invalid_member_is_retargeted_to_the_editor_with_the_error(app, admin):
    response = add(admin, {**CO_OPTED, "represents": ""}, headers=HTMX)

    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#committee-editor"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert "town or parish council" in field_error(response.text, "represents")
    assert 'value="Cllr Omar Reid"' in response.text
    assert "<html" not in response.text
    assert members(app) == []


def test_only_one_active_chair_and_one_vice_chair(app, admin):
    add(admin, CHAIR)
    add(admin, {**CHAIR, "name": "Cllr Vic Bell", "office": "vice-chair"})

    second_chair = add(admin, {**CHAIR, "name": "Cllr Ann Other"})
    second_vice = add(admin, {**CHAIR, "name": "Cllr Ann Other", "office": "vice-chair"})

    assert second_chair.status_code == 400
    assert "Cllr Helen Marsh is already the chair" in field_error(second_chair.text, "office")
    assert second_vice.status_code == 400
    assert "Cllr Vic Bell is already the vice-chair" in field_error(second_vice.text, "office")
    assert [m.name for m in members(app)] == ["Cllr Helen Marsh", "Cllr Vic Bell"]
    # Another council's chair is no obstacle.
    assert add(admin, CHAIR, slug="brockton").status_code == 303


def test_editing_keeps_the_chair_and_changes_the_details(app, admin):
    add(admin, CHAIR)
    mid = member_id(app, "Cllr Helen Marsh")
    url = f"/admin/councils/ashby/committee/{mid}"

    form = admin.get(url)
    assert form.status_code == 200
    assert 'value="helen.marsh@example.org"' in form.text
    response = post_form(admin, url, {**CHAIR, "political_group": "Fen Alliance"})

    assert response.status_code == 303
    [chair] = members(app)
    assert chair.office == "chair" and chair.political_group == "Fen Alliance"


def test_member_of_another_council_is_404(app, admin):
    add(admin, CHAIR)
    mid = member_id(app, "Cllr Helen Marsh")

    assert admin.get(f"/admin/councils/brockton/committee/{mid}").status_code == 404
    response = admin.post(
        f"/admin/councils/brockton/committee/{mid}/deactivate",
        data={"csrf_token": token_for(admin)},
    )
    assert response.status_code == 404
    assert members(app)[0].active


# --- former members and order --------------------------------------------------------------


def test_deactivated_member_stays_on_record_and_frees_the_office(app, admin):
    add(admin, CHAIR)

    response = press(admin, app, "Cllr Helen Marsh", "deactivate")

    assert response.status_code == 303
    [former] = members(app)
    assert not former.active and former.office == "chair"
    page = admin.get("/admin/councils/ashby").text
    assert 'id="former-committee-members"' in page
    assert "Cllr Helen Marsh is now listed as a former member." in page
    assert add(admin, {**CHAIR, "name": "Cllr New Chair"}).status_code == 303


def test_reinstating_a_former_chair_while_another_chairs_is_refused(app, admin):
    add(admin, CHAIR)
    press(admin, app, "Cllr Helen Marsh", "deactivate")
    add(admin, {**CHAIR, "name": "Cllr New Chair"})

    plain = press(admin, app, "Cllr Helen Marsh", "reinstate")
    assert plain.status_code == 303
    assert "Cllr New Chair is already the chair" in admin.get("/admin/councils/ashby").text
    htmx = press(admin, app, "Cllr Helen Marsh", "reinstate", headers=HTMX)

    assert htmx.status_code == 200
    assert htmx.text.strip().startswith('<section id="committee"')
    assert "Cllr New Chair is already the chair" in htmx.text
    assert not next(m for m in members(app) if m.name == "Cllr Helen Marsh").active


def test_reinstated_member_sits_again(app, admin):
    add(admin, CO_OPTED)
    press(admin, app, "Cllr Omar Reid", "deactivate")

    response = press(admin, app, "Cllr Omar Reid", "reinstate", headers=HTMX)

    assert response.status_code == 200
    assert "Cllr Omar Reid is a member of the committee again." in response.text
    assert members(app)[0].active


def test_members_are_reordered_without_and_with_javascript(app, admin):
    for name in ("Cllr A", "Cllr B", "Cllr C"):
        add(admin, {**CHAIR, "name": name, "office": ""})

    plain = press(admin, app, "Cllr C", "move", direction="up")
    htmx = press(admin, app, "Cllr A", "move", headers=HTMX, direction="down")

    assert plain.status_code == 303
    assert htmx.status_code == 200 and htmx.text.strip().startswith('<section id="committee"')
    assert [m.name for m in members(app)] == ["Cllr C", "Cllr A", "Cllr B"]
    assert press(admin, app, "Cllr C", "move", direction="sideways").status_code == 400


def test_committee_buttons_need_the_csrf_token(app, admin):
    add(admin, CHAIR)
    mid = member_id(app, "Cllr Helen Marsh")

    response = admin.post(f"/admin/councils/ashby/committee/{mid}/deactivate")

    assert response.status_code == 400
    assert members(app)[0].active


# --- whose committee hears the complaints ---------------------------------------------------


def heard_by(admin: FlaskClient, slug: str, value: str, headers=None):
    page = admin.get(f"/admin/councils/{slug}")
    return admin.post(
        f"/admin/councils/{slug}/committee/heard-by",
        data={"heard-by-committee_council_id": value, "heard-by-csrf_token": csrf_token(page.text)},
        headers=headers or {},
    )


def hearing_council_of(app: Flask, slug: str) -> str:
    with app.app_context():
        council = db.session.scalar(select(Council).where(Council.slug == slug))
        return council.hearing_council.slug


def test_a_council_is_heard_by_another_councils_committee(app, admin, two_councils):
    response = heard_by(admin, "ashby", str(two_councils.b_id))

    assert response.status_code == 303
    assert hearing_council_of(app, "ashby") == "brockton"
    brockton = admin.get("/admin/councils/brockton").text
    assert "also hears complaints about the members of" in brockton
    assert 'href="/admin/councils/ashby"' in brockton
    assert heard_by(admin, "ashby", "").status_code == 303
    assert hearing_council_of(app, "ashby") == "ashby"


def test_a_council_cannot_be_heard_by_itself_or_through_a_chain(app, admin, two_councils):
    with app.app_context():
        third = make_council("caldwell")
        db.session.commit()
        third_id = third.id
    assert heard_by(admin, "ashby", str(two_councils.b_id)).status_code == 303

    itself = heard_by(admin, "brockton", str(two_councils.b_id))
    chain_to = heard_by(admin, "caldwell", str(two_councils.a_id))
    chain_from = heard_by(admin, "brockton", str(third_id), headers=HTMX)

    field = "heard-by-committee_council_id"
    assert itself.status_code == 400
    assert "Choose another council" in field_error(itself.text, field)
    assert chain_to.status_code == 400
    assert "Choose Brockton Council instead" in field_error(chain_to.text, field)
    assert chain_from.status_code == 200 and chain_from.text.startswith('<section id="committee"')
    assert "Move them to another committee first" in field_error(chain_from.text, field)
    assert [hearing_council_of(app, s) for s in ("ashby", "brockton", "caldwell")] == [
        "brockton",
        "brockton",
        "caldwell",
    ]


def test_services_refuse_a_chair_who_is_not_an_elected_member(app_ctx, two_councils):
    council = db.session.get(Council, two_councils.a_id)
    with pytest.raises(committees.ValidationError) as refused:
        committees.add_member(
            council,
            committees.MemberDetails(name="Iris", kind="independent-person", office="chair"),
        )
    assert refused.value.field == "office"


# --- only host administrators ------------------------------------------------------------------

PAGES = ["/admin/councils/ashby/committee/new", "/admin/councils/ashby/committee/{member}"]
ACTIONS = [
    "/admin/councils/ashby/committee/new",
    "/admin/councils/ashby/committee/{member}",
    "/admin/councils/ashby/committee/{member}/deactivate",
    "/admin/councils/ashby/committee/{member}/reinstate",
    "/admin/councils/ashby/committee/{member}/move",
    "/admin/councils/ashby/committee/heard-by",
]


@pytest.fixture
def chair_id(app: Flask, two_councils) -> int:
    with app.app_context():
        council = db.session.get(Council, two_councils.a_id)
        member = committees.add_member(council, committees.MemberDetails(**CHAIR))
        db.session.commit()
        return member.id


def test_only_host_administrators_reach_the_committee_pages(app, client, chair_id):
    urls = [u.format(member=chair_id) for u in PAGES]
    actions = [u.format(member=chair_id) for u in ACTIONS]

    anonymous = {u: client.get(u).status_code for u in urls}
    login(client, "mo.a@example.org")
    token = csrf_token(client.get("/cases/").text)
    pages = {u: client.get(u).status_code for u in urls}
    posts = {
        u: client.post(
            u, data={**CHAIR, "name": "Intruder", "direction": "up", "csrf_token": token}
        ).status_code
        for u in actions
    }

    assert anonymous == dict.fromkeys(urls, 302)
    assert pages == dict.fromkeys(urls, 403)
    assert posts == dict.fromkeys(actions, 403)
    [chair] = members(app)
    assert chair.name == "Cllr Helen Marsh" and chair.active
    assert hearing_council_of(app, "ashby") == "ashby"
