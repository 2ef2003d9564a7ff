"""Member/officer protocol: seed 001 §14-16, §34-36 (Cwmbran) and seed 004 §15, §10.3 (a city).

Concerns go to a person chosen by who the concern is about; informal
discussion with a retained record comes first, then referral to the
Monitoring Officer, investigation and written recommendations. Member
casework enquiries have their own 3/10 working-day rule (seed 004 §10.3.1).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conduct.procedures.common import MO, REASON, closed, note
from conduct.procedures.model import (
    Action,
    Choice,
    Deadline,
    EntryPoint,
    Input,
    Notice,
    Procedure,
    Stage,
)

HANDLERS = (*MO, "clerk", "chair")

# Who handles a concern, by whom it is about (seed 001 §14-16, §34-36; seed 004 §15).
ABOUT = (
    Choice(
        "officer",
        _l("An officer: to the clerk (parish) or the officer's manager"),
        routes=("clerk",),
    ),
    Choice(
        "clerk",
        _l("The clerk: to the chair of the council (seed 001 §15)"),
        routes=("chair",),
        excludes=("clerk",),
    ),
    Choice(
        "member",
        _l("A member: to the clerk, with advice from the Monitoring Officer"),
        routes=("clerk", "monitoring-officer"),
    ),
    Choice(
        "senior-officer",
        _l("A statutory or senior officer: to the chief executive"),
        routes=("other",),
    ),
)

DEADLINES = (
    Deadline(
        key="enquiry-response",
        label=_l("Acknowledge and, if possible, answer the enquiry"),
        amount=3,
        unit="working_days",
        owner="clerk",
        seed="seed 004 §10.3.1",
        extend_roles=MO,
    ),
    # "Say so and answer within 10": the ten working days run from receipt, like the three,
    # so this opens with the enquiry (a deadline opened by an action would run from the day
    # the member was told) and is met by the answer whichever limit applied.
    Deadline(
        key="enquiry-full-response",
        label=_l("Answer an enquiry that needs investigation"),
        amount=10,
        unit="working_days",
        owner="clerk",
        seed="seed 004 §10.3.1",
        extend_roles=MO,
    ),
)

STAGES = (
    Stage(
        key="received",
        label=_l("Received: route the concern"),
        seed="seed 001 §14-16; seed 004 §15",
        actions=(
            Action(
                key="route-concern",
                label=_l("Route the concern"),
                roles=HANDLERS,
                seed="seed 001 §14-16, §34, §36; seed 004 §15",
                inputs=(
                    Input("about", _l("Who is the concern about?"), kind="choice", choices=ABOUT),
                    Input("handler", _l("Name of the person now handling it"), kind="text"),
                ),
                sets=(("about", "about"), ("handler", "handler")),
                to="informal-discussion",
                done=_l("Concern routed for informal discussion"),
                primary=True,
            ),
        ),
    ),
    Stage(
        key="informal-discussion",
        label=_l("Informal discussion"),
        seed="seed 001 §34, §36; seed 004 §15",
        actions=(
            Action(
                key="record-discussion",
                label=_l("Record the informal discussion"),
                roles=HANDLERS,
                seed="seed 004 §15 (a record to be retained of salient points and actions)",
                inputs=(Input("record", _l("Salient points and actions agreed")),),
                done=_l("Record of the informal discussion kept"),
                primary=True,
            ),
            Action(
                key="resolved-by-discussion",
                label=_l("Resolved by the discussion"),
                roles=HANDLERS,
                seed="seed 001 §34, §36",
                when=("done:record-discussion",),
                to="closed-resolved",
                done=_l("Resolved by early discussion"),
            ),
            Action(
                key="refer-to-monitoring-officer",
                label=_l("Continues or disputed: refer to the Monitoring Officer"),
                roles=HANDLERS,
                seed="seed 004 §15; seed 001 §34, §36",
                when=("done:record-discussion",),
                inputs=(REASON,),
                to="mo-referral",
                done=_l("Referred to the Monitoring Officer"),
            ),
        ),
    ),
    Stage(
        key="mo-referral",
        label=_l("With the Monitoring Officer"),
        seed="seed 004 §15",
        actions=(
            Action(
                key="arrange-investigation",
                label=_l("Arrange an investigation"),
                roles=MO,
                seed="seed 004 §15 (the Executive Director to investigate)",
                inputs=(Input("investigator", _l("Who will investigate"), kind="text"),),
                sets=(("investigator", "investigator"),),
                to="investigation",
                done=_l("Investigation arranged"),
                primary=True,
            ),
            Action(
                key="advice-given",
                label=_l("Advice given: no investigation needed"),
                roles=MO,
                seed="seed 001 §34, §36 (advice from the Monitoring Officer)",
                inputs=(Input("advice", _l("Advice given")),),
                to="closed-resolved",
                done=_l("Resolved with the Monitoring Officer's advice"),
            ),
        ),
    ),
    Stage(
        key="investigation",
        label=_l("Investigation"),
        seed="seed 004 §15",
        actions=(
            Action(
                key="recommendations",
                label=_l("Record the written recommendations"),
                roles=MO,
                seed="seed 004 §15 (report recommendations back in writing)",
                inputs=(
                    Input("recommendations", _l("Recommendations")),
                    Input("document", _l("Report (optional)"), kind="file", required=False),
                ),
                to="recommendations",
                done=_l("Written recommendations sent to both parties and the Monitoring Officer"),
                primary=True,
            ),
        ),
    ),
    Stage(
        key="recommendations",
        label=_l("Recommendations made: decide the route"),
        seed="seed 004 §15; seed 001 §35",
        actions=(
            Action(
                key="disciplinary-route",
                label=_l("Disciplinary route for the officer"),
                roles=HANDLERS,
                seed="seed 001 §35; seed 004 §15",
                inputs=(REASON,),
                to="closed-disciplinary",
                done=_l("Passed to the disciplinary procedure"),
            ),
            Action(
                key="standards-committee",
                label=_l("Refer the member to the standards committee"),
                roles=MO,
                seed="seed 004 §15 (particularly serious cases)",
                inputs=(REASON,),
                to="closed-standards",
                done=_l("Referred to the standards committee"),
            ),
            Action(
                key="no-further-action",
                label=_l("No further action"),
                roles=HANDLERS,
                seed="seed 004 §15",
                inputs=(REASON,),
                to="closed-resolved",
                done=_l("No further action"),
                primary=True,
            ),
        ),
    ),
    Stage(
        key="enquiry",
        label=_l("Member casework enquiry"),
        seed="seed 004 §10.3.1",
        deadlines=("enquiry-response", "enquiry-full-response"),
        actions=(
            Action(
                key="enquiry-answered",
                label=_l("Answer the enquiry"),
                roles=HANDLERS,
                seed="seed 004 §10.3.1",
                inputs=(Input("answer", _l("Answer given")),),
                meets=("enquiry-response", "enquiry-full-response"),
                to="closed-answered",
                done=_l("Enquiry answered"),
                primary=True,
            ),
            Action(
                key="enquiry-needs-work",
                label=_l("Tell the member it needs investigation (answer within 10 working days)"),
                roles=HANDLERS,
                seed="seed 004 §10.3.1",
                when=("deadline_open:enquiry-response",),
                meets=("enquiry-response",),
                notifies=(
                    Notice(
                        "complainant",
                        _l(
                            "Your enquiry needs some investigation. We will answer it within 10 working days of receiving it."
                        ),
                        "seed 004 §10.3.1",
                    ),
                ),
                done=_l("Member told the enquiry needs further work"),
            ),
        ),
    ),
    closed("closed-resolved", _l("Closed: resolved"), "resolved", "seed 001 §34, §36"),
    closed("closed-disciplinary", _l("Closed: disciplinary route"), "disciplinary", "seed 001 §35"),
    closed(
        "closed-standards",
        _l("Closed: referred to the standards committee"),
        "standards-committee",
        "seed 004 §15",
    ),
    closed("closed-answered", _l("Closed: enquiry answered"), "answered", "seed 004 §10.3.1"),
)

PROCEDURE = Procedure(
    key="member-officer-protocol",
    title=_l("Member and officer protocol"),
    summary=_l(
        "Concerns between councillors and officers, raised with the clerk, the chair or the "
        "Monitoring Officer depending on who the concern is about."
    ),
    seed="seed 001 §14-16, §34-36; seed 004 §15, §10.3",
    stages=STAGES,
    deadlines=DEADLINES,
    entry_points=(
        EntryPoint("concern", _l("A concern under the protocol"), "received"),
        EntryPoint("enquiry", _l("A member's casework enquiry"), "enquiry"),
    ),
    anywhere=(note(HANDLERS),),
    readers=HANDLERS,
)
