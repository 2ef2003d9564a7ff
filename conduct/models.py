"""Cases, the members they concern, their evidence files, and complaint drafts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, db, utcnow
from core.tenancy import TenantScoped
from tenants.models import Council


class Case(TenantScoped, db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32))
    procedure_key: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(60), default="received")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20), default="online")  # online, post, email
    language: Mapped[str] = mapped_column(String(5), default="en")

    complainant_title: Mapped[str] = mapped_column(String(50), default="")
    complainant_first_name: Mapped[str] = mapped_column(String(100))
    complainant_last_name: Mapped[str] = mapped_column(String(100))
    complainant_address: Mapped[str] = mapped_column(Text, default="")
    complainant_phone: Mapped[str] = mapped_column(String(40), default="")
    complainant_email: Mapped[str] = mapped_column(String(254), default="")
    preferred_contact: Mapped[str] = mapped_column(String(10), default="email")

    details: Mapped[str] = mapped_column(Text)
    obligations_breached: Mapped[str] = mapped_column(Text, default="")
    incident_dates: Mapped[str] = mapped_column(Text, default="")
    witnesses: Mapped[str] = mapped_column(Text, default="")
    outcome_sought: Mapped[str] = mapped_column(Text, default="")
    confidentiality_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    confidentiality_reasons: Mapped[str] = mapped_column(Text, default="")
    help_needed: Mapped[str] = mapped_column(Text, default="")
    declaration_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    council: Mapped[Council] = relationship()
    subjects: Mapped[list[CaseSubject]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseSubject.position"
    )
    files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="case", order_by="EvidenceFile.id"
    )

    __table_args__ = (UniqueConstraint("council_id", "reference"),)

    @property
    def complainant_name(self) -> str:
        parts = (self.complainant_title, self.complainant_first_name, self.complainant_last_name)
        return " ".join(p for p in parts if p)

    @property
    def subject_names(self) -> str:
        return ", ".join(s.full_name for s in self.subjects)


class CaseSubject(TenantScoped, db.Model):
    """A member complained about, as named by the complainant."""

    __tablename__ = "case_subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(50), default="")
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    authority: Mapped[str] = mapped_column(String(200))

    case: Mapped[Case] = relationship(back_populates="subjects")

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.title, self.first_name, self.last_name) if p)


class ComplaintDraft(TenantScoped, db.Model):
    """What a complainant has entered so far, kept server-side between form steps.

    Files uploaded with a form that failed validation are kept here too, so
    nothing the person gave us is lost. Drafts expire (see services).
    """

    __tablename__ = "complaint_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
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
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

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
