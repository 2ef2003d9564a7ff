"""Ombudsman referral, Welsh model: seed 001 §4 (Cwmbran Community Council).

Code of Conduct complaints are reported to the Public Services Ombudsman for
Wales, who decides whether to investigate. The council records the referral
and tracks its outcome.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conduct.procedures.common import MO, closed, note
from conduct.procedures.model import Action, Choice, EntryPoint, Input, Procedure, Stage

ROLES = (*MO, "clerk")
SEED = "seed 001 §4"

STAGES = (
    Stage(
        key="received",
        label=_l("Received: to be referred to the Ombudsman"),
        seed=SEED,
        actions=(
            Action(
                key="referred",
                label=_l("Record the referral to the Ombudsman"),
                roles=ROLES,
                seed=SEED,
                inputs=(
                    Input("referred_on", _l("Date referred"), kind="date"),
                    Input(
                        "ombudsman_reference",
                        _l("Ombudsman's reference"),
                        kind="text",
                        required=False,
                    ),
                ),
                sets=(("ombudsman_reference", "ombudsman_reference"),),
                to="with-ombudsman",
                done=_l("Referred to the Public Services Ombudsman for Wales"),
                primary=True,
            ),
            Action(
                key="complainant-referred-directly",
                label=_l("The complainant went to the Ombudsman directly"),
                roles=ROLES,
                seed=SEED,
                inputs=(
                    Input(
                        "ombudsman_reference",
                        _l("Ombudsman's reference"),
                        kind="text",
                        required=False,
                    ),
                ),
                sets=(("ombudsman_reference", "ombudsman_reference"),),
                to="with-ombudsman",
                done=_l("The complainant referred the complaint to the Ombudsman"),
            ),
        ),
    ),
    Stage(
        key="with-ombudsman",
        label=_l("With the Ombudsman: deciding whether to investigate"),
        seed=SEED,
        actions=(
            Action(
                key="ombudsman-declined",
                label=_l("The Ombudsman will not investigate"),
                roles=ROLES,
                seed=SEED,
                inputs=(Input("reason", _l("The Ombudsman's reasons")),),
                to="closed-not-investigated",
                done=_l("The Ombudsman decided not to investigate"),
            ),
            Action(
                key="ombudsman-investigating",
                label=_l("The Ombudsman is investigating"),
                roles=ROLES,
                seed=SEED,
                to="ombudsman-investigation",
                done=_l("The Ombudsman is investigating"),
                primary=True,
            ),
        ),
    ),
    Stage(
        key="ombudsman-investigation",
        label=_l("Ombudsman investigation"),
        seed=SEED,
        actions=(
            Action(
                key="ombudsman-outcome",
                label=_l("Record the outcome of the Ombudsman's investigation"),
                roles=ROLES,
                seed=SEED,
                inputs=(
                    Input(
                        "outcome",
                        _l("Outcome"),
                        kind="choice",
                        choices=(
                            Choice("no-evidence", _l("No evidence of a breach")),
                            Choice("no-action", _l("No action needs to be taken")),
                            Choice(
                                "standards-committee", _l("Referred to the Standards Committee")
                            ),
                            Choice(
                                "adjudication-panel",
                                _l("Referred to the Adjudication Panel for Wales"),
                            ),
                        ),
                    ),
                    Input("summary", _l("Summary")),
                ),
                sets=(("outcome", "outcome"),),
                to="closed-outcome",
                done=_l("The Ombudsman's outcome recorded"),
                primary=True,
            ),
        ),
    ),
    closed(
        "closed-not-investigated",
        _l("Closed: not investigated by the Ombudsman"),
        "ombudsman-declined",
        SEED,
    ),
    closed("closed-outcome", _l("Closed: Ombudsman's outcome recorded"), "ombudsman-outcome", SEED),
)

PROCEDURE = Procedure(
    key="ombudsman-referral",
    title=_l("Code of Conduct complaints to the Public Services Ombudsman for Wales"),
    summary=_l(
        "Complaints that a councillor has breached the Code of Conduct go to the Public Services "
        "Ombudsman for Wales, who decides whether to investigate."
    ),
    seed=SEED,
    stages=STAGES,
    entry_points=(EntryPoint("referral", _l("Code of Conduct complaint"), "received"),),
    anywhere=(note(ROLES),),
    readers=ROLES,
)
