"""Deadline reminders: before, on the day, and overdue (escalated), each sent exactly once.

A sweep looks only at open deadlines that could need a reminder today (due
within the reminder window, or overdue without an overdue reminder yet), so
its cost grows with what is due, not with all deadlines. It reads them for
every council at once (with their cases, the councils' staff and calendars),
renders the emails, then writes the reminder rows and their outbox messages in
batches, one transaction each; a unique constraint refuses duplicates from a
second sweep or process, and a refused batch is retried deadline by deadline.
Reminders go out in office hours on the council's working days only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, exists, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, lazyload, selectinload

from conduct import engine
from conduct.calendar import WorkingCalendar
from conduct.models import Case, CaseDeadline, DigestSent, ReminderSent
from conduct.reminder_emails import ReminderEmails
from conduct.timeutil import LONDON
from core.crypto import blind
from core.db import db, utcnow
from core.outbox import Outgoing, Rendered, queue_email, queue_many
from core.tenancy import scope
from tenants.models import Council, RoleGrant, User
from tenants.routes_catalogue import HANDLING_ROUTE_KINDS
from tenants.services import external_url, external_urls

KINDS = ("before", "due", "overdue")
OFFICE_OPENS, OFFICE_CLOSES = time(9, 0), time(17, 30)
ESCALATE_TO = ("monitoring-officer", "deputy-monitoring-officer")


@dataclass
class SweepReport:
    queued: int = 0
    superseded: int = 0
    digests: int = 0
    skipped_reason: str | None = None
    councils: list[str] = field(default_factory=list)


def in_office_hours(moment: datetime) -> bool:
    local = moment.astimezone(LONDON)
    return local.weekday() < 5 and OFFICE_OPENS <= local.time() < OFFICE_CLOSES


def reminder_days(row: CaseDeadline, calendar: WorkingCalendar, lead: int) -> dict[str, date]:
    """The working day each reminder of this deadline belongs to."""
    due = row.due_on
    on_the_day = due if calendar.is_working_day(due) else calendar.add_working_days(due, -1)
    return {
        "before": calendar.add_working_days(due, -lead),
        "due": on_the_day,
        "overdue": calendar.next_working_day(due),
    }


# Deadlines whose reminders are written in one transaction. Big enough that a
# sweep of a thousand due deadlines is a handful of statements, small enough
# that a batch refused by a concurrent sweep is cheap to redo one by one.
BATCH = 250


def sweep(now: datetime | None = None) -> SweepReport:
    """Queue every reminder that is due now and not yet recorded. Safe to run any time."""
    now = now or utcnow()
    report = SweepReport()
    if not in_office_hours(now):
        report.skipped_reason = "outside office hours"
        return report
    today = now.astimezone(LONDON).date()
    with scope(None):
        councils = db.session.scalars(
            select(Council)
            .options(selectinload(Council.closure_days), selectinload(Council.routes))
            .order_by(Council.id)
        ).all()
        working = {}
        for council in councils:
            calendar = engine.calendar_for(council)
            if calendar.is_working_day(today):
                working[council.id] = (council, calendar)
                report.councils.append(council.slug)
    if working:
        # One scope for every council swept: the write guard still refuses any other.
        with scope(working.keys()):
            work = _plan(working, today)
            # End the reading transaction (on SQLite it holds the write lock): each
            # batch is a transaction of its own.
            db.session.commit()
            for start in range(0, len(work), BATCH):
                _write_batch(work[start : start + BATCH], report)
    db.session.commit()
    report.digests = send_digests(today)
    return report


@dataclass
class _Email:
    recipient: str
    blinded: str
    rendered: Rendered
    reply_to: str | None


@dataclass
class _Work:
    """One deadline's reminders, ready to write: nothing here needs the session."""

    council_id: int
    case_id: int
    deadline_id: int
    kind: str
    day: date
    superseded: list[tuple[str, date]]
    emails: list[_Email]
    digests: list[str]  # blinded addresses of staff who chose the daily digest


def _candidate_filter(today: date, lead: int) -> list:
    # Calendar-day bound wide enough for `lead` working days across any holiday run;
    # the (status, due_on) index finds these without reading the other deadlines.
    horizon = today + timedelta(days=lead + 14)
    # An alias, so the query of recorded reminders can use this filter too.
    sent = aliased(ReminderSent)
    overdue_sent = exists().where(and_(sent.deadline_id == CaseDeadline.id, sent.kind == "overdue"))
    # Paused cases are left out after loading: joining cases here makes PostgreSQL
    # read every case to hash them.
    return [CaseDeadline.status == engine.OPEN, CaseDeadline.due_on <= horizon, ~overdue_sent]


def _plan(working: dict[int, tuple[Council, WorkingCalendar]], today: date) -> list[_Work]:
    """Every reminder due today in these councils, rendered: a few queries in all."""
    # The widest lead of any council: a deadline of a council with a shorter one is
    # read and then found not due, which costs nothing but a row.
    lead = max(council.reminder_days_before for council, _ in working.values())
    where = _candidate_filter(today, lead)
    found = db.session.scalars(
        select(CaseDeadline)
        .where(*where)
        .options(
            selectinload(CaseDeadline.case).load_only(*_CASE_COLUMNS).selectinload(Case.assignments)
        )
    )
    # Sorted here: an ORDER BY council lets SQLite walk the council index over every
    # deadline (seconds) instead of the (status, due_on) range.
    rows = sorted(
        (row for row in found if row.case.paused_on is None),
        key=lambda row: (row.council_id, row.id),
    )
    if not rows:
        return []
    recorded: dict[int, set[str]] = defaultdict(set)
    for deadline_id, kind in db.session.execute(
        select(ReminderSent.deadline_id, ReminderSent.kind)
        .join(CaseDeadline, CaseDeadline.id == ReminderSent.deadline_id)
        .where(*where)
    ):
        recorded[deadline_id].add(kind)
    due: list[tuple[CaseDeadline, dict[str, date], list[str]]] = []
    for row in rows:
        council, calendar = working[row.council_id]
        days = reminder_days(row, calendar, council.reminder_days_before)
        kinds = [k for k in KINDS if days[k] <= today and k not in recorded[row.id]]
        if kinds:
            due.append((row, days, kinds))
    if not due:
        return []
    staff = _staff_by_council({row.council_id for row, _, _ in due})
    links = dict(
        zip(
            (row.case_id for row, _, _ in due),
            external_urls("staff.case", ({"case_id": row.case_id} for row, _, _ in due)),
            strict=True,
        )
    )
    blinded: dict[str, str] = {}

    def blind_once(address: str) -> str:
        if address not in blinded:
            blinded[address] = blind(address)
        return blinded[address]

    emails = ReminderEmails()
    work = []
    for row, days, kinds in due:
        council = working[row.council_id][0]
        # After downtime only the latest reminder is sent; earlier ones whose day
        # passed are recorded as superseded rather than sent late and out of order.
        kind = kinds[-1]
        item = _Work(
            council_id=council.id,
            case_id=row.case_id,
            deadline_id=row.id,
            kind=kind,
            day=days[kind],
            superseded=[(k, days[k]) for k in kinds[:-1]],
            emails=[],
            digests=[],
        )
        _address(
            item, council, row, staff.get(council.id, {}), links[row.case_id], blind_once, emails
        )
        work.append(item)
    return work


# What a reminder needs of its case; the rest (sealed personal data) is not decrypted.
_CASE_COLUMNS = (
    Case.id,
    Case.council_id,
    Case.reference,
    Case.procedure_key,
    Case.language,
    Case.complainant_email,
    Case.paused_on,
)


def _staff_by_council(council_ids: set[int]) -> dict[int, dict[str, list[User]]]:
    """Active staff by council and role, for all these councils in one query."""
    found: dict[int, dict[str, list[User]]] = defaultdict(lambda: defaultdict(list))
    for grant, user in db.session.execute(
        select(RoleGrant, User)
        .join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.council_id.in_(council_ids), User.active.is_(True))
        .options(lazyload(RoleGrant.council))
        .order_by(RoleGrant.id)
    ):
        found[grant.council_id][grant.role].append(user)
    return found


def _address(
    item: _Work,
    council: Council,
    row: CaseDeadline,
    staff: dict[str, list[User]],
    link: str,
    blind_once: Callable[[str], str],
    emails: ReminderEmails,
) -> None:
    """Add the reminder's emails (rendered once per distinct content) and digest entries."""
    case = row.case
    users, addresses = recipients(council, row, item.kind, staff)
    rendered: dict[tuple[str, str, bool], Rendered] = {}

    def render(template: str, language: str, with_link: bool) -> Rendered:
        # The same email to each staff member: rendered once for all of them.
        key = (template, language, with_link)
        if key not in rendered:
            rendered[key] = emails.render(
                template,
                language,
                council=council,
                row=row,
                reminder=item.kind,
                link=link if with_link else None,
            )
        return rendered[key]

    for user in users:
        if user.reminder_mode == "digest":
            item.digests.append(blind_once(user.email))
            continue
        item.emails.append(
            _Email(
                user.email, blind_once(user.email), render("deadline_reminder", "en", True), None
            )
        )
    reply_to = _reply_to(council) if addresses else None
    for address in addresses:
        complainant = address == case.complainant_email and row.owner == "complainant"
        email = (
            render("party_reminder", case.language, False)
            if complainant
            else render("deadline_reminder", "en", True)
        )
        item.emails.append(_Email(address, blind_once(address), email, reply_to))


def _write_batch(batch: list[_Work], report: SweepReport) -> None:
    """Record a batch in one transaction; if another sweep got to one first, go one by one."""
    try:
        queued, superseded = _write(batch)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        queued = superseded = 0
        for item in batch:
            try:
                done = _write([item])
                db.session.commit()
            except IntegrityError:  # another sweep recorded it first: nothing to do
                db.session.rollback()
                continue
            queued += done[0]
            superseded += done[1]
    report.queued += queued
    report.superseded += superseded


def _write(batch: list[_Work]) -> tuple[int, int]:
    """Insert the batch's outbox messages and reminder rows; (queued, superseded).

    Bulk INSERTs (a few statements per batch): the unique constraint on the
    reminder rows still refuses a reminder another sweep recorded first.
    """
    outgoing = [
        Outgoing(
            email.rendered,
            kind=f"reminder-{item.kind}",
            recipient=email.recipient,
            council_id=item.council_id,
            case_id=item.case_id,
            reply_to=email.reply_to,
        )
        for item in batch
        for email in item.emails
    ]
    outbox_ids = iter(queue_many(outgoing))
    rows: list[dict] = []
    superseded = 0
    for item in batch:
        for kind, day in item.superseded:
            rows.append(_reminder(item, kind, day, "-", "superseded"))
            superseded += 1
        for blinded in item.digests:
            rows.append(_reminder(item, item.kind, item.day, blinded, "digest"))
        for email in item.emails:
            rows.append(
                _reminder(item, item.kind, item.day, email.blinded, "queued", next(outbox_ids))
            )
    if rows:
        # NULLs as values, so rows with and without an outbox message share one INSERT.
        db.session.execute(insert(ReminderSent).execution_options(render_nulls=True), rows)
    return len(outgoing), superseded


def _reminder(
    item: _Work, kind: str, day: date, recipient: str, status: str, outbox_id: int | None = None
) -> dict:
    return {
        "council_id": item.council_id,
        "deadline_id": item.deadline_id,
        "kind": kind,
        "recipient": recipient,
        "status": status,
        "for_day": day,
        "outbox_id": outbox_id,
        "created_at": utcnow(),
    }


def recipients(
    council: Council, row: CaseDeadline, kind: str, staff: dict[str, list[User]]
) -> tuple[list[User], list[str]]:
    """(staff users, other addresses) to remind: the owner; overdue also the Monitoring Officer."""
    case = row.case
    users: list[User] = []
    addresses: list[str] = []
    if row.owner == "investigating-officer":
        assigned = {a.user_id for a in case.assignments if a.role == "investigating-officer"}
        users += [u for u in staff.get("investigating-officer", []) if u.id in assigned]
    elif row.owner == "complainant":
        if case.complainant_email:
            addresses.append(case.complainant_email)
    elif row.owner != "subject":
        users += staff.get(row.owner, [])
    if row.owner in ("complainant", "subject") or kind == "overdue" or not users:
        # Someone must chase a party's deadline, and an overdue one is escalated.
        chasers = [u for role in ESCALATE_TO for u in staff.get(role, [])]
        if chasers:
            users += chasers
        else:
            route = next((council.route(k) for k in HANDLING_ROUTE_KINDS if council.route(k)), None)
            if route is not None and route.email:
                addresses.append(route.email)
    unique_users = list({u.id: u for u in users}.values())
    return unique_users, list(dict.fromkeys(addresses))


def _reply_to(council: Council) -> str | None:
    for kind in HANDLING_ROUTE_KINDS:
        route = council.route(kind)
        if route is not None and route.email:
            return route.email
    return None


# --- daily digests -------------------------------------------------------------------------


def send_digests(today: date) -> int:
    """One email a day to each staff member who chose a digest and has something due."""
    from conduct import access

    sent = 0
    users = db.session.scalars(
        select(User).where(User.reminder_mode == "digest", User.active.is_(True))
    ).all()
    for user in users:
        if db.session.scalar(
            select(DigestSent.id).where(DigestSent.user_id == user.id, DigestSent.day == today)
        ):
            continue
        council_ids = access.council_scope(user)
        if not council_ids:
            continue
        with scope(council_ids):
            rows = db.session.scalars(
                select(CaseDeadline)
                .join(Case, Case.id == CaseDeadline.case_id)
                .where(
                    CaseDeadline.status == engine.OPEN,
                    Case.paused_on.is_(None),
                    CaseDeadline.due_on <= today + timedelta(days=7),
                    access.readable(user),
                )
                .options(selectinload(CaseDeadline.case).selectinload(Case.council))
                .order_by(CaseDeadline.due_on)
            ).all()
            if not rows:
                continue
            items = [
                {
                    "reference": r.case.reference,
                    "council": r.case.council.name,
                    "label": engine.procedure_of(r.case).deadline(r.key).label,
                    "due_on": r.due_on,
                    "overdue": r.due_on < today,
                    "link": external_url("staff.case", case_id=r.case_id),
                }
                for r in rows
            ]
            try:
                message = queue_email(
                    kind="digest",
                    recipient=user.email,
                    template="deadline_digest",
                    user=user,
                    items=items,
                    today=today,
                )
                db.session.flush()
                db.session.add(DigestSent(user_id=user.id, day=today, outbox_id=message.id))
                db.session.commit()
                sent += 1
            except IntegrityError:
                db.session.rollback()
    return sent
