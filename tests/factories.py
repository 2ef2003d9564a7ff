"""Cases made directly in the database, for tests that need many or specific ones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from conduct.models import Case, CaseSubject, EvidenceFile
from core.db import db


def make_case(
    council,
    number: int,
    *,
    subject: tuple[str, str] = ("Robin", "Gale"),
    received: date = date(2026, 3, 2),
    complainant: tuple[str, str] = ("Alex", "Jones"),
) -> Case:
    case = Case(
        council_id=council.id,
        reference=f"{council.code}-{received.year}-{number:04d}",
        procedure_key="conduct-complaint",
        received_at=datetime(received.year, received.month, received.day, 10, tzinfo=UTC)
        + timedelta(minutes=number),
        received_on=received,
        complainant_first_name=complainant[0],
        complainant_last_name=complainant[1],
        complainant_email="complainant@example.com",
        details="What happened.",
    )
    case.subjects = [
        CaseSubject(
            council_id=council.id,
            first_name=subject[0],
            last_name=subject[1],
            authority=council.name,
        )
    ]
    db.session.add(case)
    return case


def make_cases(council, count: int, start: int = 1) -> None:
    """Many cases in one flush (fast enough for a thousand)."""
    for n in range(start, start + count):
        make_case(council, n, subject=(f"First{n}", f"Last{n}"))
    db.session.flush()


def attach_file(case: Case, storage_key: str = "0" * 32) -> EvidenceFile:
    evidence = EvidenceFile(
        council_id=case.council_id,
        case=case,
        storage_key=storage_key,
        original_name="evidence.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    db.session.add(evidence)
    db.session.flush()
    return evidence
