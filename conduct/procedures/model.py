"""The vocabulary procedures are written in: stages, actions, inputs, deadlines.

A procedure is data built from these frozen dataclasses; the engine
(conduct/engine.py) interprets any procedure the same way, so a new variant
or a changed deadline needs no new control flow. Every piece names the seed
paragraph it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Roles of the two parties, who own deadlines but never sign in as staff.
PARTY_ROLES = ("complainant", "subject")
# The system acts too (e.g. the acknowledgement emailed on submission).
SYSTEM_ROLE = "system"

StageKind = Literal["active", "paused", "closed"]
DeadlineUnit = Literal["working_days", "calendar_days", "months", "working_days_before"]
FieldKind = Literal[
    "text", "email", "textarea", "date", "choice", "checklist", "number", "file", "user"
]

# Where an action goes: a stage key, or back to where the case was before
# its current stage (e.g. the Monitoring Officer continuing a withdrawn complaint).
PREVIOUS = "@previous"


@dataclass(frozen=True)
class Choice:
    value: str
    label: object  # a lazy string
    # Contact route kinds of the council shown with this choice (e.g. where to send a
    # safeguarding concern), so the officer has the right numbers in front of them.
    routes: tuple[str, ...] = ()
    # Roles that may no longer read or act on the case once this is chosen (e.g. the
    # clerk, when the concern is about the clerk: seed 001 §15).
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Input:
    """Something the person taking an action must (or may) give."""

    name: str
    label: object
    kind: FieldKind = "textarea"
    required: bool = True
    hint: object | None = None
    choices: tuple[Choice, ...] = ()
    # For kind "user": staff holding this role on the case's council.
    user_role: str | None = None
    # For kind "number": the range accepted.
    minimum: int | None = None
    maximum: int | None = None


# Who a notice can go to: the parties, or staff by role on the case's council.
NOTICE_AUDIENCES = (
    "complainant",
    "subject",
    "clerk",
    "chair",
    "monitoring-officer",
    "independent-person",
    "investigating-officer",
    "panel-member",
)


@dataclass(frozen=True)
class Notice:
    """Who is told what when an action is taken (seed 003 §2.1.8: kept informed).

    Emails carry the minimum: the reference, this message, what the person must
    do and by when (a deadline the action starts that they own), and a link:
    sign-in for staff, a secure expiring link for the parties.
    """

    to: str
    message: object  # a lazy string: what happened, in plain words
    seed: str


@dataclass(frozen=True)
class Deadline:
    """A time limit that opens on an event and is met by an action."""

    key: str
    label: object
    amount: int
    unit: DeadlineUnit
    owner: str  # a staff role key or a party role
    seed: str
    # "working_days_before" counts back from a date given as an input of the
    # action that starts the deadline (e.g. the hearing date).
    anchor_input: str | None = None
    # An input of the starting action that overrides `amount` (e.g. an agreed period).
    amount_input: str | None = None
    # Who may extend it in exceptional circumstances (with a reason).
    extend_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    key: str
    label: object
    roles: tuple[str, ...]
    seed: str
    to: str | None = None  # stage key, PREVIOUS, or None to stay
    inputs: tuple[Input, ...] = ()
    meets: tuple[str, ...] = ()  # deadline keys met by this action
    starts: tuple[str, ...] = ()  # deadline keys opened by this action
    closes: tuple[str, ...] = ()  # deadline keys that no longer apply (not met)
    # Shown only when every guard holds (see conduct/engine.py GUARDS).
    when: tuple[str, ...] = ()
    # Case facts set by the action: fact name -> input name, or a literal after "=".
    sets: tuple[tuple[str, str], ...] = ()
    # Inputs of kind "user" that assign that person to the case in the input's role.
    assigns: tuple[str, ...] = ()
    pauses: bool = False
    resumes: bool = False
    # A short past-tense line for the timeline ("Confidentiality granted").
    done: object | None = None
    # Decision actions that ask for a confirmation step or carry weight.
    primary: bool = False
    notifies: tuple[Notice, ...] = ()
    # Taken through a dedicated page rather than the case page's action list
    # (e.g. "hearing": set by the hearing pages when a date is fixed or a decision
    # recorded), so the structured record and the stage change happen together.
    via: str | None = None


@dataclass(frozen=True)
class BusinessItem:
    """One item of a hearing's order of business, ticked off by the clerk as it happens."""

    key: str
    label: object
    seed: str


@dataclass(frozen=True)
class PanelRules:
    """Who must sit on a hearing panel for it to be properly constituted and quorate."""

    seed: str
    # Voting members of the committee, all present for quorum (None: no fixed number).
    voting_members: int | None = None
    # The committee's chair or vice-chair among them.
    needs_chair_or_vice: bool = False
    # An Independent Person sits with the panel, in a non-voting capacity.
    needs_independent_person: bool = False
    # Co-opted town/parish representatives are invited when the councillor complained
    # about sits on a council other than the committee's own (non-voting).
    co_opted_for_parish: bool = False


@dataclass(frozen=True)
class HearingRules:
    """How a procedure's hearings are convened, run and decided (all as data)."""

    body: object  # "Hearing Panel of the Conduct Committee", "Standards Committee"
    seed: str
    panel: PanelRules
    order_of_business: tuple[BusinessItem, ...]
    # Stages in which the hearing pages are open.
    stages: tuple[str, ...]
    # Actions (via="hearing") the hearing pages take: fixing or moving the date
    # (the first available in the current stage), publishing the agenda pack,
    # recording the decision (its inputs are the decision form's first part).
    schedule_actions: tuple[str, ...]
    decision_action: str
    publish_action: str | None = None
    # The decision action's choice input that holds the outcome, and the values of
    # it that mean a failure to comply (findings and sanctions follow from them).
    outcome_input: str = "finding"
    breach_outcomes: tuple[str, ...] = ()
    # A finding on each allegation (seed 003 Rule 9 §3.3.8), and the sanctions list.
    findings_per_allegation: bool = False
    sanctions: tuple[Choice, ...] = ()
    sanctions_seed: str = ""
    # Said in the decision: no right of appeal, the ombudsman signposted.
    appeal_statement: object | None = None


@dataclass(frozen=True)
class NoticeKind:
    """A decision notice the procedure publishes, from a seed template."""

    key: str  # "initial-assessment", "hearing-panel"
    title: object
    seed: str
    # Drafting opens once one of these actions is in the timeline.
    after_actions: tuple[str, ...]
    # Approvals needed before publication: each a tuple of roles, any one of which approves.
    approvals: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Stage:
    key: str
    label: object
    seed: str
    kind: StageKind = "active"
    actions: tuple[Action, ...] = ()
    # Deadlines opened when the case enters the stage.
    deadlines: tuple[str, ...] = ()
    # For closed stages: the outcome recorded for statistics.
    outcome: str | None = None
    description: object | None = None


@dataclass(frozen=True)
class EntryPoint:
    """Where a new case of this procedure starts (most procedures have one)."""

    key: str
    label: object
    stage: str


@dataclass(frozen=True)
class IntakeCheck:
    """A warning the officer must acknowledge when recording a complaint."""

    key: str
    message: object
    seed: str
    # Months since the events after which the warning shows (None: see `flag`).
    older_than_months: int | None = None
    # Shows when the intake form's answer of this name is true.
    flag: str | None = None


@dataclass(frozen=True)
class Procedure:
    key: str
    title: object
    summary: object
    seed: str
    stages: tuple[Stage, ...]
    deadlines: tuple[Deadline, ...] = ()
    entry_points: tuple[EntryPoint, ...] = ()
    # Actions available in every active or paused stage (withdrawal, pause, notes).
    anywhere: tuple[Action, ...] = ()
    intake_checks: tuple[IntakeCheck, ...] = ()
    # Whether the public complaint form (seed 003 Appendix 3) starts a case of this kind.
    takes_public_form: bool = False
    # What a complainant is told to expect, each line citing its seed paragraph.
    timescales: tuple[object, ...] = ()
    # Stage 1 names kept confidential (seed 002 §5.1), etc.: stage keys where
    # the parties' names are withheld from people other than casework staff.
    confidential_stages: tuple[str, ...] = ()
    # Staff roles that read every case of this procedure on their council. An
    # Investigating Officer reads only the cases assigned to them.
    readers: tuple[str, ...] = ("monitoring-officer", "deputy-monitoring-officer")
    # The code of conduct provisions an allegation can cite (seed 003 Appendix 5, seed 002 §2).
    provisions: tuple[Choice, ...] = ()
    hearing: HearingRules | None = None
    notices: tuple[NoticeKind, ...] = ()
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def stage(self, key: str) -> Stage:
        return self._stages()[key]

    def _stages(self) -> dict[str, Stage]:
        if "stages" not in self._index:
            self._index["stages"] = {s.key: s for s in self.stages}
        return self._index["stages"]

    def deadline(self, key: str) -> Deadline:
        if "deadlines" not in self._index:
            self._index["deadlines"] = {d.key: d for d in self.deadlines}
        return self._index["deadlines"][key]

    def notice_kind(self, key: str) -> NoticeKind:
        return next(n for n in self.notices if n.key == key)

    def entry(self, key: str | None = None) -> EntryPoint:
        entries = self.entry_points or (EntryPoint("default", "", self.stages[0].key),)
        if key is None:
            return entries[0]
        return next(e for e in entries if e.key == key)

    def actions_in(self, stage_key: str) -> tuple[Action, ...]:
        stage = self.stage(stage_key)
        if stage.kind == "closed":
            return stage.actions
        return stage.actions + self.anywhere

    def action(self, key: str) -> Action:
        if "actions" not in self._index:
            found: dict[str, Action] = {}
            for stage in self.stages:
                for action in stage.actions:
                    found.setdefault(action.key, action)
            for action in self.anywhere:
                found.setdefault(action.key, action)
            self._index["actions"] = found
        return self._index["actions"][key]
