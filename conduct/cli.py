"""`flask demo load`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from conduct import demo
from tenants import two_factor

demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("load")
def load_command() -> None:
    """Create a demo district with several councils on different procedures (idempotent)."""
    accounts = demo.load()
    click.echo(f"Demo accounts (password for all: {demo.DEMO_PASSWORD}):")
    click.echo(
        "  Each also needs a code from an authenticator app: add the account's key to the app,"
        " or open its otpauth:// link on the device that has the app."
    )
    for account in accounts:
        click.echo(f"  {account.email:<42} {account.description}")
        click.echo(f"      key {two_factor.grouped(account.totp_secret)}")
        click.echo(f"      {two_factor.provisioning_uri(account.totp_secret, account.email)}")


deadlines_cli = AppGroup("deadlines", help="Case deadlines.")


@deadlines_cli.command("recompute")
@click.option("--council", "slug", default=None, help="Only this council (default: all).")
def recompute_command(slug: str | None) -> None:
    """Recompute open deadlines, e.g. after the bank holiday library learned a new holiday."""
    from conduct.engine import recompute_open_deadlines
    from core.db import db
    from core.tenancy import scope
    from tenants.models import Council

    query = db.select(Council).order_by(Council.slug)
    if slug:
        query = query.where(Council.slug == slug)
    councils = db.session.scalars(query).all()
    if slug and not councils:
        raise click.ClickException(f"no council with slug {slug!r}")
    total = 0
    for council in councils:
        with scope({council.id}):
            moved = recompute_open_deadlines(council, "Bank holidays or closure days changed")
        total += moved
        if moved:
            click.echo(f"{council.slug}: {moved} deadlines moved")
    db.session.commit()
    click.echo(f"{total} open deadlines moved")


def register_cli(app: Flask) -> None:
    from conduct.retention.cli import retention_cli

    app.cli.add_command(demo_cli)
    app.cli.add_command(deadlines_cli)
    app.cli.add_command(retention_cli)
