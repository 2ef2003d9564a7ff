"""Conduct complaint, English model: seed 003 (Fenland District Council), Rule 9 and guidance."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conduct.procedures.common import MO, REASON, closed, note, pause, resume
from conduct.procedures.model import (
    PREVIOUS,
    SYSTEM_ROLE,
    Action,
    BusinessItem,
    Choice,
    Deadline,
    EntryPoint,
    HearingRules,
    Input,
    IntakeCheck,
    Notice,
    NoticeKind,
    PanelRules,
    Procedure,
    Stage,
)

IP = ("independent-person",)
INFORMED = "seed 003 Rule 9 §2.1.8 (complainant, subject and clerk kept informed)"


# seed 003 §1.6.5: the Independent Person's views are sought before these decisions.
IP_ASKED = Notice(
    "independent-person",
    _l("The Monitoring Officer will seek your view on this complaint before deciding."),
    "seed 003 Rule 9 §1.6.5",
)
PANEL_TOLD = Notice(
    "panel-member",
    _l("A complaint has been referred to a Hearing Panel of the Conduct Committee."),
    "seed 003 Rule 9 §2.6.3, §3",
)


def _both(message: object) -> tuple[Notice, ...]:
    """The same news for the complainant and the councillor (§2.1.8)."""
    return (Notice("complainant", message, INFORMED), Notice("subject", message, INFORMED))


INVESTIGATOR = ("investigating-officer",)

# seed 003 Rule 9 §2.2.4: circumstances in which no action is likely.
ASSESSMENT_FACTORS = (
    Choice(
        "insufficient-information", _l("There is insufficient information to base a decision on")
    ),
    Choice("over-six-months", _l("More than 6 months have passed since the events")),
    Choice("already-considered", _l("The issue has already been considered under this procedure")),
    Choice(
        "misuse",
        _l("Politically motivated, trivial, vexatious, tit for tat, repetitious or a misuse"),
    ),
    Choice("not-official-capacity", _l("The councillor was not acting in their official capacity")),
    Choice(
        "no-longer-councillor", _l("The complaint concerns someone who is no longer a councillor")
    ),
    Choice("against-council", _l("The complaint is against the council as a whole")),
)
FACTORS = Input(
    "factors",
    _l("Factors considered (Rule 9 §2.2.4)"),
    kind="checklist",
    required=False,
    choices=ASSESSMENT_FACTORS,
)
DECISION_REASONS = Input(
    "reasons",
    _l("Summary of the reasons, for the Decision Notice (Rule 9 §2.2.8)"),
)
# seed 003 §1.6.5: the Independent Person's views are sought before these decisions.
IP_CONSULTED = ("done:record-ip-view",)

RECORD_IP_VIEW = Action(
    key="record-ip-view",
    label=_l("Record the Independent Person's view"),
    roles=(*IP, *MO),
    seed="seed 003 Rule 9 §1.6.5",
    inputs=(Input("view", _l("The Independent Person's view")),),
    done=_l("Independent Person's view recorded"),
)

DEADLINES = (
    Deadline(
        key="acknowledge",
        label=_l("Acknowledge the complaint in writing"),
        amount=5,
        unit="working_days",
        owner="monitoring-officer",
        seed="seed 003 Rule 9 §2.1.4",
        extend_roles=MO,
    ),
    Deadline(
        key="subject-response",
        label=_l("Councillor's initial response"),
        amount=7,
        unit="working_days",
        owner="subject",
        seed="seed 003 Rule 9 §2.1.5",
        extend_roles=MO,
    ),
    Deadline(
        key="investigation",
        label=_l("Complete the investigation (target)"),
        amount=3,
        unit="months",
        owner="investigating-officer",
        seed="seed 003 Rule 9 §2.3.6",
        extend_roles=MO,
    ),
    Deadline(
        key="draft-report-comments",
        label=_l("Comments on the draft report"),
        amount=10,
        unit="working_days",
        owner="investigating-officer",
        seed="seed 003 Rule 9 §2.3.9",
        amount_input="comment_days",
        extend_roles=MO,
    ),
    Deadline(
        key="report-consideration",
        label=_l("Decide on the investigation report"),
        amount=7,
        unit="working_days",
        owner="monitoring-officer",
        seed="seed 003 Rule 9 §2.4.3",
        extend_roles=MO,
    ),
    Deadline(
        key="agenda-pack",
        label=_l("Publish the hearing agenda pack"),
        amount=5,
        unit="working_days_before",
        anchor_input="hearing_date",
        owner="monitoring-officer",
        seed="seed 003 guidance, hearing (agenda pack at least 5 working days before)",
    ),
)

CLOSED = "seed 003 Rule 9 §4.1 (ombudsman signposted at the end)"

STAGES = (
    Stage(
        key="received",
        label=_l("Received"),
        seed="seed 003 Rule 9 §2.1.3-§2.1.4",
        deadlines=("acknowledge",),
        description=_l(
            "Acknowledge the complaint and clarify any points of uncertainty before anything "
            "else is done."
        ),
        actions=(
            Action(
                key="acknowledgement-emailed",
                label=_l("Acknowledgement emailed"),
                roles=(SYSTEM_ROLE,),
                seed="seed 003 Rule 9 §2.1.4",
                meets=("acknowledge",),
                done=_l("Acknowledgement emailed to the complainant"),
            ),
            Action(
                key="acknowledged-by-receipt",
                label=_l("Acknowledged with a receipt code"),
                roles=(SYSTEM_ROLE,),
                seed="seed 003 Rule 9 §2.1.4, §2.1.7",
                meets=("acknowledge",),
                done=_l(
                    "Anonymous complaint: acknowledged on screen with its reference and a receipt code (there is no address to write to)"
                ),
            ),
            Action(
                key="record-acknowledgement",
                label=_l("Record that the acknowledgement was sent"),
                roles=MO,
                seed="seed 003 Rule 9 §2.1.4",
                when=("deadline_open:acknowledge",),
                inputs=(
                    Input(
                        "how",
                        _l("How was it sent?"),
                        kind="choice",
                        choices=(Choice("post", _l("By post")), Choice("email", _l("By email"))),
                    ),
                ),
                meets=("acknowledge",),
                done=_l("Acknowledgement sent"),
            ),
            Action(
                key="grant-confidentiality",
                label=_l("Grant the request for confidentiality"),
                roles=MO,
                seed="seed 003 Rule 9 §2.1.7",
                when=("confidentiality_requested", "not:deadline_open:acknowledge"),
                inputs=(REASON,),
                sets=(("confidentiality_granted", "=yes"),),
                notifies=(
                    Notice(
                        "complainant",
                        _l(
                            "Your request for confidentiality has been granted: your name will not be given to the councillor."
                        ),
                        "seed 003 Rule 9 §2.1.7",
                    ),
                ),
                to="notify-subject",
                done=_l("Confidentiality granted and the complainant told"),
                primary=True,
            ),
            Action(
                key="refuse-confidentiality",
                label=_l("Refuse the request for confidentiality"),
                roles=MO,
                seed="seed 003 Rule 9 §2.1.7; guidance (opportunity to withdraw)",
                when=("confidentiality_requested", "not:deadline_open:acknowledge"),
                inputs=(REASON,),
                sets=(("confidentiality_granted", "=no"),),
                notifies=(
                    Notice(
                        "complainant",
                        _l(
                            "Your request for confidentiality has not been granted. Tell us if you want to withdraw your complaint rather than continue."
                        ),
                        "seed 003 Rule 9 §2.1.7; guidance",
                    ),
                ),
                to="confidentiality-refused",
                done=_l("Confidentiality refused and the complainant told"),
            ),
            Action(
                key="proceed",
                label=_l("Proceed: tell the councillor"),
                roles=MO,
                seed="seed 003 Rule 9 §2.1.5",
                when=("not:confidentiality_requested", "not:deadline_open:acknowledge"),
                to="notify-subject",
                done=_l("Complaint checked; the councillor is to be told"),
                primary=True,
            ),
        ),
    ),
    Stage(
        key="confidentiality-refused",
        label=_l("Confidentiality refused: complainant may withdraw"),
        seed="seed 003 guidance (given the opportunity to withdraw)",
        actions=(
            Action(
                key="complainant-continues",
                label=_l("Complainant wants to continue"),
                roles=MO,
                seed="seed 003 guidance",
                to="notify-subject",
                done=_l("Complainant chose to continue without confidentiality"),
                primary=True,
            ),
        ),
    ),
    Stage(
        key="notify-subject",
        label=_l("Tell the councillor"),
        seed="seed 003 Rule 9 §2.1.5",
        actions=(
            Action(
                key="subject-notified",
                label=_l("Record that the councillor was sent the complaint"),
                roles=MO,
                seed="seed 003 Rule 9 §2.1.5",
                inputs=(
                    Input(
                        "subject_email",
                        _l("The councillor's email address"),
                        kind="email",
                        required=False,
                        hint=_l(
                            "They are sent a secure link to see the complaint's progress and reply."
                        ),
                    ),
                ),
                sets=(("subject_email", "subject_email"),),
                to="subject-response",
                starts=("subject-response",),
                notifies=(
                    Notice(
                        "subject",
                        _l(
                            "A complaint has been made that you may have breached the Code of Conduct. The Monitoring Officer has sent you the complaint. Please give your initial response."
                        ),
                        "seed 003 Rule 9 §2.1.5",
                    ),
                    Notice(
                        "complainant",
                        _l(
                            "The councillor has been told about your complaint and asked to respond."
                        ),
                        INFORMED,
                    ),
                    Notice(
                        "clerk",
                        _l("A conduct complaint about a member of your council has been received."),
                        INFORMED,
                    ),
                ),
                done=_l("Councillor sent the complaint; 7 working days to respond"),
                primary=True,
            ),
            Action(
                key="withhold-from-subject",
                label=_l("Do not tell the councillor yet (exceptional circumstances)"),
                roles=MO,
                seed="seed 003 guidance (unless exceptional circumstances exist)",
                inputs=(REASON,),
                to="initial-assessment",
                done=_l("Councillor not told, for exceptional reasons"),
            ),
        ),
    ),
    Stage(
        key="subject-response",
        label=_l("Waiting for the councillor's response"),
        seed="seed 003 Rule 9 §2.1.5",
        actions=(
            Action(
                key="subject-responded",
                label=_l("Record the councillor's response"),
                roles=MO,
                seed="seed 003 Rule 9 §2.1.5",
                inputs=(
                    Input("summary", _l("Summary of the response")),
                    Input("document", _l("The response (optional)"), kind="file", required=False),
                ),
                meets=("subject-response",),
                to="informal-resolution",
                notifies=(
                    Notice(
                        "complainant",
                        _l(
                            "The councillor has responded. The Monitoring Officer will contact you about whether the complaint can be resolved informally."
                        ),
                        "seed 003 guidance (response shared with the complainant)",
                    ),
                ),
                done=_l("Councillor's response received and shared with the complainant"),
                primary=True,
            ),
            Action(
                key="no-subject-response",
                label=_l("Continue without a response"),
                roles=MO,
                seed="seed 003 Rule 9 §2.3.8 (progressed in the absence of their input)",
                inputs=(REASON,),
                closes=("subject-response",),
                to="informal-resolution",
                done=_l("Continued without the councillor's response"),
            ),
        ),
    ),
    Stage(
        key="informal-resolution",
        label=_l("Informal resolution offered"),
        seed="seed 003 guidance (informal resolution); Rule 9 §2.2.5",
        actions=(
            Action(
                key="resolved-informally",
                label=_l("Complaint resolved informally"),
                roles=MO,
                seed="seed 003 guidance",
                inputs=(Input("resolution", _l("How it was resolved")),),
                to="closed-informal",
                done=_l("Resolved informally"),
            ),
            Action(
                key="not-resolved",
                label=_l("Not resolved: go to initial assessment"),
                roles=MO,
                seed="seed 003 guidance (complainant confirms it cannot be resolved)",
                to="initial-assessment",
                notifies=(IP_ASKED,),
                done=_l("Complainant confirmed it cannot be resolved informally"),
                primary=True,
            ),
        ),
    ),
    Stage(
        key="initial-assessment",
        label=_l("Initial assessment"),
        seed="seed 003 Rule 9 §2.2.3-§2.2.8",
        description=_l(
            "The Monitoring Officer decides, in consultation with the Independent Person, and "
            "gives reasons in an Initial Assessment Decision Notice."
        ),
        actions=(
            RECORD_IP_VIEW,
            Action(
                key="assess-no-further-action",
                label=_l("Decide: no further action"),
                roles=MO,
                seed="seed 003 Rule 9 §2.2.3, §2.2.4",
                when=IP_CONSULTED,
                inputs=(FACTORS, DECISION_REASONS),
                to="closed-no-action",
                notifies=_both(
                    _l(
                        "The Monitoring Officer, having consulted the Independent Person, has decided that no further action will be taken. A Decision Notice gives the reasons."
                    )
                ),
                done=_l("Initial assessment: no further action"),
            ),
            Action(
                key="assess-informal-resolution",
                label=_l("Decide: informal resolution"),
                roles=MO,
                seed="seed 003 Rule 9 §2.2.3, §2.2.5",
                when=IP_CONSULTED,
                inputs=(FACTORS, DECISION_REASONS),
                to="informal-action",
                done=_l("Initial assessment: informal resolution"),
            ),
            Action(
                key="assess-police-referral",
                label=_l("Decide: refer to the police"),
                roles=MO,
                seed="seed 003 Rule 9 §2.2.3, §2.2.7",
                when=IP_CONSULTED,
                inputs=(FACTORS, DECISION_REASONS),
                to="police",
                done=_l("Initial assessment: referred to the police; case paused"),
            ),
            Action(
                key="assess-investigate",
                label=_l("Decide: investigate"),
                roles=MO,
                seed="seed 003 Rule 9 §2.2.3, §2.3.3-§2.3.5",
                when=IP_CONSULTED,
                inputs=(
                    FACTORS,
                    DECISION_REASONS,
                    Input("scope", _l("Level and scope of the investigation (Rule 9 §2.3.4)")),
                    Input(
                        "investigator",
                        _l("Investigating Officer"),
                        kind="user",
                        user_role="investigating-officer",
                        required=False,
                        hint=_l("Can be chosen later."),
                    ),
                ),
                assigns=("investigator",),
                to="investigation",
                starts=("investigation",),
                notifies=(
                    *_both(
                        _l(
                            "The Monitoring Officer, having consulted the Independent Person, has decided that the complaint will be investigated. The investigation should be completed within 3 months."
                        )
                    ),
                    Notice(
                        "investigating-officer",
                        _l("You have been asked to investigate this complaint."),
                        "seed 003 Rule 9 §2.3.5",
                    ),
                ),
                done=_l("Initial assessment: referred for investigation"),
                primary=True,
            ),
            Action(
                key="assess-summary-resolution",
                label=_l("Decide: summary resolution"),
                roles=MO,
                seed="seed 003 Rule 9 §2.2.3, §2.5",
                when=IP_CONSULTED,
                inputs=(FACTORS, DECISION_REASONS),
                to="summary-resolution",
                done=_l("Initial assessment: summary resolution"),
            ),
        ),
    ),
    Stage(
        key="informal-action",
        label=_l("Informal resolution in progress"),
        seed="seed 003 Rule 9 §2.2.5-§2.2.6",
        actions=(
            Action(
                key="informal-action-resolved",
                label=_l("Resolved"),
                roles=MO,
                seed="seed 003 Rule 9 §2.2.5",
                inputs=(Input("resolution", _l("How it was resolved")),),
                to="closed-informal",
                done=_l("Resolved informally"),
                primary=True,
            ),
            Action(
                key="reconsideration-requested",
                label=_l("Complainant asks for reconsideration"),
                roles=MO,
                seed="seed 003 Rule 9 §2.2.6",
                inputs=(REASON,),
                to="initial-assessment",
                done=_l("Reconsideration requested; back to initial assessment"),
            ),
        ),
    ),
    Stage(
        key="police",
        label=_l("With the police: paused"),
        kind="paused",
        seed="seed 003 Rule 9 §2.2.7",
        description=_l("No further action is taken until the police or regulatory inquiry ends."),
        actions=(
            Action(
                key="police-concluded",
                label=_l("Police inquiry concluded: resume"),
                roles=MO,
                seed="seed 003 Rule 9 §2.2.7",
                inputs=(Input("result", _l("Result of the police or regulatory inquiry")),),
                to="initial-assessment",
                done=_l("Police inquiry concluded; case resumed"),
                primary=True,
            ),
        ),
    ),
    Stage(
        key="investigation",
        label=_l("Investigation"),
        seed="seed 003 Rule 9 §2.3",
        actions=(
            Action(
                key="assign-investigator",
                label=_l("Choose the Investigating Officer"),
                roles=MO,
                seed="seed 003 Rule 9 §2.3.5",
                inputs=(
                    Input(
                        "investigator",
                        _l("Investigating Officer"),
                        kind="user",
                        user_role="investigating-officer",
                    ),
                ),
                assigns=("investigator",),
                done=_l("Investigating Officer assigned"),
            ),
            Action(
                key="draft-report",
                label=_l("Send the draft report for comment"),
                roles=(*INVESTIGATOR, *MO),
                seed="seed 003 Rule 9 §2.3.9",
                inputs=(
                    Input("document", _l("Draft report"), kind="file"),
                    Input(
                        "comment_days",
                        _l("Working days for comments"),
                        kind="number",
                        minimum=1,
                        maximum=60,
                        hint=_l("The agreed period for the complainant and councillor to comment."),
                    ),
                ),
                to="draft-report",
                starts=("draft-report-comments",),
                notifies=_both(
                    _l("The Investigating Officer's draft report is ready for your comments.")
                ),
                done=_l("Draft report sent to the complainant and councillor for comment"),
                primary=True,
            ),
            Action(
                key="terminate-investigation",
                label=_l("Terminate the investigation"),
                roles=MO,
                seed="seed 003 Rule 9 §2.3.7",
                when=IP_CONSULTED,
                inputs=(
                    Input(
                        "circumstance",
                        _l("Material change of circumstances"),
                        kind="choice",
                        choices=(
                            Choice(
                                "resigned", _l("The councillor has resigned or not been re-elected")
                            ),
                            Choice("ill", _l("The councillor is seriously ill")),
                            Choice("died", _l("The councillor has died")),
                            Choice("other", _l("Another material change")),
                        ),
                    ),
                    REASON,
                ),
                to="closed-terminated",
                done=_l("Investigation terminated"),
            ),
            RECORD_IP_VIEW,
            Action(
                key="complainant-not-responding",
                label=_l("Complainant has not responded: treat as withdrawn"),
                roles=MO,
                seed="seed 003 Rule 9 §2.3.8",
                inputs=(REASON,),
                to="withdrawn",
                done=_l("Treated as withdrawn: the complainant did not respond"),
            ),
        ),
    ),
    Stage(
        key="draft-report",
        label=_l("Draft report out for comment"),
        seed="seed 003 Rule 9 §2.3.9-§2.3.10",
        actions=(
            Action(
                key="final-report",
                label=_l("Submit the final report"),
                roles=(*INVESTIGATOR, *MO),
                seed="seed 003 Rule 9 §2.3.10",
                inputs=(
                    Input("document", _l("Final report"), kind="file"),
                    Input(
                        "finding",
                        _l("The Investigating Officer's view"),
                        kind="choice",
                        choices=(
                            Choice("breach", _l("A breach of the Code of Conduct occurred")),
                            Choice("no-breach", _l("No breach of the Code of Conduct")),
                        ),
                    ),
                ),
                meets=("draft-report-comments", "investigation"),
                to="report-consideration",
                starts=("report-consideration",),
                notifies=(IP_ASKED,),
                done=_l("Final report received"),
                primary=True,
            ),
        ),
    ),
    Stage(
        key="report-consideration",
        label=_l("Consider the investigation report"),
        seed="seed 003 Rule 9 §2.4",
        actions=(
            RECORD_IP_VIEW,
            Action(
                key="decide-no-breach",
                label=_l("Decide: no breach, no further action"),
                roles=MO,
                seed="seed 003 Rule 9 §2.4.4",
                when=IP_CONSULTED,
                inputs=(DECISION_REASONS,),
                meets=("report-consideration",),
                to="closed-no-breach",
                notifies=_both(
                    _l(
                        "The investigation found no breach of the Code of Conduct. No further action will be taken."
                    )
                ),
                done=_l("No breach: final report sent to the parties"),
            ),
            Action(
                key="decide-summary-resolution",
                label=_l("Decide: breach, seek summary resolution"),
                roles=MO,
                seed="seed 003 Rule 9 §2.4.5, §2.5",
                when=IP_CONSULTED,
                inputs=(DECISION_REASONS,),
                meets=("report-consideration",),
                to="summary-resolution",
                done=_l("Breach: summary resolution to be sought"),
            ),
            Action(
                key="decide-hearing",
                label=_l("Decide: breach, refer for a hearing"),
                roles=MO,
                seed="seed 003 Rule 9 §2.4.5, §2.6.3",
                when=IP_CONSULTED,
                inputs=(DECISION_REASONS,),
                meets=("report-consideration",),
                to="hearing",
                notifies=(
                    *_both(
                        _l(
                            "The complaint has been referred to a Hearing Panel of the Conduct Committee. You will be told the date of the hearing."
                        )
                    ),
                    PANEL_TOLD,
                ),
                done=_l("Breach: referred to the Hearing Panel"),
                primary=True,
            ),
            Action(
                key="reconsider-report",
                label=_l("Ask the Investigating Officer to reconsider the report"),
                roles=MO,
                seed="seed 003 Rule 9 §2.3.11",
                inputs=(REASON,),
                closes=("report-consideration",),
                to="investigation",
                done=_l("Report returned to the Investigating Officer"),
            ),
        ),
    ),
    Stage(
        key="summary-resolution",
        label=_l("Summary resolution"),
        seed="seed 003 Rule 9 §2.5",
        actions=(
            Action(
                key="summary-accepted",
                label=_l("Councillor accepted and complied"),
                roles=MO,
                seed="seed 003 Rule 9 §2.5.4",
                inputs=(Input("resolution", _l("The agreed outcome (apology, training, ...)")),),
                to="closed-summary",
                done=_l("Summary resolution accepted"),
                primary=True,
            ),
            Action(
                key="summary-refused",
                label=_l("Councillor refused: refer for a hearing"),
                roles=MO,
                seed="seed 003 Rule 9 §2.5.5",
                inputs=(REASON,),
                to="hearing",
                done=_l("Summary resolution refused; referred to the Hearing Panel"),
            ),
        ),
    ),
    Stage(
        key="hearing",
        label=_l("Hearing"),
        seed="seed 003 Rule 9 §3; Article 9 §2",
        actions=(
            Action(
                key="schedule-hearing",
                label=_l("Set the hearing date"),
                roles=MO,
                seed="seed 003 Rule 9 §3.1.3",
                inputs=(Input("hearing_date", _l("Hearing date"), kind="date"),),
                sets=(("hearing_date", "hearing_date"),),
                starts=("agenda-pack",),
                # The hearing pages tell the parties, witnesses and panel, with the
                # date, time and venue (conduct/hearings/services.py).
                done=_l("Hearing date set"),
                via="hearing",
            ),
            Action(
                key="agenda-published",
                label=_l("Record that the agenda pack is published"),
                roles=MO,
                seed="seed 003 guidance, hearing",
                when=("deadline_open:agenda-pack",),
                meets=("agenda-pack",),
                done=_l("Agenda pack published"),
                via="hearing",
            ),
            Action(
                key="hearing-decision",
                label=_l("Record the Hearing Panel's decision"),
                roles=MO,
                seed="seed 003 Rule 9 §3.5-§3.6",
                when=("fact:hearing_date",),
                inputs=(
                    Input(
                        "finding",
                        _l("Finding, on the balance of probabilities"),
                        kind="choice",
                        choices=(
                            Choice("breach", _l("The councillor failed to comply with the Code")),
                            Choice("no-breach", _l("No failure to comply with the Code")),
                        ),
                    ),
                    Input("decision", _l("The principal reasons for the decision")),
                ),
                sets=(("finding", "finding"),),
                to="closed-hearing",
                notifies=_both(
                    _l(
                        "The Hearing Panel has made its decision. The Decision Notice will be published with the minutes."
                    )
                ),
                done=_l("Hearing Panel decision recorded"),
                primary=True,
                via="hearing",
            ),
        ),
    ),
    Stage(
        key="withdrawn",
        label=_l("Withdrawn"),
        kind="closed",
        outcome="withdrawn",
        seed="seed 003 Rule 9 §2.1.10",
        actions=(
            Action(
                key="continue-after-withdrawal",
                label=_l("Continue in the interests of good governance"),
                roles=MO,
                seed="seed 003 Rule 9 §2.1.10",
                inputs=(REASON,),
                to=PREVIOUS,
                done=_l("The Monitoring Officer continued the complaint after its withdrawal"),
            ),
        ),
    ),
    closed("closed-informal", _l("Closed: resolved informally"), "informal-resolution", CLOSED),
    closed("closed-no-action", _l("Closed: no further action"), "no-further-action", CLOSED),
    closed("closed-terminated", _l("Closed: investigation terminated"), "terminated", CLOSED),
    closed("closed-no-breach", _l("Closed: no breach"), "no-breach", CLOSED),
    closed("closed-summary", _l("Closed: summary resolution"), "summary-resolution", CLOSED),
    closed("closed-hearing", _l("Closed: hearing decision"), "hearing-decision", CLOSED),
)

# The general obligations of the Code of Conduct, as the seed 003 Hearing Panel Decision
# Notice template (Appendix 5) lists them.
PROVISIONS = (
    Choice("3.1", _l("Rule 3.1: failure to treat others with respect")),
    Choice("3.2a", _l("Rule 3.2(a): conduct in breach of UK equalities legislation")),
    Choice("3.2b", _l("Rule 3.2(b): conduct which amounts to bullying of any person")),
    Choice(
        "3.2c",
        _l(
            "Rule 3.2(c): intimidation of a complainant, a witness or anyone involved in an investigation"
        ),
    ),
    Choice(
        "3.2d",
        _l("Rule 3.2(d): compromising the impartiality of those who work for the council"),
    ),
    Choice("3.2e", _l("Rule 3.2(e): bringing the member's office or the council into disrepute")),
    Choice("4.1", _l("Rule 4.1: disclosure of confidential information")),
    Choice("4.2", _l("Rule 4.2: preventing access to information a person is entitled to")),
    Choice("5.1", _l("Rule 5.1: improper use of position to confer an advantage or disadvantage")),
    Choice("6.1a", _l("Rule 6.1: not following the council's requirements on its resources")),
    Choice("6.1b", _l("Rule 6.1: use of the council's resources for political purposes")),
    Choice("6.2", _l("Rule 6.2: failure to have regard to the Code of Publicity")),
)

# seed 003 Rule 9 §3.6.3: the sanctions a Hearing Panel may apply.
SANCTIONS = (
    Choice("report-to-council", _l("Report its findings to Full Council for information")),
    Choice("reprimand", _l("Issue a formal letter of reprimand")),
    Choice(
        "remove-from-committees",
        _l(
            "Recommend to the Group Leader (or Council) removal from any or all committees or sub-committees"
        ),
    ),
    Choice(
        "remove-from-cabinet",
        _l("Recommend to the Leader removal from the Cabinet or from portfolio responsibilities"),
    ),
    Choice(
        "remove-outside-appointments",
        _l("Recommend to Council removal from all outside appointments made by the authority"),
    ),
    Choice(
        "withdraw-facilities",
        _l("Recommend to Council withdrawal of facilities (computer, website, email and internet)"),
    ),
    Choice(
        "exclude-from-premises",
        _l("Recommend to Council exclusion from the council's offices, except meeting rooms"),
    ),
    Choice("training", _l("Offer additional training")),
    Choice(
        "newspaper-notice",
        _l("Publish formal notification of the breach in a newspaper circulating in the area"),
    ),
)

R = "seed 003 Rule 9 "
ORDER_OF_BUSINESS = (
    BusinessItem(
        "elect-chair",
        _l("Elect a chairman (if neither the Chairman nor the Vice-Chairman is present)"),
        R + "§3.2.3.2",
    ),
    BusinessItem("apologies", _l("Apologies for absence"), R + "§3.2.3.3"),
    BusinessItem("declarations", _l("Declarations of interest"), R + "§3.2.3.4"),
    BusinessItem(
        "subject-absent",
        _l("If the Subject is absent: decide whether to adjourn or to proceed"),
        R + "§3.2.3.5, §3.1.6",
    ),
    BusinessItem(
        "introductions",
        _l("Introductions by the Chairman of everyone present and taking part"),
        R + "§3.2.3.6",
    ),
    BusinessItem(
        "private-session",
        _l(
            "Representations on holding any part in private or withholding documents (Schedule 12A, Local Government Act 1972)"
        ),
        R + "§3.2.3.7",
    ),
    BusinessItem(
        "presentation-complaint",
        _l(
            "Investigating Officer presents the report and calls witnesses; questions from the Subject and the Panel"
        ),
        R + "§3.2.4",
    ),
    BusinessItem(
        "presentation-subject",
        _l(
            "The Subject presents their case and calls witnesses; questions from the Investigating Officer and the Panel"
        ),
        R + "§3.2.5",
    ),
    BusinessItem(
        "summing-up", _l("Summing up by the Investigating Officer, then the Subject"), R + "§3.2.6"
    ),
    BusinessItem(
        "independent-person",
        _l("The Independent Person's view on whether there has been a breach"),
        R + "§3.2.7",
    ),
    BusinessItem("deliberation", _l("The Panel deliberates in private"), R + "§3.2.8"),
    BusinessItem(
        "finding-announced",
        _l("The Chairman announces whether there has been a breach of the Code"),
        R + "§3.3.3",
    ),
    BusinessItem(
        "sanction-representations",
        _l(
            "Representations on sanctions: Investigating Officer, Subject, Independent Person, Monitoring Officer"
        ),
        R + "§3.3.4",
    ),
    BusinessItem(
        "sanction-deliberation", _l("The Panel deliberates in private on sanctions"), R + "§3.3.6"
    ),
    BusinessItem(
        "announcement",
        _l(
            "Announcement: the decision and principal reasons, sanctions, recommendations, and that there is no right of appeal"
        ),
        R + "§3.4",
    ),
)

HEARING = HearingRules(
    body=_l("Hearing Panel of the Conduct Committee"),
    seed="seed 003 Rule 9 §3; Article 9 §2",
    panel=PanelRules(
        seed="seed 003 Article 9 §2.2",
        voting_members=3,
        needs_chair_or_vice=True,
        needs_independent_person=True,
        co_opted_for_parish=True,
    ),
    order_of_business=ORDER_OF_BUSINESS,
    stages=("hearing",),
    schedule_actions=("schedule-hearing",),
    publish_action="agenda-published",
    decision_action="hearing-decision",
    outcome_input="finding",
    breach_outcomes=("breach",),
    findings_per_allegation=True,
    sanctions=SANCTIONS,
    sanctions_seed="seed 003 Rule 9 §3.6.3",
    appeal_statement=_l(
        "There is no right of appeal against the Hearing Panel's decision (Rule 9 §3.4.7, §4.1). "
        "A complainant who is not satisfied can raise the matter with the Local Government and "
        "Social Care Ombudsman."
    ),
)

ASSESSMENTS = (
    "assess-no-further-action",
    "assess-informal-resolution",
    "assess-police-referral",
    "assess-investigate",
    "assess-summary-resolution",
)

NOTICES = (
    NoticeKind(
        key="initial-assessment",
        title=_l("Initial Assessment Decision Notice"),
        seed="seed 003 Rule 9 §2.2.8; Appendix 4",
        after_actions=ASSESSMENTS,
        approvals=(IP, MO),
    ),
    NoticeKind(
        key="hearing-panel",
        title=_l("Conduct Committee Hearing Panel: Decision Notice"),
        seed="seed 003 Rule 9 §3.5.3; Appendix 5",
        after_actions=("hearing-decision",),
        approvals=(MO, ("panel-member",)),
    ),
)

PROCEDURE = Procedure(
    key="conduct-complaint",
    title=_l("Conduct complaint about a councillor"),
    summary=_l(
        "A complaint that a councillor has breached the Code of Conduct, dealt with by the "
        "Monitoring Officer in consultation with an Independent Person."
    ),
    seed="seed 003 Rule 9",
    stages=STAGES,
    deadlines=DEADLINES,
    entry_points=(EntryPoint("complaint", _l("Conduct complaint"), "received"),),
    anywhere=(
        Action(
            key="withdraw",
            label=_l("Record the complainant's withdrawal"),
            roles=MO,
            seed="seed 003 Rule 9 §2.1.10",
            inputs=(REASON,),
            to="withdrawn",
            notifies=_both(_l("The complaint has been withdrawn.")),
            done=_l("Complainant withdrew the complaint"),
        ),
        pause(MO, "SPEC Time: a case can be paused and resumed"),
        resume(MO, "SPEC Time: a case can be paused and resumed"),
        note((*MO, *IP)),
    ),
    intake_checks=(
        IntakeCheck(
            key="events-over-six-months",
            message=_l(
                "The events are more than 6 months old: no action is likely (Rule 9 §2.2.4)."
            ),
            seed="seed 003 Rule 9 §2.2.4",
            older_than_months=6,
        ),
        IntakeCheck(
            key="no-longer-councillor",
            message=_l(
                "The complaint concerns someone who is no longer a councillor: no action is "
                "likely (Rule 9 §2.2.4)."
            ),
            seed="seed 003 Rule 9 §2.2.4",
            flag="subject_not_councillor",
        ),
    ),
    takes_public_form=True,
    timescales=(
        # seed 003 Rule 9 §2.1.4
        _l("We will acknowledge your complaint in writing within 5 working days."),
        # seed 003 Rule 9 §2.1.7
        _l(
            "If you asked for your identity to be kept confidential, we will tell you our "
            "decision on that before the complaint goes any further."
        ),
        # seed 003 Rule 9 §2.1.5
        _l(
            "The councillor will usually be told about the complaint and given 7 working days "
            "to respond."
        ),
        # seed 003 guidance, conclusion
        _l(
            "Unless it can be resolved informally, a complaint can take up to 6 months to conclude."
        ),
    ),
    readers=(*MO, *IP),
    provisions=PROVISIONS,
    hearing=HEARING,
    notices=NOTICES,
)
