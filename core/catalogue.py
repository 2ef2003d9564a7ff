"""The message catalogues: extract from the code, update the Welsh one, check it, compile it.

One implementation for `bin/translations` (translators' tool) and
`tests/test_translations.py` (the check CI runs), so both read the code the
same way: babel.cfg names the files, KEYWORDS the functions that mark text.
The app itself never imports this module.

    python -m core.catalogue update    # messages.pot and every .po from the code
    python -m core.catalogue check     # what is untranslated, fuzzy, stale or mismatched
    python -m core.catalogue compile   # .po -> .mo where the .po is newer
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterable
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "babel.cfg"
DIRECTORY = ROOT / "translations"
TEMPLATE = DIRECTORY / "messages.pot"
DOMAIN = "messages"
LOCALES = ("cy",)  # every language but the source language (English)

# The functions that mark text, in Python and in templates, with the positions of
# their singular and plural arguments. Flask-Babel's gettext/_/ngettext, its lazy
# forms, and Jinja's _()/gettext()/ngettext() and {% trans %} (the Jinja extractor).
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),  # type: ignore[dict-item]
    "npgettext": ((1, "c"), 2, 3),  # type: ignore[dict-item]
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),  # type: ignore[dict-item]
    "N_": None,
}

LANGUAGE_TEAMS = {"cy": "Cymraeg"}
PROJECT = "conduct-casework"
COPYRIGHT = "the conduct-casework authors"

# %(name)s and %d style placeholders, and {name} format fields.
_PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]")
_FORMAT_FIELD = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_]*\}(?!\})")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def _version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["project"]["version"]


def extract() -> Catalog:
    """The messages the code marks now, as a template catalogue."""
    with MAPPING.open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    catalog = Catalog(
        project=PROJECT,
        version=_version(),
        copyright_holder=COPYRIGHT,
        msgid_bugs_address="",
        charset="utf-8",
    )
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        catalog.add(
            message,
            None,
            [(filename.replace("\\", "/"), lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def po_path(locale: str) -> Path:
    return DIRECTORY / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    return DIRECTORY / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _write(path: Path, catalog: Catalog) -> bool:
    """Write a catalogue if its text changed (so timestamps and diffs move only then)."""
    buffer = BytesIO()
    # No line numbers: they move with every edit and would churn the files in git.
    write_po(buffer, catalog, width=100, include_lineno=False, ignore_obsolete=True)
    new = buffer.getvalue()
    if path.exists() and _without_dates(path.read_bytes()) == _without_dates(new):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(new)
    return True


def _without_dates(text: bytes) -> bytes:
    return re.sub(rb'"(POT-Creation-Date|PO-Revision-Date): [^"]*"', b"", text)


def update() -> list[str]:
    """Rewrite messages.pot and each .po from the code; returns what changed.

    New messages arrive untranslated, changed ones fuzzy (Babel's guess from a
    similar old message), removed ones are dropped: the check then lists what a
    translator has to do.
    """
    template = extract()
    changed = []
    if _write(TEMPLATE, template):
        changed.append(str(TEMPLATE.relative_to(ROOT)))
    for locale in LOCALES:
        path = po_path(locale)
        if path.exists():
            catalog = read(path, locale)
        else:
            catalog = Catalog(
                locale=locale, project=PROJECT, copyright_holder=COPYRIGHT, charset="utf-8"
            )
        catalog.update(template, update_creation_date=False)
        catalog.obsolete.clear()
        catalog.fuzzy = False  # the header: nothing in it for a translator to check
        catalog.version = _version()
        catalog.language_team = LANGUAGE_TEAMS.get(locale, locale)
        catalog.last_translator = LANGUAGE_TEAMS.get(locale, locale)
        catalog.msgid_bugs_address = ""
        catalog.header_comment = (
            f"# {LANGUAGE_TEAMS.get(locale, locale)} messages of {PROJECT}.\n"
            "# bin/translations keeps this file in step with the code; tests/test_translations.py\n"
            "# fails while any message here is untranslated, fuzzy or out of step."
        )
        catalog.revision_date = datetime.now(UTC)
        if _write(path, catalog):
            changed.append(str(path.relative_to(ROOT)))
    return changed


def _forms(message: Message) -> list[str]:
    ids = message.id if isinstance(message.id, list | tuple) else [message.id]
    return [str(i) for i in ids]


def _translations(message: Message) -> list[str]:
    strings = message.string if isinstance(message.string, list | tuple) else [message.string]
    return [str(s or "") for s in strings]


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text)) | set(_FORMAT_FIELD.findall(text))


def tags(text: str) -> list[str]:
    return sorted(re.sub(r"\s+", " ", t) for t in _TAG.findall(text))


def _describe(message: Message) -> str:
    where = ", ".join(sorted({path for path, _line in message.locations})[:2])
    return f"{_forms(message)[0][:70]!r} ({where})" if where else repr(_forms(message)[0][:70])


def problems(locale: str, template: Catalog | None = None, path: Path | None = None) -> list[str]:
    """Everything that keeps the catalogue from being complete and in step with the code.

    `template` is what the code marks (extracted now unless given), `path` the
    locale's .po (translations/<locale>/LC_MESSAGES/messages.po unless given).
    """
    template = template if template is not None else extract()
    path = path or po_path(locale)
    if not path.exists():
        return [f"{path} is missing: run bin/translations"]
    catalog = read(path, locale)
    found: list[str] = []
    wanted = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in template if m.id}
    have = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in catalog if m.id}
    for message in template:
        if message.id and (_forms(message)[0], message.context) not in have:
            found.append(f"not in the catalogue (run bin/translations): {_describe(message)}")
    for message in catalog:
        if not message.id:
            continue
        if (_forms(message)[0], message.context) not in wanted:
            found.append(f"no longer in the code (run bin/translations): {_describe(message)}")
            continue
        found.extend(_message_problems(catalog, message))
    found.extend(
        f"obsolete entry (run bin/translations): {_describe(m)}" for m in catalog.obsolete.values()
    )
    return found


def _message_problems(catalog: Catalog, message: Message) -> Iterable[str]:
    if message.fuzzy:
        yield f"fuzzy, to be checked by a translator: {_describe(message)}"
    sources = _forms(message)
    strings = _translations(message)
    if message.pluralizable and len(strings) != catalog.num_plurals:
        yield (
            f"{len(strings)} plural forms, {catalog.num_plurals} wanted "
            f"({catalog.plural_expr}): {_describe(message)}"
        )
    if not all(s.strip() for s in strings):
        yield f"untranslated: {_describe(message)}"
        return
    expected = set().union(*(placeholders(s) for s in sources))
    for string in strings:
        got = placeholders(string)
        if got != expected:
            yield (
                f"placeholders differ, {sorted(expected)} in English, {sorted(got)} in "
                f"{catalog.locale}: {_describe(message)}"
            )
        if tags(string) != tags(sources[-1]) and tags(string) != tags(sources[0]):
            yield f"HTML tags differ from the English: {_describe(message)}"


def compile_all(force: bool = False) -> list[str]:
    """Compile each .po whose .mo is missing or older; returns the locales compiled."""
    done = []
    for locale in LOCALES:
        source, target = po_path(locale), mo_path(locale)
        if not source.exists():
            continue
        if not force and target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            continue
        catalog = read(source, locale)
        temporary = target.with_suffix(".mo.tmp")
        with temporary.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        temporary.replace(target)  # atomic: a running app never reads half a file
        done.append(locale)
    return done


def stats(locale: str) -> tuple[int, int, int]:
    """(messages, of which plural, translated) in a locale's catalogue."""
    catalog = read(po_path(locale), locale)
    messages = [m for m in catalog if m.id]
    translated = [m for m in messages if not m.fuzzy and all(s.strip() for s in _translations(m))]
    return len(messages), sum(1 for m in messages if m.pluralizable), len(translated)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "update"
    if command == "update":
        for path in update():
            print(f"updated {path}")
        command = "check"
    if command == "compile":
        for locale in compile_all(force="--force" in argv):
            print(f"compiled {mo_path(locale).relative_to(ROOT)}")
        return 0
    if command == "check":
        status = 0
        for locale in LOCALES:
            found = problems(locale)
            total, plural, translated = stats(locale)
            print(
                f"{locale}: {total} messages ({plural} with plural forms), "
                f"{translated} translated, {len(found)} to do"
            )
            for line in found:
                print(f"  {line}")
            status = status or (1 if found else 0)
        return status
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
