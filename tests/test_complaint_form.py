"""The public complaint journey with JavaScript off: plain form posts, GOV.UK patterns.

Form (seed 003 wording) -> check your answers -> accept and send -> confirmation panel,
with errors at the field, answers kept, evidence files kept, and nothing stored from a
request whose CSRF token does not match.
"""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from conduct.models import Case, CaseSubject, ComplaintDraft, EvidenceFile
from conduct.uploads import read_stored
from core.db import db
from tests.conftest import (
    COMPLAINT,
    csrf_token,
    login,
    make_council,
    reference_on,
    submit_complaint,
)

FORM = "/ashby/complaints/new"
CHECK = "/ashby/complaints/check"
PDF = b"%PDF-1.4\n" + b"1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 40 + b"%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 512
EXPIRED = "This form had expired or was not sent from this website"

# Answers a person types (the declaration checkbox is compared separately).
TYPED = {k: v for k, v in COMPLAINT.items() if v and k != "declaration"}


# --- reading the page ---------------------------------------------------------------


class _Page(HTMLParser):
    """The inputs (name -> value as a browser would send it), control ids and labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.control_ids: set[str] = set()
        self.labels: dict[str, str] = {}  # for= -> label text
        self._textarea: str | None = None
        self._label: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("input", "textarea", "select") and a.get("id"):
            self.control_ids.add(a["id"])
        if tag == "input":
            kind = a.get("type", "text")
            name = a.get("name", "")
            typed = kind in ("text", "email", "tel")
            chosen = kind in ("radio", "checkbox") and "checked" in a
            if typed or chosen:
                self.values[name] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name", "")
            self._text = []
        elif tag == "label":
            self._label = a.get("for", "")
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None or self._label is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            self.values[self._textarea] = "".join(self._text).removeprefix("\n")
            self._textarea = None
        elif tag == "label" and self._label is not None:
            self.labels[self._label] = " ".join("".join(self._text).split())
            self._label = None


def page_of(html: str) -> _Page:
    parser = _Page()
    parser.feed(html)
    parser.close()
    return parser


def assert_answers_kept(html: str, expected: dict[str, str]) -> None:
    values = page_of(html).values
    for name, value in expected.items():
        assert values.get(name) == value, f"{name}: {values.get(name)!r} != {value!r}"


def field_error(html: str, field_id: str) -> str:
    """The text of the GOV.UK error message shown at one field."""
    match = re.search(
        rf'<p id="{re.escape(field_id)}-error" class="govuk-error-message">(.*?)</p>', html, re.S
    )
    assert match, f"no error message at #{field_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def error_summary_links(html: str) -> list[str]:
    summary = re.search(r'class="govuk-error-summary".*?</ul>', html, re.S)
    assert summary, "no error summary"
    return re.findall(r'href="(#[^"]+)"', summary.group(0))


def has_error_summary(html: str) -> bool:
    return 'class="govuk-error-summary"' in html


# --- posting -----------------------------------------------------------------------


def answers(**changes: str | None) -> dict[str, str]:
    """The valid complaint with some answers changed; None leaves the field out."""
    data = {**COMPLAINT, **changes}
    return {k: v for k, v in data.items() if v is not None}


def post_form(
    client: FlaskClient,
    data: dict[str, str],
    *,
    files: list[tuple[bytes, str]] | None = None,
    action: str = "continue",
    slug: str = "ashby",
    token: str | None = None,
):
    if token is None:
        token = csrf_token(client.get(f"/{slug}/complaints/new").text)
    form: dict[str, object] = {**data, "action": action}
    if token:
        form["csrf_token"] = token
    if files:
        form["evidence"] = [(BytesIO(content), name) for content, name in files]
    return client.post(f"/{slug}/complaints/new", data=form, content_type="multipart/form-data")


def count(app: Flask, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def only_case(app: Flask) -> Case:
    with app.app_context():
        [case] = db.session.scalars(select(Case)).all()
        case.subjects, case.files  # noqa: B018 - load before the session closes
        db.session.expunge_all()
        return case


def evidence_rows(app: Flask) -> list[EvidenceFile]:
    with app.app_context():
        rows = db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)).all()
        db.session.expunge_all()
        return list(rows)


def stored_files(app: Flask) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def remove_button_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'formaction="/ashby/complaints/files/(\d+)/remove"', html)]


# --- 1. the form page ---------------------------------------------------------------


def test_form_shows_seed_003_wording_as_labels_tied_to_inputs(client, two_councils):
    page = client.get(FORM)
    assert page.status_code == 200
    parsed = page_of(page.text)

    def label_of(control_id: str) -> str:
        assert control_id in parsed.control_ids, f"no control with id {control_id}"
        assert control_id in parsed.labels, f"no <label for={control_id}>"
        return parsed.labels[control_id]

    assert label_of("first_name") == "First Name"
    assert label_of("last_name") == "Last Name"
    assert label_of("address") == "Address"
    assert label_of("phone") == "Contact Number"
    assert label_of("email") == "Email Address"
    assert label_of("members-0-title") == "Title"
    assert label_of("members-0-first_name") == "First name"
    assert label_of("members-0-last_name") == "Last name"
    assert label_of("members-0-authority") == "Authority"
    assert label_of("confidentiality_reasons") == (
        "Please provide us with details of why you believe we should withhold your name "
        "and/or the details of your complaint"
    )
    assert label_of("help_needed") == (
        "If you need any support in completing this form, please let us know"
    )
    assert label_of("declaration") == (
        "I confirm that the contents of this Form are true to the best of my knowledge and "
        "belief and that I have read and understood the Guidance: Submitting a Complaint."
    )
    assert label_of("evidence") == "Supporting evidence (optional)"
    # Radio groups are labelled by their fieldset's legend, each option by its own label.
    legends = [
        " ".join(t.split()) for t in re.findall(r"<legend[^>]*>(.*?)</legend>", page.text, re.S)
    ]
    assert "Preferred form of contact" in legends
    assert "Are you requesting that your identity is kept confidential?" in legends
    assert [
        parsed.labels[i]
        for i in ("preferred_contact", "preferred_contact-2", "preferred_contact-3")
    ] == [
        "Email",
        "Post",
        "Telephone",
    ]
    assert "4. Additional help" in page.text
    assert "reasonable adjustments" in page.text
    # The member's authority starts as this council; everything else starts empty.
    assert parsed.values["members-0-authority"] == "Ashby Council"
    assert parsed.values["first_name"] == ""
    assert not has_error_summary(page.text)


def test_every_label_points_at_a_control_on_the_page(client, two_councils):
    parsed = page_of(client.get(FORM).text)
    assert parsed.labels
    assert set(parsed.labels) <= parsed.control_ids


# --- 2. the whole journey -------------------------------------------------------------


def test_full_journey_stores_case_with_reference_and_removes_draft(app, client, two_councils):
    with time_machine.travel(datetime(2026, 3, 10, 14, 0, tzinfo=ZoneInfo("Europe/London"))):
        sent = post_form(client, answers())
        assert sent.status_code == 303
        assert sent.headers["Location"].endswith(CHECK)
        assert count(app, ComplaintDraft) == 1

        check = client.get(CHECK)
        assert check.status_code == 200
        assert "Check your answers before sending your complaint" in check.text
        for shown in (
            "Ms Alex Jones",
            "1 High Street, Ashby",
            "01632 960123",
            "alex@example.com",
            "Cllr Robin Gale, Ashby Council",
            "The councillor shouted at me during the public session.",
            "3 March 2026",
            "An apology",
        ):
            assert shown in check.text
        changes = re.findall(r'href="(/ashby/complaints/new#[^"]+)"', check.text)
        assert f"{FORM}#first_name" in changes
        assert f"{FORM}#members-0-first_name" in changes
        assert f"{FORM}#details" in changes
        assert check.text.count(">Change<") == len(changes) >= 10
        assert "Accept and send" in check.text

        done = client.post(
            CHECK, data={"csrf_token": csrf_token(check.text)}, follow_redirects=False
        )
        assert done.status_code == 303
        assert done.headers["Location"].endswith("/ashby/complaints/submitted")
        confirmation = client.get(done.headers["Location"])

    assert confirmation.status_code == 200
    assert 'class="govuk-panel' in confirmation.text
    assert "Complaint sent" in confirmation.text
    reference = reference_on(confirmation.text)
    assert reference == "ASHB-2026-0001"

    case = only_case(app)
    assert case.reference == reference
    assert case.council_id == two_councils.a_id
    assert (case.complainant_title, case.complainant_first_name, case.complainant_last_name) == (
        "Ms",
        "Alex",
        "Jones",
    )
    assert case.complainant_email == "alex@example.com"
    assert case.complainant_phone == "01632 960123"
    assert case.complainant_address == "1 High Street, Ashby"
    assert case.preferred_contact == "email"
    assert case.details == COMPLAINT["details"]
    assert case.obligations_breached == "Respect"
    assert case.witnesses == "Pat, 01632 960999"
    assert case.outcome_sought == "An apology"
    assert case.confidentiality_requested is False
    assert case.declaration_at is not None
    assert [(s.title, s.first_name, s.last_name, s.authority) for s in case.subjects] == [
        ("Cllr", "Robin", "Gale", "Ashby Council")
    ]
    assert count(app, ComplaintDraft) == 0
    # The draft is gone from the session too: the form starts empty again.
    assert page_of(client.get(FORM).text).values["first_name"] == ""


def test_each_council_numbers_its_own_cases(app, client, two_councils):
    first = reference_on(submit_complaint(client, "ashby").text)
    second = reference_on(submit_complaint(client, "ashby").text)
    other = reference_on(submit_complaint(client, "brockton").text)
    year = first.split("-")[1]
    assert first == f"ASHB-{year}-0001"
    assert second == f"ASHB-{year}-0002"
    assert re.fullmatch(rf"BROC-{year}-0001", other)
    with app.app_context():
        councils = dict(db.session.execute(select(Case.reference, Case.council_id)).all())
    assert councils == {
        first: two_councils.a_id,
        second: two_councils.a_id,
        other: two_councils.b_id,
    }


def test_a_draft_at_one_council_is_not_shown_at_another(client, two_councils):
    post_form(client, answers(first_name=""))  # saved as a draft with an error
    assert page_of(client.get(FORM).text).values["last_name"] == "Jones"
    other = page_of(client.get("/brockton/complaints/new").text).values
    assert other["last_name"] == ""
    assert other["members-0-authority"] == "Brockton Council"


def test_check_answers_without_a_draft_goes_back_to_the_form(client, two_councils):
    response = client.get(CHECK)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(FORM)


# --- 3 and 4. invalid answers -----------------------------------------------------------


def test_missing_required_answers_are_listed_and_shown_at_each_field(app, client, two_councils):
    response = post_form(
        client, answers(first_name="", **{"members-0-first_name": ""}, declaration=None)
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    links = error_summary_links(response.text)
    assert links == ["#first_name", "#members-0-first_name", "#declaration"]
    assert field_error(response.text, "first_name") == "Error: Enter your first name"
    assert field_error(response.text, "members-0-first_name") == (
        "Error: Enter the first name of the member you are complaining about"
    )
    assert field_error(response.text, "declaration") == (
        "Error: You must confirm the declaration to submit your complaint"
    )
    kept = {k: v for k, v in TYPED.items() if k not in ("first_name", "members-0-first_name")}
    assert_answers_kept(response.text, kept)
    # The unticked declaration can still be ticked: it would send a true value.
    assert 'id="declaration" name="declaration" type="checkbox" value="y"' in response.text
    assert count(app, Case) == 0


def test_an_empty_form_lists_every_required_answer(client, two_councils):
    response = post_form(client, {"members-0-authority": ""})
    assert response.status_code == 400
    links = error_summary_links(response.text)
    for anchor in (
        "#first_name",
        "#last_name",
        "#preferred_contact",
        "#members-0-first_name",
        "#members-0-last_name",
        "#members-0-authority",
        "#details",
        "#incident_dates",
        "#outcome_sought",
        "#confidentiality",
        "#declaration",
    ):
        assert anchor in links
    assert "#csrf_token" not in links


def test_bad_email_gets_the_govuk_message_and_keeps_answers(app, client, two_councils):
    response = post_form(client, answers(email="alex at example"))
    assert response.status_code == 400
    assert error_summary_links(response.text) == ["#email"]
    assert field_error(response.text, "email") == (
        "Error: Enter an email address in the correct format, like name@example.com"
    )
    assert_answers_kept(response.text, {**TYPED, "email": "alex at example"})
    assert count(app, Case) == 0


def test_ten_thousand_character_name_is_refused_and_everything_else_kept(app, client, two_councils):
    long_name = "A" * 10_000
    response = post_form(client, answers(first_name=long_name))
    assert response.status_code == 400
    assert field_error(response.text, "first_name") == (
        "Error: First name must be 100 characters or fewer"
    )
    assert_answers_kept(response.text, {**TYPED, "first_name": long_name})
    # The draft cannot be sent either.
    assert client.get(CHECK).status_code == 400
    assert count(app, Case) == 0


# --- 5. evidence files ------------------------------------------------------------------


def test_valid_pdf_is_kept_and_belongs_to_the_case(app, client, two_councils):
    submit_complaint(client, "ashby", files=[(BytesIO(PDF), "letter.pdf")])
    case = only_case(app)
    [evidence] = case.files
    assert evidence.original_name == "letter.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(PDF)
    assert evidence.draft_id is None


def test_exe_upload_is_refused_at_the_field_and_answers_kept(app, client, two_councils):
    response = post_form(client, answers(), files=[(EXE, "setup.exe")])
    assert response.status_code == 400
    assert "#evidence" in error_summary_links(response.text)
    message = field_error(response.text, "evidence")
    assert "setup.exe" in message
    assert "The selected file must be a PDF, Word, OpenDocument" in message
    assert_answers_kept(response.text, TYPED)
    assert evidence_rows(app) == []
    assert stored_files(app) == []


def test_executable_named_pdf_is_refused(app, client, two_councils):
    response = post_form(client, answers(), files=[(EXE, "invoice.pdf")])
    assert response.status_code == 400
    assert "contents do not match its type (.pdf)" in field_error(response.text, "evidence")
    assert_answers_kept(response.text, TYPED)
    assert evidence_rows(app) == []
    assert stored_files(app) == []


def test_50_mb_upload_gets_a_clear_message_and_loses_nothing_typed(app, client, two_councils):
    assert app.config["MAX_UPLOAD_FILE_BYTES"] == 10 * 1024 * 1024
    big = b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024)
    response = post_form(client, answers(), files=[(big, "scan.pdf"), (PDF, "letter.pdf")])
    # Werkzeug's test client leaves the temporary file it sent the body from open.
    response.request.input_stream.close()
    assert response.status_code == 400
    assert field_error(response.text, "evidence") == (
        "Error: scan.pdf: The selected file must be smaller than 10 MB"
    )
    assert_answers_kept(response.text, TYPED)
    # The small file sent with it is kept; nothing of the big one stays on disk.
    assert [e.original_name for e in evidence_rows(app)] == ["letter.pdf"]
    with app.app_context():
        assert [read_stored(p.name) for p in stored_files(app)] == [PDF]
    assert count(app, Case) == 0


def test_file_sent_with_an_error_is_kept_shown_and_removable(app, client, two_councils):
    response = post_form(client, answers(first_name=""), files=[(PDF, "letter.pdf")])
    assert response.status_code == 400
    assert "Files you have already uploaded:" in response.text
    assert "letter.pdf" in response.text
    [file_id] = remove_button_ids(response.text)
    [row] = evidence_rows(app)
    assert row.id == file_id and row.draft_id is not None
    [on_disk] = stored_files(app)

    # Shown again when the form is next opened.
    again = client.get(FORM)
    assert remove_button_ids(again.text) == [file_id]

    removed = client.post(
        f"/ashby/complaints/files/{file_id}/remove", data={"csrf_token": csrf_token(again.text)}
    )
    assert removed.status_code == 303
    assert removed.headers["Location"].endswith(FORM)
    assert evidence_rows(app) == []
    assert not on_disk.exists()
    assert remove_button_ids(client.get(FORM).text) == []


def test_removing_a_file_without_a_csrf_token_is_refused(app, client, two_councils):
    response = post_form(client, answers(first_name=""), files=[(PDF, "letter.pdf")])
    [file_id] = remove_button_ids(response.text)
    refused = client.post(f"/ashby/complaints/files/{file_id}/remove", data={})
    assert refused.status_code == 400
    assert len(evidence_rows(app)) == 1


def test_removing_a_file_keeps_answers_typed_since_the_last_save(app, client, two_councils):
    # With JavaScript off the Remove button sends the whole form to the remove URL.
    first = post_form(client, answers(first_name=""), files=[(PDF, "letter.pdf")])
    [file_id] = remove_button_ids(first.text)
    form = {**answers(first_name="Alexandra", details="Now with more detail")}
    form["csrf_token"] = csrf_token(first.text)
    removed = client.post(
        f"/ashby/complaints/files/{file_id}/remove", data=form, content_type="multipart/form-data"
    )
    assert removed.status_code == 303
    assert_answers_kept(
        client.get(FORM).text,
        {**TYPED, "first_name": "Alexandra", "details": "Now with more detail"},
    )
    assert evidence_rows(app) == []


def test_uploaded_file_goes_with_the_case_and_staff_download_it_as_attachment(
    app, client, two_councils
):
    first = post_form(client, answers(first_name=""), files=[(PDF, "my letter.pdf")])
    assert first.status_code == 400
    reference = reference_on(submit_complaint(client, "ashby").text)
    case = only_case(app)
    assert case.reference == reference
    [evidence] = case.files
    assert evidence.original_name == "my letter.pdf"
    assert evidence.draft_id is None

    [on_disk] = stored_files(app)
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert on_disk.is_relative_to(folder)
    assert on_disk.name == evidence.storage_key
    assert re.fullmatch(r"[0-9a-f]{32}", on_disk.name)
    assert "letter" not in str(on_disk.relative_to(folder))
    # Sealed at rest; staff get the content back below.
    assert on_disk.read_bytes() != PDF and b"%PDF" not in on_disk.read_bytes()

    staff = app.test_client()
    login(staff, "mo.a@example.org")
    case_page = staff.get(f"/cases/{case.id}")
    assert f"/cases/{case.id}/files/{evidence.id}" in case_page.text
    with staff.get(f"/cases/{case.id}/files/{evidence.id}") as download:
        download.make_sequence()
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/octet-stream"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "my letter.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_public_visitor_cannot_download_case_files(app, client, two_councils):
    submit_complaint(client, "ashby", files=[(BytesIO(PDF), "letter.pdf")])
    case = only_case(app)
    response = client.get(f"/cases/{case.id}/files/{case.files[0].id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- 6. CSRF ---------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["forged-token", ""], ids=["forged", "missing"])
def test_bad_csrf_token_on_the_form_keeps_answers_and_stores_nothing(
    app, client, two_councils, token
):
    client.get(FORM)  # the session has a real token; the post does not carry it
    response = post_form(client, answers(), files=[(PDF, "letter.pdf")], token=token)
    assert response.status_code == 400
    assert EXPIRED in response.text
    assert error_summary_links(response.text) == ["#submit"]
    assert_answers_kept(response.text, TYPED)
    assert 'id="declaration" name="declaration" type="checkbox" value="y" checked' in response.text
    assert count(app, ComplaintDraft) == 0
    assert count(app, Case) == 0
    assert evidence_rows(app) == []
    assert stored_files(app) == []
    # The page carries a fresh token: sending again works.
    again = post_form(client, answers(), token=csrf_token(response.text))
    assert again.status_code == 303


def test_forged_csrf_token_on_check_answers_sends_nothing(app, client, two_councils):
    assert post_form(client, answers()).status_code == 303
    response = client.post(CHECK, data={"csrf_token": "forged-token"})
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert EXPIRED in response.text
    assert "Accept and send" in response.text
    assert count(app, Case) == 0
    assert count(app, ComplaintDraft) == 1


# --- 7. more than one member -------------------------------------------------------------


def test_add_another_member_keeps_answers_without_errors(app, client, two_councils):
    response = post_form(client, answers(declaration=None, details=""), action="add-member")
    assert response.status_code == 200
    assert not has_error_summary(response.text)
    assert "govuk-error-message" not in response.text
    parsed = page_of(response.text)
    assert parsed.values["members-1-first_name"] == ""
    assert parsed.values["members-1-authority"] == "Ashby Council"
    assert parsed.labels["members-1-first_name"] == "First name"
    assert "Member 2" in response.text
    assert "Remove member 2" in response.text
    assert_answers_kept(response.text, {k: v for k, v in TYPED.items() if k != "details"})
    assert count(app, Case) == 0


def test_remove_member_2_takes_its_fieldset_away(client, two_councils):
    added = post_form(client, answers(), action="add-member")
    data = {
        **answers(),
        "members-1-first_name": "Sam",
        "members-1-last_name": "Hill",
        "members-1-authority": "Ashby Council",
    }
    removed = post_form(client, data, action="remove-member-1", token=csrf_token(added.text))
    assert removed.status_code == 200
    parsed = page_of(removed.text)
    assert "members-1-first_name" not in parsed.values
    assert "Remove member" not in removed.text
    assert_answers_kept(removed.text, TYPED)


def test_removing_the_first_member_keeps_the_second(client, two_councils):
    data = {
        **answers(),
        "members-1-first_name": "Sam",
        "members-1-last_name": "Hill",
        "members-1-authority": "Ashby Council",
    }
    removed = post_form(client, data, action="remove-member-0")
    values = page_of(removed.text).values
    assert values["members-0-first_name"] == "Sam"
    assert "members-1-first_name" not in values


def test_remove_the_first_member_then_add_another_gives_distinct_fields(client, two_councils):
    data = {
        **answers(),
        "members-1-first_name": "Sam",
        "members-1-last_name": "Hill",
        "members-1-authority": "Ashby Council",
    }
    removed = post_form(client, data, action="remove-member-0")
    kept = {k: v for k, v in page_of(removed.text).values.items() if k.startswith("members-")}
    added = post_form(
        client, {**answers(), **kept}, action="add-member", token=csrf_token(removed.text)
    )
    assert added.text.count('name="members-0-first_name"') == 1
    assert added.text.count('name="members-1-first_name"') == 1
    values = page_of(added.text).values
    assert (values["members-0-first_name"], values["members-1-first_name"]) == ("Sam", "")


def test_two_members_become_two_case_subjects_in_order(app, client, two_councils):
    post_form(client, answers(), action="add-member")
    second = {
        "members-1-title": "",
        "members-1-first_name": "Sam",
        "members-1-last_name": "Hill",
        "members-1-authority": "Ashby Parish Council",
    }
    submit_complaint(client, "ashby", data=second)
    case = only_case(app)
    assert [(s.position, s.full_name, s.authority) for s in case.subjects] == [
        (0, "Cllr Robin Gale", "Ashby Council"),
        (1, "Sam Hill", "Ashby Parish Council"),
    ]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CaseSubject)) == 2


# --- 8 and 9. answers that depend on other answers ------------------------------------------


def test_confidentiality_yes_needs_reasons(app, client, two_councils):
    response = post_form(client, answers(confidentiality="yes", confidentiality_reasons=""))
    assert response.status_code == 400
    assert error_summary_links(response.text) == ["#confidentiality_reasons"]
    assert field_error(response.text, "confidentiality_reasons") == (
        "Error: Explain why you believe we should withhold your name"
    )
    assert page_of(response.text).values["confidentiality"] == "yes"


def test_confidentiality_yes_with_reasons_is_stored(app, client, two_councils):
    reasons = "My neighbour is the councillor's relative."
    submit_complaint(
        client, "ashby", data={"confidentiality": "yes", "confidentiality_reasons": reasons}
    )
    case = only_case(app)
    assert case.confidentiality_requested is True
    assert case.confidentiality_reasons == reasons


def test_preferred_contact_by_post_needs_an_address(client, two_councils):
    response = post_form(client, answers(preferred_contact="post", address=""))
    assert response.status_code == 400
    assert error_summary_links(response.text) == ["#address"]
    assert field_error(response.text, "address") == "Error: Enter your address"
    assert page_of(response.text).values["preferred_contact"] == "post"


def test_preferred_contact_by_email_needs_an_email_address(client, two_councils):
    response = post_form(client, answers(preferred_contact="email", email=""))
    assert response.status_code == 400
    assert error_summary_links(response.text) == ["#email"]
    assert field_error(response.text, "email") == "Error: Enter your email address"


def test_preferred_contact_by_phone_needs_a_number_and_a_written_address(client, two_councils):
    response = post_form(client, answers(preferred_contact="phone", phone="", email="", address=""))
    assert response.status_code == 400
    assert error_summary_links(response.text) == ["#address", "#phone"]
    assert field_error(response.text, "phone") == "Error: Enter your contact number"
    assert "so we can reply to you in writing" in field_error(response.text, "address")


# --- 10. changing answers ------------------------------------------------------------------


def test_going_back_from_check_answers_shows_the_stored_answers(client, two_councils):
    assert post_form(client, answers(help_needed="Large print, please")).status_code == 303
    assert client.get(CHECK).status_code == 200
    page = client.get(FORM)
    assert page.status_code == 200
    assert not has_error_summary(page.text)
    assert_answers_kept(page.text, {**TYPED, "help_needed": "Large print, please"})
    assert page_of(page.text).values.get("declaration") == "y"

    # A changed answer replaces the stored one.
    changed = post_form(client, answers(last_name="Jones-Smith"), token=csrf_token(page.text))
    assert changed.status_code == 303
    assert "Ms Alex Jones-Smith" in client.get(CHECK).text


# --- 11. councils that do not take the form --------------------------------------------------


def test_welsh_council_without_the_form_points_to_the_ombudsman(app, client, two_councils):
    with app.app_context():
        make_council("caerwen", nation="wales", procedures=("ombudsman-referral",))
        db.session.commit()
    page = client.get("/caerwen/complaints/new")
    assert page.status_code == 200
    assert "Public Services Ombudsman for Wales" in page.text
    assert 'name="first_name"' not in page.text
    assert 'enctype="multipart/form-data"' not in page.text

    posted = client.post("/caerwen/complaints/new", data=answers())
    assert posted.status_code == 200
    assert "Public Services Ombudsman for Wales" in posted.text
    assert count(app, ComplaintDraft) == 0
    assert client.get("/caerwen/complaints/check").status_code == 303
    assert (
        "Public Services Ombudsman for Wales" in client.get("/caerwen/help?concern=councillor").text
    )


def test_unknown_council_is_404(client, two_councils):
    assert client.get("/nowhere/complaints/new").status_code == 404


# --- 12. landing page and route finder --------------------------------------------------------


def test_landing_page_asks_what_the_concern_is_about(client, two_councils):
    page = client.get("/ashby/")
    assert page.status_code == 200
    assert "What is your concern about?" in page.text
    radios = re.findall(r'type="radio" value="([^"]+)"', page.text)
    assert radios == ["councillor", "officer", "safety", "other"]
    assert "mo@ashby.example.org" in page.text
    assert "mo@brockton.example.org" not in page.text


def test_safety_concern_shows_duty_team_and_police_numbers(client, two_councils):
    page = client.get("/ashby/help?concern=safety")
    assert page.status_code == 200
    assert "Safeguarding duty team" in page.text
    assert 'href="tel:01632960100"' in page.text
    assert 'href="tel:101"' in page.text
    assert "call 999" in page.text
    assert FORM not in page.text


def test_councillor_concern_links_to_the_form(client, two_councils):
    page = client.get("/ashby/help?concern=councillor")
    assert page.status_code == 200
    assert f'href="{FORM}"' in page.text


@pytest.mark.parametrize("query", ["", "?concern=", "?concern=bins"])
def test_route_finder_without_an_answer_is_400_with_error_summary(client, two_councils, query):
    page = client.get(f"/ashby/help{query}")
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert error_summary_links(page.text) == ["#concern"]
    assert "Select what your concern is about" in page.text


# --- 14. double click ---------------------------------------------------------------------------


def test_double_click_on_accept_and_send_creates_one_case(app, client, two_councils):
    assert post_form(client, answers()).status_code == 303
    check = client.get(CHECK)
    token = csrf_token(check.text)
    first = client.post(CHECK, data={"csrf_token": token}, follow_redirects=True)
    second = client.post(CHECK, data={"csrf_token": token}, follow_redirects=True)
    assert first.status_code == second.status_code == 200
    reference = reference_on(first.text)
    assert reference_on(second.text) == reference
    assert count(app, Case) == 1
    assert only_case(app).reference == reference


def test_confirmation_page_without_a_submission_goes_to_the_form(client, two_councils):
    response = client.get("/ashby/complaints/submitted")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(FORM)


def test_confirmation_of_one_council_is_not_shown_at_another(client, two_councils):
    submit_complaint(client, "ashby")
    response = client.get("/brockton/complaints/submitted")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/brockton/complaints/new")


def test_radio_groups_without_hints_point_at_no_empty_hint(client, two_councils):
    page = client.get("/ashby/complaints/new").text
    assert 'id="preferred_contact-hint"' not in page
    assert 'id="confidentiality-hint"' not in page
    assert page.count("<fieldset") == page.count("</fieldset>")
    # No fieldset inside another: the contact preference radios stand on their own.
    opened = 0
    for token in re.findall(r"<fieldset|</fieldset>", page):
        opened += 1 if token == "<fieldset" else -1
        assert opened <= 1


def test_request_over_the_total_limit_gets_a_page_saying_what_to_do(app, client, two_councils):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    page = client.get("/ashby/complaints/new")
    response = client.post(
        "/ashby/complaints/new",
        data={"csrf_token": csrf_token(page.text), "evidence": (BytesIO(b"x" * 4096), "a.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "too large" in response.text and "1 KB" in response.text
