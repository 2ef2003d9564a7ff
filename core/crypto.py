"""Encryption of secrets stored in the database, so the database alone cannot use them.

AES-256-GCM with a key derived (HKDF-SHA256) from SECRET_KEY, one key per
purpose. The associated data binds each value to the row it belongs to, so a
value copied to another row does not decrypt. Every stored value starts
with a version ("v1:") so that moving to a dedicated key later can
re-encrypt row by row.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_VERSION = "v1"


class DecryptionError(ValueError):
    """A stored value that this key cannot open (another key, another row, or tampered)."""


def _key(purpose: str) -> bytes:
    secret = current_app.config["SECRET_KEY"]
    material = secret.encode() if isinstance(secret, str) else bytes(secret)
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=f"conduct-casework/{_VERSION}/{purpose}".encode(),
    ).derive(material)


def encrypt(plaintext: str, *, purpose: str, bound_to: str) -> str:
    """``v1:`` + base64(nonce + ciphertext); ``bound_to`` names the owner, e.g. ``user:42``."""
    nonce = os.urandom(12)
    sealed = AESGCM(_key(purpose)).encrypt(nonce, plaintext.encode(), bound_to.encode())
    return f"{_VERSION}:" + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt(stored: str, *, purpose: str, bound_to: str) -> str:
    version, _sep, payload = stored.partition(":")
    if version != _VERSION or not payload:
        raise DecryptionError("unknown format")
    try:
        raw = base64.urlsafe_b64decode(payload.encode("ascii"))
        opened = AESGCM(_key(purpose)).decrypt(raw[:12], raw[12:], bound_to.encode())
    except (InvalidTag, ValueError) as error:
        raise DecryptionError("cannot decrypt") from error
    return opened.decode()
