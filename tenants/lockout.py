"""Account lockout after repeated failed sign-ins (a wrong password or a wrong second factor).

Counts live on the account and change through single UPDATE statements, so
concurrent attempts from several workers are all counted, and exactly one
request moves an account into a lockout (and queues its one email).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, literal, or_, update

from core.db import UTCDateTime, db, utcnow
from core.outbox import queue_email
from core.outbox_models import OutboxMessage
from tenants.models import User
from tenants.services import external_url


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def record_failure(user: User) -> OutboxMessage | None:
    """Count one failure; at the threshold lock the account and queue the owner's email.

    Returns the queued email, if this failure started a lockout. The caller commits.
    """
    config = current_app.config
    now = utcnow()
    window_start = literal(now - timedelta(minutes=config["LOCKOUT_WINDOW_MINUTES"]), UTCDateTime)
    stale = or_(User.failed_since.is_(None), User.failed_since <= window_start)
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            failed_sign_ins=case((stale, 1), else_=User.failed_sign_ins + 1),
            failed_since=case((stale, literal(now, UTCDateTime)), else_=User.failed_since),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["failed_sign_ins", "failed_since", "locked_until"])
    if user.failed_sign_ins < config["LOCKOUT_THRESHOLD"]:
        return None
    until = now + timedelta(minutes=config["LOCKOUT_MINUTES"])
    locked = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.locked_until.is_(None), User.locked_until <= literal(now, UTCDateTime)),
        )
        .values(locked_until=until, failed_sign_ins=0, failed_since=None)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["failed_sign_ins", "failed_since", "locked_until"])
    if locked.rowcount != 1:
        return None  # another request locked it a moment ago and told the owner
    return queue_email(
        kind="account-locked",
        recipient=user.email,
        template="account_locked",
        minutes=config["LOCKOUT_MINUTES"],
        reset_link=external_url("auth.forgot_password"),
    )


def record_success(user: User) -> None:
    user.failed_sign_ins = 0
    user.failed_since = None
