"""Pieces several procedures share: role groups and the actions available at any stage."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conduct.procedures.model import Action, Input, Stage

MO = ("monitoring-officer", "deputy-monitoring-officer")  # seed 003 Rule 9 §1.5: any MO function
CASEWORK = (*MO, "clerk")

REASON = Input("reason", _l("Reason"), hint=_l("This is recorded in the case timeline."))


def note(roles: tuple[str, ...]) -> Action:
    return Action(
        key="add-note",
        label=_l("Add a note to the timeline"),
        roles=roles,
        seed="SPEC: every change is in the case's timeline",
        inputs=(Input("note", _l("Note")),),
        done=_l("Note added"),
    )


def pause(roles: tuple[str, ...], seed: str) -> Action:
    return Action(
        key="pause",
        label=_l("Pause the case"),
        roles=roles,
        seed=seed,
        inputs=(REASON,),
        when=("not:paused",),
        pauses=True,
        done=_l("Case paused"),
    )


def resume(roles: tuple[str, ...], seed: str) -> Action:
    return Action(
        key="resume",
        label=_l("Resume the case"),
        roles=roles,
        seed=seed,
        inputs=(REASON,),
        when=("paused",),
        resumes=True,
        done=_l("Case resumed; open deadlines moved by the paused working days"),
    )


def closed(key: str, label: object, outcome: str, seed: str) -> Stage:
    """An end state: closing a case closes its open deadlines and records the outcome."""
    return Stage(key=key, label=label, kind="closed", outcome=outcome, seed=seed)
