"""Decision notices and their approvals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from conduct.models import Case
from core.db import UTCDateTime, db, utcnow
from core.encrypted import EncryptedBytes, EncryptedJSON, EncryptedText
from core.tenancy import TenantScoped
from tenants.models import Council

DRAFT, PUBLISHED = "draft", "published"


class DecisionNotice(TenantScoped, db.Model):
    """One version of a decision notice. Once published, nothing of it changes.

    A correction is a new version (``corrects`` the published one, with a
    note saying what changed); the earlier version stays published, marked as
    superseded on its page.

    A published version outlives its case: it was published with the minutes
    (seed 003 Rule 9 §3.5.3), which are a public record, so deleting the case
    under the retention policy (conduct/retention) keeps it, with `case_id`
    NULL and the reference and procedure it was published under.
    """

    __tablename__ = "decision_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    # Copied from the case, so the public pages need nothing of it once it is deleted.
    case_reference: Mapped[str] = mapped_column(String(32))
    procedure_key: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default=DRAFT, index=True)
    # The notice's text, section by section, drafted from the case and edited.
    fields: Mapped[dict] = mapped_column(EncryptedJSON, default=dict)
    # A correction always refers to a published version, and only drafts are ever deleted
    # (conduct/retention), so SET NULL never happens.
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision_notices.id", ondelete="SET NULL")
    )
    correction_note: Mapped[str] = mapped_column(EncryptedText, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Set once, at publication.
    title: Mapped[str] = mapped_column(EncryptedText, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    published_by: Mapped[str] = mapped_column(String(200), default="")
    # Sealed like the case until published; published, they are served as they are.
    html: Mapped[str | None] = mapped_column(EncryptedText)
    pdf: Mapped[bytes | None] = mapped_column(EncryptedBytes)
    sha256: Mapped[str | None] = mapped_column(String(64))

    case: Mapped[Case | None] = relationship()
    council: Mapped[Council] = relationship()
    corrects: Mapped[DecisionNotice | None] = relationship(remote_side="DecisionNotice.id")
    approvals: Mapped[list[NoticeApproval]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="NoticeApproval.slot"
    )

    __table_args__ = (UniqueConstraint("council_id", "case_reference", "kind", "version"),)

    @validates("case")
    def _copy_from_case(self, _key: str, case: Case | None) -> Case | None:
        if case is not None:
            self.case_reference = case.reference
            self.procedure_key = case.procedure_key
        return case


class NoticeApproval(TenantScoped, db.Model):
    """An approval of a draft by one of the roles the procedure names, of its exact text."""

    __tablename__ = "notice_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("decision_notices.id", ondelete="CASCADE"), index=True
    )
    # Which of the notice kind's required approvals this is (its index).
    slot: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_name: Mapped[str] = mapped_column(String(200))
    # A hash of the text approved: editing the draft after approval voids it.
    content_hash: Mapped[str] = mapped_column(String(64))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    notice: Mapped[DecisionNotice] = relationship(back_populates="approvals")

    __table_args__ = (UniqueConstraint("notice_id", "slot"),)
