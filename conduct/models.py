"""Cases, the members they concern, their evidence files, and complaint drafts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, db, utcnow
from core.encrypted import EncryptedJSON, EncryptedText
from core.tenancy import TenantScoped
from tenants.committees import CommitteeMember
from tenants.models import Council, User


class Case(TenantScoped, db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32))
    procedure_key: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(60), default="received")
    entry_point: Mapped[str] = mapped_column(String(40), default="complaint")
    # The stage before the current one (for "continue after withdrawal").
    previous_stage: Mapped[str | None] = mapped_column(String(60))
    # Set while the case is paused (a police inquiry, or paused by an officer).
    paused_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(60))
    # Values recorded by actions that later steps use (hearing date, decisions).
    facts: Mapped[dict] = mapped_column(JSON, default=dict)
    # Values recorded by actions that are personal (an email address, free text):
    # sealed, unlike `facts`, which statistics read in SQL (choices, dates).
    private_facts: Mapped[dict] = mapped_column(EncryptedJSON, default=dict)
    # When the events complained about happened, if known (intake checks).
    events_on: Mapped[date | None] = mapped_column(Date)
    # Intake warnings the officer acknowledged when recording the complaint.
    intake_warnings: Mapped[list] = mapped_column(JSON, default=list)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20), default="online")  # online, post, email
    language: Mapped[str] = mapped_column(String(5), default="en")

    # Made without a name or contact details (seed 003 Rule 9 §2.1.7): not normally acted
    # on unless there is a clear public interest. The complainant follows it with a receipt.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Personal data and what the complaint says are sealed at rest (core/encrypted.py).
    complainant_title: Mapped[str] = mapped_column(EncryptedText, default="")
    complainant_first_name: Mapped[str] = mapped_column(EncryptedText)
    complainant_last_name: Mapped[str] = mapped_column(EncryptedText)
    complainant_address: Mapped[str] = mapped_column(EncryptedText, default="")
    complainant_phone: Mapped[str] = mapped_column(EncryptedText, default="")
    complainant_email: Mapped[str] = mapped_column(EncryptedText, default="")
    preferred_contact: Mapped[str] = mapped_column(String(10), default="email")

    details: Mapped[str] = mapped_column(EncryptedText)
    obligations_breached: Mapped[str] = mapped_column(EncryptedText, default="")
    incident_dates: Mapped[str] = mapped_column(EncryptedText, default="")
    witnesses: Mapped[str] = mapped_column(EncryptedText, default="")
    outcome_sought: Mapped[str] = mapped_column(EncryptedText, default="")
    confidentiality_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    confidentiality_reasons: Mapped[str] = mapped_column(EncryptedText, default="")
    help_needed: Mapped[str] = mapped_column(EncryptedText, default="")
    declaration_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set while the Monitoring Officer keeps the case from deletion under the council's
    # retention policy (litigation, an ombudsman's inquiry); the timeline says who and why.
    legal_hold_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    legal_hold_reason: Mapped[str | None] = mapped_column(Text)

    council: Mapped[Council] = relationship()
    subjects: Mapped[list[CaseSubject]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseSubject.position"
    )
    files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="case", order_by="EvidenceFile.id"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan"
    )
    deadlines: Mapped[list[CaseDeadline]] = relationship(
        back_populates="case", order_by="CaseDeadline.id", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[CaseAssignment]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )
    exclusions: Mapped[list[CaseExclusion]] = relationship(cascade="all, delete-orphan")
    allegations: Mapped[list[Allegation]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="(Allegation.position, Allegation.id)",
    )
    hearings: Mapped[list[Hearing]] = relationship(  # noqa: F821  (conduct/hearings/models.py)
        back_populates="case", cascade="all, delete-orphan", order_by="Hearing.id"
    )
    conflicts: Mapped[list[ConflictDeclaration]] = relationship(
        cascade="all, delete-orphan", order_by="ConflictDeclaration.id"
    )

    __table_args__ = (
        UniqueConstraint("council_id", "reference"),
        Index("ix_cases_council_stage", "council_id", "stage"),
        # For statistics (conduct/statistics/service.py): a period's cases by council and
        # received_on, with every column the grouped queries and the readers' condition
        # (access.readable) read but the JSON facts, so most of them read this index
        # alone rather than the 1.4 kB case rows, of every year, that they scanned.
        Index(
            "ix_cases_statistics",
            "council_id",
            "received_on",
            "procedure_key",
            "stage",
            "closed_on",
            "previous_stage",
            "outcome",
            "paused_on",
            "id",
        ),
        # The staff case list (conduct/caselist.py) walks these in the order shown and stops
        # after a page. Open cases (the working list) across councils for one procedure, or
        # of one council: partial, so "closed_on IS NULL" is the index's own condition and
        # the order received follows the equality column (PostgreSQL does not take an
        # IS NULL column as fixed when matching an index to ORDER BY). Every case, newest or
        # oldest first, for a list with no stage chosen. The trailing columns are what
        # access.readable tests, and the reference a search matches, so rows they refuse
        # are skipped without reading them.
        Index(
            "ix_cases_open_by_procedure",
            "procedure_key",
            "received_at",
            "id",
            "council_id",
            sqlite_where=text("closed_on IS NULL"),
            postgresql_where=text("closed_on IS NULL"),
        ),
        Index(
            "ix_cases_open_by_council",
            "council_id",
            "received_at",
            "id",
            "procedure_key",
            sqlite_where=text("closed_on IS NULL"),
            postgresql_where=text("closed_on IS NULL"),
        ),
        Index("ix_cases_received", "received_at", "id", "council_id", "procedure_key", "reference"),
        # Sorted by reference across councils (the unique key leads with the council).
        Index("ix_cases_reference", "reference", "id", "council_id", "procedure_key"),
    )

    @property
    def complainant_name(self) -> str:
        parts = (self.complainant_title, self.complainant_first_name, self.complainant_last_name)
        return " ".join(p for p in parts if p)

    @property
    def subject_names(self) -> str:
        return ", ".join(s.full_name for s in self.subjects)

    def fact(self, name: str):
        """A value an action recorded, personal (sealed) or not."""
        private = self.private_facts or {}
        return private[name] if name in private else (self.facts or {}).get(name)


class CaseSubject(TenantScoped, db.Model):
    """A member complained about, as named by the complainant."""

    __tablename__ = "case_subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(EncryptedText, default="")
    first_name: Mapped[str] = mapped_column(EncryptedText)
    last_name: Mapped[str] = mapped_column(EncryptedText)
    authority: Mapped[str] = mapped_column(String(200))
    # Blind index of the name (core.crypto.blind of each word and of the whole name),
    # so staff can search by name though the name itself is sealed.
    search_key: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="subjects")

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.title, self.first_name, self.last_name) if p)

    def index_name(self) -> None:
        """Refresh the blind index from the name (kept in step by a mapper event)."""
        from core.crypto import blind

        words = {*(self.first_name or "").split(), *(self.last_name or "").split()}
        phrases = {f"{self.first_name} {self.last_name}", self.full_name, *words}
        self.search_key = " ".join(sorted(blind(p) for p in phrases if p.strip()))


@event.listens_for(CaseSubject, "before_insert")
@event.listens_for(CaseSubject, "before_update")
def _index_subject_name(_mapper, _connection, subject: CaseSubject) -> None:
    subject.index_name()


class ComplaintDraft(TenantScoped, db.Model):
    """What a complainant has entered so far, kept server-side between form steps.

    Files uploaded with a form that failed validation are kept here too, so
    nothing the person gave us is lost. Drafts expire (see services).
    """

    __tablename__ = "complaint_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[dict] = mapped_column(EncryptedJSON, default=dict)
    language: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="draft", order_by="EvidenceFile.id"
    )


class EvidenceFile(TenantScoped, db.Model):
    """An uploaded file. Stored under a random key, never under the name given."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    draft_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaint_drafts.id", ondelete="SET NULL"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(EncryptedText)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # A document attached to a step of the procedure (e.g. a report), if any.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_events.id", ondelete="SET NULL"), index=True
    )

    case: Mapped[Case | None] = relationship(back_populates="files")
    draft: Mapped[ComplaintDraft | None] = relationship(back_populates="files")


class ReferenceCounter(db.Model):
    """The last sequence number issued per council and year (for case references)."""

    __tablename__ = "reference_counters"

    council_id: Mapped[int] = mapped_column(
        ForeignKey("councils.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class CaseEvent(TenantScoped, db.Model):
    """One entry of a case's timeline: who did what, when and why. Never changed."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # NULL for the system (e.g. the acknowledgement emailed on submission).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    actor_role: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(20))  # action, opened, deadline, system
    action: Mapped[str | None] = mapped_column(String(60))
    summary: Mapped[str] = mapped_column(EncryptedText)
    stage_from: Mapped[str | None] = mapped_column(String(60))
    stage_to: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(EncryptedText)
    data: Mapped[dict] = mapped_column(EncryptedJSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")


class CaseDeadline(TenantScoped, db.Model):
    """A deadline of a case, with the rule it was computed from so it can be recomputed."""

    __tablename__ = "case_deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by ix_case_deadlines_statistics, which begins with it.
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(60))
    owner: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(30))
    amount: Mapped[int] = mapped_column(Integer)
    start_on: Mapped[date] = mapped_column(Date)
    anchor_on: Mapped[date | None] = mapped_column(Date)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, met, closed
    met_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    opened_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_events.id", ondelete="SET NULL")
    )
    closed_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_events.id", ondelete="SET NULL")
    )

    case: Mapped[Case] = relationship(back_populates="deadlines")
    opened_event: Mapped[CaseEvent | None] = relationship(foreign_keys=[opened_event_id])
    closed_event: Mapped[CaseEvent | None] = relationship(foreign_keys=[closed_event_id])

    __table_args__ = (
        Index("ix_case_deadlines_open_due", "status", "due_on"),
        # A case's deadlines: for statistics those that count (met, or open and past due)
        # with the columns counted, read from the index alone; for everything else, the
        # index of case_id (which it replaced: one index less to write per deadline).
        Index(
            "ix_case_deadlines_statistics",
            "case_id",
            "status",
            "due_on",
            "key",
            "met_on",
            "council_id",
        ),
    )


class CaseAssignment(TenantScoped, db.Model):
    """A person assigned to one case in a role (e.g. its Investigating Officer)."""

    __tablename__ = "case_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="assignments")
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("case_id", "user_id", "role"),)


class ReminderSent(TenantScoped, db.Model):
    """One reminder of one deadline to one recipient: recorded once, ever.

    The row and its outbox message are written in one transaction, and the
    unique constraint refuses a second, so restarts, overlapping sweeps and a
    second scheduler cannot send a reminder twice.
    """

    __tablename__ = "reminders_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique constraint below begins with it, and serves the
    # sweep's look-ups and the cascade as well (one index less to write per reminder).
    deadline_id: Mapped[int] = mapped_column(ForeignKey("case_deadlines.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # before, due, overdue
    # A keyed hash of the address (core.crypto.blind): it makes each reminder unique
    # per person without keeping a party's email address here in clear.
    recipient: Mapped[str] = mapped_column(String(254))
    # queued: an email was queued; digest: left to the person's daily digest;
    # superseded: its day passed while a later reminder became due.
    status: Mapped[str] = mapped_column(String(12))
    for_day: Mapped[date] = mapped_column(Date)
    # Indexed for the foreign key: deleting a case's outbox messages (retention) sets
    # this to NULL, and without an index each message deleted read every reminder.
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("deadline_id", "kind", "recipient"),)


class DigestSent(db.Model):
    """A staff member's daily digest of due and overdue deadlines: once a day."""

    __tablename__ = "digests_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )

    __table_args__ = (UniqueConstraint("user_id", "day"),)


EMAILED, RECEIPT = "email", "receipt"


class CaseLink(TenantScoped, db.Model):
    """A secure link for a party (complainant or councillor) to see their case and reply.

    Only a hash of the token is stored; links expire and can be revoked. An
    anonymous complainant has no address to send a link to: their access is a
    receipt code shown once on submission (via "receipt", email empty), used
    with the reference at /<council>/complaints/receipt (conduct/receipts.py).
    """

    __tablename__ = "case_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    party: Mapped[str] = mapped_column(String(20))  # complainant, subject
    via: Mapped[str] = mapped_column(String(10), default=EMAILED, server_default=EMAILED)
    email: Mapped[str] = mapped_column(EncryptedText)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()

    def live(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class CaseExclusion(TenantScoped, db.Model):
    """A role that may not read or act on this case (e.g. the clerk, on a concern about them)."""

    __tablename__ = "case_exclusions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))

    __table_args__ = (UniqueConstraint("case_id", "role"),)


class Allegation(TenantScoped, db.Model):
    """One allegation of a complaint: what is alleged, and the code provision it engages.

    The Monitoring Officer records them from the complaint; decision notices
    assess each one (seed 003 Appendix 4 §4.1.5) and the hearing panel makes a
    finding on each (seed 003 Rule 9 §3.3.8).
    """

    __tablename__ = "allegations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    provision: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="allegations")


class ConflictDeclaration(TenantScoped, db.Model):
    """A party's concern that a committee member has a conflict of interest in their case.

    seed 003 guidance (Conduct Hearing): the complainant should say as soon as
    possible if they are, e.g., a close friend or colleague of a panel member.
    Convening a panel with that member is flagged until acknowledged.
    """

    __tablename__ = "conflict_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("committee_members.id", ondelete="CASCADE"), index=True
    )
    raised_by: Mapped[str] = mapped_column(String(20))  # complainant, subject, staff
    reason: Mapped[str] = mapped_column(EncryptedText)
    recorded_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[CommitteeMember] = relationship()


class CaseAccess(TenantScoped, db.Model):
    """Someone saw, downloaded, exported or was emailed a case's content. Never changed.

    Shown to the Monitoring Officer on the case (conduct/access_log.py).
    """

    __tablename__ = "case_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The person as they were then (name or email; or a party through their link).
    who: Mapped[str] = mapped_column(String(254))
    what: Mapped[str] = mapped_column(String(20))  # view, download, export, email
    detail: Mapped[str] = mapped_column(EncryptedText, default="")


# Case refers to these by name; loading them here keeps the mapping complete for
# any code that imports the case models, whatever it imports first.
import conduct.decisions.models  # noqa: E402
import conduct.hearings.models  # noqa: E402, F401
