"""Encryption of secrets stored in the database, so the database alone cannot use them.

AES-256-GCM with a key derived (HKDF-SHA256) from SECRET_KEY, one key per
purpose. The associated data binds each value to the row it belongs to, so a
value copied to another row does not decrypt. Every stored value starts
with a version ("v1:") so that moving to a dedicated key later can
re-encrypt row by row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import cached_property

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


# --- personal data at rest: a key ring from the environment ------------------------------
#
# Names, addresses, email addresses, complaint text and evidence files are stored
# sealed with AES-256-GCM under the current key of DATA_ENCRYPTION_KEYS
# ("id:base64key,id:base64key", the first one current). Each value names the key
# it was sealed with, so older keys keep opening older values until
# `flask crypto rotate` re-seals everything under the current one.

DATA_PREFIX = "enc1:"
FILE_MAGIC = b"CCENC1"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    current: str

    # Cached: a page of search results or a bulk load would otherwise derive the
    # key, or build a cipher, once per value.
    @cached_property
    def search_key(self) -> bytes:
        """For blind indexes (exact-match search without the text): from the current key."""
        return HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"conduct-casework/search"
        ).derive(self.keys[self.current])

    @cached_property
    def ciphers(self) -> dict[str, AESGCM]:
        return {key_id: AESGCM(key) for key_id, key in self.keys.items()}


class KeyConfigurationError(RuntimeError):
    """DATA_ENCRYPTION_KEYS is missing or malformed: the app does not start."""


def parse_keys(spec: str) -> KeyRing:
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        key_id, _sep, encoded = item.partition(":")
        if not _KEY_ID.match(key_id):
            raise KeyConfigurationError(f"DATA_ENCRYPTION_KEYS: bad key id {key_id!r}")
        try:
            key = base64.urlsafe_b64decode(encoded.encode("ascii") + b"==")
        except ValueError as error:
            raise KeyConfigurationError(
                f"DATA_ENCRYPTION_KEYS: key {key_id!r} is not base64"
            ) from error
        if len(key) != 32:
            raise KeyConfigurationError(f"DATA_ENCRYPTION_KEYS: key {key_id!r} is not 32 bytes")
        if key_id in keys:
            raise KeyConfigurationError(f"DATA_ENCRYPTION_KEYS: key id {key_id!r} twice")
        keys[key_id] = key
        order.append(key_id)
    if not order:
        raise KeyConfigurationError("DATA_ENCRYPTION_KEYS names no key")
    return KeyRing(keys=keys, current=order[0])


def new_key_line(key_id: str) -> str:
    if not _KEY_ID.match(key_id):
        raise KeyConfigurationError(f"bad key id {key_id!r}: letters, digits, - and _ only")
    return f"{key_id}:" + base64.urlsafe_b64encode(os.urandom(32)).decode("ascii").rstrip("=")


def configure(app) -> None:
    spec = (app.config.get("DATA_ENCRYPTION_KEYS") or "").strip()
    if spec:
        ring = parse_keys(spec)
    elif app.config.get("DATA_KEYS_FROM_SECRET_KEY"):
        # Development and tests only: a key derived from SECRET_KEY, so a newcomer
        # needs nothing else. Production refuses to start without real keys.
        material = app.config["SECRET_KEY"].encode()
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"conduct-casework/dev-data"
        ).derive(material)
        ring = KeyRing(keys={"dev": derived}, current="dev")
    else:
        raise KeyConfigurationError(
            "DATA_ENCRYPTION_KEYS must be set: personal data is stored encrypted "
            "(`flask crypto new-key --id 2027a` prints one)"
        )
    app.extensions["data_keys"] = ring


def keyring() -> KeyRing:
    return current_app.extensions["data_keys"]


def seal_text(plaintext: str, ring: KeyRing | None = None) -> str:
    ring = ring or keyring()
    nonce = os.urandom(12)
    sealed = ring.ciphers[ring.current].encrypt(nonce, plaintext.encode(), None)
    payload = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
    return f"{DATA_PREFIX}{ring.current}:{payload}"


def is_sealed(value: str) -> bool:
    return value.startswith(DATA_PREFIX)


def sealed_with(value: str) -> str | None:
    """The id of the key a stored value was sealed with (None: stored in clear)."""
    if not is_sealed(value):
        return None
    return value[len(DATA_PREFIX) :].partition(":")[0]


def open_text(stored: str, ring: KeyRing | None = None) -> str:
    if not is_sealed(stored):
        return stored  # written before encryption: `flask crypto rotate` seals it
    ring = ring or keyring()
    key_id, _sep, payload = stored[len(DATA_PREFIX) :].partition(":")
    cipher = ring.ciphers.get(key_id)
    if cipher is None:
        raise DecryptionError(f"no key {key_id!r} in DATA_ENCRYPTION_KEYS")
    try:
        raw = base64.urlsafe_b64decode(payload.encode("ascii"))
        return cipher.decrypt(raw[:12], raw[12:], None).decode()
    except (InvalidTag, ValueError) as error:
        raise DecryptionError("cannot decrypt") from error


def seal_bytes(data: bytes, ring: KeyRing | None = None) -> bytes:
    ring = ring or keyring()
    kid = ring.current.encode()
    nonce = os.urandom(12)
    sealed = ring.ciphers[ring.current].encrypt(nonce, data, FILE_MAGIC)
    return FILE_MAGIC + bytes([len(kid)]) + kid + nonce + sealed


def bytes_key_id(data: bytes) -> str | None:
    if not data.startswith(FILE_MAGIC):
        return None
    length = data[len(FILE_MAGIC)]
    return data[len(FILE_MAGIC) + 1 : len(FILE_MAGIC) + 1 + length].decode()


def open_bytes(data: bytes, ring: KeyRing | None = None) -> bytes:
    if not data.startswith(FILE_MAGIC):
        return data  # stored before encryption
    ring = ring or keyring()
    start = len(FILE_MAGIC) + 1
    kid = data[start : start + data[len(FILE_MAGIC)]].decode()
    cipher = ring.ciphers.get(kid)
    if cipher is None:
        raise DecryptionError(f"no key {kid!r} in DATA_ENCRYPTION_KEYS")
    body = data[start + len(kid) :]
    try:
        return cipher.decrypt(body[:12], body[12:], FILE_MAGIC)
    except InvalidTag as error:
        raise DecryptionError("cannot decrypt") from error


def blind(text: str, ring: KeyRing | None = None) -> str:
    """A keyed hash of normalised text: equal texts match, the text cannot be read back."""
    ring = ring or keyring()
    normal = " ".join(text.lower().split())
    return hmac.new(ring.search_key, normal.encode(), hashlib.sha256).hexdigest()[:32]
