"""The stored outbox: every email is a row first, delivered later, retried until sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, db, utcnow
from core.encrypted import EncryptedText
from core.tenancy import TenantScoped

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"


class OutboxMessage(TenantScoped, db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Account emails (password links) belong to no council: council_id is NULL.
    council_id: Mapped[int | None] = mapped_column(  # type: ignore[assignment]
        ForeignKey("councils.id", ondelete="RESTRICT"), index=True, nullable=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    # The recipient can be a complainant: sealed, like the bodies (core/encrypted.py).
    recipient: Mapped[str] = mapped_column(EncryptedText)
    reply_to: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(EncryptedText)
    body_html: Mapped[str | None] = mapped_column(EncryptedText)
    # Stable across retries so a message delivered twice is recognisably one.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # Failed messages only (few, or none): the case list counts those of the cases a
        # user reads on every page, and the status index alone would read half the table.
        Index(
            "ix_outbox_messages_failed",
            "council_id",
            "case_id",
            sqlite_where=text("status = 'failed'"),
            postgresql_where=text("status = 'failed'"),
        ),
    )
