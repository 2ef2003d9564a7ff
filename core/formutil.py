"""Small helpers for WTForms."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import SelectChoice


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """WTForms 3.3 wants SelectChoice objects; the rest of the code speaks in pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
