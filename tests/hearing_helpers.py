"""Committees and hearings for tests: panels convened and hearings held through the pages."""

from __future__ import annotations

import re
from datetime import date

from flask.testing import FlaskClient

from tests.conftest import csrf_token

# A committee like seed 003 Article 9 §1.2: five elected members (chair, vice-chair),
# two co-opted parish representatives and an Independent Person.
MEMBERS = (
    ("chair", "Cllr Ada Chair", "member", "chair", "Independents", ""),
    ("vice", "Cllr Ben Vice", "member", "vice-chair", "Greens", ""),
    ("m3", "Cllr Cat Three", "member", "", "Independents", ""),
    ("m4", "Cllr Dan Four", "member", "", "Greens", ""),
    ("m5", "Cllr Eve Five", "member", "", "Independents", ""),
    ("co1", "Fay Coopted", "co-opted", "", "", "Little Hadley Parish Council"),
    ("co2", "Gus Coopted", "co-opted", "", "", "Ashby Marsh Town Council"),
    ("ip", "Iris Independent", "independent-person", "", "", ""),
)


def make_committee(council, users: dict | None = None) -> dict[str, int]:
    """The committee of `council`; `users` links member keys to staff accounts. Ids by key."""
    from core.db import db
    from tenants.committees import CommitteeMember

    found = {}
    for position, (key, name, kind, office, group, represents) in enumerate(MEMBERS):
        member = CommitteeMember(
            council_id=council.id,
            name=name,
            kind=kind,
            office=office,
            political_group=group,
            represents=represents,
            email=f"{key}@committee.example.org",
            user=(users or {}).get(key),
            position=position,
        )
        db.session.add(member)
        db.session.flush()
        found[key] = member.id
    return found


def convene_data(
    committee: dict[str, int],
    on: date,
    *,
    members=("chair", "m3", "m4"),
    chair="chair",
    ip="ip",
    co_opted=(),
    at="10:00",
    venue="Council Chamber, Fenmoor Hall",
    note="",
) -> dict:
    data = {
        "members": [str(committee[k]) for k in members],
        "co_opted": [str(committee[k]) for k in co_opted],
        "hearing_date": [str(on.day), str(on.month), str(on.year)],
        "hearing_time": at,
        "venue": venue,
        "conflicts_note": note,
    }
    if chair:
        data["chair"] = str(committee[chair])
    if ip:
        data["independent_person"] = str(committee[ip])
    return data


def post_form(client: FlaskClient, path: str, data: dict):
    """GET the form page (for its CSRF token), then POST the data to it."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return client.post(path, data={"csrf_token": csrf_token(page.text), **data})


def convene(client: FlaskClient, case_id: int, committee: dict[str, int], on: date, **kw):
    return post_form(client, f"/cases/{case_id}/hearing/convene", convene_data(committee, on, **kw))


def hearing_id(client: FlaskClient, case_id: int) -> int:
    page = client.get(f"/cases/{case_id}/hearing")
    match = re.search(rf"/cases/{case_id}/hearing/(\d+)/", page.text)
    assert match, page.text[:2000]
    return int(match.group(1))


def publish_papers(client: FlaskClient, case_id: int, **texts):
    """Publish the agenda pack with the texts drafted from the case (and all its documents)."""
    hid = hearing_id(client, case_id)
    path = f"/cases/{case_id}/hearing/{hid}/papers"
    page = client.get(path)
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_token(page.text),
        "complaint": _textarea(page.text, "complaint"),
        "response": _textarea(page.text, "response"),
        "assessment": _textarea(page.text, "assessment"),
        "report": _textarea(page.text, "report"),
        "files": re.findall(r'name="files" type="checkbox" value="(\d+)" checked', page.text),
        **texts,
    }
    return client.post(path, data=data)


def _textarea(html: str, name: str) -> str:
    import html as html_module

    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, name
    return html_module.unescape(match.group(1)).lstrip("\n")


def decide(client: FlaskClient, case_id: int, data: dict):
    hid = hearing_id(client, case_id)
    return post_form(client, f"/cases/{case_id}/hearing/{hid}/decision", data)
