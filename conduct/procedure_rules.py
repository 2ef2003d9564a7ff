"""A procedure's rules as the public reads them, built from the procedure's own data.

The same data drives the casework engine, so the published rules cannot
drift from what the service does. Each piece keeps its seed citation.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from conduct.procedures.model import Action, Deadline, Procedure, Stage
from core.labels import owner_label

# A timeline note changes nothing of the procedure: it is internal record-keeping.
_INTERNAL_ACTIONS = frozenset({"add-note"})


@dataclass(frozen=True)
class Step:
    label: str
    who: str
    seed: str


@dataclass(frozen=True)
class StageRules:
    label: str
    description: str
    seed: str
    steps: list[Step]


@dataclass(frozen=True)
class TimeLimit:
    label: str
    limit: str
    counted_from: str
    who: str
    extended_by: str
    seed: str


@dataclass(frozen=True)
class Rules:
    procedure: Procedure
    stages: list[StageRules]
    anytime: list[Step]
    outcomes: list[Stage]
    time_limits: list[TimeLimit]


def _who(roles: tuple[str, ...]) -> str:
    return ", ".join(dict.fromkeys(owner_label(role) for role in roles))


def _step(action: Action) -> Step:
    return Step(label=str(action.label), who=_who(action.roles), seed=action.seed)


def _steps(actions: tuple[Action, ...]) -> list[Step]:
    return [_step(a) for a in actions if a.key not in _INTERNAL_ACTIONS]


def limit_text(deadline: Deadline) -> str:
    n = deadline.amount
    if deadline.unit == "working_days":
        text = ngettext("%(num)d working day", "%(num)d working days", n)
    elif deadline.unit == "calendar_days":
        text = ngettext("%(num)d calendar day", "%(num)d calendar days", n)
    elif deadline.unit == "months":
        text = ngettext("%(num)d month", "%(num)d months", n)
    else:
        text = ngettext("%(num)d working day before", "%(num)d working days before", n)
    if deadline.amount_input:
        text = _("%(limit)s, unless another period is set", limit=text)
    return text


def _counted_from(procedure: Procedure, deadline: Deadline) -> str:
    for stage in procedure.stages:
        if deadline.key in stage.deadlines:
            return str(stage.label)
        for action in stage.actions:
            if deadline.key in action.starts:
                if deadline.anchor_input:
                    anchor = next(
                        (i for i in action.inputs if i.name == deadline.anchor_input), None
                    )
                    if anchor is not None:
                        return str(anchor.label)
                return str(action.done or action.label)
    return ""


def rules_of(procedure: Procedure) -> Rules:
    active = [s for s in procedure.stages if s.kind != "closed"]
    return Rules(
        procedure=procedure,
        stages=[
            StageRules(
                label=str(stage.label),
                description=str(stage.description or ""),
                seed=stage.seed,
                steps=_steps(stage.actions),
            )
            for stage in active
        ],
        anytime=_steps(procedure.anywhere),
        outcomes=[s for s in procedure.stages if s.kind == "closed"],
        time_limits=[
            TimeLimit(
                label=str(d.label),
                limit=limit_text(d),
                counted_from=_counted_from(procedure, d),
                who=owner_label(d.owner),
                extended_by=_who(d.extend_roles),
                seed=d.seed,
            )
            for d in procedure.deadlines
        ],
    )


@dataclass(frozen=True)
class HearingGuide:
    procedure: Procedure
    outcomes: list[str]
    # "at least 5 working days before the hearing", from the publishing deadline.
    papers_before: str


def hearing_guide(procedure: Procedure) -> HearingGuide | None:
    hearing = procedure.hearing
    if hearing is None:
        return None
    decision = procedure.action(hearing.decision_action)
    outcome = next((i for i in decision.inputs if i.name == hearing.outcome_input), None)
    papers_before = ""
    if hearing.publish_action:
        for key in procedure.action(hearing.publish_action).meets:
            deadline = procedure.deadline(key)
            if deadline.unit == "working_days_before":
                papers_before = limit_text(deadline)
    return HearingGuide(
        procedure=procedure,
        outcomes=[str(c.label) for c in outcome.choices] if outcome else [],
        papers_before=papers_before,
    )


def assessment_factors(procedure: Procedure) -> list[str]:
    """What an initial assessment weighs (seed 003 Rule 9 §2.2.4): its checklist's choices."""
    for stage in procedure.stages:
        for action in stage.actions:
            for field in action.inputs:
                if field.kind == "checklist" and field.name == "factors":
                    return [str(c.label) for c in field.choices]
    return []
