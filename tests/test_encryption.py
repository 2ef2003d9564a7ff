"""Personal data and evidence sealed at rest: the database and the uploads folder alone
reveal no complainant's name, email address or what they complained of.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

from conduct.models import Case, CaseSubject
from config import Config
from core import crypto
from core.app import create_app
from core.db import db
from tests.conftest import (
    build_app,
    csrf_token,
    login,
    make_council,
    make_user,
    reference_on,
    submit_complaint,
)

NAME = ("Quintessa", "Farthingale")
EMAIL = "quintessa.farthingale@example.com"
DETAILS = "The councillor mocked the Zephyrine allotment petition at the meeting."
WITNESS = "Bartholomew Umbridgeworth"
REPLY = "I never mentioned the Zephyrine petition."
EVIDENCE = b"%PDF-1.4\n% Xylophonic evidence of the meeting\n%%EOF\n"
SECRETS = (NAME[0], NAME[1], EMAIL, "Zephyrine", WITNESS, "Xylophonic", "Umbridgeworth")


@pytest.fixture
def council(app):
    with app.app_context():
        a = make_council("ashby")
        make_user("mo@example.org", (a, "monitoring-officer"))
        db.session.commit()


def _complaint(app) -> int:
    public = app.test_client()
    page = submit_complaint(
        public,
        "ashby",
        {
            "first_name": NAME[0],
            "last_name": NAME[1],
            "email": EMAIL,
            "details": DETAILS,
            "witnesses": WITNESS,
        },
        files=[(io.BytesIO(EVIDENCE), "meeting.pdf")],
    )
    reference = reference_on(page.text)
    with app.app_context():
        return db.session.scalar(select(Case.id).where(Case.reference == reference))


def _everything_stored(app) -> bytes:
    """The raw database: the SQLite file with its WAL, or every PostgreSQL row as text."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    with app.app_context():
        db.session.remove()
        if url.get_backend_name() == "sqlite":
            # Both the file and its write-ahead log: recent writes may be in either.
            db.engine.dispose()
            path = Path(url.database)
            return b"".join(
                p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists()
            )
        dump = []
        with db.engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                rows = connection.execute(text(f'SELECT row_to_json(t)::text FROM "{table}" t'))
                dump += [row[0] for row in rows]
        return "\n".join(dump).encode()


def test_the_database_and_uploads_alone_reveal_no_name_email_or_complaint_text(app, council, smtp):
    case_id = _complaint(app)
    staff = app.test_client()
    login(staff, "mo@example.org")
    # The case goes on: the councillor told by email and replying through their link,
    # a note, an emailed notice; all of it stored.
    for key, data in (
        ("record-acknowledgement", {"how": "email"}),
        ("proceed", {}),
        ("subject-notified", {"subject_email": "cllr.gale@example.org"}),
        ("add-note", {"note": f"Spoke to {WITNESS} about the Zephyrine petition."}),
    ):
        form = staff.get(f"/cases/{case_id}/actions/{key}")
        if form.status_code == 200:
            staff.post(
                f"/cases/{case_id}/actions/{key}",
                data={"csrf_token": csrf_token(form.text), **data},
            )
    with app.app_context():
        from conduct import links

        case = db.session.get(Case, case_id)
        path = re.sub(r"^https?://[^/]+", "", links.issue(case, "subject", "cllr.gale@example.org"))
        db.session.commit()
    councillor = app.test_client()
    page = councillor.get(path)
    councillor.post(path, data={"csrf_token": csrf_token(page.text), "reply": REPLY})
    # Staff still read everything in clear.
    case_page = staff.get(f"/cases/{case_id}").text
    for secret in (NAME[1], DETAILS, WITNESS, REPLY):
        assert secret in case_page
    stored = _everything_stored(app)
    assert len(stored) > 10_000
    for secret in (*SECRETS, "cllr.gale@example.org", "never mentioned"):
        assert secret.encode() not in stored, secret
        assert secret.lower().encode() not in stored.lower(), secret
    for file in Path(app.config["UPLOAD_FOLDER"]).rglob("*"):
        if file.is_file():
            assert b"Xylophonic" not in file.read_bytes() and b"%PDF" not in file.read_bytes()


def test_councillors_are_still_found_by_name_through_a_blind_index(app, council):
    case_id = _complaint(app)
    staff = app.test_client()
    login(staff, "mo@example.org")
    with app.app_context():
        reference = db.session.get(Case, case_id).reference
        subject = db.session.scalar(select(CaseSubject))
        assert "Gale" not in subject.search_key and subject.search_key
    for query in ("Gale", "robin gale", "ROBIN", "Robin  Gale"):
        assert reference in staff.get("/cases/", query_string={"q": query}).text, query
    for query in ("Gal", "Robin G", "Jones"):
        assert reference not in staff.get("/cases/", query_string={"q": query}).text, query


def test_the_app_does_not_start_in_production_without_keys(tmp_path):
    settings = type(
        "Production",
        (Config,),
        {
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "DATA_ENCRYPTION_KEYS": "",
        },
    )
    with pytest.raises(crypto.KeyConfigurationError, match="DATA_ENCRYPTION_KEYS must be set"):
        create_app(settings)


@pytest.mark.parametrize(
    "spec",
    [
        "nokey",
        "a:notbase64!!",
        "a:" + "QUJD",
        "a b:" + "A" * 43,
        "a:" + "A" * 43 + ",a:" + "A" * 43,
    ],
)
def test_malformed_keys_are_refused_with_a_reason(spec):
    with pytest.raises(crypto.KeyConfigurationError):
        crypto.parse_keys(spec)


def test_rotation_reseals_every_value_and_file_under_the_new_key(app, council, tmp_path):
    old, new = crypto.new_key_line("old"), crypto.new_key_line("new")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    uploads = Path(app.config["UPLOAD_FOLDER"])
    with_old = build_app(url, uploads, DATA_ENCRYPTION_KEYS=old)
    case_id = _complaint(with_old)

    both = build_app(url, uploads, DATA_ENCRYPTION_KEYS=f"{new},{old}")
    dry = both.test_cli_runner().invoke(args=["crypto", "rotate", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert re.search(r"would re-seal [1-9]\d* values and 1 files", dry.output)
    done = both.test_cli_runner().invoke(args=["crypto", "rotate"])
    assert done.exit_code == 0, done.output
    again = both.test_cli_runner().invoke(args=["crypto", "rotate", "--dry-run"])
    assert "would re-seal 0 values and 0 files" in again.output

    only_new = build_app(url, uploads, DATA_ENCRYPTION_KEYS=new)
    with only_new.app_context():
        case = db.session.get(Case, case_id)
        assert (case.complainant_last_name, case.details) == (NAME[1], DETAILS)
        from conduct.uploads import read_stored

        assert read_stored(case.files[0].storage_key) == EVIDENCE
    staff = only_new.test_client()
    login(staff, "mo@example.org")
    with only_new.app_context():
        reference = db.session.get(Case, case_id).reference
    assert reference in staff.get("/cases/", query_string={"q": "Gale"}).text

    # Without the key a value was sealed with, it does not open: no silent nonsense.
    only_old = build_app(url, uploads, DATA_ENCRYPTION_KEYS=old)
    with only_old.app_context(), pytest.raises(crypto.DecryptionError):
        db.session.get(Case, case_id).details  # noqa: B018


def test_new_key_prints_a_usable_key_line(app):
    result = app.test_cli_runner().invoke(args=["crypto", "new-key", "--id", "2027a"])
    assert result.exit_code == 0
    ring = crypto.parse_keys(result.output.strip())
    assert ring.current == "2027a" and len(ring.keys["2027a"]) == 32
    bad = app.test_cli_runner().invoke(args=["crypto", "new-key", "--id", "no spaces"])
    assert bad.exit_code != 0 and "bad key id" in bad.output
