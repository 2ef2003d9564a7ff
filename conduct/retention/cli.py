"""`flask retention run [--dry-run] [--council SLUG]`."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from conduct.retention import service
from core.db import db
from tenants.models import Council

retention_cli = AppGroup("retention", help="Deleting closed cases after the retention period.")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; change nothing.")
@click.option("--council", "slug", default=None, help="Only this council (default: all).")
def run_command(dry_run: bool, slug: str | None) -> None:
    """Delete closed cases past their council's retention period, unless on legal hold.

    What the scheduler does once a day, now. Each case is kept as an anonymous
    statistical record and logged; a case that could not be deleted stays for
    the next run, and the command then exits non-zero.
    """
    if (
        slug is not None
        and db.session.scalar(select(Council.id).where(Council.slug == slug)) is None
    ):
        raise click.ClickException(f"no council with slug {slug!r}")
    report = service.run(dry_run=dry_run, slug=slug)
    for line in report.lines():
        click.echo(line)
    if report.failed:
        raise click.ClickException(
            f"{report.failed} cases could not be deleted; they stay for the next run (see the log)"
        )
