"""A lease in the database so that exactly one scheduler process is active.

Starting a second scheduler by mistake (another server, another terminal) is
safe: it waits, renewing nothing, and takes over once the active one stops
renewing (it died or was stopped) and the lease expires.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, db, utcnow


class Lease(db.Model):
    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


def acquire(name: str, holder: str, ttl: timedelta) -> bool:
    """Take or renew the lease; True while this holder has it. Commits."""
    now = utcnow()
    renewed = db.session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at < now))
        .values(holder=holder, expires_at=now + ttl)
    )
    if renewed.rowcount == 1:
        db.session.commit()
        return True
    db.session.rollback()
    exists = db.session.scalar(select(Lease.name).where(Lease.name == name))
    if exists:
        return False
    try:
        db.session.execute(insert(Lease).values(name=name, holder=holder, expires_at=now + ttl))
        db.session.commit()
    except IntegrityError:  # another process created it first
        db.session.rollback()
        return False
    return True


def release(name: str, holder: str) -> None:
    """Give the lease up at once (clean shutdown), so a standby takes over quickly."""
    db.session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.holder == holder)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def holder_of(name: str) -> str | None:
    row = db.session.get(Lease, name)
    if row is None or row.expires_at < utcnow():
        return None
    return row.holder
