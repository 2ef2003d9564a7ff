"""The procedures a council can enable (SPEC "Procedures"), with what the public is told.

Keys are a stable interface. The stages, transitions and deadlines of each
procedure are declared with the procedure engine; here is what a council's
public pages and the acknowledgement email say about each.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Procedure:
    key: str
    title: object  # lazy string
    summary: object
    seed: str
    # Whether the public complaint form (seed 003 Appendix 3) starts a case of this kind.
    takes_public_form: bool = False
    # What a complainant is told to expect, each line citing its seed paragraph.
    timescales: tuple[object, ...] = ()


PROCEDURES: dict[str, Procedure] = {
    p.key: p
    for p in (
        Procedure(
            key="conduct-complaint",
            title=_l("Conduct complaint about a councillor"),
            summary=_l(
                "A complaint that a councillor has breached the Code of Conduct, dealt with "
                "by the Monitoring Officer in consultation with an Independent Person."
            ),
            seed="seed 003 Rule 9",
            takes_public_form=True,
            timescales=(
                # seed 003 Rule 9 §2.1.4
                _l("We will acknowledge your complaint in writing within 5 working days."),
                # seed 003 Rule 9 §2.1.7
                _l(
                    "If you asked for your identity to be kept confidential, we will tell you "
                    "our decision on that before the complaint goes any further."
                ),
                # seed 003 Rule 9 §2.1.5
                _l(
                    "The councillor will usually be told about the complaint and given 7 "
                    "working days to respond."
                ),
                # seed 003 guidance, conclusion
                _l(
                    "Unless it can be resolved informally, a complaint can take up to 6 months "
                    "to conclude."
                ),
            ),
        ),
        Procedure(
            key="ombudsman-referral",
            title=_l("Code of Conduct complaints to the Public Services Ombudsman for Wales"),
            summary=_l(
                "Complaints that a councillor has breached the Code of Conduct go to the Public "
                "Services Ombudsman for Wales, who decides whether to investigate."
            ),
            seed="seed 001 §4",
        ),
        Procedure(
            key="local-resolution",
            title=_l("Local resolution of low-level complaints between councillors"),
            summary=_l(
                "A protocol for resolving low-level complaints made by one councillor about "
                "another, within one month of the event."
            ),
            seed="seed 002",
        ),
        Procedure(
            key="confidential-report",
            title=_l("Confidential reporting by councillors"),
            summary=_l(
                "How a councillor reports, in confidence, conduct that may be criminal to the "
                "Monitoring Officer."
            ),
            seed="seed 000",
        ),
        Procedure(
            key="member-officer-protocol",
            title=_l("Member and officer protocol"),
            summary=_l(
                "Concerns between councillors and officers, raised with the clerk, the chair or "
                "the Monitoring Officer depending on who the concern is about."
            ),
            seed="seed 001 §14-16, §34-36; seed 004 §15",
        ),
    )
}

PUBLIC_FORM_PROCEDURE = "conduct-complaint"
