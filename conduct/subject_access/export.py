"""The subject access ZIP: a JSON file of each case's data about the person, their emails, files.

Per case, under its reference: `case.json` (what the case holds about the
person in each way they appear in it), `emails/*.eml` (the messages sent to
them, as sent), `files/*` (the files they uploaded). `request.json` says who
asked, when, and about whom. Other people's data is left out where it can
be: a councillor's export has the complaint about them but not the
complainant's details; the officer still reviews it before sending (UK GDPR
Article 15(4)).
"""

from __future__ import annotations

import json
import re
import zipfile
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from tempfile import SpooledTemporaryFile
from typing import IO

from flask import current_app

from conduct import engine
from conduct.allegations import provision_label
from conduct.subject_access.search import (
    ATTENDEE,
    COMPLAINANT,
    NAMED_WITNESS,
    SUBJECT,
    WITNESS,
    Appearance,
    Person,
)
from conduct.uploads import read_stored
from core.db import utcnow
from core.outbox_models import OutboxMessage
from tenants.models import User

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name).strip("._") or "file"


def _when(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def case_data(found: Appearance) -> dict:
    """What the case holds about the person, by the ways they appear in it."""
    case = found.case
    procedure = engine.procedure_of(case)
    data: dict = {
        "council": case.council.name,
        "reference": case.reference,
        "procedure": str(procedure.title),
        "stage": str(procedure.stage(case.stage).label),
        "received_on": _when(case.received_on),
        "closed_on": _when(case.closed_on),
        "appears_as": found.roles,
    }
    complaint = {
        "details": case.details,
        "general_obligations_breached": case.obligations_breached,
        "dates_of_the_alleged_incidents": case.incident_dates,
        "outcome_sought": case.outcome_sought,
    }
    if COMPLAINANT in found.roles:
        data["as_complainant"] = {
            "title": case.complainant_title,
            "first_name": case.complainant_first_name,
            "last_name": case.complainant_last_name,
            "address": case.complainant_address,
            "contact_number": case.complainant_phone,
            "email_address": case.complainant_email,
            "preferred_contact": case.preferred_contact,
            "complaint": {
                **complaint,
                "witnesses": case.witnesses,
                "confidentiality_requested": case.confidentiality_requested,
                "confidentiality_reasons": case.confidentiality_reasons,
                "help_needed": case.help_needed,
            },
            "declaration_made_at": _when(case.declaration_at),
        }
    if SUBJECT in found.roles:
        findings = {f.allegation_id: f for h in case.hearings for f in h.findings}
        data["as_councillor_complained_about"] = {
            "named_as": [
                {
                    "title": s.title,
                    "first_name": s.first_name,
                    "last_name": s.last_name,
                    "authority": s.authority,
                }
                for s in found.subjects
            ],
            "email_address": case.fact("subject_email") or "",
            "complaint": complaint,
            "allegations": [
                {
                    "provision": provision_label(case, a.provision),
                    "summary": a.summary,
                    "finding": findings[a.id].finding if a.id in findings else None,
                    "reasons": findings[a.id].reasons if a.id in findings else None,
                }
                for a in case.allegations
            ],
        }
    if WITNESS in found.roles or ATTENDEE in found.roles:
        data["at_hearings"] = [
            {
                "as": a.kind,
                "name": a.name,
                "email_address": a.email,
                "called_by": a.called_by,
                "told_at": _when(a.notified_at),
                "hearing": {
                    "starts_at": _when(a.hearing.starts_at),
                    "venue": a.hearing.venue,
                    "status": a.hearing.status,
                },
            }
            for a in found.attendees
        ]
    if NAMED_WITNESS in found.roles:
        data["named_in_the_complaints_list_of_witnesses"] = case.witnesses
    if found.events:
        data["what_they_sent"] = [
            {"at": _when(e.at), "summary": e.summary, "text": e.reason, "details": e.data}
            for e in found.events
        ]
    data["emails_sent_to_them"] = [
        {
            "file": f"emails/{_email_name(i, m)}",
            "to": m.recipient,
            "subject": m.subject,
            "queued_at": _when(m.created_at),
            "sent_at": _when(m.sent_at),
            "status": m.status,
        }
        for i, m in enumerate(found.messages, start=1)
    ]
    data["secure_links_sent_to_them"] = [
        {
            "to": link.email,
            "as": link.party,
            "created_at": _when(link.created_at),
            "expires_at": _when(link.expires_at),
            "revoked_at": _when(link.revoked_at),
            "last_used_at": _when(link.last_used_at),
        }
        for link in found.links
    ]
    data["files_they_uploaded"] = [
        {
            "file": f"files/{_file_name(f)}",
            "name": f.original_name,
            "type": f.content_type,
            "size": f.size,
            "sha256": f.sha256,
            "uploaded_at": _when(f.uploaded_at),
        }
        for f in found.files
    ]
    return data


def _email_name(index: int, message: OutboxMessage) -> str:
    return f"{index:03d}-{_safe(message.kind)}.eml"


def _file_name(evidence) -> str:
    return f"{evidence.id}-{_safe(evidence.original_name)}"


def _as_eml(message: OutboxMessage) -> bytes:
    mail = EmailMessage()
    mail["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    mail["To"] = message.recipient
    if message.reply_to:
        mail["Reply-To"] = message.reply_to
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(message.sent_at or message.created_at)
    mail["Message-ID"] = message.message_id
    mail.set_content(message.body_text)
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html")
    return bytes(mail)


def write_zip(found: list[Appearance], person: Person, officer: User) -> IO[bytes]:
    """The export as a file object at its start (in memory until it grows large)."""
    out = SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115  (returned open)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "request.json",
            _json(
                {
                    "about": {"email_address": person.email, "name": person.name},
                    "made_by": officer.full_name or officer.email,
                    "made_at": utcnow().isoformat(),
                    "cases": [a.case.reference for a in found],
                    "note": "Check for other people's personal data before sending "
                    "(UK GDPR Article 15(4)).",
                }
            ),
        )
        for appearance in found:
            folder = _safe(appearance.case.reference)
            archive.writestr(f"{folder}/case.json", _json(case_data(appearance)))
            for i, message in enumerate(appearance.messages, start=1):
                archive.writestr(f"{folder}/emails/{_email_name(i, message)}", _as_eml(message))
            for evidence in appearance.files:
                content = read_stored(evidence.storage_key)  # opened: files are sealed at rest
                if content is not None:
                    archive.writestr(f"{folder}/files/{_file_name(evidence)}", content)
    out.seek(0)
    return out


def _json(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
