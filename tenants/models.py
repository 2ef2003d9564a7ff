"""Councils (tenants), their contact routes and procedures, staff users and their roles."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from flask_babel import get_locale
from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session, relationship

from core.db import UTCDateTime, db, utcnow

NATIONS = ("england", "wales", "scotland", "northern-ireland")


class Council(db.Model):
    __tablename__ = "councils"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    # Short code at the front of case references, e.g. ASH-2026-0001.
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_cy: Mapped[str | None] = mapped_column(String(200))
    nation: Mapped[str] = mapped_column(String(20))
    brand_colour: Mapped[str] = mapped_column(String(7), default="#1d70b8")
    # Reminders go this many working days before a deadline (then on the day, then overdue).
    reminder_days_before: Mapped[int] = mapped_column(Integer, default=2)
    # Whose conduct committee hears complaints about this council's members: the
    # district's, for a town or parish council it hosts (None: its own).
    committee_council_id: Mapped[int | None] = mapped_column(
        ForeignKey("councils.id", ondelete="SET NULL")
    )
    # Whole years a closed case is kept before it is deleted (conduct/retention): the
    # council's records retention policy; six years after closure is the common one.
    retention_years: Mapped[int] = mapped_column(Integer, default=6, server_default="6")
    # Goes up whenever the council, its procedures or its contact routes change, so
    # that public pages rendered from them can be kept until then (core/pagecache.py).
    pages_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    procedures: Mapped[list[CouncilProcedure]] = relationship(
        back_populates="council", cascade="all, delete-orphan", order_by="CouncilProcedure.key"
    )
    closure_days: Mapped[list[ClosureDay]] = relationship(
        back_populates="council", cascade="all, delete-orphan", order_by="ClosureDay.day"
    )
    routes: Mapped[list[ContactRoute]] = relationship(
        back_populates="council",
        cascade="all, delete-orphan",
        order_by="(ContactRoute.position, ContactRoute.id)",
    )
    committee_council: Mapped[Council | None] = relationship(remote_side="Council.id")

    @property
    def hearing_council(self) -> Council:
        """The council whose committee hears complaints about this council's members."""
        return self.committee_council or self

    __table_args__ = (
        CheckConstraint(
            "nation IN ('england', 'wales', 'scotland', 'northern-ireland')", name="nation"
        ),
    )

    @property
    def procedure_keys(self) -> list[str]:
        return [p.key for p in self.procedures]

    def enables(self, key: str) -> bool:
        return key in self.procedure_keys

    @property
    def display_name(self) -> str:
        """The council's name in the current language (Welsh where it has one)."""
        if self.name_cy and str(get_locale()) == "cy":
            return self.name_cy
        return self.name

    def route(self, kind: str) -> ContactRoute | None:
        return next((r for r in self.routes if r.kind == kind), None)


class CouncilProcedure(db.Model):
    __tablename__ = "council_procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))

    council: Mapped[Council] = relationship(back_populates="procedures")

    __table_args__ = (UniqueConstraint("council_id", "key"),)


class ClosureDay(db.Model):
    """A day the council's office is closed (e.g. between Christmas and New Year).

    Not a working day for the council's deadlines (SPEC "Time").
    """

    __tablename__ = "closure_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        ForeignKey("councils.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")

    council: Mapped[Council] = relationship(back_populates="closure_days")

    __table_args__ = (UniqueConstraint("council_id", "day"),)


class ContactRoute(db.Model):
    """A named way to raise a concern: who, how to reach them, and when."""

    __tablename__ = "contact_routes"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        ForeignKey("councils.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    name_cy: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    purpose_cy: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    hours: Mapped[str | None] = mapped_column(String(200))
    web_link: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer, default=0)

    council: Mapped[Council] = relationship(back_populates="routes")

    def localised(self, field: str) -> str:
        welsh = getattr(self, f"{field}_cy", None)
        if welsh and str(get_locale()) == "cy":
            return welsh
        return getattr(self, field) or ""


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_host_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "each": one email per reminder; "digest": one daily email of what is due and overdue.
    reminder_mode: Mapped[str] = mapped_column(String(10), default="each")

    # Second factor: the TOTP secret, encrypted (core.crypto), set once the person
    # confirmed a code; the last time-step accepted, so that no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    # Every session carries both numbers from its sign-in. A different
    # session_version ends the session (sign out everywhere, password changed,
    # two-factor reset); a different privilege_version re-issues it (roles changed).
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    privilege_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    # Failed sign-ins (password or second factor) counted within a window; the
    # account is locked until locked_until once there are too many.
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The grants as objects, for the pages and services that change them; the checks
    # on every request read `grants` instead.
    roles: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def has_two_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def grants(self) -> frozenset[tuple[int, str]]:
        """(council id, role) of every role this account holds.

        Read as plain tuples: loading a Monitoring Officer's 200 grants as ORM
        objects cost more than the rest of a small page. Kept on the instance for
        as long as privilege_version, which every change of a grant bumps
        (tenants/sessions.privileges_changed), is unchanged.
        """
        if "roles" in self.__dict__:  # loaded, perhaps being changed: the objects are current
            return frozenset((g.council_id, g.role) for g in self.roles)
        version = self.privilege_version
        kept = self.__dict__.get("_grants_kept")
        if kept is None or kept[0] != version:
            rows = (object_session(self) or db.session).execute(
                select(RoleGrant.council_id, RoleGrant.role).where(RoleGrant.user_id == self.id)
            )
            kept = (version, frozenset((council_id, role) for council_id, role in rows))
            self.__dict__["_grants_kept"] = kept
        return kept[1]

    def council_ids_with(self, roles: frozenset[str] | set[str]) -> set[int]:
        return {council_id for council_id, role in self.grants if role in roles}

    def roles_at(self, council_id: int) -> set[str]:
        return {role for held_at, role in self.grants if held_at == council_id}

    def has_role(self, council_id: int, role: str) -> bool:
        return (council_id, role) in self.grants


class RoleGrant(db.Model):
    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    council_id: Mapped[int] = mapped_column(
        ForeignKey("councils.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(40))

    user: Mapped[User] = relationship(back_populates="roles")
    # Not loaded with the grant: the signed-in user's grants are read on every request,
    # and a Monitoring Officer of 200 councils would load 200 councils each time.
    # The admin pages that list grants with council names load them (tenants/admin.py).
    council: Mapped[Council] = relationship()

    __table_args__ = (UniqueConstraint("user_id", "council_id", "role"),)


class PasswordToken(db.Model):
    """A single-use, expiring link to set a password (reset or new account)."""

    __tablename__ = "password_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Only a hash is stored: the database alone cannot be used to reset a password.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))  # "reset" or "invite"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator app; only its hash is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)


@event.listens_for(Session, "before_flush")
def _bump_pages_version(session: Session, _context, _instances) -> None:
    councils: set[Council] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, ContactRoute | CouncilProcedure):
            council = obj.council or (obj.council_id and session.get(Council, obj.council_id))
            if council is not None:
                councils.add(council)
        elif isinstance(obj, Council) and session.is_modified(obj, include_collections=True):
            councils.add(obj)
    for council in councils:
        if council not in session.new:
            council.pages_version = (council.pages_version or 1) + 1
