"""Local resolution protocol, Welsh model: seed 002 (Caerphilly), low-level member-on-member."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conduct.procedures.common import MO, REASON, closed, note, pause, resume
from conduct.procedures.model import (
    Action,
    BusinessItem,
    Choice,
    Deadline,
    EntryPoint,
    HearingRules,
    Input,
    IntakeCheck,
    Notice,
    PanelRules,
    Procedure,
    Stage,
)

# seed 002 NB after §4.6: time limits may be varied in exceptional circumstances by the Chair.
CHAIR = ("chair",)
IO = ("investigating-officer",)
CASEWORK = (*MO, *IO)
CLOSED = "seed 002 §4.5(xv)"

# seed 002 §4.5(xiv): the Committee's conclusions.
OUTCOMES = (
    Choice("a", _l("(a) No basis to the complaint; no further action")),
    Choice("b", _l("(b) A basis to the complaint, but no further action required")),
    Choice(
        "c",
        _l(
            "(c) A basis to the complaint: censure at the next Council meeting and/or further action"
        ),
    ),
    Choice("d", _l("(d) Referral to the Ombudsman for investigation")),
)

DEADLINES = (
    Deadline(
        key="reconfirm",
        label=_l("Complainant reconfirms the complaint in writing, with evidence"),
        amount=14,
        unit="calendar_days",
        owner="complainant",
        seed="seed 002 §4.5(ii) (two weeks)",
        extend_roles=CHAIR,
    ),
    Deadline(
        key="subject-response",
        label=_l("Councillor's written response, with evidence"),
        amount=1,
        unit="months",
        owner="subject",
        seed="seed 002 §4.5(iii) (one month)",
        extend_roles=CHAIR,
    ),
    Deadline(
        key="agenda-pack",
        label=_l("Distribute the hearing papers"),
        amount=5,
        unit="working_days_before",
        anchor_input="hearing_date",
        owner="investigating-officer",
        seed="seed 002 §4.5(vii) (papers distributed under the Access to Information Rules)",
        extend_roles=CHAIR,
    ),
    Deadline(
        key="hearing-window",
        label=_l("Hearing date agreed within the two-month window"),
        amount=2,
        unit="months",
        owner="investigating-officer",
        seed="seed 002 §4.5(vi)",
        extend_roles=CHAIR,
    ),
)

# seed 002 §2: the standards of conduct an allegation under the protocol can cite.
PROVISIONS = (
    Choice("2.1a", _l("2.1(a) Show respect to each other")),
    Choice("2.1b", _l("2.1(b) Not make personal abusive comments about each other")),
    Choice("2.1c", _l("2.1(c) Not publish anything insulting about each other")),
    Choice("2.1d", _l("2.1(d) Not make malicious allegations against each other")),
    Choice("2.1e", _l("2.1(e) Not publish or spread any false information about each other")),
    Choice("2.1f", _l("2.1(f) Show respect to each other's diverse backgrounds and circumstances")),
    Choice("2.1g", _l("2.1(g) Use social media responsibly")),
    Choice("2.2a", _l("2.2(a) Behave with dignity in meetings")),
    Choice("2.2b", _l("2.2(b) Show respect to the Chairman and obey their decisions")),
    Choice(
        "2.2c", _l("2.2(c) Not use indecent language nor make discriminatory remarks in meetings")
    ),
)

P = "seed 002 §4.5(xii)"
HEARING = HearingRules(
    body=_l("Standards Committee"),
    seed="seed 002 §4.5",
    panel=PanelRules(seed="seed 002 §4.5(i), §4.5(xii)(a)", needs_chair_or_vice=True),
    order_of_business=(
        BusinessItem("opening", _l("(a) Opening address by the Chairman"), P + "(a)"),
        BusinessItem(
            "complainant-address",
            _l("(b) The complaining member addresses the Committee"),
            P + "(b)",
        ),
        BusinessItem("questions-complainant", _l("(c) Questions by Committee members"), P + "(c)"),
        BusinessItem(
            "subject-address",
            _l("(d) The member complained about addresses the Committee"),
            P + "(d)",
        ),
        BusinessItem("questions-subject", _l("(e) Questions by Committee members"), P + "(e)"),
        BusinessItem(
            "complainant-witnesses", _l("(f) Witnesses for the complaining member"), P + "(f)"
        ),
        BusinessItem("questions-witnesses-1", _l("(g) Questions by Committee members"), P + "(g)"),
        BusinessItem(
            "subject-witnesses", _l("(h) Witnesses for the member complained about"), P + "(h)"
        ),
        BusinessItem("questions-witnesses-2", _l("(i) Questions by Committee members"), P + "(i)"),
        BusinessItem(
            "complainant-closing", _l("(j) Closing remarks of the complaining member"), P + "(j)"
        ),
        BusinessItem(
            "subject-closing", _l("(k) Closing remarks of the member complained about"), P + "(k)"
        ),
        BusinessItem(
            "questions-officers",
            _l("(l) Questions to Council officers invited to attend"),
            P + "(l)",
        ),
        BusinessItem(
            "deliberation",
            _l("(m) The Committee deliberates in private on the finding and any sanction"),
            P + "(m)",
        ),
        BusinessItem(
            "announcement", _l("(n) The Chairman announces the finding in public"), P + "(n)"
        ),
    ),
    stages=("hearing-scheduling", "stage-2-hearing"),
    schedule_actions=("hearing-date-agreed", "hearing-rescheduled"),
    publish_action="papers-distributed",
    decision_action="committee-conclusion",
    outcome_input="outcome",
    breach_outcomes=("b", "c"),
    appeal_statement=_l(
        "The Committee's conclusion is minuted and reported to Council (§4.5(xv)). There is no "
        "appeal under this Protocol; the Public Services Ombudsman for Wales deals with "
        "complaints that a member has breached the Code of Conduct."
    ),
)

STAGES = (
    Stage(
        key="received",
        label=_l("Received: does it fall within the protocol?"),
        seed="seed 002 §3.1, §4.4(i)-(ii)",
        actions=(
            Action(
                key="within-protocol",
                label=_l("Falls within the protocol: start Stage 1"),
                roles=MO,
                seed="seed 002 §3.1, §4.4(ii)",
                inputs=(
                    Input(
                        "criteria",
                        _l("Criteria met (§3.1)"),
                        kind="checklist",
                        choices=(
                            Choice(
                                "member-on-member", _l("Made by a member about a fellow member")
                            ),
                            Choice("low-level", _l("Low-level in nature")),
                            Choice("not-repeat", _l("Not a repeat of conduct already dealt with")),
                        ),
                    ),
                ),
                to="stage-1",
                done=_l("Accepted under the protocol: Stage 1 informal resolution"),
                primary=True,
            ),
            Action(
                key="outside-protocol",
                label=_l("Outside the protocol: advise referral to the Ombudsman"),
                roles=MO,
                seed="seed 002 §4.4(ii)-(iii)",
                inputs=(REASON,),
                to="closed-outside-protocol",
                done=_l("Outside the protocol; complainant advised to consider the Ombudsman"),
            ),
        ),
    ),
    Stage(
        key="stage-1",
        label=_l("Stage 1: informal resolution"),
        seed="seed 002 §4.4(iv)-(v), §5.1",
        description=_l("The names of both parties are kept confidential at Stage 1 (§5.1)."),
        actions=(
            Action(
                key="stage-1-resolved",
                label=_l("Resolved informally at Stage 1"),
                roles=MO,
                seed="seed 002 §4.4(iv), §5.2",
                inputs=(
                    Input("resolution", _l("How it was resolved")),
                    Input(
                        "complaint_type",
                        _l("Type of complaint (reported anonymously to the Standards Committee)"),
                        kind="choice",
                        choices=(
                            Choice("respect", _l("Respect and consideration")),
                            Choice("vexatious", _l("Vexatious, malicious or frivolous complaints")),
                            Choice("other", _l("Other")),
                        ),
                    ),
                ),
                sets=(("complaint_type", "complaint_type"),),
                to="closed-stage-1",
                done=_l("Resolved at Stage 1"),
                primary=True,
            ),
            Action(
                key="stage-2-requested",
                label=_l("Not resolved: complainant wants a hearing (Stage 2)"),
                roles=MO,
                seed="seed 002 §4.4(v), §4.5(ii)",
                to="stage-2-reconfirm",
                starts=("reconfirm",),
                notifies=(
                    Notice(
                        "complainant",
                        _l(
                            "To go to a Standards Committee hearing, confirm your complaint in writing to the Monitoring Officer, saying which standards of conduct were breached, with all the written evidence you want considered."
                        ),
                        "seed 002 §4.5(ii)",
                    ),
                ),
                done=_l("Stage 2 requested; two weeks to reconfirm in writing"),
            ),
        ),
    ),
    Stage(
        key="stage-2-reconfirm",
        label=_l("Stage 2: waiting for written reconfirmation"),
        seed="seed 002 §4.5(ii)",
        actions=(
            Action(
                key="reconfirmation-received",
                label=_l("Reconfirmation received and councillor notified"),
                roles=CASEWORK,
                seed="seed 002 §4.5(ii)-(iii)",
                inputs=(
                    Input("standards", _l("Standards of conduct alleged to be breached (§2)")),
                    Input(
                        "subject_email",
                        _l("The councillor's email address"),
                        kind="email",
                        required=False,
                        hint=_l("They are sent a secure link to see the case and reply."),
                    ),
                    Input(
                        "document",
                        _l("Written complaint and evidence"),
                        kind="file",
                        required=False,
                    ),
                ),
                meets=("reconfirm",),
                starts=("subject-response",),
                sets=(("subject_email", "subject_email"),),
                notifies=(
                    Notice(
                        "subject",
                        _l(
                            "A complaint about your conduct under the local resolution protocol is going to a Standards Committee hearing. Please give your written response, with all the written evidence you want considered."
                        ),
                        "seed 002 §4.5(iii)",
                    ),
                ),
                to="stage-2-response",
                done=_l("Reconfirmed; the councillor has one month to respond"),
                primary=True,
            ),
            Action(
                key="not-reconfirmed",
                label=_l("Not reconfirmed in time: close"),
                roles=MO,
                seed="seed 002 §4.5(ii)",
                inputs=(REASON,),
                to="closed-lapsed",
                done=_l("Closed: the complaint was not reconfirmed"),
            ),
        ),
    ),
    Stage(
        key="stage-2-response",
        label=_l("Stage 2: waiting for the councillor's response"),
        seed="seed 002 §4.5(iii)-(v)",
        actions=(
            Action(
                key="assign-investigating-officer",
                label=_l("Name the Investigating Officer"),
                roles=MO,
                seed="seed 002 §4.5(iv)-(v)",
                inputs=(
                    Input(
                        "investigator",
                        _l("Investigating Officer"),
                        kind="user",
                        user_role="investigating-officer",
                        hint=_l(
                            "The Deputy Monitoring Officer or a Legal Officer if the Monitoring "
                            "Officer took part in Stage 1."
                        ),
                    ),
                ),
                assigns=("investigator",),
                done=_l("Investigating Officer named"),
            ),
            Action(
                key="subject-response-received",
                label=_l("Councillor's response received: offer hearing dates"),
                roles=CASEWORK,
                seed="seed 002 §4.5(iii), §4.5(vi)",
                inputs=(
                    Input(
                        "document", _l("Written response and evidence"), kind="file", required=False
                    ),
                ),
                meets=("subject-response",),
                starts=("hearing-window",),
                to="hearing-scheduling",
                done=_l("Response received; hearing dates offered within two months"),
                primary=True,
            ),
        ),
    ),
    Stage(
        key="hearing-scheduling",
        label=_l("Stage 2: agreeing the hearing date"),
        seed="seed 002 §4.5(vi)",
        actions=(
            Action(
                key="hearing-date-agreed",
                label=_l("Hearing date agreed"),
                roles=CASEWORK,
                seed="seed 002 §4.5(vi)",
                inputs=(Input("hearing_date", _l("Hearing date"), kind="date"),),
                sets=(("hearing_date", "hearing_date"),),
                meets=("hearing-window",),
                starts=("agenda-pack",),
                to="stage-2-hearing",
                done=_l("Hearing date agreed"),
                primary=True,
                via="hearing",
            ),
        ),
    ),
    Stage(
        key="stage-2-hearing",
        label=_l("Stage 2: Standards Committee hearing"),
        seed="seed 002 §4.5(vii)-(xv), §5.3",
        actions=(
            Action(
                key="hearing-rescheduled",
                label=_l("Hearing moved to a new date"),
                roles=CASEWORK,
                seed="seed 002 §4.5(vi)",
                inputs=(Input("hearing_date", _l("Hearing date"), kind="date"),),
                sets=(("hearing_date", "hearing_date"),),
                starts=("agenda-pack",),
                done=_l("Hearing moved to a new date"),
                via="hearing",
            ),
            Action(
                key="papers-distributed",
                label=_l("Record that the hearing papers are distributed"),
                roles=CASEWORK,
                seed="seed 002 §4.5(vii)",
                when=("deadline_open:agenda-pack",),
                meets=("agenda-pack",),
                done=_l("Hearing papers distributed"),
                via="hearing",
            ),
            Action(
                key="committee-conclusion",
                label=_l("Record the Committee's conclusion"),
                roles=CASEWORK,
                seed="seed 002 §4.5(xiv)-(xv)",
                inputs=(
                    Input("outcome", _l("Conclusion (§4.5(xiv))"), kind="choice", choices=OUTCOMES),
                    Input("minute", _l("The conclusion as minuted")),
                ),
                sets=(("outcome", "outcome"),),
                to="closed-stage-2",
                done=_l("Committee's conclusion recorded"),
                primary=True,
                via="hearing",
            ),
        ),
    ),
    closed(
        "discontinued",
        _l("Discontinued: referred to the Ombudsman"),
        "discontinued-ombudsman",
        "seed 002 §4.3 (cannot subsequently be resumed)",
    ),
    closed(
        "closed-outside-protocol",
        _l("Closed: outside the protocol"),
        "outside-protocol",
        "seed 002 §4.4(ii)",
    ),
    closed(
        "closed-stage-1",
        _l("Closed: resolved at Stage 1"),
        "stage-1-resolved",
        "seed 002 §4.4(iv), §5.2",
    ),
    closed("closed-lapsed", _l("Closed: not reconfirmed"), "lapsed", "seed 002 §4.5(ii)"),
    closed("closed-stage-2", _l("Closed: Committee's conclusion"), "committee-conclusion", CLOSED),
)

PROCEDURE = Procedure(
    key="local-resolution",
    title=_l("Local resolution of low-level complaints between councillors"),
    summary=_l(
        "A protocol for resolving low-level complaints made by one councillor about another, "
        "within one month of the event."
    ),
    seed="seed 002",
    stages=STAGES,
    deadlines=DEADLINES,
    entry_points=(EntryPoint("complaint", _l("Member-on-member complaint"), "received"),),
    anywhere=(
        Action(
            key="referred-to-ombudsman",
            label=_l("A party referred the matter to the Ombudsman: discontinue"),
            roles=MO,
            seed="seed 002 §4.3",
            inputs=(REASON,),
            to="discontinued",
            done=_l("Discontinued for good: referred to the Ombudsman"),
        ),
        pause(MO, "SPEC Time: a case can be paused and resumed"),
        resume(MO, "SPEC Time: a case can be paused and resumed"),
        note(CASEWORK),
    ),
    intake_checks=(
        IntakeCheck(
            key="over-one-month",
            message=_l(
                "The complaint was made more than one month after the events (§4.4(i)). It is "
                "in time only if it came to the member's attention within the last month."
            ),
            seed="seed 002 §4.4(i)",
            older_than_months=1,
        ),
        IntakeCheck(
            key="repeat",
            message=_l(
                "Repeated conduct already dealt with under the protocol or by the Ombudsman is "
                "likely to go straight to the Ombudsman (§3.1(c))."
            ),
            seed="seed 002 §3.1(c)",
            flag="repeat",
        ),
        IntakeCheck(
            key="no-longer-councillor",
            message=_l("The complaint concerns someone who is no longer a councillor."),
            seed="seed 002 §3.1(a)",
            flag="subject_not_councillor",
        ),
    ),
    confidential_stages=("received", "stage-1"),
    readers=(*MO, *CHAIR),
    provisions=PROVISIONS,
    hearing=HEARING,
)
