"""Who is emailed when a complaint arrives, and with how little."""

from __future__ import annotations

from conduct.models import Case
from conduct.procedures import PROCEDURES
from core.outbox import queue_email
from core.outbox_models import OutboxMessage
from tenants.models import ContactRoute, Council
from tenants.roles import HANDLING_ROLES
from tenants.routes_catalogue import HANDLING_ROUTE_KINDS
from tenants.services import external_url, staff_with_roles


def handling_route(council: Council) -> ContactRoute | None:
    """The council's route that receives new complaints (Monitoring Officer, else clerk)."""
    for kind in HANDLING_ROUTE_KINDS:
        route = council.route(kind)
        if route is not None and route.email:
            return route
    return None


def handling_recipients(council: Council) -> list[str]:
    route = handling_route(council)
    if route is not None:
        return [route.email]
    return [u.email for u in staff_with_roles(council.id, HANDLING_ROLES)]


def _acknowledge_by_email(case: Case) -> bool:
    # seed 003 guidance: email is used where given, unless post was asked for.
    return bool(case.complainant_email) and case.preferred_contact != "post"


def complaint_received(council: Council, case: Case) -> list[OutboxMessage]:
    """Queue the complainant's acknowledgement and the handling officer's notice."""
    route = handling_route(council)
    reply_to = route.email if route else None
    procedure = PROCEDURES[case.procedure_key]
    messages: list[OutboxMessage] = []
    if _acknowledge_by_email(case):
        messages.append(
            queue_email(
                kind="acknowledgement",
                recipient=case.complainant_email,
                template="complaint_acknowledgement",
                language=case.language,
                council_id=council.id,
                case_id=case.id,
                reply_to=reply_to,
                case=case,
                council=council,
                route=route,
                timescales=procedure.timescales,
            )
        )
    link = external_url("staff.case", case_id=case.id)
    for recipient in handling_recipients(council):
        messages.append(
            queue_email(
                kind="new-complaint",
                recipient=recipient,
                template="complaint_staff_notice",
                council_id=council.id,
                case_id=case.id,
                case=case,
                council=council,
                link=link,
                acknowledge_by_post=not _acknowledge_by_email(case),
            )
        )
    return messages


# --- notices declared on procedure actions -------------------------------------------------


def notify_action(case: Case, council: Council, action, event) -> list[OutboxMessage]:
    """Queue the notices an action declares; parties get a secure link, staff a sign-in link.

    Messages carry the minimum: reference, what happened, what to do by when,
    and a link. None names the complainant or anyone else, so a complainant
    granted confidentiality is never named to the councillor.
    """
    from conduct import engine, links

    messages: list[OutboxMessage] = []
    procedure = engine.procedure_of(case)
    started = [d for d in case.deadlines if d.status == "open" and d.opened_event is event]
    route = handling_route(council)
    for notice in action.notifies:
        due = [
            # The label stays lazy: each email makes it in its recipient's language.
            {"label": procedure.deadline(d.key).label, "due_on": d.due_on}
            for d in started
            if d.owner == notice.to
        ]
        for recipient, language, link in _audience(case, council, notice.to, links):
            messages.append(
                queue_email(
                    kind=f"notice-{notice.to}",
                    recipient=recipient,
                    template="case_notice",
                    language=language,
                    council_id=council.id,
                    case_id=case.id,
                    reply_to=route.email if route else None,
                    case=case,
                    council=council,
                    message=notice.message,
                    due=due,
                    link=link,
                    party=notice.to in ("complainant", "subject"),
                    closed=case.closed_on is not None,
                    route=route,
                )
            )
    return messages


def _audience(case: Case, council: Council, to: str, links) -> list[tuple[str, str, str | None]]:
    """(email, language, link) for each person a notice to `to` reaches."""
    if to == "complainant":
        if not case.complainant_email:
            return []
        email = case.complainant_email
        return [(email, case.language, links.issue(case, "complainant", email))]
    if to == "subject":
        email = case.fact("subject_email")
        if not email:
            return []
        return [(email, "en", links.issue(case, "subject", email))]
    from conduct.engine import procedure_of

    # A sign-in link only for people who can open the case (a panel member cannot yet).
    readable = to in procedure_of(case).readers or to == "investigating-officer"
    staff_link = external_url("staff.case", case_id=case.id) if readable else None
    users = staff_with_roles(council.id, [to])
    if to == "investigating-officer":
        assigned = {a.user_id for a in case.assignments if a.role == to}
        users = [u for u in users if u.id in assigned]
    found = [(u.email, "en", staff_link) for u in users]
    if not found and to == "clerk":
        route = council.route("clerk")
        if route is not None and route.email:
            found.append((route.email, "en", staff_link))
    return found
