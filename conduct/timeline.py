"""A case's timeline as staff read it: the latest entries on the case page, or all of them.

A case can gather hundreds of entries, each sealed at rest (core/encrypted.py), so
the case page reads only the latest few with a LIMIT, and one grouped count says
how many there are in all and which actions were taken (what the procedure's
"done:" conditions ask, engine.holds). Each entry's text is made here, once, in
the reader's language; the labels entries share (an action's heading, a role, a
stage's name, an input's label and choices) are looked up once per page rather
than once per entry, and the template only writes the markup.

A case's timeline is recorded in the service's language (core.i18n.record_language).
What the procedure data can say again in the reader's language is said again; the
rest is shown as recorded, marked as the language it is in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import bindparam, func, select

from conduct.dates import Dates
from conduct.models import Case, CaseEvent
from conduct.procedures.model import Action, Input, Procedure
from core.db import db
from core.labels import CHANNELS, PARTIES, owner_label, stage_name

# What the engine records besides an action's inputs (conduct/engine.py).
RECORDED = {
    "received_on": _l("Date of receipt"),
    "channel": _l("How was it received?"),
    "warnings_acknowledged": _l("Warnings acknowledged"),
    "file": _l("Document"),
}
# Shown apart from an entry's other data: the reason under the heading, moved
# deadlines a line each.
_APART = frozenset({"reason", "deadlines_moved"})
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class Recorded(Protocol):
    """An entry as read: a CaseEvent, or a row of the columns the timeline shows."""

    at: datetime
    actor_id: int | None
    actor_name: str
    actor_role: str
    kind: str
    action: str | None
    summary: str
    stage_to: str | None
    reason: str | None
    data: dict


@dataclass(frozen=True, slots=True)
class Summary:
    """How many entries the timeline has, and the actions they record."""

    total: int
    taken: frozenset[str]


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry, its text ready to show (plain strings are escaped by the template)."""

    key: str  # the action's key, or the kind of entry
    heading: str
    lang: str | None  # the heading's language, when it is shown as recorded
    at: str  # ISO 8601, for <time datetime>
    when: str  # the date and time in the reader's language and time zone
    actor: str
    stage: str  # "now: <stage>" when the entry moved the case, else ""
    reason: str | None
    details: tuple[tuple[str, str], ...]  # (label, value); a value may be Markup
    moved: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Timeline:
    entries: list[Entry]
    total: int

    @property
    def complete(self) -> bool:
        return len(self.entries) >= self.total


# What an entry shows, read as plain rows: the page keeps no entry, so loading each as
# an ORM object (identity map, instance state) would be work for nothing. The
# statements are built once; the case and the limit are bound per page.
_SHOWN = (
    CaseEvent.id,
    CaseEvent.at,
    CaseEvent.actor_id,
    CaseEvent.actor_name,
    CaseEvent.actor_role,
    CaseEvent.kind,
    CaseEvent.action,
    CaseEvent.summary,
    CaseEvent.stage_to,
    CaseEvent.reason,
    CaseEvent.data,
)
_OF_CASE = CaseEvent.case_id == bindparam("case_id")
_SUMMARY = select(CaseEvent.action, func.count()).where(_OF_CASE).group_by(CaseEvent.action)
_EVERY = select(*_SHOWN).where(_OF_CASE).order_by(CaseEvent.id.desc())
_LATEST = _EVERY.limit(bindparam("limit"))


def summary(case: Case) -> Summary:
    """One statement, however long the timeline: entries per action, added up."""
    rows = db.session.execute(_SUMMARY, {"case_id": case.id}).all()
    return Summary(
        total=sum(count for _action, count in rows),
        taken=frozenset(action for action, _count in rows if action),
    )


def latest(case: Case, procedure: Procedure, limit: int, total: int) -> Timeline:
    """The `limit` most recent entries, newest first, of the `total` (from summary)."""
    events = db.session.execute(_LATEST, {"case_id": case.id, "limit": limit})
    entries = Labels(procedure).entries(events)
    return Timeline(entries=entries, total=total)


def complete(case: Case, procedure: Procedure) -> Timeline:
    """Every entry, newest first."""
    entries = Labels(procedure).entries(db.session.execute(_EVERY, {"case_id": case.id}))
    return Timeline(entries=entries, total=len(entries))


class Labels:
    """The words of one page's timeline, in the reader's language, each made once."""

    def __init__(self, procedure: Procedure | None) -> None:
        self.procedure = procedure
        self.dates = Dates()
        recorded = current_app.config["BABEL_DEFAULT_LOCALE"]
        # A heading shown as recorded is marked with its language when the page's differs.
        self.recorded_lang = recorded if str(self.dates.locale) != recorded else None
        self._headings: dict[str, str] = {}
        self._owners: dict[str, str] = {}
        self._stages: dict[str, str] = {}
        self._now: dict[str, str] = {}
        self._inputs: dict[tuple[str | None, str], tuple[str, dict[str, str]]] = {}

    def entries(self, events: Iterable[Recorded]) -> list[Entry]:
        return [self.entry(e) for e in events]

    def entry(self, event: Recorded) -> Entry:
        heading, lang = self.heading(event)
        data = event.data or {}
        return Entry(
            key=event.action or event.kind,
            heading=heading,
            lang=lang,
            at=event.at.isoformat(),
            when=self.dates.moment(event.at, "d MMM yyyy HH:mm"),
            actor=self.actor(event),
            stage=self.now(event.stage_to) if event.stage_to else "",
            reason=event.reason,
            details=tuple(
                (self.input_label(event, name), self.value(event, name, value))
                for name, value in data.items()
                if name not in _APART
            ),
            moved=tuple(
                _(
                    "Deadline %(key)s moved from %(from)s to %(to)s",
                    **{"key": m["deadline"], "from": m["from"], "to": m["to"]},
                )
                for m in data.get("deadlines_moved", ())
            ),
        )

    def action(self, key: str | None) -> Action | None:
        if self.procedure is None or not key:
            return None
        try:
            return self.procedure.action(key)  # the procedure keeps its own index
        except KeyError:
            return None

    def heading(self, event: Recorded) -> tuple[str, str | None]:
        """An action's or an opening's heading in the page's language, else as recorded."""
        action = self.action(event.action)
        if event.kind == "action" and action is not None:
            if action.key not in self._headings:
                self._headings[action.key] = str(action.done or action.label)
            return self._headings[action.key], None
        if event.kind == "opened" and event.stage_to and self.procedure is not None:
            return _("Case opened: %(stage)s", stage=self.stage(event.stage_to)), None
        return event.summary, self.recorded_lang

    def stage(self, key: str) -> str:
        if key not in self._stages:
            self._stages[key] = stage_name(self.procedure, key) if self.procedure else key
        return self._stages[key]

    def now(self, key: str) -> str:
        """What an entry that moved the case says of where it went."""
        if key not in self._now:
            self._now[key] = _("now: %(stage)s", stage=self.stage(key))
        return self._now[key]

    def owner(self, key: str) -> str:
        if key not in self._owners:
            self._owners[key] = owner_label(key)
        return self._owners[key]

    def actor(self, event: Recorded) -> str:
        """Who did it: the person (and the role they acted in), or which party, or the system."""
        if event.actor_id is None and event.actor_role in (*PARTIES, ""):
            return self.owner(event.actor_role or "system")
        if event.actor_role and event.actor_role != "system":
            return f"{event.actor_name} ({self.owner(event.actor_role)})"
        return event.actor_name

    def _input(self, event: Recorded, name: str) -> tuple[str, dict[str, str]]:
        """The label of an action's input, by the name its value is recorded under, and
        the labels of its choices by value."""
        memo = (event.action, name)
        if memo not in self._inputs:
            action = self.action(event.action)
            spec: Input | None = (
                next((i for i in action.inputs if i.name == name), None) if action else None
            )
            if spec is not None:
                label = str(spec.label)
            else:
                label = str(RECORDED.get(name) or name.replace("_", " ").capitalize())
            choices = {c.value: str(c.label) for c in spec.choices} if spec is not None else {}
            if name == "channel":
                choices = {k: str(v) for k, v in CHANNELS.items()}
            self._inputs[memo] = (label, choices)
        return self._inputs[memo]

    def input_label(self, event: Recorded, name: str) -> str:
        return self._input(event, name)[0]

    def value(self, event: Recorded, name: str, value: Any) -> str:
        """A recorded choice by its label, a date in the page's language; the rest as
        recorded (free text keeps its line breaks)."""
        if isinstance(value, dict):  # a person or a file: its name
            return str(value.get("name") or value.get("file") or value.get("to"))
        choices = self._input(event, name)[1]
        if isinstance(value, list | tuple):
            return ", ".join(choices.get(v, str(v)) for v in value)
        if not isinstance(value, str):
            shown: str = str(value)
        elif _ISO_DAY.fullmatch(value):
            day = self.dates.day(date.fromisoformat(value), "d MMMM yyyy")
            shown = Markup('<time datetime="{}">{}</time>').format(value, day)
        else:
            shown = choices.get(value, value)
        return Markup('<span class="app-pre-wrap">{}</span>').format(shown)
