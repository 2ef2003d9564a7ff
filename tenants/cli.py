"""`flask tenants ...` and `flask users ...` (SPEC "Stable interfaces")."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from conduct.procedures import PROCEDURES
from core.db import db
from tenants import services, two_factor
from tenants.models import NATIONS, Council

tenants_cli = AppGroup("tenants", help="Councils hosted by this service.")
users_cli = AppGroup("users", help="Staff accounts.")


def _fail(error: Exception) -> click.ClickException:
    db.session.rollback()
    message = getattr(error, "message", None) or str(error)
    return click.ClickException(" ".join(str(message).split()))


@tenants_cli.command("create")
@click.option("--slug", required=True, help="Web address of the council's pages, e.g. ashby-marsh.")
@click.option("--name", required=True, help="The council's name in English.")
@click.option("--name-cy", default=None, help="The council's name in Welsh.")
@click.option("--nation", required=True, type=click.Choice(NATIONS), help="Sets bank holidays.")
@click.option(
    "--procedure",
    "procedures",
    multiple=True,
    required=True,
    type=click.Choice(list(PROCEDURES)),
    help="A procedure the council uses; repeat for several.",
)
def create_tenant(
    slug: str, name: str, name_cy: str | None, nation: str, procedures: tuple[str, ...]
) -> None:
    """Create a council."""
    try:
        council = services.create_council(
            slug=slug, name=name, name_cy=name_cy, nation=nation, procedures=procedures
        )
        db.session.commit()
    except services.ValidationError as error:
        raise _fail(error) from None
    click.echo(f"created {council.slug} ({council.code})")


@tenants_cli.command("list")
def list_tenants() -> None:
    """One council a line: slug, name, procedures."""
    for council in db.session.scalars(db.select(Council).order_by(Council.slug)):
        click.echo(f"{council.slug}\t{council.name}\t{','.join(council.procedure_keys)}")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 12 characters.")
@click.option("--name", "full_name", default="", help="The person's full name.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    metavar="COUNCIL-SLUG:ROLE",
    help="A role on a council; repeat for several.",
)
@click.option("--host-admin", is_flag=True, help="Manages councils and accounts.")
def create_user(
    email: str, password: str, full_name: str, roles: tuple[str, ...], host_admin: bool
) -> None:
    """Create a staff account."""
    try:
        grants = []
        for spec in roles:
            slug, role = services.parse_role(spec)
            council = services.council_by_slug(slug)
            if council is None:
                raise services.ValidationError("role", f"no council with slug {slug!r}")
            grants.append((council, role))
        user = services.create_user(
            email=email, password=password, full_name=full_name, host_admin=host_admin, roles=grants
        )
        db.session.commit()
    except services.ValidationError as error:
        raise _fail(error) from None
    click.echo(f"created {user.email}")


@users_cli.command("reset-2fa")
@click.option("--email", required=True)
def reset_two_factor(email: str) -> None:
    """Forget an account's authenticator app and recovery codes; it sets up again at sign-in."""
    user = services.user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with email {email.strip()!r}")
    two_factor.reset(user)
    db.session.commit()
    click.echo(f"two-factor authentication reset for {user.email}; its sessions have ended")


def register_cli(app: Flask) -> None:
    app.cli.add_command(tenants_cli)
    app.cli.add_command(users_cli)
