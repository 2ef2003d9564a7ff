"""Confidential reporting by members: seed 000 (Wrexham, Constitution section 18 C)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conduct.procedures.common import MO, REASON, closed, note
from conduct.procedures.model import Action, Choice, EntryPoint, Input, Notice, Procedure, Stage

# seed 000 §3: matters this procedure does not apply to, and the routes they go to instead
# (contact route kinds of the council, shown to the officer with their numbers).
EXCLUSIONS = (
    Choice("existing-investigation", _l("Subject to a current or closed investigation (§3(i))")),
    Choice(
        "whistleblowing",
        _l("Within the Whistleblowing Policy (§3(ii))"),
        routes=("whistleblowing",),
    ),
    Choice(
        "member-officer-protocol",
        _l("A breach of the Protocol on Member/Officer Relations (§3(iii))"),
        routes=("clerk", "monitoring-officer"),
    ),
    Choice(
        "safeguarding",
        _l("The safety or well-being of a child or adult (§3(iv))"),
        routes=("safeguarding-duty", "out-of-hours", "police"),
    ),
)

STAGES = (
    Stage(
        key="received",
        label=_l("Received in confidence"),
        seed="seed 000 §4-§5",
        description=_l(
            "Marked CONFIDENTIAL: not made public or shared with other members or officers."
        ),
        actions=(
            Action(
                key="accept-report",
                label=_l("Within this procedure: consider it"),
                roles=MO,
                seed="seed 000 §2, §6.1",
                inputs=(
                    Input(
                        "about",
                        _l("Whose conduct is reported (§2)"),
                        kind="choice",
                        choices=(
                            Choice("member", _l("Another elected member")),
                            Choice("officer", _l("An officer of the council")),
                            Choice("contractor", _l("An agency worker, consultant or contractor")),
                            Choice("volunteer", _l("A volunteer")),
                        ),
                    ),
                ),
                sets=(("about", "about"),),
                to="consideration",
                done=_l("Accepted under the confidential reporting procedure"),
                primary=True,
            ),
            Action(
                key="excluded-matter",
                label=_l("Not for this procedure: route it elsewhere"),
                roles=MO,
                seed="seed 000 §3",
                inputs=(
                    Input(
                        "exclusion",
                        _l("Why this procedure does not apply (§3)"),
                        kind="choice",
                        choices=EXCLUSIONS,
                    ),
                    Input("routed_to", _l("Where the member was directed")),
                ),
                sets=(("exclusion", "exclusion"),),
                to="closed-routed",
                done=_l("Routed elsewhere: not within the procedure"),
            ),
        ),
    ),
    Stage(
        key="consideration",
        label=_l("Monitoring Officer considering"),
        seed="seed 000 §6.1-§6.2",
        actions=(
            Action(
                key="decide-investigate",
                label=_l("Decide: investigate"),
                roles=MO,
                seed="seed 000 §6.1",
                inputs=(REASON,),
                to="investigation",
                done=_l("Decided to investigate"),
                primary=True,
            ),
            Action(
                key="decide-direct-resolution",
                label=_l("Decide: resolve directly"),
                roles=MO,
                seed="seed 000 §6.1",
                inputs=(Input("resolution", _l("How it was resolved")),),
                to="outcome",
                done=_l("Resolved directly"),
            ),
            Action(
                key="decide-refer",
                label=_l("Decide: refer to another body"),
                roles=MO,
                seed="seed 000 §6.2",
                inputs=(
                    Input(
                        "body",
                        _l("Referred to"),
                        kind="choice",
                        choices=(
                            Choice("police", _l("The police")),
                            Choice("ombudsman", _l("The Public Services Ombudsman for Wales")),
                            Choice(
                                "regulator", _l("Another body, regulator or law enforcement agency")
                            ),
                        ),
                    ),
                    REASON,
                ),
                sets=(("referred_to", "body"),),
                to="outcome",
                done=_l("Referred to another body"),
            ),
        ),
    ),
    Stage(
        key="investigation",
        label=_l("Investigation"),
        seed="seed 000 §6.1",
        actions=(
            Action(
                key="investigation-concluded",
                label=_l("Investigation concluded"),
                roles=MO,
                seed="seed 000 §6.1",
                inputs=(Input("findings", _l("Findings")),),
                to="outcome",
                done=_l("Investigation concluded"),
                primary=True,
            ),
        ),
    ),
    Stage(
        key="outcome",
        label=_l("Decide whether to tell the reporting member"),
        seed="seed 000 §6.3",
        actions=(
            Action(
                key="reporter-told",
                label=_l("Tell the reporting member the outcome"),
                roles=MO,
                seed="seed 000 §6.3",
                inputs=(Input("told", _l("What the member was told")),),
                sets=(("reporter_told", "=yes"),),
                notifies=(
                    Notice(
                        "complainant",
                        _l(
                            "The Monitoring Officer has finished considering your confidential report and will tell you the outcome."
                        ),
                        "seed 000 §6.3",
                    ),
                ),
                to="closed-concluded",
                done=_l("Reporting member told the outcome"),
                primary=True,
            ),
            Action(
                key="reporter-not-told",
                label=_l("Withhold the outcome from the reporting member"),
                roles=MO,
                seed="seed 000 §6.3",
                inputs=(REASON,),
                sets=(("reporter_told", "=no"),),
                to="closed-concluded",
                done=_l("Outcome withheld from the reporting member"),
            ),
        ),
    ),
    closed("closed-routed", _l("Closed: routed elsewhere"), "routed-elsewhere", "seed 000 §3"),
    closed("closed-concluded", _l("Closed"), "concluded", "seed 000 §6"),
)

PROCEDURE = Procedure(
    key="confidential-report",
    title=_l("Confidential reporting by councillors"),
    summary=_l(
        "How a councillor reports, in confidence, conduct that may be criminal to the Monitoring "
        "Officer."
    ),
    seed="seed 000",
    stages=STAGES,
    entry_points=(EntryPoint("report", _l("Confidential report by a member"), "received"),),
    anywhere=(note(MO),),
    confidential_stages=tuple(s.key for s in STAGES),
    readers=MO,
)
