"""The anonymous rows statistics are computed from: one kind per figure family.

Statistics never aggregate the case tables directly. They aggregate three
SELECTs with fixed columns, none of which holds a name, a reference or free
text:

* case records, one per case: ``council_id, procedure_key, received_on,
  closed_on, stage, stage_reached, outcome, decision, complaint_type``;
* deadline records, one per deadline: ``council_id, procedure_key,
  received_on, key, status, due_on, met_on, paused_on``;
* sanction records, one per decided hearing: ``council_id, procedure_key,
  received_on, sanctions`` (the JSON text of the list of sanction keys).

Two sources have these columns: the live case data (`live_records`) and the
anonymised rows kept of each case deleted under the retention policy
(conduct/retention/records.py); the service adds the second to the first
with `Records.including`, so every figure counts a deleted case unchanged.

The selects go through the ORM, so tenant scoping (core/tenancy.py) limits them
to the councils in scope, and `visible` to the cases a staff user may read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    CompoundSelect,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    null,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from conduct.hearings.models import DECIDED, Hearing
from conduct.models import Case, CaseDeadline
from conduct.procedures import PROCEDURES
from conduct.procedures.model import Choice

# seed 002 §5.2: complaints resolved at Stage 1 are reported by number and type.
STAGE_ONE_PROCEDURE = "local-resolution"
STAGE_ONE_CLOSED = "closed-stage-1"
COMPLAINT_TYPE = "complaint_type"

Source = Select | CompoundSelect


@dataclass(frozen=True)
class Records:
    cases: Source
    deadlines: Source
    sanctions: Source

    def including(self, other: Records) -> Records:
        """These records and another source's (e.g. anonymised rows of deleted cases)."""
        return Records(
            cases=union_all(self.cases, other.cases),
            deadlines=union_all(self.deadlines, other.deadlines),
            sanctions=union_all(self.sanctions, other.sanctions),
        )


def decision_facts() -> dict[str, str]:
    """Procedure key -> the case fact its hearing decision is recorded in.

    The decision action of a procedure's hearing rules sets a fact from the
    outcome input (conduct complaint: "finding", local resolution: "outcome").
    """
    found = {}
    for key, procedure in PROCEDURES.items():
        rules = procedure.hearing
        if rules is None:
            continue
        action = procedure.action(rules.decision_action)
        for fact, source in action.sets:
            if source == rules.outcome_input:
                found[key] = fact
    return found


def decision_choices(procedure_key: str) -> tuple[Choice, ...]:
    """The possible hearing decisions of a procedure, in the order the procedure lists them."""
    procedure = PROCEDURES[procedure_key]
    if procedure.hearing is None:
        return ()
    action = procedure.action(procedure.hearing.decision_action)
    spec = next((i for i in action.inputs if i.name == procedure.hearing.outcome_input), None)
    return spec.choices if spec else ()


def complaint_types() -> tuple[Choice, ...]:
    """The Stage 1 complaint types, as the action that resolves Stage 1 offers them."""
    procedure = PROCEDURES.get(STAGE_ONE_PROCEDURE)
    if procedure is None:
        return ()
    for stage in procedure.stages:
        for action in stage.actions:
            if action.to != STAGE_ONE_CLOSED:
                continue
            for spec in action.inputs:
                if spec.name == COMPLAINT_TYPE:
                    return spec.choices
    return ()


def live_records(visible: ColumnElement[bool] | None = None) -> Records:
    """Records of the cases in the database (within the tenant scope and `visible`)."""
    return Records(
        cases=case_records(visible),
        deadlines=deadline_records(visible),
        sanctions=sanction_records(visible),
    )


def _visible(statement: Select, visible: ColumnElement[bool] | None) -> Select:
    return statement if visible is None else statement.where(visible)


def case_records(visible: ColumnElement[bool] | None = None) -> Select:
    whens = [
        (Case.procedure_key == key, Case.facts[fact].as_string())
        for key, fact in sorted(decision_facts().items())
    ]
    decision = case(*whens, else_=null()) if whens else null()
    complaint_type = case(
        (
            and_(Case.procedure_key == STAGE_ONE_PROCEDURE, Case.stage == STAGE_ONE_CLOSED),
            Case.facts[COMPLAINT_TYPE].as_string(),
        ),
        else_=null(),
    )
    # A closed case is counted at the stage it closed from, with its outcome.
    stage_reached = case(
        (Case.closed_on.is_not(None), func.coalesce(Case.previous_stage, Case.stage)),
        else_=Case.stage,
    )
    return _visible(
        select(
            Case.council_id.label("council_id"),
            Case.procedure_key.label("procedure_key"),
            Case.received_on.label("received_on"),
            Case.closed_on.label("closed_on"),
            Case.stage.label("stage"),
            stage_reached.label("stage_reached"),
            Case.outcome.label("outcome"),
            decision.label("decision"),
            complaint_type.label("complaint_type"),
        ),
        visible,
    )


def deadline_records(visible: ColumnElement[bool] | None = None) -> Select:
    return _visible(
        select(
            CaseDeadline.council_id.label("council_id"),
            Case.procedure_key.label("procedure_key"),
            Case.received_on.label("received_on"),
            CaseDeadline.key.label("key"),
            CaseDeadline.status.label("status"),
            CaseDeadline.due_on.label("due_on"),
            CaseDeadline.met_on.label("met_on"),
            Case.paused_on.label("paused_on"),
        ).join(Case, Case.id == CaseDeadline.case_id),
        visible,
    )


def sanction_records(visible: ColumnElement[bool] | None = None) -> Select:
    return _visible(
        select(
            Hearing.council_id.label("council_id"),
            Case.procedure_key.label("procedure_key"),
            Case.received_on.label("received_on"),
            # As text: PostgreSQL cannot group by a json value.
            cast(Hearing.sanctions, String).label("sanctions"),
        )
        .join(Case, Case.id == Hearing.case_id)
        .where(Hearing.status == DECIDED),
        visible,
    )
