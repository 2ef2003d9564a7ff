"""Demo cases that reach the committee: hearings arranged and decided, notices published.

Each is walked through the same services staff use (the engine, the hearing
and decision-notice services), on the days it would have happened, so the
demo shows deadlines, papers, a decided hearing and published notices, and
one draft notice about a confidential complainant that must never be public.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from conduct import engine
from conduct.calendar import WorkingCalendar
from conduct.decisions import services as notices
from conduct.hearings import services as hearings
from conduct.hearings.panel import PanelChoice
from conduct.intake import NewCase, create_case
from conduct.models import Allegation, Case
from conduct.procedures import PROCEDURES
from core.db import db
from core.tenancy import scope
from tenants.committees import CO_OPTED, INDEPENDENT, MEMBER, CommitteeMember
from tenants.models import Council, User
from tenants.services import user_by_email

MO = "monitoring.officer@fenmoor.example.org"
IP = "independent.person@fenmoor.example.org"
IO = "investigator@fenmoor.example.org"
PANEL = "panel.member@fenmoor.example.org"
VENUE = "Council Chamber, Fenmoor Hall, Market Street, Fenmoor"


def _new(
    council: Council,
    received: date,
    who: tuple[str, str],
    subject: tuple[str, str],
    details: str,
    *,
    confidential: bool = False,
) -> Case:
    case = create_case(
        council,
        PROCEDURES["conduct-complaint"],
        "complaint",
        NewCase(
            received_on=received,
            channel="email",
            first_name=who[0],
            last_name=who[1],
            subject_first_name=subject[0],
            subject_last_name=subject[1],
            details=details,
            email=f"{who[0].lower()}.{who[1].lower()}@example.com",
        ),
        actor=user_by_email(MO),
    )
    case.confidentiality_requested = confidential
    case.allegations = [
        Allegation(council_id=council.id, provision="3.1", summary=details, position=0)
    ]
    return case


def _walk(case: Case, council: Council, steps: list[tuple[str, str, dict]], on: date) -> None:
    for who, key, values in steps:
        with engine.as_of(on):
            engine.perform(case, council, key, actor=user_by_email(who), values=values)


def _to_assessment(case: Case, council: Council, on: date, confidential: bool = False) -> None:
    _walk(
        case,
        council,
        [
            (MO, "record-acknowledgement", {"how": "email"}),
            (MO, "grant-confidentiality", {"reason": "Fear of reprisals"})
            if confidential
            else (MO, "proceed", {}),
            (MO, "subject-notified", {"subject_email": ""}),
            (MO, "subject-responded", {"summary": "The councillor denies it."}),
            (MO, "not-resolved", {}),
            (IP, "record-ip-view", {"view": "The conduct, if proved, may breach Rule 3.1."}),
        ],
        on,
    )


def _panel(committee: list[CommitteeMember], parish: bool) -> PanelChoice:
    voting = [m for m in committee if m.kind == MEMBER]
    chair = next(m for m in voting if m.office == "chair")
    others = [m for m in voting if m is not chair][:2]
    return PanelChoice(
        members=[chair.id, *(m.id for m in others)],
        chair=chair.id,
        independent_person=next(m.id for m in committee if m.kind == INDEPENDENT),
        co_opted=[m.id for m in committee if m.kind == CO_OPTED] if parish else [],
    )


def _publish_notice(case: Case, kind: str, approvers: list[User]) -> None:
    mo = user_by_email(MO)
    notice = notices.start(case, kind, mo)
    db.session.flush()
    for slot, user in enumerate(approvers):
        notices.approve(notice, user, slot)
    notices.publish(notice, mo)


def add(councils: dict[str, Council]) -> None:
    """Add the hearing demo cases (called once, by `flask demo load`)."""
    fenmoor = councils["fenmoor"]
    committee = hearings.committee(fenmoor.id)
    if not committee:
        return
    mo, ip, panel = user_by_email(MO), user_by_email(IP), user_by_email(PANEL)
    today = engine.today()
    calendar = WorkingCalendar("england", ())
    ashby, hadley = councils["ashby-marsh"], councils["little-hadley"]

    # 1. Decided a month ago: both decision notices published.
    with scope({ashby.id}):
        case = _new(
            ashby,
            today - timedelta(days=150),
            ("Chris", "Taylor"),
            ("Vic", "Hart"),
            "At the town council meeting the councillor called a resident 'a parasite' and "
            "refused to let them finish their question.",
        )
        assessed = today - timedelta(days=120)
        _to_assessment(case, ashby, assessed)
        io = user_by_email(IO)
        _walk(
            case,
            ashby,
            [
                (
                    MO,
                    "assess-investigate",
                    {
                        "reasons": "The remarks, if made, may show a failure to treat others "
                        "with respect.",
                        "scope": "The meeting and the councillor's remarks.",
                        "investigator": io,
                        "factors": [],
                    },
                )
            ],
            assessed,
        )
        _publish_notice(case, "initial-assessment", [ip, mo])
        reported = today - timedelta(days=60)
        _walk(
            case, ashby, [(IO, "draft-report", {"comment_days": 10})], reported - timedelta(days=20)
        )
        _walk(case, ashby, [(IO, "final-report", {"finding": "breach"})], reported)
        _walk(
            case,
            ashby,
            [
                (IP, "record-ip-view", {"view": "I agree there was a breach."}),
                (MO, "decide-hearing", {"reasons": "A breach that the councillor disputes."}),
            ],
            reported,
        )
        heard = calendar.add_working_days(today, -22)
        with engine.as_of(heard - timedelta(days=21)):
            result = hearings.convene(
                case, mo, _panel(committee, parish=True), on=heard, at=time(10, 0), venue=VENUE
            )
        with engine.as_of(calendar.add_working_days(heard, -6)):
            hearings.publish_agenda(case, result.hearing, mo, hearings.agenda_texts(case), [])
        with engine.as_of(heard):
            for item in PROCEDURES["conduct-complaint"].hearing.order_of_business:
                hearings.tick(case, result.hearing, mo, item.key)
            hearings.record_decision(
                case,
                result.hearing,
                mo,
                values={"finding": "breach", "decision": "The remark was disrespectful."},
                findings=[
                    hearings.Finding(
                        case.allegations[0].id, "breach", "Two witnesses heard the remark."
                    )
                ],
                sanctions=["reprimand", "training"],
                recommendations="",
                unanimous=True,
            )
        _publish_notice(case, "hearing-panel", [mo, panel])
        db.session.flush()

    # 2. A parish councillor's hearing in two weeks: papers published.
    with scope({hadley.id}):
        case = _new(
            hadley,
            today - timedelta(days=100),
            ("Erin", "Blake"),
            ("Sam", "Frost"),
            "The councillor shared confidential minutes about a staffing matter on social media.",
        )
        _to_assessment(case, hadley, today - timedelta(days=80))
        _walk(
            case,
            hadley,
            [
                (
                    MO,
                    "assess-summary-resolution",
                    {"reasons": "An apology was offered.", "factors": []},
                ),
                (MO, "summary-refused", {"reason": "The councillor refused to apologise."}),
            ],
            today - timedelta(days=30),
        )
        result = hearings.convene(
            case,
            mo,
            _panel(committee, parish=True),
            on=calendar.add_working_days(today, 10),
            at=time(14, 0),
            venue=VENUE,
        )
        hearings.publish_agenda(case, result.hearing, mo, hearings.agenda_texts(case), [])
        db.session.flush()

    # 3. Assessed, notice still a draft: a confidential complainant never to be published.
    with scope({ashby.id}):
        case = _new(
            ashby,
            today - timedelta(days=40),
            ("Dana", "Whitlock"),
            ("Kit", "Moss"),
            "The councillor mocked my disability in a post on the town council's page.",
            confidential=True,
        )
        _to_assessment(case, ashby, today - timedelta(days=20), confidential=True)
        _walk(
            case,
            ashby,
            [
                (
                    MO,
                    "assess-informal-resolution",
                    {"reasons": "An apology and removal of the post.", "factors": []},
                )
            ],
            today - timedelta(days=10),
        )
        notices.start(case, "initial-assessment", mo)
        db.session.flush()
