"""Where a person appears in the cases an officer may read, and what is held about them there.

The Monitoring Officer (or Deputy) answers subject access requests for the
councils they serve: only cases of those councils that they may read
(access.readable) are searched. A person is found by email address (exact,
any case) or by full name (every word, any case and spacing) as the
complainant, a councillor complained about, a witness or other person told
of a hearing, someone named in the complaint's list of witnesses, or the
recipient of emails and secure links about a case.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from conduct.access import NAME_HOLDERS
from conduct.hearings.models import Hearing, HearingAttendee
from conduct.models import Case, CaseEvent, CaseLink, CaseSubject, EvidenceFile
from core.crypto import blind
from core.db import db
from core.outbox_models import OutboxMessage
from tenants.models import User

# How a person appears in a case, in the order the export lists them.
COMPLAINANT, SUBJECT, WITNESS, ATTENDEE, NAMED_WITNESS, RECIPIENT = (
    "complainant",
    "subject",
    "hearing-witness",
    "hearing-attendee",
    "named-as-witness",
    "recipient",
)
PARTY_ROLES = {COMPLAINANT: "complainant", SUBJECT: "subject"}


@dataclass(frozen=True)
class Person:
    """Who is asked about: an email address, a full name, or both (normalised)."""

    email: str = ""
    name: str = ""

    @classmethod
    def of(cls, email: str | None, name: str | None) -> Person:
        return cls((email or "").strip().lower(), " ".join((name or "").split()).lower())

    def is_email(self, value: str | None) -> bool:
        return bool(self.email) and (value or "").strip().lower() == self.email

    def is_name(self, *parts: str | None) -> bool:
        full = " ".join(" ".join(p for p in parts if p).split()).lower()
        return bool(self.name) and full == self.name


@dataclass
class Appearance:
    """One case where the person appears, and what it holds about them."""

    case: Case
    roles: list[str] = field(default_factory=list)
    subjects: list[CaseSubject] = field(default_factory=list)
    attendees: list[HearingAttendee] = field(default_factory=list)
    addresses: set[str] = field(default_factory=set)
    messages: list[OutboxMessage] = field(default_factory=list)
    links: list[CaseLink] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)
    files: list[EvidenceFile] = field(default_factory=list)


def officer_councils(user: User) -> set[int]:
    """The councils whose subject access requests this user answers."""
    return user.council_ids_with(NAME_HOLDERS)


def officer_role(user: User, council_id: int) -> str:
    """The role in which the user answers for this council (for the timeline)."""
    return next(r for r in sorted(NAME_HOLDERS) if user.has_role(council_id, r))


def _candidates(person: Person, councils: set[int], readable: ColumnElement[bool]) -> set[int]:
    """Ids of the cases that mention the person.

    Names, addresses and email addresses are sealed at rest (core/encrypted.py), so
    SQL cannot compare them: each is opened and compared here, reading only the
    columns that can hold them. A councillor's name is found through its blind index.
    """
    in_scope = Case.council_id.in_(sorted(councils))
    found: set[int] = set()
    if person.name:
        found |= set(
            db.session.scalars(
                select(CaseSubject.case_id).where(
                    CaseSubject.search_key.like(f"%{blind(person.name)}%"),
                    CaseSubject.council_id.in_(sorted(councils)),
                )
            )
        )
    rows = db.session.execute(
        select(
            Case.id,
            Case.anonymous,
            Case.complainant_title,
            Case.complainant_first_name,
            Case.complainant_last_name,
            Case.complainant_email,
            Case.private_facts,
            Case.witnesses,
        ).where(in_scope, readable)
    )
    for case_id, anonymous, title, first, last, email, private, witnesses in rows:
        named = person.is_name(first, last) or person.is_name(title, first, last)
        if (
            (not anonymous and (person.is_email(email) or named))
            or person.is_email((private or {}).get("subject_email"))
            or (person.name and person.name in " ".join((witnesses or "").split()).lower())
        ):
            found.add(case_id)
    attendees = db.session.execute(
        select(Hearing.case_id, HearingAttendee.name, HearingAttendee.email)
        .join(HearingAttendee, HearingAttendee.hearing_id == Hearing.id)
        .where(Hearing.council_id.in_(sorted(councils)))
    )
    found |= {c for c, name, email in attendees if person.is_email(email) or person.is_name(name)}
    if person.email:
        links = db.session.execute(
            select(CaseLink.case_id, CaseLink.email).where(
                CaseLink.council_id.in_(sorted(councils))
            )
        )
        found |= {c for c, email in links if person.is_email(email)}
        sent = db.session.execute(
            select(OutboxMessage.case_id, OutboxMessage.recipient).where(
                OutboxMessage.case_id.is_not(None),
                OutboxMessage.council_id.in_(sorted(councils)),
            )
        )
        found |= {c for c, recipient in sent if person.is_email(recipient)}
    return found


def find(person: Person, user: User, readable: ColumnElement[bool]) -> list[Appearance]:
    """The cases the user may read and answers for where the person appears, oldest first."""
    councils = officer_councils(user)
    if not councils or not (person.email or person.name):
        return []
    cases = db.session.scalars(
        select(Case)
        .where(
            Case.id.in_(sorted(_candidates(person, councils, readable))),
            Case.council_id.in_(sorted(councils)),
            readable,
        )
        .options(
            selectinload(Case.council),
            selectinload(Case.subjects),
            selectinload(Case.events),
            selectinload(Case.files),
            selectinload(Case.allegations),
            selectinload(Case.hearings).selectinload(Hearing.attendees),
            selectinload(Case.hearings).selectinload(Hearing.findings),
        )
        .order_by(Case.received_at, Case.id)
    ).all()
    found = [_appearance(case, person) for case in cases]
    return [a for a in found if a.roles]


def _appearance(case: Case, person: Person) -> Appearance:
    found = Appearance(case)
    if person.email:
        found.addresses.add(person.email)
    complainant = not case.anonymous and (
        person.is_email(case.complainant_email)
        or person.is_name(case.complainant_first_name, case.complainant_last_name)
        or person.is_name(
            case.complainant_title, case.complainant_first_name, case.complainant_last_name
        )
    )
    if complainant:
        found.roles.append(COMPLAINANT)
        if case.complainant_email:
            found.addresses.add(case.complainant_email.strip().lower())
    subject_email = case.fact("subject_email") or ""
    found.subjects = [
        s
        for s in case.subjects
        if person.is_name(s.first_name, s.last_name)
        or person.is_name(s.title, s.first_name, s.last_name)
    ]
    if found.subjects or person.is_email(subject_email):
        found.roles.append(SUBJECT)
        if subject_email:
            found.addresses.add(subject_email.strip().lower())
    found.attendees = [
        a
        for h in case.hearings
        for a in h.attendees
        if person.is_email(a.email) or person.is_name(a.name)
    ]
    for attendee in found.attendees:
        role = WITNESS if attendee.kind == "witness" else ATTENDEE
        if role not in found.roles:
            found.roles.append(role)
        if attendee.email:
            found.addresses.add(attendee.email.strip().lower())
    if person.name and person.name in " ".join((case.witnesses or "").split()).lower():
        found.roles.append(NAMED_WITNESS)
    found.messages = _to(OutboxMessage, OutboxMessage.recipient, case, found.addresses)
    found.links = _to(CaseLink, CaseLink.email, case, found.addresses)
    if found.messages or found.links:
        found.roles.append(RECIPIENT)
    parties = {PARTY_ROLES[r] for r in found.roles if r in PARTY_ROLES}
    found.events = [e for e in case.events if e.actor_role in parties]
    their_events = {e.id for e in found.events}
    found.files = [
        f
        for f in case.files
        if f.event_id in their_events or (f.event_id is None and COMPLAINANT in found.roles)
    ]
    return found


def _to(model, column, case: Case, addresses: set[str]) -> list:
    """The rows of this case sent to one of these addresses (compared once opened)."""
    if not addresses:
        return []
    rows = db.session.scalars(select(model).where(model.case_id == case.id).order_by(model.id))
    return [r for r in rows if (getattr(r, column.key) or "").strip().lower() in addresses]
