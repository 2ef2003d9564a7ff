"""Decision notices and their approvals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conduct.models import Case
from core.db import UTCDateTime, db, utcnow
from core.encrypted import EncryptedBytes, EncryptedJSON, EncryptedText
from core.tenancy import TenantScoped

DRAFT, PUBLISHED = "draft", "published"


class DecisionNotice(TenantScoped, db.Model):
    """One version of a decision notice. Once published, nothing of it changes.

    A correction is a new version (``corrects`` the published one, with a
    note saying what changed); the earlier version stays published, marked as
    superseded on its page.
    """

    __tablename__ = "decision_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default=DRAFT, index=True)
    # The notice's text, section by section, drafted from the case and edited.
    fields: Mapped[dict] = mapped_column(EncryptedJSON, default=dict)
    # SET NULL: only ever by deleting the whole case (retention), never a single version.
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

    case: Mapped[Case] = relationship()
    corrects: Mapped[DecisionNotice | None] = relationship(remote_side="DecisionNotice.id")
    approvals: Mapped[list[NoticeApproval]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="NoticeApproval.slot"
    )

    __table_args__ = (UniqueConstraint("case_id", "kind", "version"),)


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
