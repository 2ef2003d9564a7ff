"""`flask tenants create|list` and `flask users create`, and --help on every command."""

from __future__ import annotations

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from core.db import db
from tenants.models import Council, User
from tests.conftest import login, set_up_two_factor

CREATE_TENANT = [
    "tenants",
    "create",
    "--slug",
    "caldwell",
    "--name",
    "Caldwell Town Council",
    "--nation",
    "wales",
    "--procedure",
    "local-resolution",
    "--procedure",
    "ombudsman-referral",
]


def one_line_error(result: Result) -> str:
    """The command failed and said why on exactly one line."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    return lines[0]


def option(name: str, value: str, args: list[str]) -> list[str]:
    """``args`` with the value after ``name`` replaced."""
    args = list(args)
    args[args.index(name) + 1] = value
    return args


def council_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Council.id)))


def user_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


# --- flask tenants ----------------------------------------------------------------------


def test_tenants_create_stores_the_council_with_its_procedures(app, runner):
    result = runner.invoke(args=CREATE_TENANT)

    assert result.exit_code == 0, result.output
    assert result.output.startswith("created caldwell")
    with app.app_context():
        council = db.session.scalar(select(Council).where(Council.slug == "caldwell"))
        assert council.name == "Caldwell Town Council"
        assert council.nation == "wales"
        assert council.procedure_keys == ["local-resolution", "ombudsman-referral"]


def test_tenants_create_takes_a_welsh_name(app, runner):
    result = runner.invoke(args=[*CREATE_TENANT, "--name-cy", "Cyngor Tref Caldwell"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        council = db.session.scalar(select(Council).where(Council.slug == "caldwell"))
        assert council.name_cy == "Cyngor Tref Caldwell"


def test_tenants_list_prints_one_council_a_line(runner, two_councils):
    runner.invoke(args=CREATE_TENANT)

    result = runner.invoke(args=["tenants", "list"])

    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "ashby\tAshby Council\tconduct-complaint",
        "brockton\tBrockton Council\tconduct-complaint",
        "caldwell\tCaldwell Town Council\tlocal-resolution,ombudsman-referral",
    ]


def test_tenants_list_with_no_councils_prints_nothing(runner):
    result = runner.invoke(args=["tenants", "list"])

    assert result.exit_code == 0
    assert result.output == ""


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (option("--slug", "ashby", CREATE_TENANT), "already uses that address"),
        (option("--slug", "admin", CREATE_TENANT), "used by the service itself"),
        (option("--slug", "Bad Slug!", CREATE_TENANT), "lower-case letters"),
        (option("--nation", "mars", CREATE_TENANT), "'mars' is not one of"),
        (option("--procedure", "trial-by-combat", CREATE_TENANT), "'trial-by-combat'"),
        (option("--name", "  ", CREATE_TENANT), "Enter the council's name"),
        (CREATE_TENANT[:-4], "Missing option '--procedure'"),
    ],
    ids=["duplicate", "reserved", "bad-slug", "bad-nation", "bad-procedure", "no-name", "none"],
)
def test_tenants_create_refuses_bad_input_with_a_one_line_reason(
    app, runner, two_councils, args, reason
):
    result = runner.invoke(args=args)

    assert reason in one_line_error(result)
    assert council_count(app) == 2


# --- flask users ------------------------------------------------------------------------------

PASSWORD = "a long enough passphrase"


def test_users_create_makes_an_account_with_roles_that_can_sign_in(app, runner, two_councils):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "dana@example.org",
            "--password",
            PASSWORD,
            "--name",
            "Dana Evans",
            "--role",
            "ashby:deputy-monitoring-officer",
            "--role",
            "brockton:independent-person",
        ]
    )

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "created dana@example.org"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "dana@example.org"))
        assert user.full_name == "Dana Evans"
        assert not user.is_host_admin
        assert {(g.council.slug, g.role) for g in user.roles} == {
            ("ashby", "deputy-monitoring-officer"),
            ("brockton", "independent-person"),
        }
    client = app.test_client()
    response = login(client, "dana@example.org", PASSWORD)
    assert response.headers["Location"] == "/login/set-up"  # first sign-in: set up 2FA
    _secret, done = set_up_two_factor(client)
    assert done.status_code == 200
    assert 'href="/cases/"' in done.text
    assert client.get("/cases/").status_code == 200


def test_users_create_host_admin_signs_in_to_administration(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "boss@example.org",
            "--password",
            PASSWORD,
            "--host-admin",
        ]
    )

    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "boss@example.org"))
        assert user.is_host_admin and user.roles == []
    client = app.test_client()
    login(client, "boss@example.org", PASSWORD)
    _secret, done = set_up_two_factor(client)
    assert 'href="/admin/councils"' in done.text


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (["--role", "nowhere:clerk"], "no council with slug 'nowhere'"),
        (["--role", "ashby:emperor"], "unknown role 'emperor'"),
        (["--role", "ashby"], "COUNCIL-SLUG:ROLE"),
        (["--password", "short"], "12 characters or more"),
        (["--email", "MO.A@example.org"], "already exists"),
        (["--email", "not-an-email"], "correct format"),
    ],
    ids=["unknown-council", "unknown-role", "malformed-role", "short-password", "dup", "bad-email"],
)
def test_users_create_refuses_bad_input_with_a_one_line_reason(
    app, runner, two_councils, changes, reason
):
    args = {"--email": "dana@example.org", "--password": PASSWORD, "--role": "ashby:clerk"}
    args.update(dict(zip(changes[::2], changes[1::2], strict=True)))

    result = runner.invoke(args=["users", "create", *[x for pair in args.items() for x in pair]])

    assert reason in one_line_error(result)
    assert user_count(app) == 4
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "dana@example.org")) is None


# --- help ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["tenants"],
        ["tenants", "create"],
        ["tenants", "list"],
        ["users"],
        ["users", "create"],
        ["demo"],
        ["demo", "load"],
        ["outbox"],
        ["outbox", "send"],
        ["db"],
        ["db", "upgrade"],
    ],
    ids=" ".join,
)
def test_every_command_has_help(runner, command):
    result = runner.invoke(args=[*command, "--help"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")
    assert " ".join(command) in result.output.splitlines()[0]
