"""Councils, users and roles: the operations the web UI and the CLI share."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from conduct.procedures import PROCEDURES
from core.db import db, utcnow
from core.outbox import queue_email
from core.outbox_models import OutboxMessage
from tenants.models import NATIONS, Council, CouncilProcedure, PasswordToken, RoleGrant, User
from tenants.roles import ROLES
from tenants.sessions import end_everywhere, privileges_changed

_HASHERS: dict[str, PasswordHasher] = {}


# Argon2id as OWASP's Password Storage Cheat Sheet recommends: 19 MiB, 2 passes, 1 lane.
# argon2-cffi's default (RFC 9106's low-memory profile) takes 64 MiB per sign-in, and a
# sync gunicorn worker keeps that as its peak resident memory for the rest of its life;
# OWASP gives the two as equivalent in strength. Hashes made with the old parameters
# are upgraded at the next sign-in (check_needs_rehash in verify_password).
OWASP_ARGON2ID = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}


def _hasher() -> PasswordHasher:
    """Argon2id with OWASP's parameters; tests may choose cheaper ones."""
    profile = current_app.config.get("PASSWORD_HASH_PROFILE", "default")
    if profile not in _HASHERS:
        _HASHERS[profile] = (
            PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
            if profile == "fast-for-tests"
            else PasswordHasher(**OWASP_ARGON2ID)
        )
    return _HASHERS[profile]


# Paths the application itself uses at the top level; no council may take them.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "cases",
        "login",
        "logout",
        "password",
        "static",
        "account",
        "api",
        "health",
        "standards",
    }
)
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
MIN_PASSWORD_LENGTH = 12


class ValidationError(ValueError):
    """Bad input for an operation; ``field`` names what was wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- councils -----------------------------------------------------------------


def check_slug(slug: str) -> str:
    slug = slug.strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise ValidationError(
            "slug",
            str(_l("Use lower-case letters, numbers and hyphens only, like ashby-marsh")),
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError("slug", str(_l("That address is used by the service itself")))
    return slug


def check_procedures(keys: Iterable[str]) -> list[str]:
    keys = list(dict.fromkeys(keys))
    unknown = [k for k in keys if k not in PROCEDURES]
    if unknown:
        raise ValidationError(
            "procedures", str(_l("Unknown procedure: %(keys)s", keys=", ".join(unknown)))
        )
    if not keys:
        raise ValidationError("procedures", str(_l("Choose at least one procedure")))
    return keys


def _unique_code(slug: str) -> str:
    letters = re.sub(r"[^A-Z0-9]", "", slug.upper())
    words = [w for w in slug.upper().split("-") if w]
    base = ("".join(w[0] for w in words) if len(words) >= 3 else letters)[:4] or "C"
    taken = set(db.session.scalars(select(Council.code).where(Council.code.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def create_council(
    *,
    slug: str,
    name: str,
    nation: str,
    procedures: Iterable[str],
    name_cy: str | None = None,
    brand_colour: str | None = None,
) -> Council:
    slug = check_slug(slug)
    if not name.strip():
        raise ValidationError("name", str(_l("Enter the council's name")))
    if nation not in NATIONS:
        raise ValidationError(
            "nation", str(_l("Choose England, Wales, Scotland or Northern Ireland"))
        )
    keys = check_procedures(procedures)
    if db.session.scalar(select(Council.id).where(Council.slug == slug)):
        raise ValidationError("slug", str(_l("A council already uses that address")))
    council = Council(
        slug=slug,
        code=_unique_code(slug),
        name=name.strip(),
        name_cy=(name_cy or "").strip() or None,
        nation=nation,
        brand_colour=brand_colour or "#1d70b8",
    )
    council.procedures = [CouncilProcedure(key=k) for k in keys]
    db.session.add(council)
    db.session.flush()
    return council


def set_procedures(council: Council, keys: Iterable[str]) -> None:
    wanted = check_procedures(keys)
    current = {p.key: p for p in council.procedures}
    council.procedures = [current.get(k) or CouncilProcedure(key=k) for k in wanted]


def council_by_slug(slug: str) -> Council | None:
    return db.session.scalar(select(Council).where(Council.slug == slug))


# --- users and roles --------------------------------------------------------


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValidationError(
            "email", str(_l("Enter an email address in the correct format, like name@example.com"))
        ) from error


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            "password",
            str(_l("Password must be %(n)d characters or more", n=MIN_PASSWORD_LENGTH)),
        )
    if len(password) > 256:
        raise ValidationError("password", str(_l("Password must be 256 characters or fewer")))
    return password


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Check a password in constant work whether or not the account exists."""
    stored = user.password_hash if user and user.password_hash else None
    hasher = _hasher()
    try:
        hasher.verify(stored or _dummy_hash(hasher), password)
    except (VerificationError, InvalidHashError):
        return False
    if stored is None or user is None:
        return False
    if hasher.check_needs_rehash(stored):
        user.password_hash = hasher.hash(password)
    return True


_DUMMY_HASHES: dict[int, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when the account does not exist, so timing reveals nothing."""
    key = id(hasher)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hasher.hash(secrets.token_urlsafe(16))
    return _DUMMY_HASHES[key]


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def parse_role(spec: str) -> tuple[str, str]:
    """``COUNCIL-SLUG:ROLE`` as the CLI takes it."""
    slug, sep, role = spec.partition(":")
    if not sep or not slug or not role:
        raise ValidationError("role", f"role must be COUNCIL-SLUG:ROLE, got {spec!r}")
    if role not in ROLES:
        raise ValidationError("role", f"unknown role {role!r}; one of: {', '.join(ROLES)}")
    return slug, role


def create_user(
    *,
    email: str,
    password: str | None = None,
    full_name: str = "",
    host_admin: bool = False,
    roles: Iterable[tuple[Council, str]] = (),
) -> User:
    email = normalise_email(email)
    if user_by_email(email):
        raise ValidationError("email", str(_l("An account with that email address already exists")))
    user = User(email=email, full_name=full_name.strip(), is_host_admin=host_admin)
    if password is not None:
        user.password_hash = hash_password(check_password(password))
    db.session.add(user)
    db.session.flush()
    for council, role in roles:
        grant_role(user, council, role)
    return user


def staff_with_roles(council_id: int, roles: Iterable[str]) -> list[User]:
    """Active staff holding any of these roles on the council (each person once)."""
    return list(
        db.session.scalars(
            select(User)
            .join(RoleGrant)
            .where(
                RoleGrant.council_id == council_id,
                RoleGrant.role.in_(list(roles)),
                User.active.is_(True),
            )
            .order_by(User.full_name, User.email)
        ).unique()
    )


def grant_role(user: User, council: Council, role: str) -> RoleGrant:
    if role not in ROLES:
        raise ValidationError("role", str(_l("Choose a role")))
    existing = next((g for g in user.roles if g.council_id == council.id and g.role == role), None)
    if existing:
        return existing
    grant = RoleGrant(user=user, council=council, role=role)
    user.roles.append(grant)
    privileges_changed(user)
    db.session.flush()
    return grant


def remove_role(user: User, grant: RoleGrant) -> None:
    user.roles.remove(grant)
    privileges_changed(user)


def set_host_admin(user: User, host_admin: bool) -> None:
    if user.is_host_admin != host_admin:
        user.is_host_admin = host_admin
        privileges_changed(user)


# --- password links ---------------------------------------------------------


def issue_password_link(user: User, purpose: str = "reset") -> tuple[str, OutboxMessage]:
    """Create a single-use token and queue the email with its link."""
    hours = current_app.config[
        "ACCOUNT_INVITE_HOURS" if purpose == "invite" else "PASSWORD_RESET_HOURS"
    ]
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordToken(
            user=user,
            token_hash=PasswordToken.hash(token),
            purpose=purpose,
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    link = external_url("auth.reset_password", token=token)
    message = queue_email(
        kind=f"password-{purpose}",
        recipient=user.email,
        template="password_invite" if purpose == "invite" else "password_reset",
        link=link,
        hours=hours,
        user=user,
    )
    db.session.flush()
    return token, message


def redeem_password_token(token: str) -> PasswordToken | None:
    """The live token for this string, or None if unknown, used or expired."""
    row = db.session.scalar(
        select(PasswordToken).where(PasswordToken.token_hash == PasswordToken.hash(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


def set_password_with_token(row: PasswordToken, password: str) -> User:
    user = row.user
    user.password_hash = hash_password(check_password(password))
    now = utcnow()
    # Every other outstanding link for this account dies with this one.
    for other in db.session.scalars(
        select(PasswordToken).where(
            PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None)
        )
    ):
        other.used_at = now
    row.used_at = now
    # Whoever knew the old password may be signed in somewhere: every session ends.
    end_everywhere(user)
    return user


def external_url(endpoint: str, **values: object) -> str:
    """An absolute link for emails, based on BASE_URL when it is set."""
    base = current_app.config.get("BASE_URL")
    if has_request_context():
        if base:
            return base + url_for(endpoint, **values)
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=base or "http://localhost"):
        return url_for(endpoint, _external=True, **values)


def external_urls(endpoint: str, many: Iterable[dict[str, object]]) -> list[str]:
    """external_url for many links at once (a sweep's reminders, say).

    Outside a request, one request context serves them all: making one per
    link costs more than building the link.
    """
    if has_request_context():
        return [external_url(endpoint, **values) for values in many]
    base = current_app.config.get("BASE_URL")
    with current_app.test_request_context(base_url=base or "http://localhost"):
        return [url_for(endpoint, _external=True, **values) for values in many]
