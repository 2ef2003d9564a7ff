"""Every user-visible string is marked for translation, and the markers can be extracted."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parent.parent


def _extracted() -> set[str]:
    method_map = [
        ("conduct/**.py", "python"),
        ("core/**.py", "python"),
        ("tenants/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/**.txt", "jinja2"),
    ]
    options = {
        "templates/**.html": {"extensions": "jinja2.ext.do"},
        "templates/**.txt": {"extensions": "jinja2.ext.do"},
    }
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    messages = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, options_map=options, keywords=keywords
    ):
        messages.update([message] if isinstance(message, str) else message)
    return messages


def test_strings_of_forms_pages_and_emails_are_extracted_for_translation():
    messages = _extracted()
    for expected in (
        "Member conduct: complaint form",  # a page heading
        "Preferred form of contact",  # a form label (Python, lazy)
        "Enter your first name",  # a validation message
        "Your complaint to %(council)s: reference %(reference)s",  # an email subject
        "Check your answers before sending your complaint",
        "Sign in",
    ):
        assert expected in messages


def test_templates_have_no_unmarked_text_between_tags():
    """Literal English between tags must go through _(); data and markup may not."""
    offenders = []
    pattern = re.compile(r">\s*([A-Z][a-z]+(?: [a-z]+){2,}[^<{]*)<")
    for path in (ROOT / "templates").rglob("*.html"):
        for match in pattern.finditer(path.read_text()):
            offenders.append(f"{path.relative_to(ROOT)}: {match.group(1)!r}")
    assert offenders == []
