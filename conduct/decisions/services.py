"""Decision notices: draft from the case, edit, approve by the named roles, publish frozen.

Publication renders the notice once, to HTML and to PDF, and stores both:
whatever happens to the case afterwards, the published notice is served
byte for byte as it was. A correction is a new version that says what it
corrects; the earlier version stays on the record. The caller commits.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from conduct import engine
from conduct.decisions import drafting
from conduct.decisions.models import DRAFT, PUBLISHED, DecisionNotice, NoticeApproval
from conduct.hearings.services import confidential_name_in
from conduct.models import Case
from conduct.procedures.model import NoticeKind
from core.db import db, utcnow
from core.i18n import record_language
from tenants.models import User

EDITORS = frozenset({"monitoring-officer", "deputy-monitoring-officer"})


class NoticeError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def kinds_for(case: Case) -> tuple[NoticeKind, ...]:
    return engine.procedure_of(case).notices


def kind_of(notice: DecisionNotice) -> NoticeKind:
    return engine.procedure_of(notice.case).notice_kind(notice.kind)


def draftable(case: Case, kind: NoticeKind) -> bool:
    """The decision the notice records has been taken (its action is in the timeline)."""
    return any(e.action in kind.after_actions for e in case.events)


def can_edit(user: User, case: Case) -> bool:
    return bool(engine.roles_of(user, case).intersection(EDITORS))


def approval_roles(kind: NoticeKind) -> set[str]:
    return {role for group in kind.approvals for role in group}


def notices_of(case: Case) -> list[DecisionNotice]:
    return list(
        db.session.scalars(
            select(DecisionNotice)
            .where(DecisionNotice.case_id == case.id)
            .order_by(DecisionNotice.kind, DecisionNotice.version)
        )
    )


def _actor_name(user: User) -> str:
    return user.full_name or user.email


def start(case: Case, kind_key: str, actor: User) -> DecisionNotice:
    """A first draft of this kind of notice, filled in from the case."""
    kind = engine.procedure_of(case).notice_kind(kind_key)
    if not can_edit(actor, case):
        raise engine.ActionRefusedError("draft notice")
    if not draftable(case, kind):
        raise engine.ActionUnavailableError("draft notice")
    existing = [n for n in notices_of(case) if n.kind == kind.key]
    if any(n.status == DRAFT for n in existing):
        raise NoticeError("kind", _("There is already a draft of this notice."))
    if existing:
        raise NoticeError("kind", _("This notice is published: publish a correction instead."))
    # A notice is published in English (render_notice), so its first draft is too,
    # whichever language the officer reads the pages in.
    with record_language():
        fields = drafting.first_draft(case, kind.key)
    notice = DecisionNotice(
        council_id=case.council_id,
        case=case,
        kind=kind.key,
        version=1,
        status=DRAFT,
        fields=fields,
        created_by=_actor_name(actor),
    )
    db.session.add(notice)
    engine.system_event(
        case, actor, lambda: _("Decision notice drafted: %(title)s", title=str(kind.title))
    )
    return notice


def field_names(notice: DecisionNotice) -> list[str]:
    count = int(notice.fields.get("_allegations") or 0)
    return [name for name, _section, _n in drafting.fields_of(notice.kind, count)]


def content_hash(notice: DecisionNotice) -> str:
    body = {name: notice.fields.get(name, "") for name in field_names(notice)}
    body["_correction_note"] = notice.correction_note
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def edit(notice: DecisionNotice, actor: User, values: dict[str, str]) -> None:
    """Change the draft's text; approvals of the earlier text no longer count."""
    if notice.status != DRAFT:
        raise engine.ActionUnavailableError("edit published notice")
    if not can_edit(actor, notice.case):
        raise engine.ActionRefusedError("edit notice")
    fields = dict(notice.fields)
    for name in field_names(notice):
        if name in values:
            fields[name] = (values[name] or "").strip()
    before = content_hash(notice)
    notice.fields = fields
    notice.updated_at = utcnow()
    if content_hash(notice) != before:
        notice.approvals = [a for a in notice.approvals if a.content_hash == content_hash(notice)]


def valid_approvals(notice: DecisionNotice) -> dict[int, NoticeApproval]:
    current = content_hash(notice)
    return {a.slot: a for a in notice.approvals if a.content_hash == current}


def slots_for(user: User, notice: DecisionNotice) -> list[int]:
    """The approvals this user could give now: their role, a slot still open, not given already."""
    if notice.status != DRAFT:
        return []
    kind = kind_of(notice)
    roles = engine.roles_of(user, notice.case)
    given = valid_approvals(notice)
    if any(a.user_id == user.id for a in given.values()):
        return []
    return [
        i for i, group in enumerate(kind.approvals) if i not in given and roles.intersection(group)
    ]


def approve(notice: DecisionNotice, actor: User, slot: int) -> NoticeApproval:
    if slot not in slots_for(actor, notice):
        raise engine.ActionRefusedError("approve notice")
    kind = kind_of(notice)
    role = next(r for r in kind.approvals[slot] if r in engine.roles_of(actor, notice.case))
    approval = NoticeApproval(
        council_id=notice.council_id,
        slot=slot,
        role=role,
        user_id=actor.id,
        user_name=_actor_name(actor),
        content_hash=content_hash(notice),
    )
    notice.approvals = [a for a in notice.approvals if a.slot != slot] + [approval]
    engine.system_event(
        notice.case,
        actor,
        lambda: _("Decision notice approved: %(title)s", title=str(kind.title)),
    )
    return approval


def missing_approvals(notice: DecisionNotice) -> list[tuple[str, ...]]:
    given = valid_approvals(notice)
    return [group for i, group in enumerate(kind_of(notice).approvals) if i not in given]


def render_notice(notice: DecisionNotice, *, published_at: datetime | None = None) -> str:
    """The notice's body as HTML (the same for the preview, the page and the PDF)."""
    case = notice.case
    kind = kind_of(notice)
    count = int(notice.fields.get("_allegations") or 0)
    with force_locale("en"):
        return render_template(
            f"notices/{notice.kind}.html",
            notice=notice,
            kind=kind,
            case=case,
            council=case.council,
            f=notice.fields,
            allegations=range(1, count + 1),
            approvals=sorted(valid_approvals(notice).values(), key=lambda a: a.slot),
            published_at=published_at,
            rules=engine.procedure_of(case).hearing,
        )


def render_pdf(html: str, title: str) -> bytes:
    from weasyprint import HTML  # imported here: loading its fonts takes a moment

    document = render_template("notices/pdf.html", body=html, title=title)
    return HTML(string=document).write_pdf()


def title_of(notice: DecisionNotice) -> str:
    case = notice.case
    with force_locale("en"):
        return _(
            "%(title)s: %(subject)s, %(council)s",
            title=str(kind_of(notice).title),
            subject=notice.fields.get("subject_member") or case.subject_names,
            council=case.council.name,
        )[:300]


def publish(notice: DecisionNotice, actor: User) -> None:
    """Freeze the notice: its HTML and PDF are stored and never change again."""
    if notice.status != DRAFT:
        raise engine.ActionUnavailableError("already published")
    if not can_edit(actor, notice.case):
        raise engine.ActionRefusedError("publish notice")
    missing = missing_approvals(notice)
    if missing:
        raise NoticeError(
            "approvals",
            _(
                "It needs approval first by: %(who)s.",
                who="; ".join(
                    " / ".join(str(engine_role_label(r)) for r in group) for group in missing
                ),
            ),
        )
    named = confidential_name_in(
        notice.case, {name: notice.fields.get(name, "") for name in field_names(notice)}
    )
    if named:
        raise NoticeError(
            named,
            _("The complainant's identity is confidential: remove their name from this text."),
        )
    now = utcnow()
    notice.title = title_of(notice)
    notice.html = render_notice(notice, published_at=now)
    notice.pdf = render_pdf(notice.html, notice.title)
    notice.sha256 = hashlib.sha256(notice.html.encode()).hexdigest()
    notice.published_at = now
    notice.published_by = _actor_name(actor)
    notice.status = PUBLISHED
    engine.system_event(
        notice.case,
        actor,
        lambda: _(
            "Decision notice published: %(title)s (version %(version)d)",
            title=str(kind_of(notice).title),
            version=notice.version,
        ),
    )


def engine_role_label(role: str) -> str:
    from tenants.roles import role_label

    return role_label(role)


def correct(published: DecisionNotice, actor: User, note: str) -> DecisionNotice:
    """A new draft version of a published notice, saying what it corrects."""
    if published.status != PUBLISHED:
        raise engine.ActionUnavailableError("correct a draft")
    if not can_edit(actor, published.case):
        raise engine.ActionRefusedError("correct notice")
    if not note.strip():
        raise NoticeError("note", _("Say what the correction changes and why."))
    latest = db.session.scalar(
        select(func.max(DecisionNotice.version)).where(
            DecisionNotice.case_id == published.case_id, DecisionNotice.kind == published.kind
        )
    )
    if any(n.status == DRAFT and n.kind == published.kind for n in notices_of(published.case)):
        raise NoticeError("note", _("There is already a draft correction of this notice."))
    notice = DecisionNotice(
        council_id=published.council_id,
        case=published.case,
        kind=published.kind,
        version=(latest or 0) + 1,
        status=DRAFT,
        fields=dict(published.fields),
        corrects=published,
        correction_note=note.strip(),
        created_by=_actor_name(actor),
    )
    db.session.add(notice)
    engine.system_event(
        published.case,
        actor,
        lambda: _("Correction of a decision notice drafted: %(note)s", note=note.strip()),
    )
    return notice
