"""A district-scale database: the demo district grown to 200 councils and 100,000 cases.

The demo (conduct/demo.py) gives the accounts, committee, hearings and
published notices a person would recognise; the rest is written in bulk with
Core inserts (the ORM would take an hour). Every value goes through the
columns' own types, so personal data is sealed at rest here as in the product.
Cases cover every procedure and stage; each has a subject, a timeline and an
acknowledgement in the outbox history; open cases carry the open deadlines,
of which a known number need a reminder on the sweep day.
"""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, insert, select, text

from conduct import demo, engine
from conduct.calendar import WorkingCalendar
from conduct.models import (
    Case,
    CaseDeadline,
    CaseEvent,
    CaseSubject,
    ReferenceCounter,
)
from conduct.procedures import PROCEDURES
from conduct.timeutil import LONDON
from core.db import db
from core.outbox_models import SENT, OutboxMessage
from core.tenancy import scope
from tenants import services
from tenants.models import ContactRoute, Council, CouncilProcedure, RoleGrant

MO = "monitoring.officer@fenmoor.example.org"
DEPUTY = "deputy.mo@fenmoor.example.org"
CLERK = "clerk@ashby-marsh.example.org"
PUBLIC_COUNCIL = "ashby-marsh"  # public pages and the clerk's council
BATCH = 5000

PLACES = (
    "Aldbury",
    "Ashwell",
    "Barford",
    "Bexley",
    "Brampton",
    "Burwell",
    "Caldecote",
    "Carlton",
    "Chesterton",
    "Coton",
    "Croxton",
    "Denton",
    "Elsworth",
    "Eltisley",
    "Fenstanton",
    "Fowlmere",
    "Girton",
    "Graveley",
    "Hardwick",
    "Harlton",
    "Histon",
    "Ickleton",
    "Kingston",
    "Landbeach",
    "Linton",
    "Littleport",
    "Madingley",
    "Melbourn",
    "Milton",
    "Newton",
    "Oakington",
    "Orwell",
    "Over",
    "Papworth",
    "Rampton",
    "Sawston",
    "Shepreth",
    "Stapleford",
    "Swavesey",
    "Toft",
)
KINDS = ("Parish", "Town", "Community")
PREFIXES = ("", "Great ", "Little ")
FIRST = (
    "Alex",
    "Bea",
    "Cai",
    "Dana",
    "Eli",
    "Fran",
    "Gus",
    "Hal",
    "Ivy",
    "Jon",
    "Kit",
    "Lee",
    "Max",
    "Nia",
    "Owen",
    "Pia",
    "Ray",
    "Sam",
    "Tom",
    "Una",
)
LAST = (
    "Ashby",
    "Brook",
    "Carter",
    "Dale",
    "Evans",
    "Frost",
    "Green",
    "Hale",
    "Irwin",
    "Jones",
    "Kemp",
    "Lane",
    "Moss",
    "Nash",
)


@dataclass
class Dataset:
    """What was built, so the runner knows which pages to ask for."""

    backend: str
    councils: int
    cases: int
    open_deadlines: int
    due_deadlines: int
    timeline_case_id: int
    timeline_entries: int
    sweep_day: str  # a working day on which `due_deadlines` need a reminder
    public_council: str
    monitoring_officer: str
    clerk: str
    password: str
    build_seconds: float = 0.0

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, path: Path) -> Dataset:
        return cls(**json.loads(path.read_text()))


def sweep_day(calendar: WorkingCalendar) -> date:
    """The next working day from today: the day the sweep benchmark pretends it is."""
    day = date.today()
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def sweep_moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), LONDON).astimezone(UTC)


def build(
    *,
    councils: int = 200,
    cases: int = 100_000,
    open_deadlines: int = 300_000,
    due: int = 1000,
    timeline: int = 200,
    seed: int = 2026,
) -> Dataset:
    """Fill an empty, migrated database (inside an app context)."""
    rng = random.Random(seed)
    demo.load()
    db.session.commit()
    with scope(None):
        district = services.council_by_slug("fenmoor")
        assert district is not None
        calendar = engine.calendar_for(district)
        day = sweep_day(calendar)
        all_councils = _add_councils(councils, district)
        _grant_casework(all_councils)
        db.session.commit()
        ids = _CaseWriter(rng, all_councils, calendar, day)
        # The demo's own cases count towards the total.
        ids.write_cases(cases - (db.session.scalar(select(func.count(Case.id))) or 0), timeline)
        opened = ids.write_deadlines(open_deadlines, due)
        ids.finish()
    db.session.commit()
    return Dataset(
        backend=db.engine.dialect.name,
        councils=len(all_councils),
        cases=db.session.scalar(select(func.count(Case.id))) or 0,
        open_deadlines=opened,
        due_deadlines=due,
        timeline_case_id=ids.timeline_case_id,
        timeline_entries=timeline,
        sweep_day=day.isoformat(),
        public_council=PUBLIC_COUNCIL,
        monitoring_officer=MO,
        clerk=CLERK,
        password=demo.DEMO_PASSWORD,
    )


def _add_councils(total: int, district: Council) -> list[Council]:
    existing = list(db.session.scalars(select(Council).order_by(Council.id)))
    names = (f"{pre}{p} {k}" for pre, k, p in itertools.product(PREFIXES, KINDS, PLACES))
    made = 0
    for name in names:
        if len(existing) + made >= total:
            break
        welsh = name.endswith("Community") and " " not in name.removesuffix(" Community")
        slug = services.check_slug(name.lower().replace(" ", "-"))
        if services.council_by_slug(slug) is not None:
            continue
        council = services.create_council(
            slug=slug,
            name=f"{name} Council",
            name_cy=f"Cyngor Cymuned {name.split()[0]}" if welsh else None,
            nation="wales" if welsh else "england",
            procedures=(
                ["ombudsman-referral", "local-resolution", "member-officer-protocol"]
                if welsh
                else ["conduct-complaint", "member-officer-protocol", "confidential-report"]
            ),
        )
        if not welsh:
            council.committee_council_id = district.id
        council.routes = [
            ContactRoute(
                kind="monitoring-officer",
                name="Monitoring Officer, Fenmoor District Council",
                purpose="Complaints that a councillor has breached the Code of Conduct.",
                email="monitoringofficer@fenmoor.example.org",
            ),
            ContactRoute(
                kind="clerk",
                name=f"Clerk to {name} Council",
                purpose="Questions about the council's meetings and business.",
                email=f"clerk@{slug}.example.org",
            ),
        ]
        made += 1
    db.session.flush()
    return list(db.session.scalars(select(Council).order_by(Council.id)))


def _grant_casework(councils: list[Council]) -> None:
    """The district's Monitoring Officer and deputy serve every council."""
    for email, role in ((MO, "monitoring-officer"), (DEPUTY, "deputy-monitoring-officer")):
        user = services.user_by_email(email)
        assert user is not None
        held = {g.council_id for g in user.roles if g.role == role}
        for council in councils:
            if council.id not in held:
                db.session.add(RoleGrant(user_id=user.id, council_id=council.id, role=role))


class _CaseWriter:
    """Writes cases and everything under them in batches, with ids it assigns itself."""

    def __init__(
        self, rng: random.Random, councils: list[Council], calendar: WorkingCalendar, day: date
    ) -> None:
        self.rng = rng
        self.calendar = calendar
        self.day = day
        self.councils = councils
        self.procedures = {
            c.id: sorted(
                db.session.scalars(
                    select(CouncilProcedure.key).where(CouncilProcedure.council_id == c.id)
                )
            )
            for c in councils
        }
        self.next_id = {
            model: (db.session.scalar(select(func.max(model.id))) or 0) + 1
            for model in (Case, CaseSubject, CaseEvent, CaseDeadline, OutboxMessage)
        }
        self.counters: dict[tuple[int, int], int] = {
            (row.council_id, row.year): row.last_value
            for row in db.session.scalars(select(ReferenceCounter))
        }
        self.open_cases: list[tuple[int, int, str]] = []  # (case id, council id, procedure)
        self.paused: set[int] = set()  # the sweep skips paused cases: none of the due ones
        self.timeline_case_id = 0
        self.now = datetime.now(UTC)

    def _ids(self, model: type, n: int) -> range:
        start = self.next_id[model]
        self.next_id[model] = start + n
        return range(start, start + n)

    def write_cases(self, total: int, long_timeline: int) -> None:
        per_council = -(-total // len(self.councils))
        rows: dict[type, list[dict[str, Any]]] = {
            Case: [],
            CaseSubject: [],
            CaseEvent: [],
            OutboxMessage: [],
        }
        written = 0
        for position in range(per_council):
            for council in self.councils:
                if written == total:
                    break
                self._case(council, position, rows, long=written == 0, events=long_timeline)
                written += 1
                if len(rows[Case]) >= BATCH:
                    self._flush(rows)
        self._flush(rows)

    def _case(
        self,
        council: Council,
        position: int,
        rows: dict[type, list[dict[str, Any]]],
        *,
        long: bool,
        events: int,
    ) -> None:
        rng = self.rng
        keys = self.procedures[council.id]
        procedure = PROCEDURES[keys[position % len(keys)]]
        stages = procedure.stages
        entry = procedure.entry().stage
        stage = stages[0] if long else stages[(position // len(keys)) % len(stages)]
        received = self.now - timedelta(days=rng.randint(0 if long else 3, 3 * 365))
        received_on = received.astimezone(LONDON).date()
        year = received_on.year
        number = self.counters.get((council.id, year), 0) + 1
        self.counters[(council.id, year)] = number
        (case_id,) = self._ids(Case, 1)
        closed_on = (
            received_on + timedelta(days=rng.randint(20, 300)) if stage.kind == "closed" else None
        )
        if closed_on and closed_on > self.day:
            closed_on = self.day
        complainant = (rng.choice(FIRST), rng.choice(LAST))
        rows[Case].append(
            dict(
                id=case_id,
                council_id=council.id,
                reference=f"{council.code}-{year}-{number:04d}",
                procedure_key=procedure.key,
                stage=stage.key,
                entry_point="complaint",
                paused_on=received_on if stage.kind == "paused" else None,
                closed_on=closed_on,
                outcome=stage.outcome,
                facts={},
                private_facts={},
                received_at=received,
                received_on=received_on,
                created_at=received,
                channel=rng.choice(("online", "online", "email", "post")),
                language="cy" if council.nation == "wales" and position % 3 == 0 else "en",
                anonymous=False,
                complainant_title="",
                complainant_first_name=complainant[0],
                complainant_last_name=complainant[1],
                complainant_address=f"{rng.randint(1, 99)} High Street, {council.name}",
                complainant_phone="01632 960123",
                complainant_email=f"{complainant[0].lower()}.{case_id}@example.com",
                preferred_contact="email",
                details="At the meeting the councillor shouted at a member of the public "
                "and would not let them finish their question.",
                obligations_breached="Treat others with respect.",
                incident_dates=received_on.isoformat(),
                witnesses="",
                outcome_sought="An apology.",
                confidentiality_requested=position % 7 == 0,
                confidentiality_reasons="",
                help_needed="",
                declaration_at=received,
                intake_warnings=[],
            )
        )
        if stage.kind != "closed":
            self.open_cases.append((case_id, council.id, procedure.key))
        if stage.kind == "paused":
            self.paused.add(case_id)
        if long:
            self.timeline_case_id = case_id
        subject = CaseSubject(
            first_name=rng.choice(FIRST), last_name=rng.choice(LAST), title="Cllr"
        )
        subject.index_name()  # the mapper event that does it is not run by Core inserts
        rows[CaseSubject].append(
            dict(
                id=self._ids(CaseSubject, 1)[0],
                council_id=council.id,
                case_id=case_id,
                position=0,
                title=subject.title,
                first_name=subject.first_name,
                last_name=subject.last_name,
                authority=council.name,
                search_key=subject.search_key,
            )
        )
        timeline = self._timeline(procedure.key, entry, stage.key, events if long else None)
        for at_offset, event in enumerate(timeline):
            rows[CaseEvent].append(
                dict(
                    id=self._ids(CaseEvent, 1)[0],
                    council_id=council.id,
                    case_id=case_id,
                    at=received + timedelta(hours=at_offset),
                    **event,
                )
            )
        rows[OutboxMessage].append(
            dict(
                id=self._ids(OutboxMessage, 1)[0],
                council_id=council.id,
                case_id=case_id,
                kind="acknowledgement",
                recipient=f"{complainant[0].lower()}.{case_id}@example.com",
                reply_to="monitoringofficer@fenmoor.example.org",
                subject=f"Your complaint {council.code}-{year}-{number:04d}",
                body_text="Thank you for your complaint. We will be in touch.",
                body_html=None,
                message_id=f"<bench-{case_id}@conduct.example.org>",
                status=SENT,
                attempts=1,
                next_attempt_at=received,
                created_at=received,
                sent_at=received + timedelta(seconds=5),
            )
        )

    def _timeline(
        self, procedure_key: str, entry: str, stage: str, long: int | None
    ) -> list[dict[str, Any]]:
        procedure = PROCEDURES[procedure_key]
        action = procedure.stage(entry).actions[0].key if procedure.stage(entry).actions else None
        system = dict(actor_name="System", actor_role="system", action=None, reason=None, data={})
        events = [
            dict(system, kind="opened", summary="Complaint received online", stage_to=entry),
            dict(system, kind="system", summary="Acknowledgement emailed to the complainant"),
        ]
        officer = dict(
            actor_name="Morgan Price",
            actor_role="monitoring-officer",
            kind="action",
            action=action,
            summary="Recorded",
            reason="Considered with the Independent Person.",
            data={"how": "email"},
        )
        if stage != entry or long:
            events.append(dict(officer, stage_from=entry, stage_to=stage))
        while long and len(events) < long:
            events.append(
                dict(system, kind="system", summary=f"Reminder emailed ({len(events)})")
                if len(events) % 2
                else dict(officer, stage_from=stage, stage_to=stage)
            )
        return events

    def _flush(self, rows: dict[type, list[dict[str, Any]]]) -> None:
        for model in (Case, CaseSubject, CaseEvent, OutboxMessage):
            if rows[model]:
                db.session.execute(insert(model), rows[model])
                rows[model].clear()
        db.session.commit()

    def write_deadlines(self, total: int, due: int) -> int:
        """`total` open deadlines over the open cases that have any; `due` need a reminder."""
        eligible = [
            (case_id, council_id, PROCEDURES[key].deadlines)
            for case_id, council_id, key in self.open_cases
            if PROCEDURES[key].deadlines
        ]
        if not eligible:
            return 0
        # Spread the due ones evenly over the rows, so every council has some.
        due_every = max(1, total // max(due, 1))
        lead = 2
        due_days = (
            self.calendar.add_working_days(self.day, lead),  # the "before" reminder today
            self.day,  # due today
            self.calendar.add_working_days(self.day, -1),  # overdue since yesterday
        )
        batch: list[dict[str, Any]] = []
        written = due_written = owed = 0
        for n in range(total):
            case_id, council_id, rules = eligible[n % len(eligible)]
            rule = rules[(n // len(eligible)) % len(rules)]
            if n % due_every == 0 and due_written + owed < due:
                owed += 1
            if owed and case_id not in self.paused:
                owed -= 1
                due_on = due_days[due_written % 3]
                due_written += 1
            else:
                due_on = self.day + timedelta(days=30 + n % 400)
            batch.append(
                dict(
                    id=self._ids(CaseDeadline, 1)[0],
                    council_id=council_id,
                    case_id=case_id,
                    key=rule.key,
                    owner=rule.owner,
                    unit=rule.unit,
                    amount=rule.amount,
                    start_on=self.day - timedelta(days=10),
                    anchor_on=None,
                    extension_days=0,
                    paused_days=0,
                    due_on=due_on,
                    status="open",
                )
            )
            written += 1
            if len(batch) >= BATCH:
                db.session.execute(insert(CaseDeadline), batch)
                db.session.commit()
                batch.clear()
        if batch:
            db.session.execute(insert(CaseDeadline), batch)
        db.session.commit()
        assert due_written == due, f"only {due_written} of {due} due deadlines placed"
        return written

    def finish(self) -> None:
        """Reference counters past the numbers used; sequences past the ids given (PostgreSQL)."""
        for (council_id, year), last in self.counters.items():
            row = db.session.get(ReferenceCounter, (council_id, year))
            if row is None:
                db.session.add(ReferenceCounter(council_id=council_id, year=year, last_value=last))
            else:
                row.last_value = last
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            for model in (Case, CaseSubject, CaseEvent, CaseDeadline, OutboxMessage):
                table = model.__tablename__
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
            db.session.commit()
        current_app.logger.info("bench data written")
