"""Start-up checks of procedure definitions: a mistake stops the app with a message naming it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from conduct.procedures.model import (
    NOTICE_AUDIENCES,
    PARTY_ROLES,
    PREVIOUS,
    SYSTEM_ROLE,
    Action,
    Procedure,
    Stage,
)
from tenants.roles import ROLES

KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
UNITS = ("working_days", "calendar_days", "months", "working_days_before")
INPUT_KINDS = ("text", "email", "textarea", "date", "choice", "checklist", "number", "file", "user")
STAGE_KINDS = ("active", "paused", "closed")
# Guards an action may name (see conduct/engine.py); "not:" negates any of them.
GUARD_KINDS = ("confidentiality_requested", "paused", "deadline_open", "done", "fact")
# Yes/no answers of the staff intake form that an intake check may name (conduct/intake.py).
INTAKE_FLAGS = ("subject_not_councillor", "repeat")
# Dedicated pages an action can be taken through (Action.via).
VIA_PAGES = ("hearing",)
# Decision notice templates the app can draft (templates/notices/<key>.html).
NOTICE_TEMPLATES = ("initial-assessment", "hearing-panel")


class ProcedureDefinitionError(ValueError):
    """A procedure definition is wrong; the message names the procedure and the part."""


def validate(procedure: Procedure) -> None:
    problems = list(_problems(procedure))
    if problems:
        raise ProcedureDefinitionError(
            f"procedure {procedure.key!r} is not valid: " + "; ".join(problems)
        )


def _problems(p: Procedure) -> Iterator[str]:
    if not KEY.match(p.key):
        yield f"key {p.key!r} must be lower-case words joined by hyphens"
    if not p.seed:
        yield "it cites no seed paragraph"
    stages: dict[str, Stage] = {}
    for stage in p.stages:
        if stage.key in stages:
            yield f"stage {stage.key!r} is declared twice"
        stages[stage.key] = stage
    deadlines = {d.key: d for d in p.deadlines}
    if len(deadlines) != len(p.deadlines):
        yield "a deadline key is declared twice"
    if not stages:
        yield "it has no stages"
        return

    entries = p.entry_points or ()
    for entry in entries:
        if entry.stage not in stages:
            yield f"entry point {entry.key!r} starts at unknown stage {entry.stage!r}"

    yield from _check_stages(p, stages, deadlines)
    yield from _check_deadlines(p, deadlines)
    yield from _check_actions(p, stages, deadlines)
    yield from _check_reachable(p, stages)
    for check in p.intake_checks:
        if (check.older_than_months is None) == (check.flag is None):
            yield f"intake check {check.key!r} needs either an age in months or a flag"
        if check.flag is not None and check.flag not in INTAKE_FLAGS:
            yield f"intake check {check.key!r} names unknown flag {check.flag!r}"
    for role in p.readers:
        if role not in ROLES:
            yield f"reader role {role!r} is not a role"
    for key in p.confidential_stages:
        if key not in stages:
            yield f"confidential stage {key!r} is not a stage"
    values = [c.value for c in p.provisions]
    if len(set(values)) != len(values):
        yield "a code of conduct provision is listed twice"
    yield from _check_hearing(p, stages)
    yield from _check_notices(p)


def _action_named(p: Procedure, key: str) -> Action | None:
    return next((a for a in _all_actions(p) if a.key == key), None)


def _check_hearing(p: Procedure, stages: dict[str, Stage]) -> Iterator[str]:
    rules = p.hearing
    via_hearing = {a.key for a in _all_actions(p) if a.via == "hearing"}
    if rules is None:
        if via_hearing:
            yield f"actions {sorted(via_hearing)} are taken via the hearing pages, but it has no hearing rules"
        return
    where = "hearing rules"
    if not rules.seed or not rules.panel.seed:
        yield f"{where}: cite no seed paragraph"
    for key in rules.stages:
        if key not in stages:
            yield f"{where}: unknown stage {key!r}"
    items = [i.key for i in rules.order_of_business]
    if not items:
        yield f"{where}: no order of business"
    if len(set(items)) != len(items):
        yield f"{where}: an order-of-business item is listed twice"
    for item in rules.order_of_business:
        if not KEY.match(item.key) or not item.seed:
            yield f"{where}: order-of-business item {item.key!r} needs a key and a seed"
    named = [*rules.schedule_actions, rules.decision_action]
    if rules.publish_action:
        named.append(rules.publish_action)
    for key in named:
        action = _action_named(p, key)
        if action is None:
            yield f"{where}: names unknown action {key!r}"
        elif action.via != "hearing":
            yield f"{where}: action {key!r} must be declared via='hearing'"
    for key in rules.schedule_actions:
        action = _action_named(p, key)
        if action is not None and not any(
            i.name == "hearing_date" and i.kind == "date" for i in action.inputs
        ):
            yield f"{where}: schedule action {key!r} has no date input 'hearing_date'"
    decision = _action_named(p, rules.decision_action)
    if decision is not None:
        outcome = next((i for i in decision.inputs if i.name == rules.outcome_input), None)
        if outcome is None or outcome.kind != "choice":
            yield f"{where}: decision action has no choice input {rules.outcome_input!r}"
        else:
            offered = {c.value for c in outcome.choices}
            for value in rules.breach_outcomes:
                if value not in offered:
                    yield f"{where}: breach outcome {value!r} is not a choice of the decision"
    if rules.sanctions and not rules.sanctions_seed:
        yield f"{where}: sanctions cite no seed paragraph"
    if rules.findings_per_allegation and not p.provisions:
        yield f"{where}: findings per allegation need the code provisions"
    for key in via_hearing - set(named):
        yield f"{where}: action {key!r} is via the hearing pages but the rules do not name it"


def _check_notices(p: Procedure) -> Iterator[str]:
    action_keys = {a.key for a in _all_actions(p)}
    seen: set[str] = set()
    for kind in p.notices:
        where = f"notice {kind.key!r}"
        if kind.key in seen:
            yield f"{where}: declared twice"
        seen.add(kind.key)
        if kind.key not in NOTICE_TEMPLATES:
            yield f"{where}: no template of that name"
        if not kind.seed:
            yield f"{where}: cites no seed paragraph"
        if not kind.after_actions:
            yield f"{where}: names no action after which it is drafted"
        for key in kind.after_actions:
            if key not in action_keys:
                yield f"{where}: names unknown action {key!r}"
        if not kind.approvals:
            yield f"{where}: needs at least one approval"
        for group in kind.approvals:
            for role in group:
                if role not in ROLES:
                    yield f"{where}: approval role {role!r} is not a role"


def _check_stages(p: Procedure, stages: dict[str, Stage], deadlines: dict) -> Iterator[str]:
    for stage in stages.values():
        where = f"stage {stage.key!r}"
        if not KEY.match(stage.key):
            yield f"{where}: key must be lower-case words joined by hyphens"
        if stage.kind not in STAGE_KINDS:
            yield f"{where}: unknown kind {stage.kind!r}"
        if not stage.seed:
            yield f"{where}: cites no seed paragraph"
        for key in stage.deadlines:
            if key not in deadlines:
                yield f"{where}: opens unknown deadline {key!r}"
        if stage.kind == "closed":
            if not stage.outcome:
                yield f"{where}: a closed stage needs an outcome"
        else:
            moves = [a for a in p.actions_in(stage.key) if a.to is not None]
            if not moves:
                yield f"{where}: no action leads out of it (a dead end)"


def _check_deadlines(p: Procedure, deadlines: dict) -> Iterator[str]:
    started = {k for s in p.stages for k in s.deadlines}
    met: set[str] = set()
    for action in _all_actions(p):
        started.update(action.starts)
        met.update(action.meets)
    for deadline in deadlines.values():
        where = f"deadline {deadline.key!r}"
        if not deadline.owner:
            yield f"{where}: has no owner"
        elif deadline.owner not in ROLES and deadline.owner not in PARTY_ROLES:
            yield f"{where}: owner {deadline.owner!r} is not a role or party"
        if deadline.unit not in UNITS:
            yield f"{where}: unknown unit {deadline.unit!r}"
        if deadline.amount <= 0:
            yield f"{where}: amount must be positive"
        if not deadline.seed:
            yield f"{where}: cites no seed paragraph"
        if deadline.unit == "working_days_before" and not deadline.anchor_input:
            yield f"{where}: counts back from a date but names no anchor input"
        for role in deadline.extend_roles:
            if role not in ROLES:
                yield f"{where}: extend role {role!r} is not a role"
        if deadline.key not in started:
            yield f"{where}: nothing starts it"
        if deadline.key not in met:
            yield f"{where}: no action meets it"


def _check_actions(p: Procedure, stages: dict[str, Stage], deadlines: dict) -> Iterator[str]:
    seen: dict[str, Action] = {}
    action_keys = {a.key for a in _all_actions(p)}
    for stage_key, action in _placed_actions(p):
        where = f"action {action.key!r} in stage {stage_key!r}"
        if action.key in seen and seen[action.key] != action:
            yield f"{where}: another action has the same key"
        seen[action.key] = action
        if not KEY.match(action.key):
            yield f"{where}: key must be lower-case words joined by hyphens"
        if not action.seed:
            yield f"{where}: cites no seed paragraph"
        if not action.roles:
            yield f"{where}: no role may take it"
        for role in action.roles:
            if role not in ROLES and role != SYSTEM_ROLE:
                yield f"{where}: role {role!r} is not a role"
        if action.to is not None and action.to != PREVIOUS and action.to not in stages:
            yield f"{where}: goes to unknown stage {action.to!r}"
        stage = stages.get(stage_key)
        if action.to == PREVIOUS and stage is not None and stage.kind != "closed":
            yield f"{where}: only a closed stage can go back to the previous stage"
        inputs = {i.name: i for i in action.inputs}
        for key in (*action.meets, *action.starts, *action.closes):
            if key not in deadlines:
                yield f"{where}: names unknown deadline {key!r}"
        for key in action.starts:
            deadline = deadlines.get(key)
            if deadline is None:
                continue
            for needed in (deadline.anchor_input, deadline.amount_input):
                if needed and needed not in inputs:
                    yield f"{where}: starts {key!r} but has no input {needed!r}"
        for guard in action.when:
            yield from _check_guard(where, guard, deadlines, action_keys)
        for fact, source in action.sets:
            if not source.startswith("=") and source not in inputs:
                yield f"{where}: sets {fact!r} from unknown input {source!r}"
        for name in action.assigns:
            if name not in inputs or inputs[name].kind != "user":
                yield f"{where}: assigns from {name!r}, which is not a user input"
        for field in action.inputs:
            if field.kind not in INPUT_KINDS:
                yield f"{where}: input {field.name!r} has unknown kind {field.kind!r}"
            if field.kind in ("choice", "checklist") and not field.choices:
                yield f"{where}: input {field.name!r} offers no choices"
            for choice in field.choices:
                for role in choice.excludes:
                    if role not in ROLES:
                        yield f"{where}: choice {choice.value!r} excludes unknown role {role!r}"
            if field.kind == "user" and field.user_role not in ROLES:
                yield f"{where}: input {field.name!r} names no valid user role"
        for notice in action.notifies:
            if notice.to not in NOTICE_AUDIENCES:
                yield f"{where}: notifies unknown audience {notice.to!r}"
            if not notice.seed:
                yield f"{where}: a notice cites no seed paragraph"
        if action.pauses and action.resumes:
            yield f"{where}: cannot both pause and resume"
        if action.via is not None and action.via not in VIA_PAGES:
            yield f"{where}: taken via unknown page {action.via!r}"


def _check_guard(where: str, guard: str, deadlines: dict, actions: set[str]) -> Iterator[str]:
    kind, _, argument = guard.removeprefix("not:").partition(":")
    if kind not in GUARD_KINDS:
        yield f"{where}: unknown condition {guard!r}"
    elif kind == "deadline_open" and argument not in deadlines:
        yield f"{where}: condition names unknown deadline {argument!r}"
    elif kind == "done" and argument not in actions:
        yield f"{where}: condition names unknown action {argument!r}"
    elif kind == "fact" and not argument:
        yield f"{where}: condition {guard!r} names no fact"


def _check_reachable(p: Procedure, stages: dict[str, Stage]) -> Iterator[str]:
    entries = [e.stage for e in p.entry_points] or [p.stages[0].key]
    reached = set(entries)
    frontier = list(entries)
    while frontier:
        key = frontier.pop()
        if key not in stages:
            continue
        for action in p.actions_in(key):
            if action.to and action.to != PREVIOUS and action.to not in reached:
                reached.add(action.to)
                frontier.append(action.to)
    for key in stages:
        if key not in reached:
            yield f"stage {key!r} cannot be reached"


def _placed_actions(p: Procedure) -> Iterator[tuple[str, Action]]:
    for stage in p.stages:
        for action in stage.actions:
            yield stage.key, action
    for action in p.anywhere:
        yield "(any stage)", action


def _all_actions(p: Procedure) -> Iterator[Action]:
    for _stage, action in _placed_actions(p):
        yield action
