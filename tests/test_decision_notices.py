"""Decision notices (seed 003 Appendices 4 and 5): drafted from the case, approved, frozen.

A seed 003 case walked to a hearing produces both notices with its facts; a
published notice never changes, whatever happens to the case later; a
correction is a new version that says so.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from conduct.decisions.models import DecisionNotice
from conduct.models import Allegation, Case
from core.db import db
from tests.casework_helpers import Staff, perform_as, record_case
from tests.conftest import csrf_token, make_council, make_user
from tests.hearing_helpers import convene, decide, make_committee, post_form, publish_papers

TODAY = date(2027, 3, 1)
HEARING_DAY = date(2027, 3, 22)
ACCOUNTS = {
    "mo": "mo@fenmoor.example.org",
    "dmo": "dmo@fenmoor.example.org",
    "ip": "ip@fenmoor.example.org",
    "panel": "panel@fenmoor.example.org",
    "other_panel": "other.panel@fenmoor.example.org",
    "other_mo": "mo@brockton.example.org",
}


@pytest.fixture
def world(app):
    with app.app_context():
        fenmoor = make_council("fenmoor", name="Fenmoor District Council")
        ashby = make_council("ashby", name="Ashby Town Council")
        brockton = make_council("brockton")
        ashby.committee_council_id = fenmoor.id
        mo = make_user(ACCOUNTS["mo"], (ashby, "monitoring-officer"))
        mo.full_name = "Morgan Price"
        make_user(ACCOUNTS["dmo"], (ashby, "deputy-monitoring-officer"))
        ip = make_user(ACCOUNTS["ip"], (ashby, "independent-person"))
        ip.full_name = "Iris Ward"
        panel = make_user(ACCOUNTS["panel"], (fenmoor, "panel-member"))
        panel.full_name = "Ada Chair"
        other_panel = make_user(ACCOUNTS["other_panel"], (fenmoor, "panel-member"))
        make_user(ACCOUNTS["other_mo"], (brockton, "monitoring-officer"))
        committee = make_committee(fenmoor, {"chair": panel, "m5": other_panel})
        db.session.commit()
    return committee


@pytest.fixture
def staff(app, world):
    return lambda: Staff(app, ACCOUNTS)


def _assessed(app, *, confidential: bool = False) -> int:
    """An Ashby complaint with two allegations, assessed for summary resolution on TODAY."""
    case_id = record_case(app, "ashby", date(2027, 2, 1))
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.complainant_email = "alex@example.com"
        case.confidentiality_requested = confidential
        case.details = "Shouted at a member of the public during the meeting of 3 February."
        case.allegations = [
            Allegation(council_id=case.council_id, provision="3.1", summary="Shouted at Pat."),
            Allegation(council_id=case.council_id, provision="3.2e", summary="Posted insults."),
        ]
        db.session.commit()
    steps = [
        ("record-acknowledgement", {"how": "post"}),
        ("grant-confidentiality", {"reason": "Fear"}) if confidential else ("proceed", {}),
        ("subject-notified", {"subject_email": "robin@councillors.example.org"}),
        ("subject-responded", {"summary": "I was provoked."}),
        ("not-resolved", {}),
        ("record-ip-view", {"view": "The conduct may breach Rule 3.1."}),
        (
            "assess-summary-resolution",
            {"reasons": "An apology would resolve it.", "factors": ["over-six-months"]},
        ),
    ]
    for key, values in steps:
        who = ACCOUNTS["ip"] if key == "record-ip-view" else ACCOUNTS["mo"]
        perform_as(app, case_id, who, key, values, on=TODAY)
    return case_id


def _draft(client, case_id: int, kind: str) -> int:
    page = client.get(f"/cases/{case_id}/notices")
    assert page.status_code == 200
    response = client.post(
        f"/cases/{case_id}/notices/new/{kind}", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 303, response.text
    return int(re.search(r"/notices/(\d+)$", response.headers["Location"]).group(1))


def _approve(client, case_id: int, notice_id: int, slot: int):
    page = client.get(f"/cases/{case_id}/notices/{notice_id}")
    return client.post(
        f"/cases/{case_id}/notices/{notice_id}/approve/{slot}",
        data={"csrf_token": csrf_token(page.text)},
    )


def _publish(client, case_id: int, notice_id: int):
    page = client.get(f"/cases/{case_id}/notices/{notice_id}")
    return client.post(
        f"/cases/{case_id}/notices/{notice_id}/publish",
        data={"csrf_token": csrf_token(page.text)},
        follow_redirects=True,
    )


def _notice(app, notice_id: int) -> DecisionNotice:
    with app.app_context():
        notice = db.session.get(DecisionNotice, notice_id)
        db.session.expunge(notice)
        return notice


def test_the_initial_assessment_notice_is_drafted_with_the_cases_facts(app, staff):
    with time_machine.travel(TODAY, tick=False):
        case_id = _assessed(app)
        people = staff()
        notice_id = _draft(people["mo"], case_id, "initial-assessment")
        page = people["mo"].get(f"/cases/{case_id}/notices/{notice_id}").text
    preview = page.split('id="notice-preview"', 1)[1]
    for fact in (
        "Robin Gale",  # the subject member
        "1 February 2027",  # received
        "Alex Jones",  # no confidentiality asked
        "Shouted at a member of the public",
        "Ashby Town Council",  # the authority for the jurisdiction test
        "Rule 3.1: failure to treat others with respect",
        "Shouted at Pat.",
        "Rule 3.2(e): bringing the member",
        "I was provoked.",  # the subject's response
        "More than 6 months have passed since the events",  # factors ticked
        "The conduct may breach Rule 3.1.",  # the Independent Person's view
        "An apology would resolve it.",  # the Monitoring Officer's reasons
        "All three limbs of this test are satisfied",
    ):
        assert fact in preview, fact
    assert "not yet published (draft)" in preview


def test_publishing_needs_the_independent_person_and_the_monitoring_officer(app, staff):
    with time_machine.travel(TODAY, tick=False):
        case_id = _assessed(app)
        people = staff()
        notice_id = _draft(people["mo"], case_id, "initial-assessment")
        refused = _publish(people["mo"], case_id, notice_id)
        assert "It needs approval first by: Independent Person; Monitoring Officer" in refused.text
        assert _approve(people["ip"], case_id, notice_id, 0).status_code == 303
        # One person approves once, even holding both roles' places.
        assert _approve(people["ip"], case_id, notice_id, 1).status_code == 403
        assert _approve(people["mo"], case_id, notice_id, 1).status_code == 303
        # Editing the text afterwards voids the approvals given to the old text.
        edited = post_form(
            people["mo"],
            f"/cases/{case_id}/notices/{notice_id}",
            {"considerations_1": "The words were directed at Pat personally."},
        )
        assert edited.status_code == 303
        assert "It needs approval first" in _publish(people["mo"], case_id, notice_id).text
        _approve(people["ip"], case_id, notice_id, 0)
        _approve(people["dmo"], case_id, notice_id, 1)
        published = _publish(people["mo"], case_id, notice_id)
        assert "Published. The notice is now on the council" in published.text
    notice = _notice(app, notice_id)
    assert notice.status == "published"
    assert "Iris Ward, Independent Person" in notice.html
    assert "Deputy Monitoring Officer" in notice.html
    assert "The words were directed at Pat personally." in notice.html
    assert notice.pdf.startswith(b"%PDF")


def test_a_published_notice_never_changes_and_a_correction_is_a_new_version(app, staff):
    with time_machine.travel(TODAY, tick=False):
        case_id = _assessed(app)
        people = staff()
        first = _draft(people["mo"], case_id, "initial-assessment")
        _approve(people["ip"], case_id, first, 0)
        _approve(people["mo"], case_id, first, 1)
        _publish(people["mo"], case_id, first)
        frozen = _notice(app, first)
        pdf = people["mo"].get(f"/cases/{case_id}/notices/{first}/notice.pdf")
        assert pdf.headers["Content-Type"] == "application/pdf" and pdf.data == frozen.pdf
        # The case moves on and is edited: the published notice does not follow it.
        with app.app_context():
            case = db.session.get(Case, case_id)
            case.details = "Entirely different words."
            case.subjects[0].last_name = "Renamed"
            case.allegations[0].summary = "Changed summary."
            db.session.commit()
        assert (
            post_form(
                people["mo"], f"/cases/{case_id}/notices/{first}", {"mo_decision": "x"}
            ).status_code
            == 403
        )
        page = people["mo"].get(f"/cases/{case_id}/notices/{first}").text
        assert frozen.html in page
        again = _notice(app, first)
        assert (again.html, again.pdf, again.sha256) == (frozen.html, frozen.pdf, frozen.sha256)
        assert people["mo"].get(f"/cases/{case_id}/notices/{first}/notice.pdf").data == frozen.pdf
        # A correction: a new draft version carrying what it corrects.
        page = people["mo"].get(f"/cases/{case_id}/notices/{first}").text
        missing = people["mo"].post(
            f"/cases/{case_id}/notices/{first}/correct",
            data={"csrf_token": csrf_token(page), "note": ""},
        )
        assert missing.status_code == 400 and "Say what the correction changes" in missing.text
        corrected = people["mo"].post(
            f"/cases/{case_id}/notices/{first}/correct",
            data={"csrf_token": csrf_token(page), "note": "The date of receipt was wrong."},
        )
        assert corrected.status_code == 303
        second = int(re.search(r"/notices/(\d+)$", corrected.headers["Location"]).group(1))
        post_form(
            people["mo"], f"/cases/{case_id}/notices/{second}", {"received_on": "2 February 2027"}
        )
        _approve(people["ip"], case_id, second, 0)
        _approve(people["mo"], case_id, second, 1)
        _publish(people["mo"], case_id, second)
        listing = people["mo"].get(f"/cases/{case_id}/notices").text
        earlier = people["mo"].get(f"/cases/{case_id}/notices/{first}").text
    correction = _notice(app, second)
    assert (correction.version, correction.corrects_id, correction.status) == (
        2,
        first,
        "published",
    )
    assert "It corrects version 1, published on 1 March 2027" in correction.html
    assert "The date of receipt was wrong." in correction.html
    assert "2 February 2027" in correction.html
    assert _notice(app, first).html == frozen.html  # still on the record, unchanged
    assert "Superseded by version 2" in earlier
    assert listing.count("Published") >= 2


def test_a_confidential_complainant_cannot_be_named_in_a_published_notice(app, staff):
    with time_machine.travel(TODAY, tick=False):
        case_id = _assessed(app, confidential=True)
        people = staff()
        notice_id = _draft(people["mo"], case_id, "initial-assessment")
        draft = _notice(app, notice_id)
        assert draft.fields["complainant"] == "a complainant whose identity is kept confidential"
        post_form(
            people["mo"],
            f"/cases/{case_id}/notices/{notice_id}",
            {"considerations_1": "Alex Jones was upset."},
        )
        _approve(people["ip"], case_id, notice_id, 0)
        _approve(people["mo"], case_id, notice_id, 1)
        refused = _publish(people["mo"], case_id, notice_id)
        assert "remove their name" in refused.text
    assert _notice(app, notice_id).status == "draft"


def test_the_hearing_panel_notice_after_a_hearing_is_approved_by_its_panel_member(
    app, staff, world
):
    with time_machine.travel(TODAY, tick=False):
        case_id = _assessed(app)
        perform_as(app, case_id, ACCOUNTS["mo"], "summary-refused", {"reason": "No"}, on=TODAY)
        people = staff()
        assert (
            convene(people["mo"], case_id, world, HEARING_DAY, co_opted=("co1", "co2")).status_code
            == 303
        )
        assert publish_papers(people["mo"], case_id).status_code == 303
        with app.app_context():
            first, second = db.session.scalars(
                select(Allegation.id).where(Allegation.case_id == case_id).order_by(Allegation.id)
            ).all()
    with time_machine.travel(HEARING_DAY, tick=False):
        people = staff()
        # Not yet: the notice records the panel's decision.
        listing = people["mo"].get(f"/cases/{case_id}/notices").text
        assert 'data-draft="hearing-panel"' not in listing
        decided = decide(
            people["mo"],
            case_id,
            {
                "finding": "breach",
                "decision": "Disrespectful.",
                f"finding_{first}": "breach",
                f"reasons_{first}": "Witnesses agreed he shouted.",
                f"finding_{second}": "no-breach",
                f"reasons_{second}": "The posts were not his.",
                "sanctions": ["reprimand"],
                "unanimous": "no",
            },
        )
        assert decided.status_code == 303
        notice_id = _draft(people["mo"], case_id, "hearing-panel")
        draft = _notice(app, notice_id)
        # A panel member not on this panel cannot see it; the chair can, and approves.
        assert people["other_panel"].get(f"/cases/{case_id}/notices/{notice_id}").status_code == 404
        assert people["other_mo"].get(f"/cases/{case_id}/notices/{notice_id}").status_code == 404
        assert people["panel"].get(f"/cases/{case_id}").status_code == 404
        assert people["panel"].get(f"/cases/{case_id}/notices/{notice_id}").status_code == 200
        assert _approve(people["panel"], case_id, notice_id, 1).status_code == 303
        assert _approve(people["mo"], case_id, notice_id, 0).status_code == 303
        assert (
            post_form(
                people["panel"], f"/cases/{case_id}/notices/{notice_id}", {"mo_advice": "x"}
            ).status_code
            == 403
        )
        _publish(people["mo"], case_id, notice_id)
    published = _notice(app, notice_id)
    for fact in (
        "Robin Gale",
        "Rule 3.1: failure to treat others with respect: failed to comply with the Code",
        "Witnesses agreed he shouted.",
        "not proved. The posts were not his.",
        "The Panel decided by a majority",
        "Issue a formal letter of reprimand",
        "There is no right of appeal against the Hearing Panel",
        "Ada Chair, Hearing panel member",
        "Morgan Price, Monitoring Officer",
        "1 March 2027",  # the initial consideration
    ):
        assert fact in published.html, fact
    assert draft.fields["sanctions"].count("reprimand") == 1
    assert published.status == "published"


def test_no_notice_is_drafted_before_its_decision_nor_by_those_who_do_not_write_them(app, staff):
    with time_machine.travel(TODAY, tick=False):
        case_id = record_case(app, "ashby", TODAY)
        people = staff()
        page = people["mo"].get(f"/cases/{case_id}/notices")
        token = csrf_token(page.text)
        assert 'data-draft="initial-assessment"' not in page.text
        early = people["mo"].post(
            f"/cases/{case_id}/notices/new/initial-assessment", data={"csrf_token": token}
        )
        assert early.status_code == 409
        assessed = _assessed(app)
        ip_page = people["ip"].get(f"/cases/{assessed}/notices").text
        assert 'data-draft="initial-assessment"' not in ip_page
        by_ip = people["ip"].post(
            f"/cases/{assessed}/notices/new/initial-assessment",
            data={"csrf_token": csrf_token(ip_page)},
        )
        assert by_ip.status_code == 403
        assert people["other_mo"].get(f"/cases/{assessed}/notices").status_code == 404
