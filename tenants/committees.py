"""Conduct committees: who sits on them, who chairs, who is co-opted, who is independent.

A council's committee hears the complaints about its own members and, where
the council says so, those about the members of the town and parish councils
it hosts (seed 003 Article 9 §1.3.1: oversight of parish and town councils).
Membership is public information (seed 003 report §4.6).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, db, utcnow
from tenants.models import Council, User

# seed 003 Article 9 §1.2: elected members (voting), co-opted town/parish
# representatives and the Independent Person (neither of whom votes).
MEMBER, CO_OPTED, INDEPENDENT = "member", "co-opted", "independent-person"
KINDS = (MEMBER, CO_OPTED, INDEPENDENT)
CHAIR, VICE_CHAIR = "chair", "vice-chair"
OFFICES = (CHAIR, VICE_CHAIR)


class CommitteeMember(db.Model):
    __tablename__ = "committee_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        ForeignKey("councils.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=MEMBER)
    office: Mapped[str] = mapped_column(String(12), default="")
    # For the proportionality note (Article 9 §1.1, §2.2.2); empty for the ungrouped.
    political_group: Mapped[str] = mapped_column(String(100), default="")
    # A co-optee's town or parish council.
    represents: Mapped[str] = mapped_column(String(200), default="")
    # Hearing notices go here; the account (if any) opens the hearing bundle.
    email: Mapped[str | None] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Former members stay (past hearings name them) but are not offered again.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    council: Mapped[Council] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def votes(self) -> bool:
        return self.kind == MEMBER
