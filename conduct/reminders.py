"""Deadline reminders: before, on the day, and overdue (escalated), each sent exactly once.

A sweep looks only at open deadlines that could need a reminder today (due
within the reminder window, or overdue without an overdue reminder yet), so
its cost grows with what is due, not with all deadlines. For each, the
reminder rows and their outbox messages are written in one transaction; a
unique constraint refuses duplicates from a second sweep or process.
Reminders go out in office hours on the council's working days only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from conduct import engine
from conduct.calendar import WorkingCalendar
from conduct.models import Case, CaseDeadline, DigestSent, ReminderSent
from conduct.timeutil import LONDON
from core.crypto import blind
from core.db import db, utcnow
from core.outbox import queue_email
from core.tenancy import scope
from tenants.models import Council, RoleGrant, User
from tenants.routes_catalogue import HANDLING_ROUTE_KINDS
from tenants.services import external_url

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


def sweep(now: datetime | None = None) -> SweepReport:
    """Queue every reminder that is due now and not yet recorded. Safe to run any time."""
    now = now or utcnow()
    report = SweepReport()
    if not in_office_hours(now):
        report.skipped_reason = "outside office hours"
        return report
    today = now.astimezone(LONDON).date()
    with scope(None):
        councils = db.session.scalars(select(Council).order_by(Council.id)).all()
        council_ids = [(c.id, c.slug) for c in councils]
    db.session.commit()
    for council_id, slug in council_ids:
        with scope({council_id}):
            council = db.session.get(Council, council_id)
            calendar = engine.calendar_for(council)
            if not calendar.is_working_day(today):
                continue
            report.councils.append(slug)
            _sweep_council(council, calendar, today, report)
        db.session.commit()
    report.digests = send_digests(today)
    return report


def _candidates(council: Council, today: date, lead: int) -> list[CaseDeadline]:
    # Calendar-day bound wide enough for `lead` working days across any holiday run.
    horizon = today + timedelta(days=lead + 14)
    overdue_sent = exists().where(
        and_(ReminderSent.deadline_id == CaseDeadline.id, ReminderSent.kind == "overdue")
    )
    return list(
        db.session.scalars(
            select(CaseDeadline)
            .join(Case, Case.id == CaseDeadline.case_id)
            .where(
                CaseDeadline.council_id == council.id,
                CaseDeadline.status == engine.OPEN,
                CaseDeadline.due_on <= horizon,
                Case.paused_on.is_(None),
                ~overdue_sent,
            )
            .options(selectinload(CaseDeadline.case).selectinload(Case.assignments))
            .order_by(CaseDeadline.id)
        )
    )


def _sweep_council(council: Council, calendar: WorkingCalendar, today: date, report: SweepReport):
    rows = _candidates(council, today, council.reminder_days_before)
    if not rows:
        return
    recorded: dict[int, set[str]] = defaultdict(set)
    for deadline_id, kind in db.session.execute(
        select(ReminderSent.deadline_id, ReminderSent.kind).where(
            ReminderSent.deadline_id.in_([r.id for r in rows])
        )
    ):
        recorded[deadline_id].add(kind)
    staff = _staff_by_role(council.id)
    for row in rows:
        days = reminder_days(row, calendar, council.reminder_days_before)
        due_kinds = [k for k in KINDS if days[k] <= today and k not in recorded[row.id]]
        if not due_kinds:
            continue
        # After downtime only the latest reminder is sent; earlier ones whose day
        # passed are recorded as superseded rather than sent late and out of order.
        latest = due_kinds[-1]
        try:
            for kind in due_kinds[:-1]:
                db.session.add(
                    ReminderSent(
                        council_id=council.id,
                        deadline_id=row.id,
                        kind=kind,
                        recipient="-",
                        status="superseded",
                        for_day=days[kind],
                    )
                )
                report.superseded += 1
            report.queued += _queue(council, row, latest, days[latest], staff)
            db.session.commit()
        except IntegrityError:  # another sweep recorded it first: nothing to do
            db.session.rollback()


def _staff_by_role(council_id: int) -> dict[str, list[User]]:
    found: dict[str, list[User]] = defaultdict(list)
    for grant in db.session.scalars(
        select(RoleGrant)
        .join(User)
        .where(RoleGrant.council_id == council_id, User.active.is_(True))
        .options(selectinload(RoleGrant.user))
    ):
        found[grant.role].append(grant.user)
    return found


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


def _queue(
    council: Council, row: CaseDeadline, kind: str, day: date, staff: dict[str, list[User]]
) -> int:
    case = row.case
    rule = engine.procedure_of(case).deadline(row.key)
    users, addresses = recipients(council, row, kind, staff)
    link = external_url("staff.case", case_id=case.id)
    queued = 0
    for user in users:
        if user.reminder_mode == "digest":
            db.session.add(
                ReminderSent(
                    council_id=council.id,
                    deadline_id=row.id,
                    kind=kind,
                    recipient=blind(user.email),
                    status="digest",
                    for_day=day,
                )
            )
            continue
        message = queue_email(
            kind=f"reminder-{kind}",
            recipient=user.email,
            template="deadline_reminder",
            council_id=council.id,
            case_id=case.id,
            reply_to=None,
            case=case,
            council=council,
            deadline=row,
            label=rule.label,  # lazy: in the email's language
            reminder=kind,
            link=link,
        )
        db.session.flush()
        db.session.add(
            ReminderSent(
                council_id=council.id,
                deadline_id=row.id,
                kind=kind,
                recipient=blind(user.email),
                status="queued",
                for_day=day,
                outbox_id=message.id,
            )
        )
        queued += 1
    for address in addresses:
        complainant = address == case.complainant_email and row.owner == "complainant"
        message = queue_email(
            kind=f"reminder-{kind}",
            recipient=address,
            template="party_reminder" if complainant else "deadline_reminder",
            language=case.language if complainant else "en",
            council_id=council.id,
            case_id=case.id,
            reply_to=_reply_to(council),
            case=case,
            council=council,
            deadline=row,
            label=rule.label,  # lazy: in the email's language
            reminder=kind,
            link=None if complainant else link,
        )
        db.session.flush()
        db.session.add(
            ReminderSent(
                council_id=council.id,
                deadline_id=row.id,
                kind=kind,
                recipient=blind(address),
                status="queued",
                for_day=day,
                outbox_id=message.id,
            )
        )
        queued += 1
    db.session.flush()
    return queued


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
