"""Whether a proposed hearing panel is properly constituted, checked against the procedure's rules.

seed 003 Article 9 §2.2: three members of the Conduct Committee including the
Chairman or Vice-Chairman, all present for quorum; the Independent Person sits
with them; where the complaint is about a town or parish councillor, the
co-opted representatives are invited (none of them votes).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext

from conduct.procedures.model import PanelRules
from tenants.committees import CHAIR, CO_OPTED, INDEPENDENT, MEMBER, VICE_CHAIR, CommitteeMember


@dataclass
class PanelChoice:
    """The members chosen: voting members (one of them chairs), Independent Person, co-optees."""

    members: list[int]
    chair: int | None
    independent_person: int | None
    co_opted: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class PanelProblem:
    field: str  # the form field the message belongs at
    message: str


def check(
    rules: PanelRules,
    committee: list[CommitteeMember],
    choice: PanelChoice,
    *,
    parish_case: bool,
) -> list[PanelProblem]:
    """Every rule the choice breaks, each with the rule it comes from (empty: a valid panel)."""
    by_id = {m.id: m for m in committee if m.active}
    problems: list[PanelProblem] = []
    chosen = [by_id[i] for i in dict.fromkeys(choice.members) if i in by_id]
    if len(chosen) != len(set(choice.members)):
        problems.append(PanelProblem("members", _("Choose members of this committee only.")))
    not_voting = [m for m in chosen if m.kind != MEMBER]
    if not_voting:
        problems.append(
            PanelProblem(
                "members",
                _(
                    "%(names)s cannot be a voting member of the panel: co-opted members and "
                    "Independent Persons do not vote (%(seed)s).",
                    names=", ".join(m.name for m in not_voting),
                    seed=rules.seed,
                ),
            )
        )
    if rules.voting_members is not None and len(chosen) != rules.voting_members:
        problems.append(
            PanelProblem(
                "members",
                ngettext(
                    "A panel has %(needed)d members of the committee, all present for it to be "
                    "quorate (%(seed)s): you chose %(num)d.",
                    "A panel has %(needed)d members of the committee, all present for it to be "
                    "quorate (%(seed)s): you chose %(num)d.",
                    len(chosen),
                    needed=rules.voting_members,
                    seed=rules.seed,
                ),
            )
        )
    if rules.needs_chair_or_vice and not any(m.office in (CHAIR, VICE_CHAIR) for m in chosen):
        problems.append(
            PanelProblem(
                "members",
                _(
                    "The panel must include the Chairman or Vice-Chairman of the committee "
                    "(%(seed)s).",
                    seed=rules.seed,
                ),
            )
        )
    if choice.chair is None or choice.chair not in {m.id for m in chosen}:
        problems.append(
            PanelProblem("chair", _("Choose which of the panel's members chairs the hearing."))
        )
    elif rules.needs_chair_or_vice and by_id[choice.chair].office not in (CHAIR, VICE_CHAIR):
        problems.append(
            PanelProblem(
                "chair",
                _(
                    "The hearing is chaired by the committee's Chairman or Vice-Chairman "
                    "(%(seed)s).",
                    seed=rules.seed,
                ),
            )
        )
    ip = by_id.get(choice.independent_person) if choice.independent_person else None
    if choice.independent_person and (ip is None or ip.kind != INDEPENDENT):
        problems.append(
            PanelProblem(
                "independent_person", _("Choose one of the committee's Independent Persons.")
            )
        )
    elif rules.needs_independent_person and ip is None:
        problems.append(
            PanelProblem(
                "independent_person",
                _(
                    "An Independent Person must sit with the panel "
                    "(%(seed)s; seed 003 Rule 9 §3.1.5).",
                    seed=rules.seed,
                ),
            )
        )
    co_opted = [m for m in by_id.values() if m.kind == CO_OPTED]
    invited = set(choice.co_opted)
    if any(i not in {m.id for m in co_opted} for i in invited):
        problems.append(PanelProblem("co_opted", _("Choose co-opted members of this committee.")))
    if rules.co_opted_for_parish and parish_case:
        missing = [m for m in co_opted if m.id not in invited]
        if missing:
            problems.append(
                PanelProblem(
                    "co_opted",
                    _(
                        "The complaint is about a town or parish councillor: invite the co-opted "
                        "representatives (%(names)s) to sit with the panel (%(seed)s).",
                        names=", ".join(m.name for m in missing),
                        seed=rules.seed,
                    ),
                )
            )
    return problems


def political_balance(members: list[CommitteeMember]) -> dict[str, int]:
    """Seats per political group, for the proportionality note (Article 9 §2.2.2)."""
    return dict(Counter(m.political_group or _("No group") for m in members if m.votes))
