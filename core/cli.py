"""Operator commands for the outbox."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from core import outbox

outbox_cli = AppGroup("outbox", help="The stored email outbox.")


@outbox_cli.command("send")
@click.option(
    "--due-only",
    is_flag=True,
    help="Respect each message's retry back-off (the scheduler's way); "
    "by default everything queued is tried now.",
)
def send_command(due_only: bool) -> None:
    """Deliver what is queued, once, and exit (non-zero if anything could not be sent)."""
    report = outbox.deliver(due_only=due_only)
    click.echo(str(report))
    if report.retrying or report.failed:
        raise SystemExit(1)


def register_cli(app: Flask) -> None:
    app.cli.add_command(outbox_cli)
