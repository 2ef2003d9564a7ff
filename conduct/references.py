"""Case references: council code, year, sequence (e.g. ASH-2026-0007), unique per council.

One atomic upsert per reference, so concurrent submissions never share a
number: PostgreSQL row-locks the counter, SQLite serialises writers with
BEGIN IMMEDIATE. The (council_id, reference) unique constraint backs it up.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite

from conduct.models import ReferenceCounter
from core.db import db
from tenants.models import Council


def next_reference(council: Council, on: date) -> str:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(ReferenceCounter)
        .values(council_id=council.id, year=on.year, last_value=1)
        .on_conflict_do_update(
            index_elements=["council_id", "year"],
            set_={"last_value": ReferenceCounter.last_value + 1},
        )
        .returning(ReferenceCounter.last_value)
    )
    number = db.session.execute(statement).scalar_one()
    return f"{council.code}-{on.year}-{number:04d}"
