"""What the public may read of conduct cases: published notices and hearing schedules.

Every query here runs under the request's tenant scope (one council on its
pages, all councils on the host's), and adds the publication rule itself:
a notice only once published, a hearing's case only through its published
agenda pack. Nothing else of a case is read for the public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from math import ceil

from sqlalchemy import and_, func, select
from sqlalchemy.orm import defer, selectinload

from conduct.decisions.models import PUBLISHED, DecisionNotice
from conduct.hearings.models import Hearing
from conduct.models import EvidenceFile
from conduct.procedures import PROCEDURES
from core.db import db

PAGE_SIZE = 20
FEED_SIZE = 50


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def count(self) -> int:
        return max(1, ceil(self.total / self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


# --- decision notices ----------------------------------------------------------------------


def _published():
    return select(DecisionNotice).where(DecisionNotice.status == PUBLISHED)


def latest_notices(page: int) -> Page | None:
    """The latest published version of each notice, newest first; None past the last page."""
    # By reference, not case: a published notice outlives its deleted case (retention).
    latest = (
        select(
            DecisionNotice.council_id,
            DecisionNotice.case_reference,
            DecisionNotice.kind,
            func.max(DecisionNotice.version).label("version"),
        )
        .where(DecisionNotice.status == PUBLISHED)
        .group_by(DecisionNotice.council_id, DecisionNotice.case_reference, DecisionNotice.kind)
        .subquery()
    )
    query = _published().join(
        latest,
        and_(
            DecisionNotice.council_id == latest.c.council_id,
            DecisionNotice.case_reference == latest.c.case_reference,
            DecisionNotice.kind == latest.c.kind,
            DecisionNotice.version == latest.c.version,
        ),
    )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    result = Page(items=[], number=page, total=total)
    if page < 1 or page > result.count:
        return None
    items = db.session.scalars(
        query.options(
            selectinload(DecisionNotice.council),
            # A list shows titles: opening each notice's sealed text and PDF is wasted work.
            defer(DecisionNotice.html),
            defer(DecisionNotice.pdf),
            defer(DecisionNotice.fields),
        )
        .order_by(DecisionNotice.published_at.desc(), DecisionNotice.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return Page(items=list(items), number=page, total=total)


def recent_versions(limit: int = FEED_SIZE) -> list[DecisionNotice]:
    """Every published version (a correction is news too), newest first, for feeds."""
    return list(
        db.session.scalars(
            _published()
            .options(selectinload(DecisionNotice.council))
            .order_by(DecisionNotice.published_at.desc(), DecisionNotice.id.desc())
            .limit(limit)
        )
    )


def published_notice(notice_id: int) -> DecisionNotice | None:
    return db.session.scalar(_published().where(DecisionNotice.id == notice_id))


def superseded_by(notice: DecisionNotice) -> DecisionNotice | None:
    """The latest published version of the same case and kind, if later than this one."""
    return db.session.scalar(
        _published()
        .where(
            DecisionNotice.council_id == notice.council_id,
            DecisionNotice.case_reference == notice.case_reference,
            DecisionNotice.kind == notice.kind,
            DecisionNotice.version > notice.version,
        )
        .order_by(DecisionNotice.version.desc())
        .limit(1)
    )


def corrected_version(notice: DecisionNotice) -> DecisionNotice | None:
    if notice.corrects_id is None:
        return None
    return published_notice(notice.corrects_id)


def notice_kind_title(notice: DecisionNotice) -> str:
    procedure = PROCEDURES.get(notice.procedure_key)
    kind = next((k for k in procedure.notices if k.key == notice.kind), None) if procedure else None
    return str(kind.title) if kind else notice.kind


def notice_file_name(notice: DecisionNotice) -> str:
    return f"{notice.case_reference}-{notice.kind}-v{notice.version}.pdf"


# --- hearings -------------------------------------------------------------------------------


def hearings(*, now: datetime, forthcoming: bool, limit: int | None = None) -> list[Hearing]:
    """Hearings in scope: forthcoming soonest first, past latest first."""
    query = select(Hearing).options(
        selectinload(Hearing.committee_council), selectinload(Hearing.case)
    )
    if forthcoming:
        query = query.where(Hearing.starts_at >= now).order_by(Hearing.starts_at, Hearing.id)
    else:
        query = query.where(Hearing.starts_at < now).order_by(
            Hearing.starts_at.desc(), Hearing.id.desc()
        )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def hearing_body(hearing: Hearing) -> str:
    """Which body sits, e.g. "Hearing Panel of the Conduct Committee", from the procedure."""
    procedure = PROCEDURES.get(hearing.case.procedure_key)
    if procedure is None or procedure.hearing is None:
        return ""
    return str(procedure.hearing.body)


def published_agenda(hearing_id: int) -> Hearing | None:
    return db.session.scalar(
        select(Hearing).where(Hearing.id == hearing_id, Hearing.agenda_published_at.is_not(None))
    )


def _agenda_file_ids(hearing: Hearing) -> list[int]:
    return [int(i) for i in hearing.agenda_file_ids or [] if str(i).isdigit()]


def agenda_files(hearing: Hearing) -> list[EvidenceFile]:
    """The files published with the agenda pack: only those of the hearing's own case."""
    ids = _agenda_file_ids(hearing)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(EvidenceFile)
            .where(EvidenceFile.id.in_(ids), EvidenceFile.case_id == hearing.case_id)
            .order_by(EvidenceFile.id)
        )
    )


def agenda_file(hearing: Hearing, file_id: int) -> EvidenceFile | None:
    if file_id not in _agenda_file_ids(hearing):
        return None
    return db.session.scalar(
        select(EvidenceFile).where(
            EvidenceFile.id == file_id, EvidenceFile.case_id == hearing.case_id
        )
    )
