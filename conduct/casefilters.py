"""The case list's search, filter and sort form: plain GET parameters, GOV.UK markup.

Written out here rather than through WTForms and the GOV.UK Jinja macros: the
form only echoes the request's arguments into selects whose options depend on
the user's councils, and rendering a Monitoring Officer's 200-council select
through the macros cost more than the rest of the page. The markup is the
macros' own (govuk-form-group, a label for each control), so it looks and reads
the same to assistive technology.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from conduct.caselist import DEADLINES, SORTS, CaseQuery, ListedCouncil
from conduct.procedures import PROCEDURES


@lru_cache(maxsize=512)
def _options(options: tuple[tuple[str, str], ...]) -> str:
    # The same councils and procedures give the same options on every request of a user
    # (200 councils for a Monitoring Officer): escaped and joined once per process.
    return "".join(f'<option value="{escape(v)}">{escape(text)}</option>' for v, text in options)


@lru_cache(maxsize=64)
def _stage_options(locale: str, enabled: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The stages a list can be narrowed to, in `locale` (the caller's), once per process."""
    stages = [("", _("Any")), ("open", _("Open cases")), ("closed", _("Closed cases"))]
    for key in enabled:
        procedure = PROCEDURES[key]
        title = str(procedure.title)
        stages += [
            (f"{key}:{s.key}", f"{title}: {s.label}")
            for s in procedure.stages
            if s.kind != "closed"
        ]
    return tuple(stages)


def _select(
    name: str, label: str, options: tuple[tuple[str, str], ...], chosen: str | None
) -> Markup:
    items = _options(options)
    if chosen is not None:
        # Values are unique within a select, so the first match is the chosen option.
        option = f'<option value="{escape(chosen)}">'
        items = items.replace(option, f"{option[:-1]} selected>", 1)
    return Markup(
        '<div class="govuk-form-group">'
        f'<label class="govuk-label" for="{name}">{escape(label)}</label>'
        f'<select class="govuk-select" id="{name}" name="{name}">{items}</select>'
        "</div>\n"
    )


def filter_fields(
    councils: list[ListedCouncil], enabled: list[str], args: Mapping[str, str]
) -> Markup:
    """The form's controls, with the request's choices selected (unknown values select
    nothing, so the browser shows the first option). `enabled`: the procedures the
    councils enable."""
    stages = _stage_options(str(get_locale()), tuple(enabled))
    q = args.get("q", "")
    search = _("Search by reference or name")  # outside the f-string, where pybabel finds it
    fields = [
        Markup(
            '<div class="govuk-form-group">'
            f'<label class="govuk-label" for="q">{escape(search)}</label>'
            '<input class="govuk-input govuk-input--width-20" id="q" name="q" type="search"'
            f' value="{escape(q)}"></div>\n'
        )
    ]
    if len(councils) > 1:
        fields.append(
            _select(
                "council",
                _("Council"),
                (("", _("All councils")), *((c.slug, c.display_name) for c in councils)),
                args.get("council"),
            )
        )
    fields += [
        _select(
            "procedure",
            _("Procedure"),
            (("", _("All procedures")), *((k, str(PROCEDURES[k].title)) for k in enabled)),
            args.get("procedure"),
        ),
        _select("stage", _("Stage"), stages, args.get("stage")),
        _select(
            "deadline",
            _("Deadlines"),
            (("", _("Any")), ("overdue", _("Overdue")), ("due-this-week", _("Due this week"))),
            args.get("deadline"),
        ),
        _select(
            "sort",
            _("Sort by"),
            (
                ("newest", _("Newest first")),
                ("oldest", _("Oldest first")),
                ("reference", _("Reference")),
            ),
            args.get("sort"),
        ),
    ]
    return Markup("").join(fields)


def case_query(councils: list[ListedCouncil], args: Mapping[str, str]) -> CaseQuery:
    """What the list is asked for; values it does not know are ignored."""
    by_slug = {c.slug: c.id for c in councils}
    page = args.get("page", "1")
    procedure = args.get("procedure", "")
    stage = args.get("stage", "")
    if ":" in stage:
        procedure, _sep, stage = stage.partition(":")
    sort = args.get("sort", "")
    deadline = args.get("deadline", "")
    return CaseQuery(
        q=args.get("q", "")[:200],
        council_id=by_slug.get(args.get("council", "")),
        sort=sort if sort in SORTS else "newest",
        page=int(page) if page.isdigit() else 1,
        procedure=procedure if procedure in PROCEDURES else "",
        stage=stage[:60],
        deadline=deadline if deadline in DEADLINES else "",
    )
