"""From a complainant's draft to a committed case with its emails queued."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from conduct import engine, notifications, receipts
from conduct.models import Case, CaseSubject, ComplaintDraft
from conduct.procedures import PUBLIC_FORM_PROCEDURE
from conduct.references import next_reference
from conduct.timeutil import london_date
from conduct.uploads import delete_stored
from core.db import db, utcnow
from tenants.models import Council

DRAFT_LIFETIME = timedelta(hours=24)

# Form fields kept in a draft, in the order the check-answers page shows them.
PERSON_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "address",
    "phone",
    "email",
    "preferred_contact",
)
COMPLAINT_FIELDS = ("details", "obligations", "incident_dates", "witnesses", "outcome_sought")
OTHER_FIELDS = (
    "anonymous",
    "confidentiality",
    "confidentiality_reasons",
    "help_needed",
    "declaration",
)
MEMBER_FIELDS = ("title", "first_name", "last_name", "authority")


def new_draft(council: Council, language: str) -> ComplaintDraft:
    draft = ComplaintDraft(
        council_id=council.id, token=secrets.token_urlsafe(24), data={}, language=language
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def find_draft(token: str | None) -> ComplaintDraft | None:
    """The draft with this token, if it is live (and, by tenant scope, of this council)."""
    if not token:
        return None
    draft = db.session.scalar(select(ComplaintDraft).where(ComplaintDraft.token == token))
    if draft is None or draft.updated_at < utcnow() - DRAFT_LIFETIME:
        return None
    return draft


def draft_data_from_form(form) -> dict:
    """The answers as plain data (what the check-answers page and the case are built from)."""
    data = {name: _clean(getattr(form, name).data) for name in PERSON_FIELDS + COMPLAINT_FIELDS}
    data.update({name: _clean(getattr(form, name).data) for name in OTHER_FIELDS})
    data["members"] = [
        {name: _clean(entry.form[name].data) for name in MEMBER_FIELDS} for entry in form.members
    ]
    return data


def _clean(value: object) -> object:
    if isinstance(value, str):
        return value.strip()
    return value


@dataclass
class Submission:
    case: Case
    message_ids: list[int]
    # An anonymous complaint's receipt code: shown once, never stored in clear.
    receipt_code: str | None = None


def submit(
    council: Council,
    draft: ComplaintDraft,
    *,
    received_at: datetime | None = None,
    channel: str = "online",
) -> Submission:
    """Turn a complete draft into a case and queue its emails; the caller commits.

    An anonymous complaint keeps nothing of the complainant, whatever was typed
    in their fields before they chose to be anonymous; it gets a receipt code
    instead of an acknowledgement (there is no one to write to).
    """
    data = draft.data
    anonymous = bool(data.get("anonymous"))
    person = {} if anonymous else data
    now = utcnow()
    received_at = received_at or now
    received_on = london_date(received_at)
    case = Case(
        council_id=council.id,
        reference=next_reference(council, received_on),
        procedure_key=PUBLIC_FORM_PROCEDURE,
        stage="received",
        received_at=received_at,
        received_on=received_on,
        channel=channel,
        language=draft.language,
        anonymous=anonymous,
        complainant_title=person.get("title") or "",
        complainant_first_name=person.get("first_name") or "",
        complainant_last_name=person.get("last_name") or "",
        complainant_address=person.get("address") or "",
        complainant_phone=person.get("phone") or "",
        complainant_email=person.get("email") or "",
        preferred_contact=person.get("preferred_contact") or ("" if anonymous else "email"),
        details=data["details"],
        obligations_breached=data.get("obligations") or "",
        incident_dates=data.get("incident_dates") or "",
        witnesses=data.get("witnesses") or "",
        outcome_sought=data.get("outcome_sought") or "",
        confidentiality_requested=person.get("confidentiality") == "yes",
        confidentiality_reasons=person.get("confidentiality_reasons") or "",
        help_needed=data.get("help_needed") or "",
        declaration_at=now,
    )
    case.subjects = [
        CaseSubject(
            council_id=council.id,
            position=i,
            title=m.get("title") or "",
            first_name=m["first_name"],
            last_name=m["last_name"],
            authority=m["authority"],
        )
        for i, m in enumerate(data["members"])
    ]
    db.session.add(case)
    for evidence in list(draft.files):
        evidence.case = case
        evidence.draft = None
    db.session.flush()
    db.session.delete(draft)
    engine.start(case, council)
    messages = notifications.complaint_received(council, case)
    code = None
    if anonymous:
        code = receipts.issue(case)
        # The reference and receipt code on screen are all the acknowledgement there can be.
        engine.perform(case, council, "acknowledged-by-receipt", actor=None, system=True)
    elif any(m.kind == "acknowledgement" for m in messages):
        # The written acknowledgement (seed 003 §2.1.4) is the email just queued.
        engine.perform(case, council, "acknowledgement-emailed", actor=None, system=True)
    db.session.flush()
    return Submission(case=case, message_ids=[m.id for m in messages], receipt_code=code)


def remove_draft_file(draft: ComplaintDraft, file_id: int) -> bool:
    evidence = next((f for f in draft.files if f.id == file_id), None)
    if evidence is None:
        return False
    db.session.delete(evidence)
    db.session.flush()
    delete_stored(evidence.storage_key)
    return True


def purge_expired_drafts(now: datetime | None = None) -> int:
    """Delete abandoned drafts and their files (run by housekeeping)."""
    cutoff = (now or utcnow()) - DRAFT_LIFETIME
    drafts = db.session.scalars(select(ComplaintDraft).where(ComplaintDraft.updated_at < cutoff))
    count = 0
    for draft in drafts:
        for evidence in draft.files:
            if evidence.case_id is None:
                db.session.delete(evidence)
                delete_stored(evidence.storage_key)
        db.session.delete(draft)
        count += 1
    db.session.flush()
    return count


def answer_sections(draft: ComplaintDraft) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The check-answers page: (heading, [(label, answer, field id to change it)])."""
    d = draft.data
    contact = {"email": _("Email"), "post": _("Post"), "phone": _("Telephone")}
    name = " ".join(p for p in (d.get("title"), d.get("first_name"), d.get("last_name")) if p)
    members = [
        (
            _("Member %(n)d", n=i + 1),
            " ".join(p for p in (m.get("title"), m.get("first_name"), m.get("last_name")) if p)
            + f", {m.get('authority', '')}",
            f"members-{i}-first_name",
        )
        for i, m in enumerate(d.get("members", []))
    ]
    if d.get("anonymous"):
        details = [
            (
                _("Anonymous"),
                _(
                    "Yes: your name and contact details will not be sent, and you will get "
                    "a receipt code to follow your complaint"
                ),
                "anonymous",
            )
        ]
        confidentiality = []
    else:
        details = [
            (_("Name"), name, "first_name"),
            (_("Address"), d.get("address", ""), "address"),
            (_("Contact Number"), d.get("phone", ""), "phone"),
            (_("Email Address"), d.get("email", ""), "email"),
            (
                _("Preferred form of contact"),
                contact.get(d.get("preferred_contact", ""), ""),
                "preferred_contact",
            ),
        ]
        confidentiality = [
            (
                _("Identity kept confidential"),
                _("Yes") if d.get("confidentiality") == "yes" else _("No"),
                "confidentiality",
            ),
            (_("Reasons"), d.get("confidentiality_reasons", ""), "confidentiality_reasons"),
        ]
    return [
        (_("Your details"), details),
        (
            _("Your complaint"),
            [
                *members,
                (_("What happened"), d.get("details", ""), "details"),
                (_("General Obligations breached"), d.get("obligations", ""), "obligations"),
                (
                    _("Dates of the alleged incidents"),
                    d.get("incident_dates", ""),
                    "incident_dates",
                ),
                (_("Witnesses"), d.get("witnesses", ""), "witnesses"),
                (_("Outcome sought"), d.get("outcome_sought", ""), "outcome_sought"),
                (
                    _("Supporting evidence"),
                    ", ".join(f.original_name for f in draft.files),
                    "evidence",
                ),
            ],
        ),
        (
            _("Confidentiality and help"),
            [*confidentiality, (_("Help needed"), d.get("help_needed", ""), "help_needed")],
        ),
    ]
