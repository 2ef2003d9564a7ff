"""Every table's model, imported in one place so that the metadata is complete.

Migrations, `db.create_all()` in the tests and relationship strings between
areas all need each model class loaded before the first query.
"""

from __future__ import annotations

from importlib import import_module

MODEL_MODULES = (
    "tenants.models",
    "tenants.committees",
    "core.outbox_models",
    "core.lease",
    "conduct.models",  # loads the hearing and decision-notice models it refers to
    "conduct.retention.models",
)


def register_models() -> None:
    for name in MODEL_MODULES:
        import_module(name)
