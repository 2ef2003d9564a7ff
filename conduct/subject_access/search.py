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

from sqlalchemy import CompoundSelect, func, or_, select, union
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from conduct.access import NAME_HOLDERS
from conduct.hearings.models import Hearing, HearingAttendee
from conduct.models import Case, CaseEvent, CaseLink, CaseSubject, EvidenceFile
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
    return {g.council_id for g in user.roles if g.role in NAME_HOLDERS}


def officer_role(user: User, council_id: int) -> str:
    """The role in which the user answers for this council (for the timeline)."""
    return next(r for r in sorted(NAME_HOLDERS) if user.has_role(council_id, r))


def _lower(column) -> ColumnElement:
    return func.lower(column)


def _full_name(*columns) -> ColumnElement:
    joined = columns[0]
    for column in columns[1:]:
        joined = joined + " " + column
    return func.lower(joined)


def _candidates(person: Person) -> CompoundSelect:
    """Ids of cases that may mention the person (refined in Python, field by field)."""
    found = []
    if person.email:
        found += [
            select(Case.id).where(_lower(Case.complainant_email) == person.email),
            select(Case.id).where(_lower(Case.facts["subject_email"].as_string()) == person.email),
            select(Hearing.case_id)
            .join(HearingAttendee)
            .where(_lower(HearingAttendee.email) == person.email),
            select(CaseLink.case_id).where(_lower(CaseLink.email) == person.email),
            select(OutboxMessage.case_id).where(
                _lower(OutboxMessage.recipient) == person.email,
                OutboxMessage.case_id.is_not(None),
            ),
        ]
    if person.name:
        found += [
            select(Case.id).where(
                or_(
                    _full_name(Case.complainant_first_name, Case.complainant_last_name)
                    == person.name,
                    _full_name(
                        Case.complainant_title,
                        Case.complainant_first_name,
                        Case.complainant_last_name,
                    )
                    == person.name,
                )
            ),
            select(CaseSubject.case_id).where(
                or_(
                    _full_name(CaseSubject.first_name, CaseSubject.last_name) == person.name,
                    _full_name(CaseSubject.title, CaseSubject.first_name, CaseSubject.last_name)
                    == person.name,
                )
            ),
            select(Hearing.case_id)
            .join(HearingAttendee)
            .where(_lower(HearingAttendee.name) == person.name),
            select(Case.id).where(_lower(Case.witnesses).contains(person.name, autoescape=True)),
        ]
    return union(*found)


def find(person: Person, user: User, readable: ColumnElement[bool]) -> list[Appearance]:
    """The cases the user may read and answers for where the person appears, oldest first."""
    councils = officer_councils(user)
    if not councils or not (person.email or person.name):
        return []
    cases = db.session.scalars(
        select(Case)
        .where(
            Case.id.in_(select(_candidates(person).subquery().c[0])),
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
    subject_email = (case.facts or {}).get("subject_email") or ""
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
    if not addresses:
        return []
    return list(
        db.session.scalars(
            select(model)
            .where(model.case_id == case.id, _lower(column).in_(sorted(addresses)))
            .order_by(model.id)
        )
    )
