"""The second factor: TOTP codes (RFC 6238) from an authenticator app, and recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from datetime import datetime

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update

from core import crypto
from core.db import db, utcnow
from tenants.models import RecoveryCode, User

log = logging.getLogger(__name__)

_PURPOSE = "totp-secret"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
# Unambiguous when read aloud or copied by hand: no 0/O, 1/I/L or U/V pairs.
_RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
_RECOVERY_LENGTH = 16  # about 78 bits: a stored SHA-256 hash cannot be reversed by search
_TOTP_CODE = re.compile(r"^\d{6}$")


def new_secret() -> str:
    return pyotp.random_base32()


def seal(user: User, secret: str) -> str:
    return crypto.encrypt(secret, purpose=_PURPOSE, bound_to=f"user:{user.id}")


def unseal(user: User, stored: str) -> str | None:
    try:
        return crypto.decrypt(stored, purpose=_PURPOSE, bound_to=f"user:{user.id}")
    except crypto.DecryptionError:
        # SECRET_KEY changed or the row was tampered with: only a 2FA reset helps.
        log.error("cannot decrypt the TOTP secret of user %s", user.id)
        return None


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=email, issuer_name=current_app.config["TOTP_ISSUER"]
    )


def qr_svg(uri: str, title: str) -> Markup:
    """The QR code as inline SVG: no image request, no JavaScript."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, title=title)
    return Markup(svg)  # segno escapes the title it embeds; the rest is its own markup


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _normalise_totp(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "")


def looks_like_totp(code: str) -> bool:
    return bool(_TOTP_CODE.match(_normalise_totp(code)))


def _matching_step(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    """The time-step (now ±1, later than ``after``) whose code this is, or None."""
    code = _normalise_totp(code)
    if not _TOTP_CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    found = None
    for step in (current - 1, current, current + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def confirm_enrolment(user: User, secret: str, code: str) -> bool:
    """Take the new secret into use if the code proves the app has it."""
    step = _matching_step(secret, code, utcnow(), None)
    if step is None:
        return False
    user.totp_secret = seal(user, secret)
    user.totp_enrolled_at = utcnow()
    user.totp_last_step = step
    return True


def verify_totp(user: User, code: str) -> bool:
    """A current code not used before; its time-step is spent once accepted."""
    if user.totp_secret is None:
        return False
    secret = unseal(user, user.totp_secret)
    if secret is None:
        return False
    step = _matching_step(secret, code, utcnow(), user.totp_last_step)
    if step is None:
        return False
    # One conditional UPDATE: two requests racing with the same code cannot both win.
    spent = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["totp_last_step"])
    return spent.rowcount == 1


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise_recovery(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (code or "").upper())


def new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes; the plain codes are returned once, never stored."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(c)) for c in codes)
    db.session.flush()
    return ["-".join(c[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4)) for c in codes]


def use_recovery_code(user: User, code: str) -> bool:
    code = _normalise_recovery(code)
    if len(code) != _RECOVERY_LENGTH:
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return used.rowcount == 1


def verify_second_factor(user: User, code: str) -> bool:
    """A code from the app, or one of the recovery codes."""
    if looks_like_totp(code):
        return verify_totp(user, code)
    return use_recovery_code(user, code)


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def reset(user: User) -> None:
    """Forget the app and the recovery codes: the person sets up again at their next sign-in.

    Their sessions end, since whoever held the old factor may be signed in.
    """
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.session_version = (user.session_version or 1) + 1
