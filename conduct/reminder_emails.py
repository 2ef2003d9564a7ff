"""Reminder emails for a sweep, each template rendered once per distinct content, not per case.

Rendering an email (three Jinja templates, a dozen translated strings) costs
about 2 ms, far more than everything else a sweep does per reminder. Yet the
reminders of one sweep differ mostly in the case's reference, its council's
name and the link: the wording depends on the kind of reminder, the deadline
(its label) and its due date, and there are few of those. So each distinct
(template, language, kind, deadline, due date) is rendered once with markers
standing for the reference, the council's name and the link, and each
reminder's email is that stencil with the markers replaced by its values,
escaped as Jinja would have escaped them (HTML body only).

The template sees stand-ins for the case, council and deadline that offer only
what the stencil accounts for; reading anything else, or a marker altered by a
filter, falls back to rendering that email in full, so a template can change
without this module silently sending a wrong email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from markupsafe import escape

from conduct import engine
from conduct.models import CaseDeadline
from core.outbox import Rendered, render_email
from tenants.models import Council

_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: never in a real email
_REFERENCE, _NAME, _DISPLAY_NAME, _LINK = (f"{_OPEN}{n}{_CLOSE}" for n in range(4))


class _NotStencilledError(Exception):
    """The template read something a stencil does not stand for: render in full."""


class _StandIn:
    """A case, council or deadline as a stencil's template sees it: only these attributes."""

    __slots__ = ("_attributes",)

    def __init__(self, **attributes: object) -> None:
        self._attributes = attributes

    def __getattr__(self, name: str) -> object:
        try:
            return self._attributes[name]
        except KeyError:
            # Not AttributeError: Jinja would quietly render that as empty.
            raise _NotStencilledError(name) from None


@dataclass(frozen=True)
class _Key:
    template: str
    language: str
    reminder: str
    procedure: str
    deadline: str
    due_on: date
    with_link: bool


class ReminderEmails:
    """Renders a sweep's reminder emails; one per sweep (stencils are not kept longer)."""

    def __init__(self) -> None:
        self._stencils: dict[_Key, Rendered | None] = {}
        self._display_names: dict[tuple[int, str], str] = {}

    def render(
        self,
        template: str,
        language: str,
        *,
        council: Council,
        row: CaseDeadline,
        reminder: str,
        link: str | None,
    ) -> Rendered:
        case = row.case
        key = _Key(
            template,
            language,
            reminder,
            case.procedure_key,
            row.key,
            row.due_on,
            link is not None,
        )
        if key not in self._stencils:
            self._stencils[key] = self._stencil(key)
        stencil = self._stencils[key]
        if stencil is not None:
            display_name = self._display_name(council, language)
            values = {_REFERENCE: case.reference, _NAME: council.name, _DISPLAY_NAME: display_name}
            if link is not None:
                values[_LINK] = link
            filled = _fill(stencil, values)
            if filled is not None:
                return filled
        return render_email(
            template,
            language,
            case=case,
            council=council,
            deadline=row,
            label=_label(case.procedure_key, row.key),
            reminder=reminder,
            link=link,
        )

    def _display_name(self, council: Council, language: str) -> str:
        key = (council.id, language)
        if key not in self._display_names:
            with force_locale(language):  # the name in the email's language
                self._display_names[key] = council.display_name
        return self._display_names[key]

    @staticmethod
    def _stencil(key: _Key) -> Rendered | None:
        try:
            return render_email(
                key.template,
                key.language,
                case=_StandIn(reference=_REFERENCE, procedure_key=key.procedure),
                council=_StandIn(name=_NAME, display_name=_DISPLAY_NAME),
                deadline=_StandIn(due_on=key.due_on, key=key.deadline),
                label=_label(key.procedure, key.deadline),
                reminder=key.reminder,
                link=_LINK if key.with_link else None,
            )
        except _NotStencilledError:
            return None


def _label(procedure: str, deadline: str) -> object:
    return engine.PROCEDURES[procedure].deadline(deadline).label  # lazy: in the email's language


def _fill(stencil: Rendered, values: dict[str, object]) -> Rendered | None:
    """The stencil with its markers replaced; None if a marker did not survive intact."""
    if any(not isinstance(value, str) for value in values.values()):
        return None
    subject, text, html = stencil.subject, stencil.body_text, stencil.body_html
    for marker, value in values.items():
        assert isinstance(value, str)  # for the type checker: checked above
        subject = subject.replace(marker, value)
        text = text.replace(marker, value)
        html = html.replace(marker, str(escape(value)))
    if any(_OPEN in part or _CLOSE in part for part in (subject, text, html)):
        return None
    return Rendered(" ".join(subject.split()), text, html)
