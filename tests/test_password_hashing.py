"""Passwords are stored with Argon2id at OWASP's parameters, and older hashes are upgraded.

The product's parameters (19 MiB, 2 passes, 1 lane) replace argon2-cffi's default
of 64 MiB: each sign-in of a sync gunicorn worker would otherwise raise its peak
memory by 64 MiB for the rest of its life. The tests run the real parameters, not
the cheap ones the rest of the suite uses.
"""

from __future__ import annotations

import argon2
import pytest
from argon2 import PasswordHasher
from flask import Flask

from tenants.models import User
from tenants.services import OWASP_ARGON2ID, hash_password, verify_password


@pytest.fixture
def real_hashing(app: Flask):
    app.config["PASSWORD_HASH_PROFILE"] = "default"
    with app.app_context():
        yield


def test_new_hashes_use_owasps_argon2id_parameters(real_hashing):
    parameters = argon2.extract_parameters(hash_password("correct horse battery"))

    assert parameters.type is argon2.Type.ID
    assert parameters.memory_cost == 19 * 1024 == OWASP_ARGON2ID["memory_cost"]
    assert parameters.time_cost == 2
    assert parameters.parallelism == 1


def test_a_hash_made_with_the_old_64_mib_default_still_signs_in_and_is_upgraded(real_hashing):
    old = PasswordHasher().hash("correct horse battery")  # argon2-cffi's own default
    user = User(email="clerk@example.org", password_hash=old)

    assert verify_password(user, "correct horse battery")

    upgraded = argon2.extract_parameters(user.password_hash)
    assert (upgraded.memory_cost, upgraded.time_cost) == (19 * 1024, 2)
    assert verify_password(user, "correct horse battery")


def test_a_wrong_password_is_refused_and_the_hash_left_alone(real_hashing):
    stored = hash_password("correct horse battery")
    user = User(email="clerk@example.org", password_hash=stored)

    assert not verify_password(user, "correct horse batteries")
    assert user.password_hash == stored
