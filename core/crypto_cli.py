"""`flask crypto`: make a key, and re-seal everything under the current key (rotation)."""

from __future__ import annotations

from dataclasses import dataclass, field

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import LargeBinary, Text, select, type_coerce, update

from core import crypto
from core.db import db
from core.encrypted import EncryptedBytes, EncryptedJSON, EncryptedText

crypto_cli = AppGroup("crypto", help="Keys that seal personal data at rest.")
SEALED_TYPES = (EncryptedText, EncryptedJSON, EncryptedBytes)
BATCH = 500


@dataclass
class RotationReport:
    values: int = 0
    files: int = 0
    names: int = 0
    by_column: dict[str, int] = field(default_factory=dict)


def sealed_columns() -> list[tuple]:
    """(table, column) for every column whose type seals its values."""
    return [
        (table, column)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, SEALED_TYPES)
    ]


def _stale(value, current: str) -> bool:
    if isinstance(value, bytes | memoryview):
        return crypto.bytes_key_id(bytes(value)) != current
    return crypto.sealed_with(value) != current


def rotate(*, dry_run: bool = False) -> RotationReport:
    """Re-seal every value and file not sealed with the current key (values stored in
    clear before encryption included), and rebuild the name index under the current key.

    Works on the tables directly, across councils: it is an operator's command,
    not a request (tenant scoping applies to requests' ORM queries).
    """
    ring = crypto.keyring()
    report = RotationReport()
    with db.engine.begin() as connection:
        for table, column in sealed_columns():
            raw_type = LargeBinary() if isinstance(column.type, EncryptedBytes) else Text()
            raw = type_coerce(column, raw_type)
            rows = connection.execute(select(table.c.id, raw).where(column.is_not(None))).all()
            for row_id, value in rows:
                if not _stale(value, ring.current):
                    continue
                report.values += 1
                key = f"{table.name}.{column.name}"
                report.by_column[key] = report.by_column.get(key, 0) + 1
                if dry_run:
                    continue
                if isinstance(column.type, EncryptedBytes):
                    fresh = crypto.seal_bytes(crypto.open_bytes(bytes(value), ring), ring)
                else:
                    fresh = crypto.seal_text(crypto.open_text(value, ring), ring)
                connection.execute(
                    update(table)
                    .where(table.c.id == row_id)
                    .values({column.name: type_coerce(fresh, raw_type)})
                )
    report.files = _rotate_files(ring, dry_run)
    if not dry_run:
        report.names = _reindex_names()
    return report


def _rotate_files(ring: crypto.KeyRing, dry_run: bool) -> int:
    from conduct.models import EvidenceFile
    from conduct.uploads import storage_path

    count = 0
    with db.engine.connect() as connection:
        keys = connection.execute(select(EvidenceFile.__table__.c.storage_key)).scalars().all()
    for key in keys:
        path = storage_path(key)
        if not path.exists():
            continue
        data = path.read_bytes()
        if crypto.bytes_key_id(data) == ring.current:
            continue
        count += 1
        if dry_run:
            continue
        fresh = crypto.seal_bytes(crypto.open_bytes(data, ring), ring)
        temporary = path.with_suffix(".rotating")
        temporary.write_bytes(fresh)
        temporary.replace(path)  # atomic: the file is always whole, under one key or the other
    return count


def _reindex_names() -> int:
    from conduct.models import CaseSubject
    from core.tenancy import UNSCOPED

    subjects = db.session.scalars(select(CaseSubject).execution_options(**{UNSCOPED: True})).all()
    for subject in subjects:
        subject.index_name()
    db.session.commit()
    return len(subjects)


@crypto_cli.command("new-key")
@click.option("--id", "key_id", required=True, help="A short name for the key, e.g. 2027a.")
def new_key_command(key_id: str) -> None:
    """Print a new key for DATA_ENCRYPTION_KEYS (put it first to make it current)."""
    try:
        click.echo(crypto.new_key_line(key_id))
    except crypto.KeyConfigurationError as error:
        raise click.ClickException(str(error)) from None


@crypto_cli.command("rotate")
@click.option("--dry-run", is_flag=True, help="Count what would be re-sealed; change nothing.")
def rotate_command(dry_run: bool) -> None:
    """Re-seal every value and evidence file under the current (first) key."""
    try:
        report = rotate(dry_run=dry_run)
    except crypto.DecryptionError as error:
        raise click.ClickException(
            f"{error}: keep every older key in DATA_ENCRYPTION_KEYS until rotation ends"
        ) from None
    verb = "would re-seal" if dry_run else "re-sealed"
    click.echo(
        f"{verb} {report.values} values and {report.files} files; "
        f"{report.names} councillors' names re-indexed"
    )
    for key, count in sorted(report.by_column.items()):
        click.echo(f"  {key}: {count}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(crypto_cli)
