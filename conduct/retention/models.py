"""What outlives a case deleted under the retention policy: statistics rows and a log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import UTCDateTime, db, utcnow
from core.tenancy import TenantScoped


class RetainedCase(TenantScoped, db.Model):
    """A deleted case as the statistics count it, and nothing more.

    The columns are those of a case record (conduct/statistics/records.py),
    copied from that very query before deletion, so every figure counts the
    case the same afterwards. No name, reference or free text: `decision` and
    `complaint_type` are choice keys of the procedure.
    """

    __tablename__ = "retained_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_key: Mapped[str] = mapped_column(String(40))
    received_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(60))
    stage_reached: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str | None] = mapped_column(String(60))
    decision: Mapped[str | None] = mapped_column(String(60))
    complaint_type: Mapped[str | None] = mapped_column(String(60))
    paused_on: Mapped[date | None] = mapped_column(Date)
    # The roles the case was closed to (",clerk,"): they did not count it while it
    # existed, so they do not count it after either (conduct/access.py).
    excluded_roles: Mapped[str] = mapped_column(String(200), default="")
    retained_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RetainedDeadline(TenantScoped, db.Model):
    """One deadline of a deleted case: whether it was met, and when, against its due date."""

    __tablename__ = "retained_deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    retained_case_id: Mapped[int] = mapped_column(
        ForeignKey("retained_cases.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10))
    due_on: Mapped[date] = mapped_column(Date)
    met_on: Mapped[date | None] = mapped_column(Date)


class RetainedSanction(TenantScoped, db.Model):
    """The sanction keys of one decided hearing of a deleted case (JSON text, as counted)."""

    __tablename__ = "retained_sanctions"

    id: Mapped[int] = mapped_column(primary_key=True)
    retained_case_id: Mapped[int] = mapped_column(
        ForeignKey("retained_cases.id", ondelete="CASCADE"), index=True
    )
    sanctions: Mapped[str | None] = mapped_column(Text)


DELETED, FAILED = "deleted", "failed"


class RetentionLogEntry(TenantScoped, db.Model):
    """One deletion (or failed attempt) under the retention policy. Never changed.

    It answers "what was deleted, when and why" without keeping what was
    deleted: no reference, no name, only the opaque id of the statistical
    record left behind and the rule that applied.
    """

    __tablename__ = "retention_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    outcome: Mapped[str] = mapped_column(String(10))
    retained_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("retained_cases.id", ondelete="RESTRICT")
    )
    reason: Mapped[str] = mapped_column(String(300))
    files_deleted: Mapped[int] = mapped_column(Integer, default=0)
    # For a failure: the kind of error only (a database message can quote the data).
    error: Mapped[str] = mapped_column(String(100), default="")


@event.listens_for(Session, "before_flush")
def _log_is_append_only(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, RetentionLogEntry) and (
            obj in session.deleted or session.is_modified(obj)
        ):
            raise PermissionError("the retention log is append-only")
