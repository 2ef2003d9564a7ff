"""Hearings as the procedure's hearing rules describe them: convene, publish, hold, decide.

Every change of stage or deadline goes through the procedure engine (the
rules name the actions, declared `via="hearing"`), so the hearing record and
the case's timeline are written in one transaction; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask import render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from conduct import engine, links
from conduct.hearings import panel
from conduct.hearings.models import (
    ADJOURNED,
    CONVENED,
    DECIDED,
    PRIVATE,
    Hearing,
    HearingAdjournment,
    HearingAttendee,
    HearingFinding,
    HearingSeat,
    HearingStep,
)
from conduct.models import Case, ConflictDeclaration, EvidenceFile
from conduct.notifications import handling_route
from conduct.procedures.model import Action, HearingRules
from conduct.timeutil import LONDON, london_date
from core.db import db, utcnow
from core.outbox import queue_email
from core.outbox_models import OutboxMessage
from tenants.committees import CO_OPTED, INDEPENDENT, CommitteeMember
from tenants.models import Council, User
from tenants.services import external_url

VIA = "hearing"

# Schedule 12A Part 1, Local Government Act 1972: descriptions of exempt information.
SCHEDULE_12A = {
    "1": _l("Information relating to any individual."),
    "2": _l("Information which is likely to reveal the identity of an individual."),
    "3": _l("Information relating to the financial or business affairs of any particular person."),
    "4": _l("Information relating to consultations or negotiations on labour relations matters."),
    "5": _l("Information in respect of which legal professional privilege could be claimed."),
    "6": _l("Information revealing that the authority proposes to give a notice or make an order."),
    "7": _l("Information relating to the prevention, investigation or prosecution of crime."),
}


class HearingError(Exception):
    """Something the person must put right; `field` is where the message belongs."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class PanelError(Exception):
    def __init__(self, problems: list[panel.PanelProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class Result:
    hearing: Hearing
    message_ids: list[int]


# --- what applies to a case ------------------------------------------------------------


def rules_for(case: Case) -> HearingRules | None:
    return engine.procedure_of(case).hearing


def is_open(case: Case) -> bool:
    """The case is at a stage where its procedure holds a hearing."""
    rules = rules_for(case)
    return rules is not None and case.stage in rules.stages


def current(case: Case) -> Hearing | None:
    """The hearing being arranged or held, else the last one."""
    return case.hearings[-1] if case.hearings else None


def committee_council(case: Case) -> Council:
    return case.council.hearing_council


def is_parish_case(case: Case) -> bool:
    """The councillor sits on a council other than the committee's own (a town or parish)."""
    return committee_council(case).id != case.council_id


def committee(council_id: int, *, include_former: bool = False) -> list[CommitteeMember]:
    query = select(CommitteeMember).where(CommitteeMember.council_id == council_id)
    if not include_former:
        query = query.where(CommitteeMember.active.is_(True))
    return list(db.session.scalars(query.order_by(CommitteeMember.position, CommitteeMember.id)))


def decision_action(case: Case) -> Action:
    rules = rules_for(case)
    assert rules is not None
    return engine.procedure_of(case).action(rules.decision_action)


def can_manage(user: User | None, case: Case) -> bool:
    """Those who may take the hearing's decision step also arrange and record the hearing."""
    if rules_for(case) is None:
        return False
    return bool(engine.roles_of(user, case).intersection(decision_action(case).roles))


def seated_user_ids(hearing: Hearing) -> set[int]:
    return {s.member.user_id for s in hearing.seats if s.member.user_id is not None}


def conflicts_with(case: Case, member_ids: set[int]) -> list[ConflictDeclaration]:
    return [c for c in case.conflicts if c.member_id in member_ids]


# --- convening ----------------------------------------------------------------------------


def _starts_at(on: date, at: time) -> datetime:
    return datetime.combine(on, at, tzinfo=LONDON)


def publish_by(case: Case, on: date) -> date | None:
    """The last day the papers can be published for a hearing on that day (None: no rule)."""
    rules = rules_for(case)
    procedure = engine.procedure_of(case)
    calendar = engine.calendar_for(case.council)
    for key in rules.schedule_actions if rules else ():
        for deadline_key in procedure.action(key).starts:
            rule = procedure.deadline(deadline_key)
            if rule.unit == "working_days_before":
                return calendar.add_working_days(on, -rule.amount)
    return None


def check_date(case: Case, on: date) -> None:
    today = engine.today()
    if on <= today:
        raise HearingError("hearing_date", _("The hearing date must be in the future."))
    last = publish_by(case, on)
    if last is not None and last < today:
        raise HearingError(
            "hearing_date",
            _(
                "The papers must be published by %(date)s, 5 working days before a hearing on "
                "that date, and that day has passed. Choose a later date.",
                date=format_date(last, "d MMMM yyyy"),
            ),
        )


def convene(
    case: Case,
    actor: User,
    choice: panel.PanelChoice,
    *,
    on: date,
    at: time,
    venue: str,
    conflicts_note: str | None = None,
) -> Result:
    """Set up the hearing's panel, date and venue (or change them before it is decided)."""
    rules = rules_for(case)
    if rules is None or not is_open(case) or not can_manage(actor, case):
        raise engine.ActionRefusedError("convene")
    hearing = current(case)
    if hearing is not None and hearing.status == DECIDED:
        hearing = None
    members = committee(committee_council(case).id)
    problems = panel.check(rules.panel, members, choice, parish_case=is_parish_case(case))
    if problems:
        raise PanelError(problems)
    chosen = {*choice.members, *choice.co_opted}
    if choice.independent_person:
        chosen.add(choice.independent_person)
    flagged = conflicts_with(case, chosen)
    if flagged and not (conflicts_note or "").strip():
        raise HearingError(
            "conflicts_note",
            _(
                "A party has said %(names)s may have a conflict of interest. Choose someone "
                "else, or say why the panel can still hear the case.",
                names=", ".join(sorted({c.member.name for c in flagged})),
            ),
        )
    new_date = hearing is None or london_date(hearing.starts_at) != on
    if new_date:
        check_date(case, on)
    by_id = {m.id: m for m in members}
    if hearing is None:
        hearing = Hearing(
            council_id=case.council_id,
            committee_council_id=committee_council(case).id,
            convened_by=actor.full_name or actor.email,
        )
        case.hearings.append(hearing)
    hearing.starts_at = _starts_at(on, at)
    hearing.venue = venue.strip()
    hearing.conflicts_note = (conflicts_note or "").strip() or None
    if hearing.seats:
        # A changed panel: the old seats go first (one seat per member and hearing).
        hearing.seats.clear()
        db.session.flush()
    hearing.seats = [
        HearingSeat(council_id=case.council_id, member=by_id[i], seat=_seat(i, choice, by_id))
        for i in dict.fromkeys([*choice.members, choice.independent_person, *choice.co_opted])
        if i
    ]
    hearing.status = CONVENED
    message_ids: list[int] = []
    if new_date:
        message_ids += _schedule(case, actor, on)
    engine.system_event(case, actor, lambda: _panel_summary(hearing, flagged))
    db.session.flush()
    message_ids += [m.id for m in _tell_everyone(case, hearing, _l("A hearing has been arranged."))]
    return Result(hearing, message_ids)


def _seat(member_id: int, choice: panel.PanelChoice, by_id: dict[int, CommitteeMember]) -> str:
    if member_id == choice.chair:
        return "chair"
    kind = by_id[member_id].kind
    if kind == INDEPENDENT:
        return "independent-person"
    if kind == CO_OPTED:
        return "co-opted"
    return "member"


def _panel_summary(hearing: Hearing, flagged: list[ConflictDeclaration]) -> str:
    names = ", ".join(f"{s.member.name} ({seat_label(s.seat)})" for s in hearing.seats)
    summary = _(
        "Hearing panel convened for %(when)s at %(venue)s: %(names)s",
        when=hearing.starts_at.astimezone(LONDON).strftime("%d/%m/%Y %H:%M"),
        venue=hearing.venue,
        names=names,
    )
    if flagged:
        summary += ". " + _(
            "Declared conflict of interest acknowledged: %(note)s", note=hearing.conflicts_note
        )
    return summary


def seat_label(seat: str) -> object:
    return {
        "chair": _l("chair"),
        "member": _l("member"),
        "independent-person": _l("Independent Person, non-voting"),
        "co-opted": _l("co-opted, non-voting"),
    }.get(seat, seat)


def _schedule(case: Case, actor: User, on: date) -> list[int]:
    """Take the first of the rules' scheduling actions available now (it sets the date)."""
    rules = rules_for(case)
    assert rules is not None
    for key in rules.schedule_actions:
        try:
            engine.check_action(case, actor, key, via=VIA)
        except (engine.ActionRefusedError, engine.ActionUnavailableError):
            continue
        outcome = engine.perform(
            case, case.council, key, actor=actor, values={"hearing_date": on}, via=VIA
        )
        return outcome.message_ids
    raise engine.ActionUnavailableError("schedule")


def reschedule(
    case: Case, hearing: Hearing, actor: User, *, on: date, at: time, venue: str, why: str
) -> Result:
    """Move the hearing to a new date (after an adjournment, or because people cannot attend)."""
    _check_manage(case, hearing, actor)
    if london_date(hearing.starts_at) != on:
        check_date(case, on)
        ids = _schedule(case, actor, on)
    else:
        ids = []
    hearing.starts_at = _starts_at(on, at)
    hearing.venue = venue.strip()
    hearing.status = CONVENED
    engine.system_event(
        case,
        actor,
        lambda: _(
            "Hearing moved to %(when)s at %(venue)s: %(why)s",
            when=hearing.starts_at.astimezone(LONDON).strftime("%d/%m/%Y %H:%M"),
            venue=hearing.venue,
            why=why,
        ),
    )
    db.session.flush()
    ids += [m.id for m in _tell_everyone(case, hearing, _l("The hearing has been moved."))]
    return Result(hearing, ids)


def _check_manage(case: Case, hearing: Hearing, actor: User) -> None:
    if hearing.case_id != case.id or not can_manage(actor, case) or not is_open(case):
        raise engine.ActionRefusedError("hearing")
    if hearing.status == DECIDED:
        raise engine.ActionUnavailableError("hearing decided")


# --- people told ----------------------------------------------------------------------


def add_attendee(
    case: Case, hearing: Hearing, actor: User, *, kind: str, name: str, email: str, called_by: str
) -> Result:
    """A witness or representative, told of the hearing now if an email is given."""
    _check_manage(case, hearing, actor)
    attendee = HearingAttendee(
        council_id=case.council_id,
        kind=kind,
        name=name.strip(),
        email=email.strip() or None,
        called_by=called_by,
    )
    hearing.attendees.append(attendee)
    engine.system_event(
        case,
        actor,
        lambda: _(
            "%(kind)s added to the hearing: %(name)s", kind=attendee_label(kind), name=attendee.name
        ),
    )
    db.session.flush()
    messages = _tell_attendee(case, hearing, attendee, _l("You are asked to attend a hearing."))
    return Result(hearing, [m.id for m in messages])


def attendee_label(kind: str) -> object:
    return {"witness": _l("Witness"), "representative": _l("Representative")}.get(kind, kind)


def _tell_everyone(case: Case, hearing: Hearing, news: object) -> list[OutboxMessage]:
    """The parties, witnesses, representatives, the panel and the Independent Person."""
    messages: list[OutboxMessage] = []
    route = handling_route(case.council)
    reply_to = route.email if route else None
    body = _body(case)
    for party, email, language in _parties(case):
        messages.append(
            _hearing_email(
                case,
                hearing,
                email,
                language,
                news,
                body,
                reply_to,
                link=links.issue(case, party, email),
                kind=f"hearing-{party}",
                link_kind="party",
            )
        )
    for attendee in hearing.attendees:
        messages += _tell_attendee(case, hearing, attendee, news)
    bundle = external_url("staff.hearing_bundle", hearing_id=hearing.id)
    for seat in hearing.seats:
        if seat.member.email:
            messages.append(
                _hearing_email(
                    case,
                    hearing,
                    seat.member.email,
                    "en",
                    news,
                    body,
                    reply_to,
                    link=bundle if seat.member.user_id else None,
                    kind="hearing-panel",
                    seat=seat_label(seat.seat),
                    link_kind="bundle",
                )
            )
    for assignment in case.assignments:
        if assignment.role == "investigating-officer":
            messages.append(
                _hearing_email(
                    case,
                    hearing,
                    assignment.user.email,
                    "en",
                    news,
                    body,
                    reply_to,
                    link=external_url("staff.hearing", case_id=case.id),
                    kind="hearing-investigator",
                    link_kind="staff",
                )
            )
    return messages


def _tell_attendee(
    case: Case, hearing: Hearing, attendee: HearingAttendee, news: object
) -> list[OutboxMessage]:
    if not attendee.email:
        return []
    route = handling_route(case.council)
    attendee.notified_at = utcnow()
    return [
        _hearing_email(
            case,
            hearing,
            attendee.email,
            "en",
            news,
            _body(case),
            route.email if route else None,
            link=None,
            kind=f"hearing-{attendee.kind}",
        )
    ]


def _parties(case: Case) -> list[tuple[str, str, str]]:
    found = []
    if case.complainant_email:
        found.append(("complainant", case.complainant_email, case.language))
    subject_email = case.fact("subject_email")
    if subject_email:
        found.append(("subject", subject_email, "en"))
    return found


def _body(case: Case) -> object:
    rules = rules_for(case)
    return rules.body if rules else ""  # lazy: made into text in each email's language


def _hearing_email(
    case: Case,
    hearing: Hearing,
    recipient: str,
    language: str,
    news: object,
    body: object,
    reply_to: str | None,
    *,
    link: str | None,
    kind: str,
    seat: str | None = None,
    link_kind: str = "",
) -> OutboxMessage:
    return queue_email(
        kind=kind,
        recipient=recipient,
        template="hearing_notice",
        language=language,
        council_id=case.council_id,
        case_id=case.id,
        reply_to=reply_to,
        case=case,
        council=case.council,
        hearing=hearing,
        starts=hearing.starts_at.astimezone(LONDON),
        news=news,
        body=body,
        link=link,
        link_kind=link_kind,
        seat=seat,
    )


# --- conflicts of interest --------------------------------------------------------------


def declare_conflict(
    case: Case, member: CommitteeMember, *, raised_by: str, reason: str, recorded_by: str
) -> ConflictDeclaration:
    if member.council_id != committee_council(case).id:
        raise HearingError("member", _("Choose a member of the committee that hears this case."))
    declaration = ConflictDeclaration(
        council_id=case.council_id,
        member=member,
        raised_by=raised_by,
        reason=reason.strip(),
        recorded_by=recorded_by,
    )
    case.conflicts.append(declaration)
    return declaration


# --- the papers -------------------------------------------------------------------------


@dataclass
class AgendaTexts:
    complaint: str
    response: str
    assessment: str
    report: str


def agenda_texts(case: Case) -> AgendaTexts:
    """What the pack says, drafted from the case for the officer to check and edit."""

    def latest(*actions: str) -> dict:
        found = [e for e in case.events if e.action in actions]
        return found[-1].data if found else {}

    response = latest("subject-responded", "subject-response-received").get("summary", "")
    assessment = latest(
        "assess-investigate",
        "assess-summary-resolution",
        "assess-no-further-action",
        "assess-informal-resolution",
        "assess-police-referral",
    ).get("reasons", "")
    report = latest("final-report")
    finding = {
        "breach": _("A breach of the Code of Conduct occurred."),
        "no-breach": _("No breach of the Code of Conduct."),
    }.get(report.get("finding", ""), "")
    report_text = (
        _("The Investigating Officer's view: %(finding)s", finding=finding) if finding else ""
    )
    return AgendaTexts(
        complaint=case.details,
        response=str(response),
        assessment=str(assessment),
        report=report_text,
    )


def agenda_files(case: Case) -> list[EvidenceFile]:
    """Documents of the procedure's steps (responses, reports) that can go in the pack."""
    return [f for f in case.files if f.event_id is not None]


def complainant_names(case: Case) -> list[str]:
    names = [case.complainant_name, f"{case.complainant_first_name} {case.complainant_last_name}"]
    if len(case.complainant_last_name or "") > 2:
        names.append(case.complainant_last_name)
    return [n for n in names if n and n.strip()]


def confidential_name_in(case: Case, texts: dict[str, str]) -> str | None:
    """The field naming a complainant whose identity is kept confidential, if any."""
    if case.fact("confidentiality_granted") != "yes":
        return None
    for field, text in texts.items():
        lowered = (text or "").lower()
        if any(name.lower() in lowered for name in complainant_names(case)):
            return field
    return None


def publish_agenda(
    case: Case, hearing: Hearing, actor: User, texts: AgendaTexts, file_ids: list[int]
) -> Result:
    """Freeze the agenda pack and make it public; meets the papers deadline if it is open."""
    _check_manage(case, hearing, actor)
    named = confidential_name_in(case, vars(texts))
    if named:
        raise HearingError(
            named,
            _("The complainant's identity is confidential: remove their name from this text."),
        )
    private = hearing.private_session == PRIVATE
    available = {f.id: f for f in agenda_files(case)}
    chosen = [] if private else [available[i] for i in file_ids if i in available]
    with force_locale("en"):
        hearing.agenda_html = render_template(
            "hearings/agenda_pack.html",
            case=case,
            hearing=hearing,
            rules=rules_for(case),
            texts=texts,
            files=chosen,
            private=private,
            witnesses=[a for a in hearing.attendees if a.kind == "witness"],
            starts=hearing.starts_at.astimezone(LONDON),
            parish=is_parish_case(case),
            schedule_12a=SCHEDULE_12A,
            seat_label=seat_label,
        )
    hearing.agenda_file_ids = [f.id for f in chosen]
    hearing.agenda_published_at = utcnow()
    rules = rules_for(case)
    ids: list[int] = []
    if rules and rules.publish_action:
        try:
            outcome = engine.perform(case, case.council, rules.publish_action, actor=actor, via=VIA)
            ids = outcome.message_ids
        except engine.ActionUnavailableError:
            # Already met (the papers were published before a change): record the new version.
            engine.system_event(case, actor, lambda: _("Hearing papers published again"))
    return Result(hearing, ids)


def decide_private_session(
    case: Case, hearing: Hearing, actor: User, *, choice: str, paragraphs: list[str], reason: str
) -> None:
    """Schedule 12A: the panel's resolution to exclude the public from all or part of it."""
    _check_manage(case, hearing, actor)
    if choice != "public" and not paragraphs:
        raise HearingError(
            "paragraphs", _("Choose the paragraphs of Schedule 12A the exclusion relies on.")
        )
    hearing.private_session = choice
    hearing.private_paragraphs = [] if choice == "public" else sorted(paragraphs)
    hearing.private_reason = reason.strip()
    labels = {
        "public": _l("in public"),
        "part-private": _l("partly in private"),
        PRIVATE: _l("in private"),
    }
    engine.system_event(
        case,
        actor,
        _l(
            "Decided that the hearing is held %(how)s (Schedule 12A, Local Government Act 1972)",
            how=labels[choice],
        ),
    )


# --- during the hearing -------------------------------------------------------------------


def tick(case: Case, hearing: Hearing, actor: User, key: str, note: str = "") -> HearingStep:
    _check_manage(case, hearing, actor)
    rules = rules_for(case)
    assert rules is not None
    if key not in {i.key for i in rules.order_of_business}:
        raise HearingError("step", _("That is not an item of this hearing's business."))
    existing = next((s for s in hearing.steps if s.key == key), None)
    if existing is not None:
        existing.note = note.strip() or existing.note
        return existing
    step = HearingStep(
        council_id=case.council_id,
        key=key,
        note=note.strip(),
        done_by=actor.full_name or actor.email,
    )
    hearing.steps.append(step)
    return step


def untick(case: Case, hearing: Hearing, actor: User, key: str) -> None:
    _check_manage(case, hearing, actor)
    hearing.steps = [s for s in hearing.steps if s.key != key]


def adjourn(
    case: Case,
    hearing: Hearing,
    actor: User,
    *,
    reason: str,
    directions: str,
    resumes_on: date | None,
    at: time | None,
    venue: str,
) -> Result:
    """The panel adjourns (seed 003 Rule 9 §3.1.6, §3.2.3.9, §3.2.8.4); maybe to a set date."""
    _check_manage(case, hearing, actor)
    resumes = _starts_at(resumes_on, at or time(10, 0)) if resumes_on else None
    if resumes_on:
        check_date(case, resumes_on)
    hearing.adjournments.append(
        HearingAdjournment(
            council_id=case.council_id,
            reason=reason.strip(),
            directions=directions.strip(),
            resumes_at=resumes,
            by=actor.full_name or actor.email,
        )
    )
    hearing.status = ADJOURNED
    engine.system_event(
        case, actor, lambda: _("Hearing adjourned: %(reason)s", reason=reason.strip())
    )
    if resumes_on is None:
        db.session.flush()
        news = _l("The hearing has been adjourned. You will be told the new date.")
        return Result(hearing, [m.id for m in _tell_everyone(case, hearing, news)])
    return reschedule(
        case,
        hearing,
        actor,
        on=resumes_on,
        at=at or time(10, 0),
        venue=venue or hearing.venue,
        why=_("adjourned"),
    )


@dataclass
class Finding:
    allegation_id: int
    finding: str
    reasons: str


def record_decision(
    case: Case,
    hearing: Hearing,
    actor: User,
    *,
    values: dict,
    findings: list[Finding],
    sanctions: list[str],
    recommendations: str,
    unanimous: bool | None,
) -> Result:
    """The panel's decision: findings on each allegation, sanctions; the case then closes."""
    _check_manage(case, hearing, actor)
    rules = rules_for(case)
    assert rules is not None
    outcome = values.get(rules.outcome_input)
    breach = outcome in rules.breach_outcomes
    if rules.findings_per_allegation and case.allegations:
        given = {f.allegation_id: f for f in findings}
        for allegation in case.allegations:
            entry = given.get(allegation.id)
            if entry is None or entry.finding not in ("breach", "no-breach"):
                raise HearingError(
                    f"finding_{allegation.id}", _("Give the panel's finding on this allegation.")
                )
            if not entry.reasons.strip():
                raise HearingError(
                    f"reasons_{allegation.id}", _("Give the reasons for this finding.")
                )
        any_breach = any(given[a.id].finding == "breach" for a in case.allegations)
        if any_breach != breach:
            raise HearingError(
                rules.outcome_input,
                _(
                    "The overall finding must agree with the findings on the allegations: a "
                    "failure to comply if, and only if, at least one allegation is found proved."
                ),
            )
    allowed = {c.value for c in rules.sanctions}
    if sanctions and not breach:
        raise HearingError(
            "sanctions", _("Sanctions apply only where the panel finds a failure to comply.")
        )
    if any(s not in allowed for s in sanctions):
        raise HearingError("sanctions", _("Choose sanctions from the list."))
    for entry in findings:
        if rules.findings_per_allegation:
            hearing.findings.append(
                HearingFinding(
                    council_id=case.council_id,
                    allegation_id=entry.allegation_id,
                    finding=entry.finding,
                    reasons=entry.reasons.strip(),
                )
            )
    hearing.outcome = str(outcome)
    hearing.sanctions = list(sanctions)
    hearing.recommendations = recommendations.strip()
    hearing.unanimous = unanimous
    hearing.decided_at = utcnow()
    hearing.status = DECIDED
    result = engine.perform(
        case, case.council, rules.decision_action, actor=actor, values=values, via=VIA
    )
    return Result(hearing, result.message_ids)
