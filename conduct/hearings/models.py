"""What is recorded of a hearing: its panel, the people told, the business, the decision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conduct.models import Allegation, Case
from core.db import UTCDateTime, db, utcnow
from core.encrypted import EncryptedText
from core.tenancy import TenantScoped
from tenants.committees import CommitteeMember
from tenants.models import Council

CONVENED, ADJOURNED, DECIDED = "convened", "adjourned", "decided"
# Schedule 12A, Local Government Act 1972: whether the public is excluded.
PUBLIC, PART_PRIVATE, PRIVATE = "public", "part-private", "private"


class Hearing(TenantScoped, db.Model):
    __tablename__ = "hearings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # Whose committee sits (the district's, for a parish councillor).
    committee_council_id: Mapped[int] = mapped_column(
        ForeignKey("councils.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(12), default=CONVENED)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    venue: Mapped[str] = mapped_column(String(300))
    convened_by: Mapped[str] = mapped_column(String(200), default="")
    # Why the panel went ahead with a member a party said had a conflict of interest.
    conflicts_note: Mapped[str | None] = mapped_column(EncryptedText)

    private_session: Mapped[str] = mapped_column(String(12), default="")
    private_paragraphs: Mapped[list] = mapped_column(JSON, default=list)
    private_reason: Mapped[str] = mapped_column(EncryptedText, default="")

    # The agenda pack as published: frozen, so later edits to the case never change it.
    agenda_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agenda_html: Mapped[str | None] = mapped_column(EncryptedText)
    agenda_file_ids: Mapped[list] = mapped_column(JSON, default=list)

    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))
    sanctions: Mapped[list] = mapped_column(JSON, default=list)
    recommendations: Mapped[str] = mapped_column(EncryptedText, default="")
    unanimous: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="hearings")
    committee_council: Mapped[Council] = relationship(foreign_keys=[committee_council_id])
    seats: Mapped[list[HearingSeat]] = relationship(
        back_populates="hearing", cascade="all, delete-orphan", order_by="HearingSeat.id"
    )
    attendees: Mapped[list[HearingAttendee]] = relationship(
        back_populates="hearing", cascade="all, delete-orphan", order_by="HearingAttendee.id"
    )
    steps: Mapped[list[HearingStep]] = relationship(
        back_populates="hearing", cascade="all, delete-orphan", order_by="HearingStep.id"
    )
    adjournments: Mapped[list[HearingAdjournment]] = relationship(
        back_populates="hearing", cascade="all, delete-orphan", order_by="HearingAdjournment.id"
    )
    findings: Mapped[list[HearingFinding]] = relationship(
        back_populates="hearing", cascade="all, delete-orphan", order_by="HearingFinding.id"
    )


class HearingSeat(TenantScoped, db.Model):
    """A committee member sitting on (or, for co-optees, invited to) a hearing panel."""

    __tablename__ = "hearing_seats"

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(
        ForeignKey("hearings.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("committee_members.id", ondelete="RESTRICT"), index=True
    )
    # chair (the panel's chairman), member, independent-person, co-opted
    seat: Mapped[str] = mapped_column(String(20))

    hearing: Mapped[Hearing] = relationship(back_populates="seats")
    member: Mapped[CommitteeMember] = relationship()

    __table_args__ = (UniqueConstraint("hearing_id", "member_id"),)


class HearingAttendee(TenantScoped, db.Model):
    """A party, representative or witness told of the hearing (seed 003 Rule 9 §3.1)."""

    __tablename__ = "hearing_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(
        ForeignKey("hearings.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # witness, representative
    name: Mapped[str] = mapped_column(EncryptedText)
    email: Mapped[str | None] = mapped_column(EncryptedText)
    called_by: Mapped[str] = mapped_column(String(20), default="")
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    hearing: Mapped[Hearing] = relationship(back_populates="attendees")


class HearingStep(TenantScoped, db.Model):
    """An item of the order of business, ticked off as the hearing goes."""

    __tablename__ = "hearing_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(
        ForeignKey("hearings.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(EncryptedText, default="")
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_by: Mapped[str] = mapped_column(String(200), default="")

    hearing: Mapped[Hearing] = relationship(back_populates="steps")

    __table_args__ = (UniqueConstraint("hearing_id", "key"),)


class HearingAdjournment(TenantScoped, db.Model):
    __tablename__ = "hearing_adjournments"

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(
        ForeignKey("hearings.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(EncryptedText)
    # seed 003 Rule 9 §3.2.8.4: what the panel requires, from whom.
    directions: Mapped[str] = mapped_column(EncryptedText, default="")
    resumes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    by: Mapped[str] = mapped_column(String(200), default="")

    hearing: Mapped[Hearing] = relationship(back_populates="adjournments")


class HearingFinding(TenantScoped, db.Model):
    """The panel's finding on one allegation, with its reasons (seed 003 Rule 9 §3.3.8)."""

    __tablename__ = "hearing_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(
        ForeignKey("hearings.id", ondelete="CASCADE"), index=True
    )
    allegation_id: Mapped[int] = mapped_column(
        ForeignKey("allegations.id", ondelete="CASCADE"), index=True
    )
    finding: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[str] = mapped_column(EncryptedText)

    hearing: Mapped[Hearing] = relationship(back_populates="findings")
    allegation: Mapped[Allegation] = relationship()

    __table_args__ = (UniqueConstraint("hearing_id", "allegation_id"),)
