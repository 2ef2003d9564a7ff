"""Atom 1.0 feeds (RFC 4287) of published decision notices.

Built with ElementTree, so the XML is well-formed whatever the text holds.
Entry ids are URNs derived from the notice and its frozen content: they do
not change when the service moves to another address, and the same notice
has the same id in a council's feed and in the host's.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from conduct.decisions.models import DecisionNotice

ATOM = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
# Our own namespace for name-based UUIDs (RFC 4122 §4.3): fixed forever.
_NAMESPACE = uuid.UUID("6f1f4b0e-3f55-5d6a-9b1e-0c0d7e1c2a41")
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

ET.register_namespace("", ATOM)


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    published: datetime
    author: str
    content_html: str
    category: str = ""
    pdf_link: str = ""


def notice_entry_id(notice: DecisionNotice) -> str:
    return "urn:uuid:" + str(uuid.uuid5(_NAMESPACE, f"decision-notice/{notice.id}"))


def feed_id(name: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(_NAMESPACE, f"feed/{name}"))


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str):
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = _text(text)
    return element


def atom(
    *,
    identifier: str,
    title: str,
    self_link: str,
    page_link: str,
    author: str,
    entries: list[Entry],
    fallback_updated: datetime,
) -> bytes:
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", identifier)
    _add(feed, "title", title)
    updated = max((e.published for e in entries), default=fallback_updated)
    _add(feed, "updated", _stamp(updated))
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_link)
    _add(feed, "link", rel="alternate", type="text/html", href=page_link)
    _add(_add(feed, "author"), "name", author)
    for entry in entries:
        item = _add(feed, "entry")
        _add(item, "id", entry.id)
        _add(item, "title", entry.title)
        _add(item, "published", _stamp(entry.published))
        _add(item, "updated", _stamp(entry.published))
        _add(item, "link", rel="alternate", type="text/html", href=entry.link)
        if entry.pdf_link:
            _add(item, "link", rel="enclosure", type="application/pdf", href=entry.pdf_link)
        _add(_add(item, "author"), "name", entry.author)
        if entry.category:
            _add(item, "category", term=entry.category)
        _add(item, "content", entry.content_html, type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
