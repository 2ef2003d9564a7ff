"""Pieces the council's standards pages and the host's share: files, feeds, committees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from flask import Response, abort, request, send_file
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from conduct import feeds
from conduct.decisions.models import DecisionNotice
from conduct.models import EvidenceFile
from conduct.publication import hearing_body, notice_file_name, notice_kind_title
from conduct.uploads import attachment, size_text
from core.db import utcnow
from tenants.committees import CHAIR, CO_OPTED, INDEPENDENT, MEMBER, VICE_CHAIR, CommitteeMember
from tenants.services import external_url

# A downloaded file is never run or shown by the browser as part of our site.
_ATTACHMENT_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def now() -> datetime:
    return utcnow()


def page_number() -> int:
    """The ?page= asked for; anything but a positive number is a page that does not exist."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() else 0


def file_size(size: int) -> str:
    return ngettext("%(num)d byte", "%(num)d bytes", size) if size < 1024 else size_text(size)


def template_helpers() -> dict:
    """What the standards templates call, on the council's pages and the host's."""
    return {
        "notice_title": notice_kind_title,
        "hearing_body": hearing_body,
        "file_size": file_size,
    }


def agenda_file_response(evidence: EvidenceFile | None) -> Response:
    if evidence is None:
        abort(404)
    return attachment(evidence)


def notice_pdf_response(notice: DecisionNotice | None) -> Response:
    """The PDF frozen at publication, byte for byte."""
    if notice is None or not notice.pdf:
        abort(404)
    response = send_file(
        BytesIO(notice.pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=notice_file_name(notice),
        etag=notice.sha256 or False,
        max_age=0,
    )
    response.headers.update(_ATTACHMENT_HEADERS)
    return response


def feed_entries(notices: list[DecisionNotice]) -> list[feeds.Entry]:
    entries = []
    for notice in notices:
        council = notice.council
        link_values = {"council": council.slug, "notice_id": notice.id}
        entries.append(
            feeds.Entry(
                id=feeds.notice_entry_id(notice),
                title=notice.title or notice_kind_title(notice),
                link=external_url("transparency.notice", **link_values),
                pdf_link=external_url("transparency.notice_pdf", **link_values)
                if notice.pdf
                else "",
                published=notice.published_at or notice.created_at,
                author=council.display_name,
                category=notice_kind_title(notice),
                content_html=notice.html or "",
            )
        )
    return entries


@dataclass(frozen=True)
class MemberGroup:
    key: str
    heading: object
    description: object
    members: list[CommitteeMember]


_OFFICE_ORDER = {CHAIR: 0, VICE_CHAIR: 1}


def committee_groups(members: list[CommitteeMember]) -> list[MemberGroup]:
    """Sitting members by kind (seed 003 Article 9 §1.2): chair and vice-chair first."""
    elected = sorted(
        (m for m in members if m.kind == MEMBER),
        key=lambda m: (_OFFICE_ORDER.get(m.office, 2), m.position, m.id),
    )
    groups = [
        MemberGroup(
            MEMBER,
            _l("Elected members"),
            _l("Councillors who sit on the committee and vote."),
            elected,
        ),
        MemberGroup(
            CO_OPTED,
            _l("Co-opted town and parish representatives"),
            _l("They speak and take part in the debate but do not vote."),
            [m for m in members if m.kind == CO_OPTED],
        ),
        MemberGroup(
            INDEPENDENT,
            _l("Independent Persons"),
            _l(
                "They advise the committee and its hearing panels and do not vote. Their "
                "views are taken into account in reaching decisions."
            ),
            [m for m in members if m.kind == INDEPENDENT],
        ),
    ]
    return [g for g in groups if g.members]
