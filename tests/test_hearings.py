"""Hearings: a properly constituted panel, papers 5 working days before, the hearing, the decision.

seed 003 Article 9 §2.2 and Rule 9 §3; seed 002 §4.5 for the Welsh protocol. The
district's committee hears the town council's case (co-optees invited); another
council's staff see none of it.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from conduct.hearings.models import Hearing
from conduct.models import Allegation, Case, CaseDeadline
from core.db import db
from tenants.models import Council, User
from tests.casework_helpers import Staff, perform_as, record_case, stage
from tests.conftest import body_of, csrf_token, make_council, make_user
from tests.hearing_helpers import (
    convene,
    convene_data,
    decide,
    hearing_id,
    make_committee,
    post_form,
    publish_papers,
)

TODAY = date(2027, 3, 1)  # a Monday
HEARING_DAY = date(2027, 3, 22)
# 5 working days before Monday 22 March 2027: Monday 15 March.
PAPERS_BY = date(2027, 3, 15)
COUNCILLOR = "robin.gale@councillors.example.org"

ACCOUNTS = {
    "mo": "mo@fenmoor.example.org",
    "ip": "ip@fenmoor.example.org",
    "panel": "panel@fenmoor.example.org",
    "other_panel": "other.panel@fenmoor.example.org",
    "clerk": "clerk@ashby.example.org",
    "other_mo": "mo@brockton.example.org",
}


@pytest.fixture
def world(app):
    """Fenmoor District (its committee) hears Ashby Town's councillors; Brockton is elsewhere."""
    with app.app_context():
        fenmoor = make_council("fenmoor", name="Fenmoor District Council")
        ashby = make_council("ashby", name="Ashby Town Council")
        brockton = make_council("brockton")
        ashby.committee_council_id = fenmoor.id
        make_user(
            ACCOUNTS["mo"],
            (fenmoor, "monitoring-officer"),
            (ashby, "monitoring-officer"),
        )
        make_user(ACCOUNTS["ip"], (fenmoor, "independent-person"), (ashby, "independent-person"))
        panel = make_user(ACCOUNTS["panel"], (fenmoor, "panel-member"))
        other_panel = make_user(ACCOUNTS["other_panel"], (fenmoor, "panel-member"))
        make_user(ACCOUNTS["clerk"], (ashby, "clerk"))
        make_user(ACCOUNTS["other_mo"], (brockton, "monitoring-officer"))
        committee = make_committee(fenmoor, {"chair": panel, "m5": other_panel})
        db.session.commit()
    return committee


def _to_hearing(app, *, confidential: bool = False, allegations: int = 2) -> int:
    """An Ashby complaint brought to the hearing stage through the engine, on TODAY."""
    case_id = record_case(app, "ashby", TODAY)
    mo = ACCOUNTS["mo"]
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.complainant_email = "alex@example.com"
        case.confidentiality_requested = confidential
        for n in range(allegations):
            case.allegations.append(
                Allegation(council_id=case.council_id, provision="3.1", summary=f"Allegation {n}")
            )
        db.session.commit()
    steps = [
        ("record-acknowledgement", {"how": "post"}),
        ("grant-confidentiality", {"reason": "Fear"}) if confidential else ("proceed", {}),
        ("subject-notified", {"subject_email": COUNCILLOR}),
        ("subject-responded", {"summary": "I deny it."}),
        ("not-resolved", {}),
        ("record-ip-view", {"view": "Needs a hearing"}),
        ("assess-summary-resolution", {"reasons": "Breach likely"}),
        ("summary-refused", {"reason": "Refused an apology"}),
    ]
    for key, values in steps:
        who = ACCOUNTS["ip"] if key == "record-ip-view" else mo
        perform_as(app, case_id, who, key, values, on=TODAY)
    return case_id


@pytest.fixture
def staff(app, world):
    def signed_in() -> Staff:
        return Staff(app, ACCOUNTS)

    return signed_in


# --- convening -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"members": ("chair", "m3")},
            "A panel has 3 members of the committee, all present for it to be quorate",
        ),
        (
            {"members": ("m3", "m4", "m5"), "chair": "m3"},
            "The panel must include the Chairman or Vice-Chairman of the committee",
        ),
        ({"ip": None}, "An Independent Person must sit with the panel"),
        ({"co_opted": ("co1",)}, "invite the co-opted representatives (Gus Coopted)"),
        ({"chair": None}, "Choose which of the panel&#39;s members chairs the hearing."),
    ],
    ids=[
        "two-members",
        "no-chair-or-vice",
        "no-independent-person",
        "co-optee-left-out",
        "no-chair",
    ],
)
def test_convening_an_invalid_panel_is_refused_with_the_rule_that_failed(
    app, staff, world, change, message
):
    with time_machine.travel(TODAY, tick=False):
        case_id = _to_hearing(app)
        mo = staff()["mo"]
        options = {"co_opted": ("co1", "co2"), **change}
        response = convene(mo, case_id, world, HEARING_DAY, **options)
        assert response.status_code == 400
        assert message in response.text
        assert "govuk-error-summary" in response.text
        # What was typed is kept.
        assert 'value="Council Chamber, Fenmoor Hall"' in response.text
    with app.app_context():
        assert db.session.scalar(select(Hearing.id)) is None
        case = db.session.get(Case, case_id)
        assert "hearing_date" not in case.facts


def test_a_valid_panel_is_convened_its_date_set_and_everyone_told(app, staff, world, smtp):
    from core import outbox

    with time_machine.travel(TODAY, tick=False):
        case_id = _to_hearing(app)
        mo = staff()["mo"]
        response = convene(mo, case_id, world, HEARING_DAY, co_opted=("co1", "co2"))
        assert response.status_code == 303, response.text
        hid = hearing_id(mo, case_id)
        page = mo.get(f"/cases/{case_id}/hearing")
        added = mo.post(
            f"/cases/{case_id}/hearing/{hid}/attendees",
            data={
                "csrf_token": csrf_token(page.text),
                "kind": "witness",
                "name": "Pat Witness",
                "email": "pat@example.com",
                "called_by": "investigator",
            },
        )
        assert added.status_code == 303
        with app.app_context():
            report = outbox.deliver()
            assert not report.failed
        case_page = mo.get(f"/cases/{case_id}").text
    with app.app_context():
        hearing = db.session.get(Hearing, hid)
        assert [s.seat for s in hearing.seats] == [
            "chair",
            "member",
            "member",
            "independent-person",
            "co-opted",
            "co-opted",
        ]
        case = db.session.get(Case, case_id)
        assert case.facts["hearing_date"] == HEARING_DAY.isoformat()
        papers = db.session.scalar(
            select(CaseDeadline).where(
                CaseDeadline.case_id == case_id, CaseDeadline.key == "agenda-pack"
            )
        )
        assert (papers.due_on, papers.status) == (PAPERS_BY, "open")
    assert f'datetime="{PAPERS_BY.isoformat()}" data-deadline="agenda-pack"' in case_page
    told = {m["To"] for m in smtp.messages}
    assert {
        "alex@example.com",
        COUNCILLOR,
        "chair@committee.example.org",
        "m3@committee.example.org",
        "m4@committee.example.org",
        "ip@committee.example.org",
        "co1@committee.example.org",
        "co2@committee.example.org",
        "pat@example.com",
    } <= told
    assert "m5@committee.example.org" not in told
    (to_chair,) = smtp.to("chair@committee.example.org")
    text = body_of(to_chair)
    assert "Monday 22 March 2027, 10:00" in text and "Council Chamber, Fenmoor Hall" in text
    assert f"/cases/hearings/{hid}/bundle" in text
    # The councillor's notice never names the complainant.
    (to_councillor,) = [m for m in smtp.to(COUNCILLOR) if m["Subject"].startswith("Hearing on")]
    assert "Alex" not in body_of(to_councillor) and "Jones" not in body_of(to_councillor)
    assert "/ashby/my-case/" in body_of(to_councillor)


def test_a_hearing_too_soon_for_the_papers_deadline_is_refused_at_the_date(app, staff, world):
    with time_machine.travel(TODAY, tick=False):
        case_id = _to_hearing(app)
        # Monday 8 March: the papers would be due Monday 1 March, today... fine; Friday 5th: not.
        response = convene(staff()["mo"], case_id, world, date(2027, 3, 5), co_opted=("co1", "co2"))
    assert response.status_code == 400
    assert "The papers must be published by 26 February 2027" in response.text


def test_a_conflict_declared_by_a_party_is_flagged_until_acknowledged(app, staff, world):
    with time_machine.travel(TODAY, tick=False):
        case_id = _to_hearing(app)
        mo = staff()["mo"]
        recorded = post_form(
            mo,
            f"/cases/{case_id}/conflicts",
            {"member": str(world["m3"]), "raised_by": "subject", "reason": "Business partner"},
        )
        assert recorded.status_code == 303
        page = mo.get(f"/cases/{case_id}/hearing/convene").text
        assert f'data-conflict="{world["m3"]}"' in page and "Business partner" in page
        refused = convene(mo, case_id, world, HEARING_DAY, co_opted=("co1", "co2"))
        assert refused.status_code == 400
        assert (
            "may have a conflict of interest" in refused.text and "Cllr Cat Three" in refused.text
        )
        # Choosing someone else is fine; so is keeping them with a recorded reason.
        other = convene(
            mo, case_id, world, HEARING_DAY, members=("chair", "m4", "m5"), co_opted=("co1", "co2")
        )
        assert other.status_code == 303
        kept = convene(
            mo,
            case_id,
            world,
            HEARING_DAY,
            co_opted=("co1", "co2"),
            note="The partnership ended in 2019; both parties agree.",
        )
        assert kept.status_code == 303
        timeline = mo.get(f"/cases/{case_id}").text
    assert "Declared conflict of interest acknowledged" in timeline


# --- the papers ---------------------------------------------------------------------------


def test_papers_are_frozen_when_published_and_meet_the_deadline(app, staff, world):
    with time_machine.travel(TODAY, tick=False):
        case_id = _to_hearing(app)
        mo = staff()["mo"]
        assert convene(mo, case_id, world, HEARING_DAY, co_opted=("co1", "co2")).status_code == 303
    with time_machine.travel(date(2027, 3, 12), tick=False):
        mo = staff()["mo"]
        published = publish_papers(mo, case_id)
        assert published.status_code == 303, published.text
    with app.app_context():
        hearing = db.session.scalar(select(Hearing))
        frozen = hearing.agenda_html
        assert "I deny it." in frozen and "What happened." in frozen
        assert "Alex Jones" in frozen  # no confidentiality asked: named, as the guidance says
        assert "1 High Street" not in frozen and "alex@example.com" not in frozen
        deadline = db.session.scalar(select(CaseDeadline).where(CaseDeadline.key == "agenda-pack"))
        assert (deadline.status, deadline.met_on) == ("met", date(2027, 3, 12))
        case = db.session.get(Case, case_id)
        case.details = "Changed later."
        db.session.commit()
        assert db.session.scalar(select(Hearing)).agenda_html == frozen


def test_papers_never_name_a_complainant_whose_identity_is_confidential(app, staff, world):
    with time_machine.travel(TODAY, tick=False):
        case_id = _to_hearing(app, confidential=True)
        mo = staff()["mo"]
        assert convene(mo, case_id, world, HEARING_DAY, co_opted=("co1", "co2")).status_code == 303
        refused = publish_papers(mo, case_id, complaint="Alex Jones says the councillor shouted.")
        assert refused.status_code == 400
        assert "remove their name" in refused.text
        published = publish_papers(mo, case_id, complaint="The councillor shouted.")
        assert published.status_code == 303
    with app.app_context():
        frozen = db.session.scalar(select(Hearing)).agenda_html
        assert "Alex" not in frozen and "Jones" not in frozen


def test_a_private_session_publishes_the_agenda_without_papers(app, staff, world):
    with time_machine.travel(TODAY, tick=False):
        case_id = _to_hearing(app)
        mo = staff()["mo"]
        convene(mo, case_id, world, HEARING_DAY, co_opted=("co1", "co2"))
        hid = hearing_id(mo, case_id)
        missing = post_form(
            mo,
            f"/cases/{case_id}/hearing/{hid}/private-session",
            {"choice": "private", "reason": "Health information"},
        )
        assert missing.status_code == 400 and "Choose the paragraphs" in missing.text
        decided = post_form(
            mo,
            f"/cases/{case_id}/hearing/{hid}/private-session",
            {"choice": "private", "paragraphs": ["1", "2"], "reason": "Health information"},
        )
        assert decided.status_code == 303
        assert publish_papers(mo, case_id).status_code == 303
    with app.app_context():
        hearing = db.session.get(Hearing, hid)
        assert "paragraph(s) 1, 2 of Part 1 of Schedule 12A" in hearing.agenda_html
        assert "I deny it." not in hearing.agenda_html
        assert hearing.agenda_file_ids == []


# --- the hearing ------------------------------------------------------------------------


def test_the_order_of_business_is_ticked_off_with_htmx_or_a_plain_form(app, staff, world):
    with time_machine.travel(TODAY, tick=False):
        case_id = _to_hearing(app)
        mo = staff()["mo"]
        convene(mo, case_id, world, HEARING_DAY, co_opted=("co1", "co2"))
        hid = hearing_id(mo, case_id)
        page = mo.get(f"/cases/{case_id}/hearing").text
        items = re.findall(r'data-item="([a-z0-9-]+)"', page)
        assert items[:3] == ["elect-chair", "apologies", "declarations"]
        assert "private-session" in items and items[-1] == "announcement"
        token = csrf_token(page)
        fragment = mo.post(
            f"/cases/{case_id}/hearing/{hid}/steps/apologies",
            data={"csrf_token": token, "note": "Cllr Five"},
            headers={"HX-Request": "true"},
        )
        assert fragment.status_code == 200
        assert "<html" not in fragment.text
        assert 'data-item="apologies" data-done="yes"' in fragment.text
        assert "Cllr Five" in fragment.text
        plain = mo.post(
            f"/cases/{case_id}/hearing/{hid}/steps/declarations", data={"csrf_token": token}
        )
        assert plain.status_code == 303
        unknown = mo.post(
            f"/cases/{case_id}/hearing/{hid}/steps/not-an-item", data={"csrf_token": token}
        )
        assert unknown.status_code == 404
        undone = mo.post(
            f"/cases/{case_id}/hearing/{hid}/steps/apologies",
            data={"csrf_token": token, "undo": "1"},
        )
        assert undone.status_code == 303
        page = mo.get(f"/cases/{case_id}/hearing").text
    assert 'data-item="declarations" data-done="yes"' in page
    assert 'data-item="apologies" data-done="no"' in page


def test_an_adjournment_to_a_new_date_moves_the_papers_deadline_and_tells_everyone(
    app, staff, world, smtp
):
    with time_machine.travel(TODAY, tick=False):
        case_id = _to_hearing(app)
        mo = staff()["mo"]
        convene(mo, case_id, world, HEARING_DAY, co_opted=("co1", "co2"))
        hid = hearing_id(mo, case_id)
        before = len(smtp.messages)
        adjourned = post_form(
            mo,
            f"/cases/{case_id}/hearing/{hid}/adjourn",
            {
                "reason": "The councillor is ill",
                "directions": "A medical note from the councillor",
                "resumes_on": ["12", "4", "2027"],
                "resumes_time": "14:00",
                "venue": "",
            },
        )
        assert adjourned.status_code == 303, adjourned.text
        from core import outbox

        with app.app_context():
            outbox.deliver()
    with app.app_context():
        hearing = db.session.get(Hearing, hid)
        assert hearing.status == "convened"
        assert hearing.venue == "Council Chamber, Fenmoor Hall"
        assert [a.reason for a in hearing.adjournments] == ["The councillor is ill"]
        open_papers = db.session.scalars(
            select(CaseDeadline).where(
                CaseDeadline.key == "agenda-pack", CaseDeadline.status == "open"
            )
        ).all()
        # 5 working days before Monday 12 April 2027 (Easter Monday 29 March is long past).
        assert [d.due_on for d in open_papers] == [date(2027, 4, 5)]
    arrived = smtp.messages[before:]
    assert COUNCILLOR in {m["To"] for m in arrived}
    assert any("Monday 12 April 2027, 14:00" in body_of(m) for m in arrived)


def test_the_decision_records_findings_per_allegation_and_sanctions_then_closes_the_case(
    app, staff, world, smtp
):
    with time_machine.travel(TODAY, tick=False):
        case_id = _to_hearing(app, allegations=2)
        mo = staff()["mo"]
        convene(mo, case_id, world, HEARING_DAY, co_opted=("co1", "co2"))
        with app.app_context():
            first, second = db.session.scalars(
                select(Allegation.id).where(Allegation.case_id == case_id).order_by(Allegation.id)
            ).all()
    with time_machine.travel(HEARING_DAY, tick=False):
        mo = staff()["mo"]
        base = {
            "decision": "Disrespectful at the meeting.",
            f"finding_{first}": "breach",
            f"reasons_{first}": "Shouted.",
            f"finding_{second}": "no-breach",
            f"reasons_{second}": "No evidence.",
            "unanimous": "yes",
        }
        inconsistent = decide(mo, case_id, {**base, "finding": "no-breach"})
        assert inconsistent.status_code == 400
        assert "must agree with the findings on the allegations" in inconsistent.text
        missing = decide(mo, case_id, {**base, "finding": "breach", f"reasons_{second}": ""})
        assert missing.status_code == 400
        decided = decide(
            mo, case_id, {**base, "finding": "breach", "sanctions": ["reprimand", "training"]}
        )
        assert decided.status_code == 303, decided.text
        assert stage(mo, case_id) == "closed-hearing"
        page = mo.get(f"/cases/{case_id}/hearing").text
    assert "Issue a formal letter of reprimand" in page and "Offer additional training" in page
    assert "There is no right of appeal against the Hearing Panel" in page
    with app.app_context():
        hearing = db.session.scalar(select(Hearing))
        assert (hearing.outcome, hearing.sanctions, hearing.unanimous) == (
            "breach",
            ["reprimand", "training"],
            True,
        )
        assert {(f.allegation_id, f.finding) for f in hearing.findings} == {
            (first, "breach"),
            (second, "no-breach"),
        }
        assert db.session.get(Case, case_id).facts["finding"] == "breach"


def test_sanctions_are_refused_where_no_failure_to_comply_is_found(app, staff, world):
    with time_machine.travel(TODAY, tick=False):
        case_id = _to_hearing(app, allegations=0)
        mo = staff()["mo"]
        convene(mo, case_id, world, HEARING_DAY, co_opted=("co1", "co2"))
        refused = decide(
            mo,
            case_id,
            {
                "finding": "no-breach",
                "decision": "Not proved",
                "sanctions": ["reprimand"],
                "unanimous": "no",
            },
        )
    assert refused.status_code == 400
    assert "Sanctions apply only where the panel finds a failure to comply" in refused.text


# --- who sees what --------------------------------------------------------------------------


def test_a_panel_member_reads_the_bundle_of_their_hearing_and_nothing_else(app, staff, world):
    with time_machine.travel(TODAY, tick=False):
        case_id = _to_hearing(app)
        people = staff()
        convene(people["mo"], case_id, world, HEARING_DAY, co_opted=("co1", "co2"))
        hid = hearing_id(people["mo"], case_id)
        bundle = people["panel"].get(f"/cases/hearings/{hid}/bundle")
        assert bundle.status_code == 200
        assert "I deny it." in bundle.text and "Allegation 0" in bundle.text
        # Not on this panel: no bundle. Nobody on a panel reads the case itself.
        assert people["other_panel"].get(f"/cases/hearings/{hid}/bundle").status_code == 404
        assert people["panel"].get(f"/cases/{case_id}").status_code == 404
        assert people["panel"].get(f"/cases/{case_id}/hearing").status_code == 404
        assert people["other_mo"].get(f"/cases/hearings/{hid}/bundle").status_code == 404
        assert people["other_mo"].get(f"/cases/{case_id}/hearing").status_code == 404
        assert people["clerk"].get(f"/cases/{case_id}/hearing").status_code == 404
        # Nor can they arrange anything.
        refused = people["panel"].post(
            f"/cases/{case_id}/hearing/convene",
            data={"csrf_token": csrf_token(bundle.text), **convene_data(world, HEARING_DAY)},
        )
        assert refused.status_code == 404


def test_hearing_pages_are_only_for_those_who_take_the_decision(app, staff, world):
    with time_machine.travel(TODAY, tick=False):
        case_id = _to_hearing(app)
        people = staff()
        # The Independent Person reads the case and the hearing page, but arranges nothing.
        assert people["ip"].get(f"/cases/{case_id}/hearing").status_code == 200
        assert people["ip"].get(f"/cases/{case_id}/hearing/convene").status_code == 403
        assert 'id="convene"' not in people["ip"].get(f"/cases/{case_id}/hearing").text


def test_the_welsh_protocol_hearing_follows_its_own_order_of_business_and_outcomes(app):
    with app.app_context():
        wales = make_council("cwm", nation="wales", procedures=("local-resolution",))
        mo = make_user("mo@cwm.example.org", (wales, "monitoring-officer"))
        committee = make_committee(wales)
        db.session.commit()
        mo_email = mo.email
    with time_machine.travel(TODAY, tick=False):
        case_id = record_case(app, "cwm", TODAY, procedure="local-resolution")
        for key, values in (
            ("within-protocol", {"criteria": ["member-on-member"]}),
            ("stage-2-requested", {}),
            ("reconfirmation-received", {"standards": "2.1(a)"}),
            ("subject-response-received", {}),
        ):
            perform_as(app, case_id, mo_email, key, values, on=TODAY)
        client = Staff(app, {"mo": mo_email})["mo"]
        # No Independent Person or fixed number of members under the protocol; a chair is.
        response = convene(client, case_id, committee, HEARING_DAY, members=("chair",), ip=None)
        assert response.status_code == 303, response.text
        assert stage(client, case_id) == "stage-2-hearing"
        page = client.get(f"/cases/{case_id}/hearing").text
        items = re.findall(r'data-item="([a-z0-9-]+)"', page)
        assert items[0] == "opening" and items[-1] == "announcement" and len(items) == 14
        form = client.get(f"/cases/{case_id}/hearing/{hearing_id(client, case_id)}/decision").text
        assert "(c) A basis to the complaint" in form and 'name="sanctions"' not in form
        decided = decide(
            client, case_id, {"outcome": "c", "minute": "Censure at Council", "unanimous": "yes"}
        )
        assert decided.status_code == 303, decided.text
        assert stage(client, case_id) == "closed-stage-2"
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.facts["outcome"] == "c"
        assert db.session.scalar(select(Council.id).where(Council.slug == "cwm")) == case.council_id
        assert db.session.scalar(select(User.id).where(User.email == mo_email))


def test_a_party_declares_a_conflict_from_their_secure_link_and_the_panel_is_flagged(
    app, staff, world, smtp
):
    from core import outbox

    with time_machine.travel(TODAY, tick=False):
        case_id = _to_hearing(app)
        mo = staff()["mo"]
        convene(mo, case_id, world, HEARING_DAY, co_opted=("co1", "co2"))
        with app.app_context():
            outbox.deliver()
        (told,) = [m for m in smtp.to(COUNCILLOR) if m["Subject"].startswith("Hearing on")]
        link = re.search(r"https?://[^/\s]+(/ashby/my-case/[A-Za-z0-9_-]+)", body_of(told)).group(1)
        councillor = app.test_client()
        page = councillor.get(link)
        assert page.status_code == 200
        assert "Cllr Cat Three" in page.text and "Monday 22 March 2027, 10:00" in page.text
        empty = councillor.post(
            f"{link}/conflict", data={"csrf_token": csrf_token(page.text), "member": ""}
        )
        assert empty.status_code == 400 and "Select the panel member" in empty.text
        declared = councillor.post(
            f"{link}/conflict",
            data={
                "csrf_token": csrf_token(page.text),
                "member": str(world["m3"]),
                "reason": "She is my sister-in-law.",
            },
        )
        assert declared.status_code == 303
        convene_page = mo.get(f"/cases/{case_id}/hearing/convene").text
        assert f'data-conflict="{world["m3"]}"' in convene_page
        assert "sister-in-law" in convene_page
        unchanged = convene(mo, case_id, world, HEARING_DAY, co_opted=("co1", "co2"))
        assert unchanged.status_code == 400
        assert "may have a conflict of interest" in unchanged.text
        # Only members on the panel can be named through the form.
        other = councillor.post(
            f"{link}/conflict",
            data={"csrf_token": csrf_token(page.text), "member": str(world["m5"]), "reason": "x"},
        )
        assert other.status_code == 400
