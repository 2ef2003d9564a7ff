"""The session cookie's signer is made once per secret key (tenants/sessions.py)."""

from __future__ import annotations

from flask import Flask

from tenants.sessions import SignedCookieSessions


def test_the_signer_is_kept_and_made_again_when_the_secret_key_changes(app: Flask):
    sessions = app.session_interface
    assert isinstance(sessions, SignedCookieSessions)
    first = sessions.get_signing_serializer(app)
    assert sessions.get_signing_serializer(app) is first

    signed = first.dumps({"lang": "cy"})
    app.secret_key = "another-secret-entirely"
    second = sessions.get_signing_serializer(app)

    assert second is not first
    assert second.loads(second.dumps({"lang": "cy"})) == {"lang": "cy"}
    assert second.loads_unsafe(signed)[0] is False  # the old key's cookie is not trusted


def test_a_cookie_from_before_a_key_rotation_is_accepted_through_the_fallback(app: Flask):
    sessions = app.session_interface
    old_key = app.secret_key
    signed = sessions.get_signing_serializer(app).dumps({"lang": "cy"})

    app.secret_key = "the-new-secret"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]

    assert sessions.get_signing_serializer(app).loads(signed) == {"lang": "cy"}
