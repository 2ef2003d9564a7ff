"""Conduct committees: membership and whose committee hears a council's complaints.

Shared by the host administration pages and the demo loader. Each operation
checks the rules of seed 003 Article 9 §1.2 and raises ``ValidationError``
naming the form field that is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core.db import db
from tenants.committees import CHAIR, CO_OPTED, KINDS, MEMBER, OFFICES, CommitteeMember
from tenants.models import Council, User
from tenants.services import ValidationError, normalise_email, user_by_email


@dataclass(frozen=True)
class MemberDetails:
    """What an administrator gives for a committee member."""

    name: str
    kind: str = MEMBER
    office: str = ""
    political_group: str = ""
    represents: str = ""
    email: str = ""
    # The linked staff account, by its email address ("" for none).
    account: str = ""


def members_of(council: Council, *, active_only: bool = False) -> list[CommitteeMember]:
    query = select(CommitteeMember).where(CommitteeMember.council_id == council.id)
    if active_only:
        query = query.where(CommitteeMember.active.is_(True))
    return list(db.session.scalars(query.order_by(CommitteeMember.position, CommitteeMember.id)))


def member_of(council: Council, member_id: int) -> CommitteeMember | None:
    return db.session.scalar(
        select(CommitteeMember).where(
            CommitteeMember.id == member_id, CommitteeMember.council_id == council.id
        )
    )


def add_member(council: Council, details: MemberDetails) -> CommitteeMember:
    member = CommitteeMember(council_id=council.id, active=True)
    _apply(member, council, details)
    last = db.session.scalar(
        select(func.max(CommitteeMember.position)).where(CommitteeMember.council_id == council.id)
    )
    member.position = 0 if last is None else last + 1
    db.session.add(member)
    db.session.flush()
    return member


def update_member(member: CommitteeMember, details: MemberDetails) -> CommitteeMember:
    _apply(member, member.council, details)
    db.session.flush()
    return member


def deactivate_member(member: CommitteeMember) -> None:
    """A former member stays on record (past hearings name them) but is not listed as sitting."""
    member.active = False
    db.session.flush()


def reinstate_member(member: CommitteeMember) -> None:
    _check_office(member.council, member.office, member.id)
    member.active = True
    db.session.flush()


def move_member(member: CommitteeMember, direction: str) -> None:
    """Swap a sitting member with the one above or below; former members go after them."""
    everyone = members_of(member.council)
    sitting = [m for m in everyone if m.active]
    if member not in sitting or direction not in ("up", "down"):
        return
    index = sitting.index(member)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(sitting):
        return
    sitting[index], sitting[other] = sitting[other], sitting[index]
    for position, row in enumerate([*sitting, *(m for m in everyone if not m.active)]):
        row.position = position
    db.session.flush()


def _apply(member: CommitteeMember, council: Council, details: MemberDetails) -> None:
    name = details.name.strip()
    if not name:
        raise ValidationError("name", str(_l("Enter the member's name")))
    if details.kind not in KINDS:
        raise ValidationError("kind", str(_l("Choose the kind of member")))
    office = details.office or ""
    if office and office not in OFFICES:
        raise ValidationError("office", str(_l("Choose chair, vice-chair or no office")))
    if office and details.kind != MEMBER:
        raise ValidationError(
            "office", str(_l("Only an elected member can be the chair or vice-chair"))
        )
    represents = details.represents.strip() if details.kind == CO_OPTED else ""
    if details.kind == CO_OPTED and not represents:
        raise ValidationError(
            "represents",
            str(_l("Enter the town or parish council this co-opted member represents")),
        )
    if member.active:
        _check_office(council, office, member.id)
    email = normalise_email(details.email) if details.email.strip() else None
    user = _account(details.account)
    member.name = name
    member.kind = details.kind
    member.office = office
    member.political_group = details.political_group.strip()
    member.represents = represents
    member.email = email
    member.user_id = user.id if user else None


def _check_office(council: Council, office: str, member_id: int | None) -> None:
    """At most one active chair and one active vice-chair (seed 003 Article 9 §1.2.2)."""
    if not office:
        return
    holder = db.session.scalar(
        select(CommitteeMember).where(
            CommitteeMember.council_id == council.id,
            CommitteeMember.office == office,
            CommitteeMember.active.is_(True),
            CommitteeMember.id != (member_id or -1),
        )
    )
    if holder is not None:
        message = (
            _l("%(name)s is already the chair. Change their office first.", name=holder.name)
            if office == CHAIR
            else _l(
                "%(name)s is already the vice-chair. Change their office first.", name=holder.name
            )
        )
        raise ValidationError("office", str(message))


def _account(email: str) -> User | None:
    if not email.strip():
        return None
    user = user_by_email(email)
    if user is None:
        raise ValidationError(
            "account", str(_l("There is no staff account with that email address"))
        )
    return user


# --- whose committee hears the complaints ----------------------------------------------


def councils_heard_by(council: Council) -> list[Council]:
    """The other councils whose members' complaints this council's committee hears."""
    return list(
        db.session.scalars(
            select(Council).where(Council.committee_council_id == council.id).order_by(Council.name)
        )
    )


def set_hearing_council(council: Council, other_id: int | None) -> None:
    """Heard by its own committee (None) or by one other council's, never by a chain."""
    if other_id is None:
        council.committee_council_id = None
        db.session.flush()
        return
    if other_id == council.id:
        raise ValidationError(
            "committee_council_id",
            str(_l("Choose another council, or this council's own committee")),
        )
    other = db.session.get(Council, other_id)
    if other is None:
        raise ValidationError("committee_council_id", str(_l("Choose a council from the list")))
    if other.committee_council_id is not None:
        raise ValidationError(
            "committee_council_id",
            str(
                _l(
                    "Complaints about %(other)s's members are heard by %(third)s's committee. "
                    "Choose %(third)s instead.",
                    other=other.name,
                    third=other.hearing_council.name,
                )
            ),
        )
    heard_here = councils_heard_by(council)
    if heard_here:
        raise ValidationError(
            "committee_council_id",
            str(
                _l(
                    "This council's committee hears the complaints of %(names)s. Move them to "
                    "another committee first.",
                    names=", ".join(c.name for c in heard_here),
                )
            ),
        )
    council.committee_council_id = other.id
    db.session.flush()
