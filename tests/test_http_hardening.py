"""Every response is hardened: a strict CSP with no inline script or style, no caching of pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.branding import contrast_with_white, readable_on_white_text
from core.db import db
from tests.conftest import make_council

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.fixture
def council(app):
    with app.app_context():
        make_council("ashby", brand_colour="#ffdd00")  # yellow: unreadable under white text
        db.session.commit()


def test_pages_carry_a_strict_csp_and_are_not_cached(app, client, council):
    for path in ("/", "/login", "/ashby/", "/ashby/complaints/new"):
        response = client.get(path)
        assert response.status_code == 200, path
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "max-age=" in response.headers["Strict-Transport-Security"]
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_template_has_inline_script_style_or_event_handlers():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        if "email" in template.parts:
            continue  # emails are not pages: mail clients need inline styles
        text = template.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{template}: inline <script>")
        if re.search(r"\sstyle=", text):
            offenders.append(f"{template}: style attribute")
        if re.search(r"\son[a-z]+=", text):
            offenders.append(f"{template}: event handler attribute")
        if "<style" in text and "notices/pdf.html" not in str(template):
            offenders.append(f"{template}: <style> element")
    assert offenders == []


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code(client, council):
    page = client.get("/ashby/").text
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', page).group(1)
    assert '"includeIndicatorStyles": false' in config and '"allowEval": false' in config


def test_a_councils_light_brand_colour_is_darkened_until_white_text_is_readable(client, council):
    page = client.get("/ashby/").text
    href = re.search(r'href="(/ashby/brand.css\?v=[0-9a-f]+)"', page).group(1)
    css = client.get(href)
    assert css.mimetype == "text/css"
    colour = re.search(r"background-color: (#[0-9a-f]{6})", css.text).group(1)
    assert colour != "#ffdd00"
    assert contrast_with_white(colour) >= 4.5


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("#1d70b8", True),
        ("#00703c", True),
        ("#b10e1e", True),
        ("#ffdd00", False),
        ("#85994b", False),
    ],
)
def test_brand_colours_that_already_pass_are_kept_as_chosen(given, kept):
    result = readable_on_white_text(given)
    assert (result == given) is kept
    assert contrast_with_white(result) >= 4.5


def test_a_malformed_brand_colour_falls_back_to_a_readable_blue():
    assert readable_on_white_text("red; } body { display: none") == "#1d70b8"
