"""Receipt codes: how an anonymous complainant follows their complaint without contact details.

The code is shown once, on the confirmation page; only a hash is stored (as
a CaseLink "via" receipt, so the secure-link page serves it). With the case
reference it opens the case at /<council>/complaints/receipt. 100 random
bits make guessing hopeless, so a plain SHA-256 is enough and a wrong
guess costs one query and one hash, whatever was wrong: an unknown
reference, another council's, a wrong, revoked or expired code all take the
same path to the same answer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from conduct.models import RECEIPT, Case, CaseLink
from core.db import db, utcnow

# Crockford's base 32: no I, L, O or U to misread or mistype.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS, GROUP_LENGTH = 5, 4  # 20 characters of 5 bits: 100 bits
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Compared against when there is no code to compare with, so every attempt hashes once.
_NOTHING = "0" * 64


def new_code() -> str:
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join(groups)


def normalise(code: str) -> str:
    """What was typed, as issued: any case, spaces or hyphens, O for 0 and I or L for 1."""
    cleaned = "".join(ch for ch in code.upper() if ch not in " -\t")
    return cleaned.translate(_READ_AS)[: GROUPS * GROUP_LENGTH * 2]


def _hash(code: str) -> str:
    # A prefix of its own: a receipt's hash never equals an emailed link token's.
    return hashlib.sha256(f"receipt:{normalise(code)}".encode()).hexdigest()


def issue(case: Case) -> str:
    """A receipt for an anonymous complaint; returns the code to show once. The caller commits."""
    code = new_code()
    db.session.add(
        CaseLink(
            council_id=case.council_id,
            case=case,
            party="complainant",
            via=RECEIPT,
            email="",
            token_hash=_hash(code),
            expires_at=utcnow() + timedelta(days=current_app.config["RECEIPT_CODE_DAYS"]),
        )
    )
    return code


def verify(reference: str, code: str) -> CaseLink | None:
    """The live receipt of this reference and code, in the request's council scope, or None."""
    link = db.session.scalar(
        select(CaseLink)
        .join(Case, Case.id == CaseLink.case_id)
        .where(Case.reference == reference.strip().upper()[:32], CaseLink.via == RECEIPT)
        .order_by(CaseLink.id.desc())
        .limit(1)
    )
    matches = hmac.compare_digest(link.token_hash if link else _NOTHING, _hash(code))
    if link is None or not matches or not link.live(utcnow()):
        return None
    return link


def find(link_id: object) -> CaseLink | None:
    """A receipt already verified in this browser session, if it is still live."""
    if not isinstance(link_id, int):
        return None
    link = db.session.scalar(
        select(CaseLink).where(CaseLink.id == link_id, CaseLink.via == RECEIPT)
    )
    if link is None or not link.live(utcnow()):
        return None
    return link
