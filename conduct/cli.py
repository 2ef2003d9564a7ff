"""`flask demo load`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from conduct import demo

demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("load")
def load_command() -> None:
    """Create a demo district with several councils on different procedures (idempotent)."""
    accounts = demo.load()
    click.echo(f"Demo accounts (password for all: {demo.DEMO_PASSWORD}):")
    for account in accounts:
        click.echo(f"  {account.email:<42} {account.description}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo_cli)
