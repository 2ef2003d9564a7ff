"""Driving a case through its procedure the way staff do: through the web pages."""

from __future__ import annotations

import re
from datetime import date

from flask.testing import FlaskClient

from tests.conftest import csrf_token


def page(client: FlaskClient, case_id: int) -> str:
    response = client.get(f"/cases/{case_id}")
    assert response.status_code == 200, (response.status_code, response.headers.get("Location"))
    return response.text


def offered(client: FlaskClient, case_id: int) -> set[str]:
    """The actions the signed-in user is offered on the case page."""
    html = page(client, case_id)
    section = (
        html.split('id="actions"', 1)[1].split("</ul>", 1)[0] if 'id="actions"' in html else ""
    )
    return set(re.findall(r'data-action="([a-z0-9-]+)"', section))


def stage(client: FlaskClient, case_id: int) -> str:
    match = re.search(r'data-stage="([a-z0-9-]+)"', page(client, case_id))
    assert match
    return match.group(1)


def deadlines(client: FlaskClient, case_id: int) -> dict[str, tuple[date, str]]:
    """deadline key -> (due date, state) as the case page shows them (last row per key)."""
    html = page(client, case_id)
    found = {}
    for row in re.findall(r'<tr class="govuk-table__row" data-deadline-row=.*?</tr>', html, re.S):
        key = re.search(r'data-deadline-row="([a-z0-9-]+)"', row).group(1)
        state = re.search(r'data-state="([a-z-]+)"', row).group(1)
        due = re.search(r'<time datetime="(\d{4}-\d{2}-\d{2})" data-deadline="' + key, row)
        found[key] = (date.fromisoformat(due.group(1)), state)
    return found


def act(client: FlaskClient, case_id: int, key: str, data: dict | None = None, **kw):
    """Take an action through its form (plain post, no JavaScript). Returns the response."""
    form_page = client.get(f"/cases/{case_id}/actions/{key}")
    if form_page.status_code != 200:
        return form_page
    fields = {"csrf_token": csrf_token(form_page.text), **(data or {})}
    return client.post(
        f"/cases/{case_id}/actions/{key}", data=fields, content_type="multipart/form-data", **kw
    )


def date_fields(name: str, value: date) -> dict[str, str]:
    """The three inputs of a GOV.UK date field."""
    return {name: [str(value.day), str(value.month), str(value.year)]}


class Staff:
    """One signed-in test client per staff account, so steps can switch people cheaply."""

    def __init__(self, app, accounts: dict[str, str]) -> None:
        from tests.conftest import login

        self.clients: dict[str, FlaskClient] = {}
        for name, email in accounts.items():
            client = app.test_client()
            response = login(client, email)
            assert response.status_code == 302, (email, response.status_code)
            self.clients[name] = client

    def __getitem__(self, name: str) -> FlaskClient:
        return self.clients[name]


def step(
    staff: Staff,
    case_id: int,
    who: str,
    key: str,
    data: dict | None = None,
    *,
    to: str | None = None,
    others_refused: bool = True,
) -> None:
    """`who` takes action `key`; everyone else is refused it first (403/404/409, not offered)."""
    if others_refused:
        before = stage(staff[who], case_id)
        for name, client in staff.clients.items():
            if name == who:
                continue
            if client.get(f"/cases/{case_id}").status_code == 404:
                continue  # cannot even see the case
            if key in offered(client, case_id):
                continue  # another role that may also take it (e.g. the deputy)
            refused = client.post(
                f"/cases/{case_id}/actions/{key}",
                data={"csrf_token": csrf_token(page(client, case_id))},
            )
            assert refused.status_code in (403, 409), (name, key, refused.status_code)
        assert stage(staff[who], case_id) == before
    assert key in offered(staff[who], case_id), (who, key, offered(staff[who], case_id))
    response = act(staff[who], case_id, key, data)
    assert response.status_code == 303, (who, key, response.status_code, response.text[:3000])
    if to is not None:
        assert stage(staff[who], case_id) == to, (key, stage(staff[who], case_id))


# --- cases made through the engine directly (fast set-up for tests of one mechanism) ---


def record_case(
    app,
    slug: str,
    received_on: date,
    *,
    procedure: str = "conduct-complaint",
    entry: str | None = None,
    subject: tuple[str, str] = ("Robin", "Gale"),
    channel: str = "post",
    events_on: date | None = None,
) -> int:
    """A case recorded by staff (as /cases/new does), started at its entry stage. Its id."""
    from sqlalchemy import select

    from conduct.intake import NewCase, create_case
    from conduct.procedures import PROCEDURES
    from core.db import db
    from tenants.models import Council

    with app.app_context():
        council = db.session.scalar(select(Council).where(Council.slug == slug))
        case = create_case(
            council,
            PROCEDURES[procedure],
            entry,
            NewCase(
                received_on=received_on,
                channel=channel,
                first_name="Alex",
                last_name="Jones",
                subject_first_name=subject[0],
                subject_last_name=subject[1],
                details="What happened.",
                events_on=events_on,
            ),
        )
        db.session.commit()
        return case.id


def perform_as(
    app, case_id: int, email: str, key: str, values: dict | None = None, *, on: date
) -> None:
    """`email` takes action `key` on day `on` through the engine (checks roles and stage)."""
    from sqlalchemy import select

    from conduct import engine
    from conduct.models import Case
    from core.db import db
    from tenants.models import User

    with app.app_context():
        case = db.session.get(Case, case_id)
        user = db.session.scalar(select(User).where(User.email == email))
        engine.perform(case, case.council, key, actor=user, values=values or {}, on=on)
        db.session.commit()


def assert_closed_to_everyone(
    staff: Staff, case_id: int, procedure_key: str, readers: set[str]
) -> None:
    """A closed case: nothing is offered to anyone and every action of the procedure is refused."""
    from conduct.procedures import PROCEDURES

    procedure = PROCEDURES[procedure_key]
    keys = sorted(
        {a.key for s in procedure.stages for a in s.actions} | {a.key for a in procedure.anywhere}
    )
    for name, client in staff.clients.items():
        if client.get(f"/cases/{case_id}").status_code == 404:
            assert name not in readers, name
            continue
        assert offered(client, case_id) == set(), name
        token = csrf_token(page(client, case_id))
        for key in keys:
            response = client.post(f"/cases/{case_id}/actions/{key}", data={"csrf_token": token})
            assert response.status_code in (403, 409), (name, key, response.status_code)


# One account per role on the council under test, a host administrator and another
# council's Monitoring Officer: the cast every procedure walk refuses or lets act.
ROLE_ACCOUNTS = {
    "mo": "mo@example.org",
    "dmo": "dmo@example.org",
    "ip": "ip@example.org",
    "io": "io@example.org",
    "clerk": "clerk@example.org",
    "chair": "chair@example.org",
    "panel": "panel@example.org",
    "admin": "admin@example.org",
    "other_mo": "mo@other.example.org",
}
_ROLE_OF = {
    "mo": "monitoring-officer",
    "dmo": "deputy-monitoring-officer",
    "ip": "independent-person",
    "io": "investigating-officer",
    "clerk": "clerk",
    "chair": "chair",
    "panel": "panel-member",
}


def make_role_accounts(council, other, full_names: dict[str, str] | None = None) -> None:
    """Create ROLE_ACCOUNTS (the caller commits)."""
    from tests.conftest import make_user

    for name, role in _ROLE_OF.items():
        user = make_user(ROLE_ACCOUNTS[name], (council, role))
        if full_names and name in full_names:
            user.full_name = full_names[name]
    make_user(ROLE_ACCOUNTS["admin"], host_admin=True)
    make_user(ROLE_ACCOUNTS["other_mo"], (other, "monitoring-officer"))
