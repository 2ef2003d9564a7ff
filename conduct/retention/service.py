"""Deleting closed cases once their council's retention period has passed.

A case closed more than `Council.retention_years` years ago (whole years
after its closing date) and not on legal hold is deleted with everything
attached: subjects, timeline, deadlines and reminders, hearings, allegations,
secure links, its outbox rows, its files on disk, and its decision notices
except the published ones. A published notice stays public, detached from
the case, because it was published with the minutes (seed 003 Rule 9
§3.5.3), a public record the council keeps; its drafts and approvals go.

Before the deletion, in the same transaction, the case's statistics rows
are copied (conduct/retention/models.py) and a log entry written that holds
no reference or name. Each case is one transaction, inside its council's
tenant scope; files are removed only after the commit, so a failure leaves
the case and its files whole for the next run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select, update

from conduct import engine
from conduct.calendar import add_months
from conduct.decisions.models import PUBLISHED, DecisionNotice, NoticeApproval
from conduct.models import Case, CaseLink, EvidenceFile
from conduct.retention.models import (
    DELETED,
    FAILED,
    RetainedCase,
    RetainedDeadline,
    RetainedSanction,
    RetentionLogEntry,
)
from conduct.statistics.records import case_records, deadline_records, sanction_records
from conduct.uploads import delete_stored
from core.db import db
from core.outbox_models import OutboxMessage
from core.tenancy import scope
from tenants.models import Council

log = logging.getLogger(__name__)


@dataclass
class CouncilRun:
    slug: str
    years: int
    expired: int = 0  # past the period, not on hold: deleted, or would be on a dry run
    held: int = 0  # past the period but on legal hold: kept
    deleted: int = 0
    failed: int = 0


@dataclass
class RunReport:
    dry_run: bool
    councils: list[CouncilRun] = field(default_factory=list)

    @property
    def deleted(self) -> int:
        return sum(c.deleted for c in self.councils)

    @property
    def failed(self) -> int:
        return sum(c.failed for c in self.councils)

    def lines(self) -> list[str]:
        found = []
        for c in self.councils:
            if self.dry_run:
                done = f"{c.expired} would be deleted"
            else:
                done = f"{c.deleted} deleted, {c.failed} failed"
            found.append(
                f"{c.slug}: closed cases kept {c.years} years; {done}, {c.held} on legal hold kept"
            )
        return found

    def __str__(self) -> str:
        held = sum(c.held for c in self.councils)
        if self.dry_run:
            expired = sum(c.expired for c in self.councils)
            return f"would delete {expired}, on legal hold {held}"
        return f"deleted {self.deleted}, failed {self.failed}, on legal hold {held}"


def cutoff(today: date, years: int) -> date:
    """Cases closed before this day have been kept `years` whole years: they are due."""
    return add_months(today, -12 * years)


def run(*, today: date | None = None, dry_run: bool = False, slug: str | None = None) -> RunReport:
    """Delete every expired case of every council (or of one), one transaction each."""
    today = today or engine.today()
    query = select(Council.id, Council.slug, Council.retention_years).order_by(Council.slug)
    if slug is not None:
        query = query.where(Council.slug == slug)
    councils = db.session.execute(query).all()
    db.session.rollback()  # end the read before the first write transaction
    report = RunReport(dry_run=dry_run)
    for council_id, council_slug, years in councils:
        result = CouncilRun(slug=council_slug, years=years)
        report.councils.append(result)
        # One council's data at a time, in a clean session (core/tenancy.py).
        db.session.expunge_all()
        with scope({council_id}):
            _run_council(council_id, years, cutoff(today, years), result, dry_run)
    return report


def _expired(before: date):
    return Case.closed_on.is_not(None), Case.closed_on < before


def _run_council(
    council_id: int, years: int, before: date, result: CouncilRun, dry_run: bool
) -> None:
    ids = list(
        db.session.scalars(
            select(Case.id).where(*_expired(before), Case.legal_hold_at.is_(None)).order_by(Case.id)
        )
    )
    result.held = len(
        db.session.scalars(
            select(Case.id).where(*_expired(before), Case.legal_hold_at.is_not(None))
        ).all()
    )
    db.session.rollback()
    result.expired = len(ids)
    if dry_run:
        return
    for case_id in ids:
        done = delete_case(case_id, council_id, years, before)
        if done is None:
            result.expired -= 1
        elif done:
            result.deleted += 1
        else:
            result.failed += 1


def delete_case(case_id: int, council_id: int, years: int, before: date) -> bool | None:
    """Delete one expired case in its own transaction: True, or False (logged) if that failed.

    The case is read again in the transaction, locked where the database can,
    so a hold placed (or the case reopened) since it was listed is respected:
    None, nothing done.
    """
    reason = f"closed more than {years} years ago: the council's retention period"
    try:
        case = db.session.scalar(
            select(Case)
            .where(Case.id == case_id, *_expired(before), Case.legal_hold_at.is_(None))
            .with_for_update()
        )
        if case is None:
            db.session.rollback()
            return None
        record = _retain_statistics(case)
        keys = _remove(case)
        db.session.add(
            RetentionLogEntry(
                council_id=council_id,
                outcome=DELETED,
                retained_case_id=record.id,
                reason=reason,
                files_deleted=len(keys),
            )
        )
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.exception("retention: case id %s could not be deleted; kept for the next run", case_id)
        _log_failure(council_id, reason, error)
        return False
    finally:
        db.session.expunge_all()
    for key in keys:
        try:
            delete_stored(key)
        except OSError:
            log.warning("retention: a deleted case's file could not be removed (key %s)", key)
    return True


def _log_failure(council_id: int, reason: str, error: Exception) -> None:
    try:
        db.session.add(
            RetentionLogEntry(
                council_id=council_id,
                outcome=FAILED,
                reason=reason,
                error=type(error).__name__[:100],
            )
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("retention: the failure could not be logged")


def _retain_statistics(case: Case) -> RetainedCase:
    """The case's statistics rows, from the very queries the statistics run."""
    only = Case.id == case.id
    row = db.session.execute(case_records(only)).mappings().one()
    excluded = sorted(e.role for e in case.exclusions)
    record = RetainedCase(
        council_id=case.council_id,
        procedure_key=row["procedure_key"],
        received_on=row["received_on"],
        closed_on=row["closed_on"],
        stage=row["stage"],
        stage_reached=row["stage_reached"],
        outcome=row["outcome"],
        decision=row["decision"],
        complaint_type=row["complaint_type"],
        paused_on=case.paused_on,
        excluded_roles=f",{','.join(excluded)}," if excluded else "",
    )
    db.session.add(record)
    db.session.flush()
    for deadline in db.session.execute(deadline_records(only)).mappings():
        db.session.add(
            RetainedDeadline(
                council_id=case.council_id,
                retained_case_id=record.id,
                key=deadline["key"],
                status=deadline["status"],
                due_on=deadline["due_on"],
                met_on=deadline["met_on"],
            )
        )
    for sanction in db.session.execute(sanction_records(only)).mappings():
        db.session.add(
            RetainedSanction(
                council_id=case.council_id,
                retained_case_id=record.id,
                sanctions=sanction["sanctions"],
            )
        )
    return record


def _remove(case: Case) -> list[str]:
    """Delete the case and everything attached; the storage keys of its files, to remove later."""
    keys = list(
        db.session.scalars(select(EvidenceFile.storage_key).where(EvidenceFile.case_id == case.id))
    )
    published = select(DecisionNotice.id).where(
        DecisionNotice.case_id == case.id, DecisionNotice.status == PUBLISHED
    )
    db.session.execute(delete(NoticeApproval).where(NoticeApproval.notice_id.in_(published)))
    db.session.execute(
        update(DecisionNotice)
        .where(DecisionNotice.case_id == case.id, DecisionNotice.status == PUBLISHED)
        .values(case_id=None)
    )
    db.session.execute(delete(DecisionNotice).where(DecisionNotice.case_id == case.id))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.case_id == case.id))
    db.session.execute(delete(CaseLink).where(CaseLink.case_id == case.id))
    db.session.execute(delete(EvidenceFile).where(EvidenceFile.case_id == case.id))
    db.session.delete(case)
    db.session.flush()
    return keys
