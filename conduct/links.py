"""Secure links for the parties: their case's stage and deadlines, and replies, with no account."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from conduct.models import EMAILED, Case, CaseLink
from core.db import db, utcnow
from tenants.services import external_url


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(case: Case, party: str, email: str) -> str:
    """A new link for this party; returns its URL. The caller commits."""
    token = secrets.token_urlsafe(32)
    days = current_app.config["CASE_LINK_DAYS"]
    db.session.add(
        CaseLink(
            council_id=case.council_id,
            case=case,
            party=party,
            email=email,
            token_hash=_hash(token),
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    return external_url("public.my_case", council=case.council.slug, token=token)


def find(token: str) -> CaseLink | None:
    """The live link for this token, within the request's council scope, or None."""
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(
        select(CaseLink).where(CaseLink.token_hash == _hash(token), CaseLink.via == EMAILED)
    )
    if link is None or not link.live(utcnow()):
        return None
    return link


def revoke(link: CaseLink) -> None:
    link.revoked_at = utcnow()
