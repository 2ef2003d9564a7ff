"""Every page asks the database the same questions whatever the amount of data.

Each test asks its pages once with little data, grows the data (more councils,
more cases in every procedure and stage, a longer timeline, more notices) and
asks again. The number of SQL statements must not move, and neither may what
they say: only the length of an IN list may differ. A query per row, per
council or per timeline entry, or an SQL condition per council, fails here.
Counts, not timings, so the tests are deterministic (and the clock is fixed,
so the deadline filters always find the same cases).

The data is made directly in the database (tests/factories.py,
tests/statistics_data.py), in the two councils of the `two_councils` fixture
and in the councils the growth adds; what one council's staff see never
includes the others'.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from conduct.decisions.models import DecisionNotice
from conduct.hearings.models import HearingSeat
from conduct.models import (
    Allegation,
    Case,
    CaseDeadline,
    CaseEvent,
    CaseExclusion,
    CaseLink,
    CaseSubject,
    ConflictDeclaration,
)
from core import tenancy
from core.db import db
from core.outbox_models import OutboxMessage
from tenants.committees import CommitteeMember
from tenants.models import Council, CouncilProcedure, RoleGrant, User
from tests.casework_helpers import record_case
from tests.conftest import (
    QueryCounter,
    TwoCouncils,
    csrf_token,
    login,
    make_council,
    make_user,
)
from tests.factories import attach_file
from tests.hearing_helpers import make_committee
from tests.publication_factories import make_draft, make_hearing, make_notice, unlink_corrections
from tests.statistics_data import CC, LR, MOP, OR, SPECS, Deadline, Spec, insert

# Every procedure a clerk or a Monitoring Officer reads, so each list filter finds cases.
PROCEDURE_KEYS = (CC, LR, MOP, OR)
# Monday 23 March 2026: the specs' deadlines are then overdue, due this week or later.
MONDAY = datetime(2026, 3, 23, 12, tzinfo=UTC)
# The statistics specs, and member/officer enquiries with deadlines, for the clerk's filters.
CASES = (
    *SPECS,
    Spec(
        *("ashby", MOP, date(2026, 3, 11), "enquiry"),
        deadlines=(Deadline("enquiry-response", date(2026, 3, 18)),),
    ),
    Spec(
        *("ashby", MOP, date(2026, 3, 16), "enquiry"),
        deadlines=(Deadline("enquiry-response", date(2026, 3, 25)),),
    ),
)
DISTRICT_MO = "district.mo@example.org"
MO_A = "mo.a@example.org"
CLERK_A = "clerk.a@example.org"
# The councils the growth adds, beyond Ashby and Brockton.
MORE_COUNCILS = (
    "carlton",
    "dunmore",
    "eastfield",
    "fairley",
    "glenholm",
    "hartwell",
    "ingleby",
    "jesmond",
    "kelso",
    "lindow",
)


@pytest.fixture(autouse=True, params=["bound one by one", "as one parameter"])
def _scope_in_one_sql_form(request, monkeypatch) -> Iterator[None]:
    """The tenant scope is written one way whatever its size, in each of its two forms
    (core/tenancy.py switches from the first to the second past FEW_COUNCILS, which
    the growth here crosses; the number of statements does not change)."""
    few = 10**6 if request.param == "bound one by one" else 0
    monkeypatch.setattr(tenancy, "FEW_COUNCILS", few)
    tenancy._criteria.cache_clear()
    yield
    tenancy._criteria.cache_clear()


@pytest.fixture(autouse=True)
def _monday_23_march_2026() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=False):
        yield


# --- comparing what two runs asked --------------------------------------------------


# A parenthesised list of bound parameters, in any driver's style: SQLite's ?,
# psycopg's %(name)s (with a cast such as ::INTEGER), or $1; or of integer ids
# written into the SQL (access.readable's councils). Its length follows the data
# (ids in scope, eager loads of a page of rows); nothing else may.
_PARAMETER = r"(?:\?|%\(\w+\)s|\$\d+|\d+)(?:::\w+(?:\(\d+\))?)?"
_PARAMETER_LIST = re.compile(rf"\(\s*{_PARAMETER}(?:\s*,\s*{_PARAMETER})*\s*\)")
# psycopg names each expanded IN parameter after its position in the list.
_EXPANDED_NAME = re.compile(r"%\((\w+?)_\d+\)s")


def _shape(statement: str) -> str:
    return _PARAMETER_LIST.sub("(…)", _EXPANDED_NAME.sub(r"%(\1)s", statement))


def _listing(statements: list[str], width: int = 220) -> str:
    lines = []
    for n, statement in enumerate(statements, start=1):
        flat = " ".join(statement.split())
        lines.append(f"  {n}. {flat[:width]}{'…' if len(flat) > width else ''}")
    return "\n".join(lines)


def assert_same_queries(what: str, small: QueryCounter, large: QueryCounter) -> None:
    """As many statements, saying the same things, with more data as with little."""
    assert large.count == small.count, (
        f"{what}: {small.count} queries with little data, {large.count} with more.\n"
        f"With little data:\n{_listing(small.statements)}\n"
        f"With more:\n{_listing(large.statements)}"
    )
    changed = [
        f"  {n}. {len(before)} characters with little data, {len(after)} with more:\n"
        f"     {' '.join(after.split())[:2000]}"
        for n, (before, after) in enumerate(
            zip(small.statements, large.statements, strict=True), start=1
        )
        if _shape(before) != _shape(after)
    ]
    assert not changed, (
        f"{what}: {small.count} queries either way, but these grew with the data:\n"
        + "\n".join(changed)
    )


# The conftest fixture: `with count_queries() as counter:` counts what the block sends.
CountQueries = Callable[[], AbstractContextManager[QueryCounter]]


@dataclass
class Measured:
    """Query counts of the same requests, with little data and with more."""

    small: dict[str, QueryCounter]
    large: dict[str, QueryCounter]

    def assert_constant(self) -> None:
        for what, counter in self.small.items():
            assert_same_queries(what, counter, self.large[what])
        # With -s: each request's count with little data and with more.
        print({what: (c.count, self.large[what].count) for what, c in self.small.items()})


@dataclass(frozen=True)
class Ask:
    """One request; `prepare` runs first, uncounted (e.g. fetching a form for its token)."""

    send: Callable[[object], object]
    prepare: Callable[[], object] = lambda: None


def measure(count_queries: CountQueries, requests: dict[str, Ask]) -> dict[str, QueryCounter]:
    found = {}
    for what, ask in requests.items():
        prepared = ask.prepare()
        with count_queries() as counter:
            ask.send(prepared)
        found[what] = counter
    return found


def measured_after_a_first_run(
    count_queries: CountQueries, requests: dict[str, Ask]
) -> dict[str, QueryCounter]:
    """The first run compiles templates and fills caches; the second is measured."""
    measure(count_queries, requests)
    return measure(count_queries, requests)


def gets(client: FlaskClient, *urls: str, headers: dict | None = None) -> dict[str, Ask]:
    def sender(url: str) -> Ask:
        def send(_prepared: object) -> None:
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (url, response.status_code)

        return Ask(send)

    return {f"GET {url}" + (" (htmx)" if headers else ""): sender(url) for url in urls}


# --- data ---------------------------------------------------------------------------


@dataclass
class Councils:
    ids: dict[str, int]


@pytest.fixture
def councils(app: Flask, two_councils: TwoCouncils) -> Councils:
    """Ashby and Brockton with every procedure, and Carlton; the district's Monitoring
    Officer serves all three (deputy on Carlton, so their grants are of two kinds)."""
    with app.app_context():
        found = {c.slug: c for c in db.session.scalars(select(Council))}
        for slug in ("ashby", "brockton"):
            council = found[slug]
            council.procedures += [
                CouncilProcedure(key=k) for k in PROCEDURE_KEYS if not council.enables(k)
            ]
        found["carlton"] = make_council("carlton", procedures=PROCEDURE_KEYS)
        make_user(
            DISTRICT_MO,
            (found["ashby"], "monitoring-officer"),
            (found["brockton"], "monitoring-officer"),
            (found["carlton"], "deputy-monitoring-officer"),
        )
        db.session.commit()
        return Councils(ids={slug: c.id for slug, c in found.items()})


def _cases_in(councils: list[Council], copies: int, start: int) -> None:
    """`copies` of CASES in each council: every procedure, open and closed, with deadlines
    and hearings; new member/officer concerns are about the clerk, so closed to them."""
    made = {c.slug: c for c in councils}
    specs = [replace(s, council=c.slug) for c in councils for s in CASES] * copies
    for case in insert(specs, made, start):
        if case.procedure_key == MOP and case.stage == "received":
            case.exclusions.append(CaseExclusion(council_id=case.council_id, role="clerk"))
    db.session.flush()


def grow_councils(app: Flask, councils: Councils, *, more: int, copies: int) -> None:
    """`more` councils (of MORE_COUNCILS, after Carlton) that the district's Monitoring
    Officer serves too, and `copies` of every spec in every council."""
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.email == DISTRICT_MO))
        added = []
        for n, slug in enumerate(MORE_COUNCILS[1 : 1 + more]):
            council = make_council(slug, procedures=PROCEDURE_KEYS)
            # The same two kinds of grant as with little data: a new kind is a new
            # condition in the SQL, rightly, not growth.
            role = "monitoring-officer" if n % 2 else "deputy-monitoring-officer"
            officer.roles.append(RoleGrant(council_id=council.id, role=role))
            added.append(council)
        existing = list(db.session.scalars(select(Council)))
        _cases_in(existing, copies, start=1000)
        db.session.commit()
        councils.ids.update({c.slug: c.id for c in added})


def small_cases(app: Flask) -> None:
    """One of each of CASES in Ashby, Brockton and Carlton."""
    with app.app_context():
        _cases_in(list(db.session.scalars(select(Council))), 1, start=1)
        db.session.commit()


# --- public pages -------------------------------------------------------------------


def _form_refused(app: Flask) -> dict[str, Ask]:
    """A new visitor's complaint form sent empty: refused, the answers kept as a draft."""
    visitor: list[FlaskClient] = []

    def prepare() -> str:
        visitor[:] = [app.test_client()]
        return csrf_token(visitor[0].get("/ashby/complaints/new").text)

    def send(token: object) -> None:
        response = visitor[0].post(
            "/ashby/complaints/new", data={"csrf_token": token, "action": "continue"}
        )
        assert response.status_code == 400, response.status_code
        assert "There is a problem" in response.text

    return {"POST /ashby/complaints/new (empty, refused)": Ask(send, prepare)}


def _wrong_password(app: Flask, email: str) -> dict[str, Ask]:
    visitor: list[FlaskClient] = []

    def prepare() -> str:
        visitor[:] = [app.test_client()]
        return csrf_token(visitor[0].get("/login").text)

    def send(token: object) -> None:
        response = visitor[0].post(
            "/login", data={"email": email, "password": "not the password", "csrf_token": token}
        )
        assert response.status_code == 400, response.status_code  # refused

    return {f"POST /login (wrong password, {email})": Ask(send, prepare)}


def test_public_pages_the_complaint_form_and_sign_in_run_the_same_queries_at_any_size(
    app: Flask, client: FlaskClient, councils: Councils, count_queries: CountQueries
) -> None:
    small_cases(app)
    requests = {
        **gets(client, "/ashby/", "/ashby/complaints/new", "/login"),
        **_form_refused(app),
        # One account of one council, one of many: neither costs more with more data.
        **_wrong_password(app, MO_A),
        **_wrong_password(app, DISTRICT_MO),
    }
    small = measured_after_a_first_run(count_queries, requests)
    grow_councils(app, councils, more=9, copies=1)
    Measured(small, measure(count_queries, requests)).assert_constant()


# --- the staff case list --------------------------------------------------------------

_REFERENCE = re.compile(r">([A-Z0-9]+-\d{4}-\d{4})</a>")


def assert_each_lists_cases(client: FlaskClient, urls: tuple[str, ...]) -> None:
    """Every filter finds cases, so each measured page loads what it shows of them."""
    for url in urls:
        assert _REFERENCE.search(client.get(url).text), f"{url} lists no case"


MO_LIST_URLS = (
    "/cases/?stage=open&sort=newest",
    f"/cases/?procedure={CC}&deadline=overdue&sort=oldest",
    "/cases/?deadline=due-this-week&sort=reference",
    f"/cases/?stage={LR}:stage-1&sort=reference",
    "/cases/?stage=closed&council=brockton&q=Wraxall",
    "/cases/?page=2",
)


def test_case_list_for_a_monitoring_officer_of_many_councils_runs_the_same_queries_at_any_size(
    app: Flask, client: FlaskClient, councils: Councils, count_queries: CountQueries
) -> None:
    small_cases(app)
    login(client, DISTRICT_MO)
    assert_each_lists_cases(client, MO_LIST_URLS)
    requests = {
        **gets(client, *MO_LIST_URLS),
        **gets(client, MO_LIST_URLS[0], headers={"HX-Request": "true"}),
    }
    small = measured_after_a_first_run(count_queries, requests)
    # From 3 councils to 12, from 72 cases to 360.
    grow_councils(app, councils, more=9, copies=1)
    large = measure(count_queries, requests)
    page = client.get("/cases/").text
    assert "360 cases" in page, re.findall(r"[\d,]+ cases", page)
    Measured(small, large).assert_constant()


CLERK_LIST_URLS = (
    "/cases/?stage=open&sort=newest",
    f"/cases/?procedure={MOP}&deadline=overdue&sort=oldest",
    f"/cases/?stage={MOP}:enquiry&deadline=due-this-week&sort=reference",
    f"/cases/?procedure={OR}&stage=closed",
)


def test_case_list_for_a_clerk_of_one_council_runs_the_same_queries_at_any_size(
    app: Flask, client: FlaskClient, councils: Councils, count_queries: CountQueries
) -> None:
    small_cases(app)
    login(client, CLERK_A)
    assert_each_lists_cases(client, CLERK_LIST_URLS)
    requests = gets(client, *CLERK_LIST_URLS)
    small = measured_after_a_first_run(count_queries, requests)
    grow_councils(app, councils, more=9, copies=1)
    large = measure(count_queries, requests)
    with app.app_context():
        ashby = db.session.get(Council, councils.ids["ashby"]).code
    listed = _REFERENCE.findall(client.get(CLERK_LIST_URLS[0]).text)
    assert listed and all(r.startswith(f"{ashby}-") for r in listed), listed
    Measured(small, large).assert_constant()


def test_recording_a_complaint_for_an_officer_of_many_councils_runs_the_same_queries_at_any_size(
    app: Flask, client: FlaskClient, councils: Councils, count_queries: CountQueries
) -> None:
    small_cases(app)
    login(client, DISTRICT_MO)
    requests = gets(client, "/cases/new")
    small = measured_after_a_first_run(count_queries, requests)
    grow_councils(app, councils, more=9, copies=1)
    Measured(small, measure(count_queries, requests)).assert_constant()


# --- a case page with a long timeline ---------------------------------------------------


def _timeline_entry(case: Case, n: int, officer: User) -> CaseEvent:
    """The n-th of a rotation of the kinds of entry a timeline holds, each with its data."""
    at = datetime(2026, 3, 2, 9, tzinfo=UTC) + timedelta(hours=n)
    by_officer = {
        "actor_id": officer.id,
        "actor_name": officer.email,
        "actor_role": "monitoring-officer",
    }
    entries = (
        dict(kind="action", action="record-acknowledgement", data={"how": "post"}, **by_officer),
        dict(
            kind="action",
            action="assess-investigate",
            stage_from="initial-assessment",
            stage_to="investigation",
            data={
                "factors": ["insufficient-information", "over-six-months"],
                "reasons": "The complaint is serious.",
                "investigator": {"user_id": officer.id, "name": officer.email},
            },
            **by_officer,
        ),
        dict(
            kind="action",
            action="subject-responded",
            data={"summary": "Denies it.", "document": {"file": "reply.pdf"}},
            **by_officer,
        ),
        dict(
            kind="action",
            action="schedule-hearing",
            data={"hearing_date": "2026-05-01"},
            **by_officer,
        ),
        dict(
            kind="deadline",
            action="extend-deadline",
            reason="Illness",
            data={"deadline": "acknowledge", "from": "2026-03-09", "to": "2026-03-16"},
            **by_officer,
        ),
        dict(
            kind="action",
            action="pause",
            reason="A police inquiry",
            data={
                "deadlines_moved": [
                    {"deadline": "acknowledge", "from": "2026-03-09", "to": "2026-03-12"}
                ]
            },
            **by_officer,
        ),
        dict(kind="system", actor_name="System", actor_role="system"),
        dict(
            kind="reply",
            actor_name="Complainant",
            actor_role="complainant",
            reason="I have more to add.",
            data={"file": "more.pdf"},
        ),
    )
    entry = entries[n % len(entries)]
    return CaseEvent(
        council_id=case.council_id, case_id=case.id, at=at, summary=f"Entry {n}", **entry
    )


def _add_to_case(app: Flask, case_id: int, *, entries: int, each: int, start: int) -> None:
    """`entries` timeline entries and `each` of everything else a case page lists."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        officer = db.session.scalar(select(User).where(User.email == MO_A))
        committee = db.session.scalars(
            select(CommitteeMember).where(CommitteeMember.council_id == case.council_id)
        ).all()
        db.session.add_all(_timeline_entry(case, start + n, officer) for n in range(entries))
        for n in range(start, start + each):
            case.subjects.append(
                CaseSubject(
                    council_id=case.council_id,
                    first_name=f"Member{n}",
                    last_name="Named",
                    authority="Ashby Council",
                    position=n,
                )
            )
            attach_file(case, storage_key=f"{n:032d}")
            for key, status in (("subject-response", "open"), ("investigation", "met")):
                case.deadlines.append(
                    CaseDeadline(
                        council_id=case.council_id,
                        key=key,
                        owner="monitoring-officer",
                        unit="working_days",
                        amount=10,
                        start_on=date(2026, 3, 2),
                        due_on=date(2026, 3, 16) + timedelta(days=n),
                        status=status,
                        met_on=date(2026, 3, 13) if status == "met" else None,
                        extension_days=n % 2,
                    )
                )
            case.allegations.append(
                Allegation(
                    council_id=case.council_id, position=n, provision="respect", summary=f"No. {n}"
                )
            )
            member = committee[n % len(committee)]
            case.conflicts.append(
                ConflictDeclaration(
                    council_id=case.council_id,
                    member_id=member.id,
                    raised_by="complainant",
                    reason="A neighbour",
                )
            )
            hearing = make_hearing(
                case,
                committee_council_id=case.council_id,
                starts_at=datetime(2026, 5, 1, 10, tzinfo=UTC) + timedelta(days=n),
            )
            hearing.seats = [
                HearingSeat(council_id=case.council_id, member_id=m.id, seat="member")
                for m in committee[:3]
            ]
            db.session.add(
                CaseLink(
                    council_id=case.council_id,
                    case_id=case.id,
                    party="complainant",
                    email="alex@example.com",
                    token_hash=hashlib.sha256(f"link {case.id} {n}".encode()).hexdigest(),
                    expires_at=datetime(2026, 6, 1, tzinfo=UTC),
                )
            )
            db.session.add(
                OutboxMessage(
                    council_id=case.council_id,
                    case_id=case.id,
                    kind="case-notice",
                    recipient="alex@example.com",
                    subject=f"Your complaint ({n})",
                    body_text="Hello",
                    message_id=f"<case-{case.id}-{n}@example.org>",
                    status="failed" if n % 2 else "sent",
                    last_error="550 No such user" if n % 2 else None,
                )
            )
        db.session.commit()


@pytest.fixture
def long_case(app: Flask, councils: Councils) -> Iterator[int]:
    """A conduct complaint of Ashby, recorded as staff do, with one of everything."""
    with app.app_context():
        ashby = db.session.get(Council, councils.ids["ashby"])
        make_committee(ashby)
        db.session.commit()
    case_id = record_case(app, "ashby", date(2026, 3, 2))
    _add_to_case(app, case_id, entries=4, each=1, start=0)  # with its opening: 5 entries
    yield case_id


def test_a_case_page_with_a_long_timeline_runs_the_same_queries_as_with_a_short_one(
    app: Flask,
    client: FlaskClient,
    councils: Councils,
    long_case: int,
    count_queries: CountQueries,
) -> None:
    login(client, MO_A)
    # The case page, and its whole timeline: as a page, and as htmx asks for it there.
    timeline = f"/cases/{long_case}/timeline"
    requests = {
        **gets(client, f"/cases/{long_case}", timeline),
        **gets(client, timeline, headers={"HX-Request": "true"}),
    }
    small = measured_after_a_first_run(count_queries, requests)
    # 60 timeline entries; 7 subjects, files, allegations, hearings, links and emails;
    # 15 deadlines. And more cases and councils around it.
    _add_to_case(app, long_case, entries=55, each=6, start=1)
    grow_councils(app, councils, more=9, copies=1)
    large = measure(count_queries, requests)
    page = client.get(f"/cases/{long_case}").text
    # The case page lists the latest entries and links to them all.
    assert page.count('class="app-timeline__item"') == app.config["CASE_TIMELINE_LATEST"] == 20
    assert "Show all 60 entries" in page
    assert client.get(timeline).text.count('class="app-timeline__item"') == 60
    Measured(small, large).assert_constant()


# --- decision notices -------------------------------------------------------------------


def publish_notices(app: Flask, per_council: int, *, corrected: bool) -> None:
    """`per_council` published notices in every council with cases (the first corrected by
    a second version, if `corrected`), and a draft that is never public."""
    with app.app_context():
        for council in db.session.scalars(select(Council)):
            cases = db.session.scalars(
                select(Case)
                .where(
                    Case.council_id == council.id,
                    Case.id.not_in(
                        select(DecisionNotice.case_id).where(DecisionNotice.case_id.is_not(None))
                    ),
                )
                .order_by(Case.id)
                .limit(per_council + 1)
            ).all()
            for n, case in enumerate(cases[:per_council]):
                first = make_notice(
                    case,
                    html=f"<p>Decision {n} of {council.name}.</p>",
                    title=f"Decision on complaint {case.reference}",
                    published_at=datetime(2026, 3, 1, 12, tzinfo=UTC) + timedelta(hours=n),
                )
                if corrected and n == 0:
                    make_notice(
                        case,
                        version=2,
                        html="<p>Corrected.</p>",
                        title=f"Decision on complaint {case.reference}",
                        published_at=datetime(2026, 3, 10, 12, tzinfo=UTC),
                        corrects=first,
                        correction_note="The date of the meeting was wrong.",
                    )
            if len(cases) > per_council:
                make_draft(cases[-1], text="Not yet public", title="Draft")
        db.session.commit()


@pytest.fixture
def notices_emptied(app: Flask) -> Iterator[None]:
    yield
    unlink_corrections(app)  # so the suite can empty the notices table


def test_decision_notice_lists_run_the_same_queries_with_one_notice_or_many(
    app: Flask,
    client: FlaskClient,
    councils: Councils,
    notices_emptied: None,
    count_queries: CountQueries,
) -> None:
    small_cases(app)
    publish_notices(app, 1, corrected=False)
    requests = gets(client, "/ashby/standards/notices", "/standards/notices")
    small = measured_after_a_first_run(count_queries, requests)
    # 12 councils with 6 notices each (the first corrected), and drafts, among more cases.
    grow_councils(app, councils, more=9, copies=1)
    publish_notices(app, 5, corrected=True)
    large = measure(count_queries, requests)
    # The latest version of each, never a draft: 3 + 12 x 5 notices, 6 of them Ashby's.
    assert "63 notices" in client.get("/standards/notices").text
    assert "6 notices" in client.get("/ashby/standards/notices").text
    Measured(small, large).assert_constant()


# --- statistics ----------------------------------------------------------------------------


def test_statistics_pages_run_the_same_queries_with_more_cases_and_councils(
    app: Flask, client: FlaskClient, councils: Councils, count_queries: CountQueries
) -> None:
    small_cases(app)
    login(client, DISTRICT_MO)
    public = app.test_client()
    requests = {
        **gets(client, "/cases/statistics", "/cases/statistics.csv"),
        **gets(
            public,
            "/ashby/standards/statistics",
            "/ashby/standards/statistics.csv",
            "/standards/statistics",
            "/standards/statistics.csv",
        ),
    }
    small = measured_after_a_first_run(count_queries, requests)
    grow_councils(app, councils, more=9, copies=1)
    Measured(small, measure(count_queries, requests)).assert_constant()


def test_which_cases_an_officer_of_two_hundred_councils_reads_is_one_condition_per_kind_of_role(
    app: Flask,
) -> None:
    """The SQL that limits a Monitoring Officer's cases says the same for 200 councils as
    for 2: councils where they hold the same roles share one condition, with an IN list."""
    from conduct.access import readable

    def condition_for(councils: int) -> str:
        officer = User(id=1, email="officer@example.org")
        officer.roles = [
            RoleGrant(council_id=n, role="monitoring-officer" if n % 2 else "clerk")
            for n in range(1, councils + 1)
        ]
        return str(select(Case.id).where(readable(officer)).compile(db.engine))

    with app.app_context():
        two, many = condition_for(2), condition_for(200)
    assert two == many, (len(two), len(many))
    # One exclusion subquery per kind of grant: the Monitoring Officers' and the clerks'.
    assert two.count("NOT IN (SELECT case_exclusions.case_id") == 2
