"""Decision notices, hearings and agenda files made directly in the database.

The staff pages that publish them are built elsewhere; these tests only need
rows as publication leaves them (frozen html and pdf, published_at set).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import update

from conduct.decisions.models import DRAFT, PUBLISHED, DecisionNotice
from conduct.hearings.models import Hearing
from conduct.models import Case, EvidenceFile
from conduct.uploads import storage_path
from core.db import db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def make_notice(
    case: Case,
    *,
    html: str,
    version: int = 1,
    status: str = PUBLISHED,
    kind: str = "initial-assessment",
    title: str = "Initial Assessment Decision Notice",
    published_at: datetime | None = None,
    corrects: DecisionNotice | None = None,
    correction_note: str = "",
    pdf: bytes | None = PDF,
) -> DecisionNotice:
    notice = DecisionNotice(
        council_id=case.council_id,
        case=case,
        kind=kind,
        version=version,
        status=status,
        fields={"reasons": html},
        corrects=corrects,
        correction_note=correction_note,
        title=title,
    )
    if status == PUBLISHED:
        notice.published_at = published_at or datetime(2026, 3, 1, 12, tzinfo=UTC)
        notice.published_by = "Morgan Price, Monitoring Officer"
        notice.html = html
        notice.pdf = pdf + html.encode() if pdf else None
        notice.sha256 = hashlib.sha256(notice.pdf or html.encode()).hexdigest()
    db.session.add(notice)
    db.session.flush()
    return notice


def make_draft(case: Case, *, text: str, title: str) -> DecisionNotice:
    return make_notice(case, html=text, status=DRAFT, title=title)


def make_hearing(
    case: Case,
    *,
    committee_council_id: int,
    starts_at: datetime,
    venue: str = "Council Chamber, Fenmoor Hall",
    agenda_html: str | None = None,
    agenda_published_at: datetime | None = None,
    files: tuple[EvidenceFile, ...] = (),
) -> Hearing:
    hearing = Hearing(
        council_id=case.council_id,
        case=case,
        committee_council_id=committee_council_id,
        starts_at=starts_at,
        venue=venue,
        agenda_html=agenda_html,
        agenda_published_at=agenda_published_at,
        agenda_file_ids=[f.id for f in files],
    )
    db.session.add(hearing)
    db.session.flush()
    return hearing


def stored_file(case: Case, name: str, content: bytes) -> EvidenceFile:
    """An evidence file of the case, really on disk under the upload folder."""
    key = secrets.token_hex(16)
    path = storage_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    evidence = EvidenceFile(
        council_id=case.council_id,
        case=case,
        storage_key=key,
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    db.session.add(evidence)
    db.session.flush()
    return evidence


def unlink_corrections(app: Flask) -> None:
    """Let the suite empty the notices table: a correction's link to its earlier
    version is ON DELETE RESTRICT, which SQLite checks row by row."""
    with app.app_context():
        db.session.execute(update(DecisionNotice).values(corrects_id=None))
        db.session.commit()
