"""Column types that store personal data sealed (core/crypto.py) and hand it back in clear.

Used for every column that can hold a complainant's, councillor's or
witness's name, address, email address, or what a complaint says: the
database alone reveals none of it. Such columns cannot be searched or sorted
in SQL; where a search is needed, a blind index (core.crypto.blind) sits
beside them.
"""

from __future__ import annotations

import json

from sqlalchemy import LargeBinary, Text
from sqlalchemy.types import TypeDecorator

from core import crypto


class EncryptedText(TypeDecorator):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return crypto.seal_text(str(value))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return crypto.open_text(value)


class EncryptedJSON(TypeDecorator):
    """JSON data (a dict or list) sealed as one value."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return crypto.seal_text(json.dumps(value, sort_keys=True, default=str))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, dict | list):
            return value  # a JSON column read before its migration to sealed text
        return json.loads(crypto.open_text(value))


class EncryptedBytes(TypeDecorator):
    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return crypto.seal_bytes(bytes(value))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return crypto.open_bytes(bytes(value))
