"""The procedure engine: moves a case through its procedure's stages, keeping its deadlines.

Everything here is generic: which stages, actions, deadlines and roles exist
comes from the procedure's data (conduct/procedures). Every change is written
to the case's append-only timeline in the same transaction; the caller
commits.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from conduct import notifications
from conduct.calendar import WorkingCalendar, add_calendar_days, add_months
from conduct.models import (
    Case,
    CaseAssignment,
    CaseDeadline,
    CaseEvent,
    CaseExclusion,
    EvidenceFile,
)
from conduct.procedures import PROCEDURES
from conduct.procedures.model import PREVIOUS, SYSTEM_ROLE, Action, Deadline, Procedure
from conduct.timeutil import london_date
from core.db import db, utcnow
from core.i18n import as_recorded
from tenants.models import Council, User

OPEN, MET, CLOSED = "open", "met", "closed"
PERSONAL_INPUTS = frozenset({"text", "email", "textarea"})
SOON_WORKING_DAYS = 2  # "due soon": on or within this many working days of today


class ActionRefusedError(Exception):
    """The user may not take this action (403)."""


class ActionUnavailableError(Exception):
    """The action exists but not now: wrong stage, or a condition does not hold (409)."""


# --- calendar -----------------------------------------------------------------------


def calendar_for(council: Council) -> WorkingCalendar:
    return WorkingCalendar(council.nation, (c.day for c in council.closure_days))


_AS_OF: ContextVar[date | None] = ContextVar("as_of", default=None)


def today() -> date:
    return _AS_OF.get() or london_date(utcnow())


@contextmanager
def as_of(day: date) -> Iterator[None]:
    """Work as if today were `day` (demo data that has a history); the clock is untouched."""
    token = _AS_OF.set(day)
    try:
        yield
    finally:
        _AS_OF.reset(token)


def procedure_of(case: Case) -> Procedure:
    return PROCEDURES[case.procedure_key]


# --- who may do what -------------------------------------------------------------------


def roles_of(user: User | None, case: Case) -> set[str]:
    """The roles the user holds for this case.

    An Investigating Officer only if assigned to it; a panel member only if
    seated on one of its hearings, whichever council's committee that is.
    """
    if user is None or not user.is_authenticated:
        return set()
    roles = user.roles_at(case.council_id) - {e.role for e in case.exclusions}
    if "investigating-officer" in roles and not any(
        a.user_id == user.id and a.role == "investigating-officer" for a in case.assignments
    ):
        roles.discard("investigating-officer")
    roles.discard("panel-member")
    if any(s.member.user_id == user.id for h in case.hearings for s in h.seats):
        roles.add("panel-member")
    return roles


def actions_taken(case: Case) -> frozenset[str]:
    """The actions taken on the case so far (what "done:" conditions ask).

    From its timeline when that is loaded (or the case is new); otherwise asked
    of the database, so that a page need not load every entry of a long
    timeline to know which actions to offer.
    """
    if case.id is None or "events" not in inspect(case).unloaded:
        return frozenset(e.action for e in case.events if e.action)
    return frozenset(
        db.session.scalars(
            select(CaseEvent.action)
            .where(CaseEvent.case_id == case.id, CaseEvent.action.is_not(None))
            .distinct()
        )
    )


def holds(case: Case, guard: str, taken: Collection[str] | None = None) -> bool:
    """Evaluate one condition of an action (vocabulary checked at start-up).

    `taken`: the actions taken on the case, if the caller already knows them
    (actions_taken); otherwise they are found when a condition needs them.
    """
    negate = guard.startswith("not:")
    kind, _sep, argument = guard.removeprefix("not:").partition(":")
    if kind == "confidentiality_requested":
        value = bool(case.confidentiality_requested)
    elif kind == "paused":
        value = case.paused_on is not None
    elif kind == "deadline_open":
        value = any(d.key == argument and d.status == OPEN for d in case.deadlines)
    elif kind == "done":
        value = argument in (actions_taken(case) if taken is None else taken)
    elif kind == "fact":
        value = bool(case.fact(argument))
    else:  # pragma: no cover - validation refuses unknown guards at start-up
        raise ValueError(guard)
    return value != negate


def _in_reach(case: Case, action: Action, taken: Collection[str] | None = None) -> bool:
    """Offered in the case's current state: its stage, pause state and conditions."""
    procedure = procedure_of(case)
    if action not in procedure.actions_in(case.stage):
        return False
    stage = procedure.stage(case.stage)
    # A case paused by an officer waits for "resume"; a paused stage (police) has
    # its own way out. Notes are always possible.
    if (
        case.paused_on is not None
        and stage.kind != "paused"
        and not (action.resumes or action.key == "add-note")
    ):
        return False
    return all(holds(case, guard, taken) for guard in action.when)


def available_actions(
    case: Case,
    user: User | None,
    via: str | None = None,
    *,
    taken: Collection[str] | None = None,
    roles: set[str] | None = None,
) -> list[Action]:
    """What the user may do now: the case page's list (via=None) or a dedicated page's.

    `taken`: as for holds(); found once here otherwise, not once per condition.
    `roles`: the user's roles on the case, if the caller has them (roles_of).
    """
    roles = roles_of(user, case) if roles is None else roles
    offered = [
        a
        for a in procedure_of(case).actions_in(case.stage)
        if a.via == via and roles.intersection(a.roles)
    ]
    if taken is None and any(
        g.removeprefix("not:").startswith("done:") for a in offered for g in a.when
    ):
        taken = actions_taken(case)
    return [a for a in offered if _in_reach(case, a, taken)]


def check_action(
    case: Case, user: User | None, key: str, *, system: bool = False, via: str | None = None
) -> Action:
    """The action, if this user (or the system) may take it on this case now.

    An action declared with `via` is taken only through its own page, which
    records what it needs alongside (e.g. the hearing record), never through
    the generic action form.
    """
    procedure = procedure_of(case)
    try:
        action = procedure.action(key)
    except KeyError:
        raise ActionUnavailableError(key) from None
    if action.via != via:
        raise ActionUnavailableError(key)
    if system:
        if SYSTEM_ROLE not in action.roles:
            raise ActionRefusedError(key)
    elif not roles_of(user, case).intersection(action.roles):
        raise ActionRefusedError(key)
    if not _in_reach(case, action):
        raise ActionUnavailableError(key)
    return action


# --- deadlines --------------------------------------------------------------------------


def compute_due(row: CaseDeadline, calendar: WorkingCalendar) -> date:
    """A deadline's date from its rule, then moved by extensions and pauses (working days)."""
    if row.unit == "working_days":
        base = calendar.due_in_working_days(row.start_on, row.amount)
    elif row.unit == "calendar_days":
        base = add_calendar_days(row.start_on, row.amount)
    elif row.unit == "months":
        base = add_months(row.start_on, row.amount)
    elif row.unit == "working_days_before":
        base = calendar.add_working_days(row.anchor_on or row.start_on, -row.amount)
    else:  # pragma: no cover - validation refuses unknown units
        raise ValueError(row.unit)
    shift = row.extension_days + row.paused_days
    return calendar.add_working_days(base, shift) if shift else base


def deadline_state(row: CaseDeadline, case: Case, calendar: WorkingCalendar, on: date) -> str:
    """met, closed, paused, overdue, due-soon or due."""
    if row.status == MET:
        return "met"
    if row.status == CLOSED:
        return "closed"
    if case.paused_on is not None:
        return "paused"
    if on > row.due_on:
        return "overdue"
    if on >= row.due_on or calendar.add_working_days(on, SOON_WORKING_DAYS) >= row.due_on:
        return "due-soon"
    return "due"


def _open_deadline(
    case: Case, rule: Deadline, start: date, calendar: WorkingCalendar, values: dict, event_row
) -> CaseDeadline:
    for row in case.deadlines:
        if row.key == rule.key and row.status == OPEN:
            # Started again (e.g. a hearing date changed): the old one is superseded.
            row.status, row.closed_on, row.closed_event = CLOSED, start, event_row
    amount = rule.amount
    if rule.amount_input and values.get(rule.amount_input):
        amount = int(values[rule.amount_input])
    anchor = values.get(rule.anchor_input) if rule.anchor_input else None
    row = CaseDeadline(
        council_id=case.council_id,
        key=rule.key,
        owner=rule.owner,
        unit=rule.unit,
        amount=amount,
        start_on=start,
        anchor_on=anchor,
        extension_days=0,
        paused_days=0,
        status=OPEN,
    )
    row.due_on = compute_due(row, calendar)
    case.deadlines.append(row)
    row.opened_event = event_row
    return row


def _shift_open(case: Case, days: int, calendar: WorkingCalendar) -> list[dict]:
    moved = []
    for row in case.deadlines:
        if row.status == OPEN and days:
            before = row.due_on
            row.paused_days += days
            row.due_on = compute_due(row, calendar)
            moved.append(
                {"deadline": row.key, "from": before.isoformat(), "to": row.due_on.isoformat()}
            )
    return moved


# --- the timeline -----------------------------------------------------------------------


def _record(
    case: Case,
    *,
    kind: str,
    summary: object,
    actor: User | None,
    actor_role: str = "",
    action: str | None = None,
    stage_from: str | None = None,
    stage_to: str | None = None,
    reason: object = None,
    data: dict | None = None,
) -> CaseEvent:
    # In the record's language, whoever's request wrote it (core.i18n.record_language).
    row = CaseEvent(
        council_id=case.council_id,
        kind=kind,
        summary=as_recorded(summary),
        actor_id=actor.id if actor else None,
        actor_name=(actor.full_name or actor.email) if actor else as_recorded(_l("System")),
        actor_role=actor_role or ("" if actor else SYSTEM_ROLE),
        action=action,
        stage_from=stage_from,
        stage_to=stage_to,
        reason=as_recorded(reason) if reason is not None else None,
        data=data or {},
    )
    case.events.append(row)
    return row


def system_event(
    case: Case,
    actor: User | None,
    summary: object,
    *,
    action: str | None = None,
    reason: object = None,
    actor_role: str | None = None,
) -> CaseEvent:
    """A timeline entry for something done outside the procedure's actions.

    `summary` is a lazy string (lazy_gettext), or a function returning the text, so
    that it is made in the record's language (core.i18n.record_language).
    """
    if actor_role is None:
        actor_role = next(iter(sorted(roles_of(actor, case))), "") if actor else ""
    return _record(
        case,
        kind="system",
        summary=summary,
        actor=actor,
        actor_role=actor_role,
        action=action,
        reason=reason,
    )


@event.listens_for(Session, "before_flush")
def _timeline_is_append_only(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, CaseEvent) and (obj in session.deleted or session.is_modified(obj)):
            if obj in session.deleted and obj.case is not None and obj.case in session.deleted:
                continue  # the whole case is being deleted (retention), not its history edited
            raise PermissionError("the case timeline is append-only")


# --- starting and moving cases -----------------------------------------------------------


def start(
    case: Case,
    council: Council,
    *,
    actor: User | None = None,
    entry: str | None = None,
    data: dict | None = None,
) -> None:
    """Put a new case at its entry stage and open that stage's deadlines from receipt."""
    procedure = procedure_of(case)
    point = procedure.entry(entry)
    case.entry_point = point.key
    case.stage = point.stage
    opened = _record(
        case,
        kind="opened",
        summary=_l("Case opened: %(stage)s", stage=procedure.stage(point.stage).label),
        actor=actor,
        stage_to=point.stage,
        data={"received_on": case.received_on.isoformat(), "channel": case.channel, **(data or {})},
    )
    calendar = calendar_for(council)
    for key in procedure.stage(point.stage).deadlines:
        _open_deadline(case, procedure.deadline(key), case.received_on, calendar, {}, opened)


@dataclass
class Outcome:
    event: CaseEvent
    moved: list[dict]
    message_ids: list[int]


def perform(
    case: Case,
    council: Council,
    key: str,
    *,
    actor: User | None,
    values: dict | None = None,
    system: bool = False,
    on: date | None = None,
    via: str | None = None,
) -> Outcome:
    """Take an action on a case: check, record, meet/start deadlines, move stage."""
    action = check_action(case, actor, key, system=system, via=via)
    values = values or {}
    procedure = procedure_of(case)
    calendar = calendar_for(council)
    day = on or today()
    target = _target(case, action)
    acting_as = _acting_role(case, actor, action)

    entry = _record(
        case,
        kind="action",
        summary=action.done or action.label,
        actor=None if system else actor,
        actor_role=acting_as,
        action=action.key,
        stage_from=case.stage,
        stage_to=target if target != case.stage else None,
        reason=_text(values.get("reason")),
        data=_snapshot(action, values),
    )
    moved: list[dict] = []

    for name in action.assigns:
        user = values.get(name)
        if isinstance(user, User):
            _assign(case, user, next(i.user_role for i in action.inputs if i.name == name))
    for spec in action.inputs:
        chosen = next((c for c in spec.choices if c.value == values.get(spec.name)), None)
        for role in chosen.excludes if chosen else ():
            if role not in {e.role for e in case.exclusions}:
                case.exclusions.append(CaseExclusion(council_id=case.council_id, role=role))
    facts, private = dict(case.facts or {}), dict(case.private_facts or {})
    kinds = {i.name: i.kind for i in action.inputs}
    for fact, source in action.sets:
        value = source[1:] if source.startswith("=") else values.get(source)
        value = value.isoformat() if isinstance(value, date) else value
        # What a person typed (an email address, text) is personal: sealed at rest.
        # Choices, dates and numbers stay readable for statistics.
        if kinds.get(source) in PERSONAL_INPUTS:
            private[fact] = value
            facts.pop(fact, None)
        else:
            facts[fact] = value
    case.facts, case.private_facts = facts, private

    for row in case.deadlines:
        if row.status == OPEN and row.key in action.meets:
            row.status, row.met_on, row.closed_event = MET, day, entry
        elif row.status == OPEN and row.key in action.closes:
            row.status, row.closed_on, row.closed_event = CLOSED, day, entry

    if action.pauses:
        case.paused_on = day
    if action.resumes and case.paused_on is not None:
        moved += _resume(case, calendar, day)

    if target != case.stage:
        moved += _move(case, procedure, target, calendar, day, entry)

    for key_ in action.starts:
        _open_deadline(case, procedure.deadline(key_), day, calendar, values, entry)
    if moved:
        entry.data = {**entry.data, "deadlines_moved": moved}
    db.session.flush()
    for value in values.values():
        if isinstance(value, EvidenceFile):  # a document given with the action
            value.case, value.event_id = case, entry.id
    messages = notifications.notify_action(case, council, action, entry) if action.notifies else []
    db.session.flush()
    return Outcome(event=entry, moved=moved, message_ids=[m.id for m in messages])


def _target(case: Case, action: Action) -> str:
    if action.to is None:
        return case.stage
    if action.to == PREVIOUS:
        return case.previous_stage or case.stage
    return action.to


def _acting_role(case: Case, actor: User | None, action: Action) -> str:
    if actor is None:
        return SYSTEM_ROLE
    held = roles_of(actor, case).intersection(action.roles)
    for role in action.roles:  # the first role the procedure names, for the record
        if role in held:
            return role
    return ""


def _resume(case: Case, calendar: WorkingCalendar, day: date) -> list[dict]:
    days = calendar.working_days_between(case.paused_on, day)
    case.paused_on = None
    return _shift_open(case, days, calendar)


def _move(
    case: Case, procedure: Procedure, target: str, calendar: WorkingCalendar, day: date, entry
) -> list[dict]:
    moved: list[dict] = []
    leaving = procedure.stage(case.stage)
    arriving = procedure.stage(target)
    returning = leaving.kind == "closed" and target == case.previous_stage
    if leaving.kind == "paused" and case.paused_on is not None:
        moved += _resume(case, calendar, day)
    if returning:
        # Continuing a withdrawn case: what it closed opens again, moved by the time it
        # was closed, as after a pause.
        closed_by = next(
            (e for e in reversed(case.events) if e.stage_to == case.stage and e is not entry),
            None,
        )
        days = calendar.working_days_between(case.closed_on or day, day)
        for row in case.deadlines:
            if row.status == CLOSED and closed_by is not None and row.closed_event is closed_by:
                row.status, row.closed_on, row.closed_event = OPEN, None, None
                before = row.due_on
                row.paused_days += days
                row.due_on = compute_due(row, calendar)
                moved.append(
                    {"deadline": row.key, "from": before.isoformat(), "to": row.due_on.isoformat()}
                )
        case.closed_on, case.outcome = None, None
    case.previous_stage = case.stage
    case.stage = target
    if arriving.kind == "closed":
        for row in case.deadlines:
            if row.status == OPEN:
                row.status, row.closed_on, row.closed_event = CLOSED, day, entry
        case.closed_on, case.outcome = day, arriving.outcome
        case.paused_on = None
    elif arriving.kind == "paused":
        case.paused_on = day
    for key in arriving.deadlines:
        _open_deadline(case, procedure.deadline(key), day, calendar, {}, entry)
    return moved


def _assign(case: Case, user: User, role: str | None) -> None:
    role = role or "investigating-officer"
    if not any(a.user_id == user.id and a.role == role for a in case.assignments):
        case.assignments.append(CaseAssignment(council_id=case.council_id, user=user, role=role))


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _snapshot(action: Action, values: dict) -> dict:
    """The inputs as plain data for the timeline (files and people by name)."""
    data: dict = {}
    for field in action.inputs:
        value = values.get(field.name)
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, EvidenceFile):
            data[field.name] = {"file": value.original_name}
        elif isinstance(value, User):
            data[field.name] = {"user_id": value.id, "name": value.full_name or value.email}
        elif isinstance(value, date | datetime):
            data[field.name] = value.isoformat()
        else:
            data[field.name] = value
    return data


# --- extensions and recomputation -----------------------------------------------------


def extend(
    case: Case, council: Council, row: CaseDeadline, *, actor: User, days: int, reason: str
) -> CaseEvent:
    """Extend an open deadline by working days, by a role the procedure names, with a reason."""
    rule = procedure_of(case).deadline(row.key)
    if not roles_of(actor, case).intersection(rule.extend_roles):
        raise ActionRefusedError("extend")
    if row.status != OPEN or row.case_id != case.id:
        raise ActionUnavailableError("extend")
    before = row.due_on
    row.extension_days += days
    row.due_on = compute_due(row, calendar_for(council))
    return _record(
        case,
        kind="deadline",
        summary=lazy_ngettext(
            "Deadline extended: %(deadline)s, by %(num)d working day",
            "Deadline extended: %(deadline)s, by %(num)d working days",
            days,
            deadline=rule.label,
        ),
        actor=actor,
        actor_role=next(r for r in rule.extend_roles if r in roles_of(actor, case)),
        action="extend-deadline",
        reason=reason,
        data={"deadline": row.key, "from": before.isoformat(), "to": row.due_on.isoformat()},
    )


def recompute_open_deadlines(council: Council, why: object) -> int:
    """Recompute every open deadline of a council (after a closure day or holiday change).

    Deadlines already met or closed do not move. Each change goes in its
    case's timeline. Returns how many deadlines moved.
    """
    calendar = calendar_for(council)
    rows = db.session.scalars(
        select(CaseDeadline)
        .join(Case)
        .where(Case.council_id == council.id, CaseDeadline.status == OPEN)
    ).all()
    moved = 0
    for row in rows:
        due = compute_due(row, calendar)
        if due != row.due_on:
            case = row.case
            rule_label = procedure_of(case).deadline(row.key).label
            _record(
                case,
                kind="deadline",
                summary=_l("Deadline moved: %(deadline)s", deadline=rule_label),
                actor=None,
                reason=why,
                data={"deadline": row.key, "from": row.due_on.isoformat(), "to": due.isoformat()},
            )
            row.due_on = due
            moved += 1
    # Written now, while the caller's tenant scope (this council) holds: a later flush
    # under another council's scope, or a request's, would refuse these rows.
    db.session.flush()
    return moved
