"""What each decision notice says, section by section, and its first draft from the case.

The sections follow the seed 003 templates: Appendix 4 (Initial Assessment
Decision Notice) and Appendix 5 (Conduct Committee Hearing Panel: Decision
Notice). Every section is text the officer can edit; the draft fills in what
the case already knows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from conduct import engine
from conduct.models import Case, CaseEvent
from conduct.timeutil import london_date


@dataclass(frozen=True)
class Section:
    name: str
    label: object
    hint: object | None = None
    rows: int = 4
    # Per allegation: the field is repeated as "<name>_<n>" for allegation n (1-based).
    per_allegation: bool = False


INITIAL_ASSESSMENT = (
    Section("subject_member", _l("Subject member"), rows=1),
    Section("received_on", _l("Date the complaint was received (§1.1)"), rows=1),
    Section(
        "complainant",
        _l("The complainant, as the notice names them (§1.1)"),
        _l("If their identity is kept confidential, do not name them."),
        rows=1,
    ),
    Section("complaint_summary", _l("The complaint relates to (§1.2)"), rows=6),
    Section("background", _l("Comment sought and informal resolution (§1.3)"), rows=4),
    Section("evidence", _l("Evidence considered (§2.1), one item a line"), rows=5),
    Section(
        "jurisdiction_council", _l("The authority the subject was a member of (§3.1.1)"), rows=1
    ),
    Section(
        "jurisdiction",
        _l("The Independent Person's conclusion on the three-limb test (§3.2)"),
        _l("Whether all three limbs are satisfied; if not, which, and the effect."),
        rows=3,
    ),
    Section(
        "provision", _l("Provisions of the Code engaged (§4.1.1.1)"), rows=2, per_allegation=True
    ),
    Section(
        "allegation", _l("What the complainant alleges (§4.1.2.1)"), rows=4, per_allegation=True
    ),
    Section(
        "response", _l("The subject member's response (§4.1.2.2)"), rows=3, per_allegation=True
    ),
    Section("factors", _l("Pertinent factors identified (§4.1.3)"), rows=3),
    Section("considerations", _l("Key considerations (§4.1.4)"), rows=4, per_allegation=True),
    Section(
        "conclusion",
        _l("The Independent Person's view on this allegation (§4.1.5.1)"),
        rows=3,
        per_allegation=True,
    ),
    Section("ip_advice", _l("The Independent Person's advice (§4.1.6)"), rows=3),
    Section(
        "mo_decision",
        _l("The Monitoring Officer's decision (§4.1.7)"),
        _l("Where the complaint is referred for investigation, the scope and who will conduct it."),
        rows=4,
    ),
)

HEARING_PANEL = (
    Section("subject_member", _l("Councillor"), rows=1),
    Section("received_on", _l("Date the complaint was received"), rows=1),
    Section("description", _l("Summary of the allegation"), rows=5),
    Section(
        "initial_consideration", _l("The initial consideration and what was determined"), rows=3
    ),
    Section("investigation", _l("The investigation and its conclusion"), rows=3),
    Section(
        "provisions", _l("General obligations of the Code the report indicated a breach of"), rows=4
    ),
    Section("preliminary", _l("Preliminary matters determined by the Hearing Panel"), rows=4),
    Section(
        "io_presentation", _l("Presentation of the complaint by the Investigating Officer"), rows=4
    ),
    Section("witnesses", _l("Witnesses"), rows=3),
    Section("subject_response", _l("Presentation of the response"), rows=4),
    Section("questioning", _l("Points covered during questioning"), rows=3),
    Section("summing_up", _l("Summing up by the Investigating Officer and the councillor"), rows=3),
    Section("ip_views", _l("The views of the Independent Person"), rows=3),
    Section("mo_advice", _l("Advice given by the Monitoring Officer"), rows=2),
    Section("findings", _l("Decision and findings"), rows=6),
    Section("sanction_representations", _l("Representations as to sanctions"), rows=4),
    Section("sanctions", _l("Sanctions and post-hearing actions"), rows=4),
)

SECTIONS = {"initial-assessment": INITIAL_ASSESSMENT, "hearing-panel": HEARING_PANEL}


def fields_of(kind: str, allegation_count: int) -> list[tuple[str, Section, int | None]]:
    """(field name, section, allegation number) in the order the notice reads."""
    found: list[tuple[str, Section, int | None]] = []
    for section in SECTIONS[kind]:
        if section.per_allegation:
            found += [(f"{section.name}_{n}", section, n) for n in range(1, allegation_count + 1)]
        else:
            found.append((section.name, section, None))
    return found


# --- the first draft ----------------------------------------------------------------------


def _events(case: Case, *actions: str) -> list[CaseEvent]:
    return [e for e in case.events if e.action in actions]


def _last(case: Case, *actions: str) -> CaseEvent | None:
    found = _events(case, *actions)
    return found[-1] if found else None


def _day(event: CaseEvent | None) -> str:
    return format_date(london_date(event.at), "d MMMM yyyy") if event else ""


def _complainant(case: Case) -> str:
    if case.anonymous:
        return _("an anonymous complainant")
    if case.confidentiality_requested:
        return _("a complainant whose identity is kept confidential")
    return case.complainant_name


def _provision(case: Case, key: str) -> str:
    found = next((c for c in engine.procedure_of(case).provisions if c.value == key), None)
    return str(found.label) if found else key


def _allegations(case: Case) -> list[tuple[str, str]]:
    """(provision label, summary) per allegation; the complaint itself if none are recorded."""
    if case.allegations:
        return [(_provision(case, a.provision), a.summary) for a in case.allegations]
    return [(case.obligations_breached, case.details)]


ASSESSMENT_ACTIONS = (
    "assess-no-further-action",
    "assess-informal-resolution",
    "assess-police-referral",
    "assess-investigate",
    "assess-summary-resolution",
)


def _initial_assessment(case: Case) -> dict[str, str]:
    procedure = engine.procedure_of(case)
    response = _last(case, "subject-responded")
    not_resolved = _last(case, "not-resolved")
    assessment = _last(case, *ASSESSMENT_ACTIONS)
    ip_views = _events(case, "record-ip-view")
    evidence = [
        _(
            "Complaint sent by %(who)s on %(date)s;",
            who=_complainant(case),
            date=format_date(case.received_on, "d MMMM yyyy"),
        ),
    ]
    if response:
        evidence.append(
            _("Response from the Subject Member sent on %(date)s;", date=_day(response))
        )
    if not_resolved:
        evidence.append(
            _(
                "Confirmation by the Complainant that the complaint could not be informally "
                "resolved, on %(date)s;",
                date=_day(not_resolved),
            )
        )
    evidence.append(_("The Council's Members' Code of Conduct and Procedure Rules."))
    fields = {
        "subject_member": case.subject_names,
        "received_on": format_date(case.received_on, "d MMMM yyyy"),
        "complainant": _complainant(case),
        "complaint_summary": case.details,
        "background": _(
            "The Subject Member was invited to comment on the complaint with a view to "
            "establishing whether or not the concerns could be informally resolved. The "
            "Complainant has confirmed that they do not consider their concerns to be capable of "
            "informal resolution and an initial assessment of the complaint has therefore been "
            "completed by the Independent Person in consultation with the Monitoring Officer."
        ),
        "evidence": "\n".join(evidence),
        "jurisdiction_council": case.council.name,
        "jurisdiction": _("All three limbs of this test are satisfied in this matter."),
        "factors": "",
        "ip_advice": "\n\n".join(str(e.data.get("view", "")) for e in ip_views),
        "mo_decision": "",
    }
    response_text = str(response.data.get("summary", "")) if response else ""
    for n, (provision, summary) in enumerate(_allegations(case), start=1):
        fields[f"provision_{n}"] = provision
        fields[f"allegation_{n}"] = summary
        fields[f"response_{n}"] = response_text
        fields[f"considerations_{n}"] = ""
        fields[f"conclusion_{n}"] = ""
    if assessment is not None:
        action = procedure.action(assessment.action)
        factor_input = next((i for i in action.inputs if i.name == "factors"), None)
        chosen = assessment.data.get("factors") or []
        if factor_input is not None:
            fields["factors"] = "\n".join(
                str(c.label) for c in factor_input.choices if c.value in chosen
            )
        decision = [
            _(
                "The Monitoring Officer concurs and therefore: %(decision)s.",
                decision=str(action.done or action.label),
            ),
            str(assessment.data.get("reasons", "")),
        ]
        if assessment.data.get("scope"):
            decision.append(
                _("Scope of the investigation: %(scope)s", scope=assessment.data["scope"])
            )
        investigator = assessment.data.get("investigator")
        if isinstance(investigator, dict) and investigator.get("name"):
            decision.append(
                _("The investigation will be conducted by %(name)s.", name=investigator["name"])
            )
        fields["mo_decision"] = "\n\n".join(d for d in decision if d)
    return fields


def _hearing_panel(case: Case) -> dict[str, str]:
    procedure = engine.procedure_of(case)
    hearing = case.hearings[-1] if case.hearings else None
    assessment = _last(case, *ASSESSMENT_ACTIONS)
    report = _last(case, "final-report")
    notes = {s.key: s.note for s in hearing.steps} if hearing else {}
    rules = procedure.hearing
    allegations = {a.id: a for a in case.allegations}
    initial = ""
    if assessment is not None:
        initial = _(
            "Following the initial consideration of the complaint by the Monitoring Officer and "
            "Independent Person on %(date)s, it was determined that: %(decision)s.",
            date=_day(assessment),
            decision=str(procedure.action(assessment.action).done or ""),
        )
    investigation = ""
    if report is not None:
        investigator = next(
            (a.user for a in case.assignments if a.role == "investigating-officer"), None
        )
        finding = report.data.get("finding")
        investigation = _(
            "The investigation was carried out by %(who)s and concluded that %(finding)s.",
            who=(investigator.full_name or investigator.email)
            if investigator
            else _("the Investigating Officer"),
            finding=_("there had been a breach of the Code")
            if finding == "breach"
            else _("there had not been a breach of the Code"),
        )
    preliminary = []
    if hearing is not None:
        if hearing.private_session and hearing.private_session != "public":
            preliminary.append(
                _(
                    "The Panel resolved to exclude the public under paragraph(s) %(p)s of "
                    "Schedule 12A to the Local Government Act 1972: %(reason)s",
                    p=", ".join(hearing.private_paragraphs),
                    reason=hearing.private_reason,
                )
            )
        for key in ("declarations", "subject-absent", "private-session"):
            if notes.get(key):
                preliminary.append(notes[key])
        for adjournment in hearing.adjournments:
            preliminary.append(
                _("The hearing was adjourned: %(reason)s", reason=adjournment.reason)
            )
    findings = []
    if hearing is not None and hearing.decided_at is not None:
        findings.append(
            _(
                "The Panel confirmed that it had listened carefully to the Investigating Officer, "
                "the councillor, their representatives and witnesses, and the views of the "
                "Council's Independent Person."
            )
        )
        findings.append(
            _("The Panel decided unanimously:")
            if hearing.unanimous
            else _("The Panel decided by a majority:")
        )
        for finding in hearing.findings:
            allegation = allegations.get(finding.allegation_id)
            label = _provision(case, allegation.provision) if allegation else ""
            verdict = (
                _("failed to comply with the Code")
                if finding.finding == "breach"
                else _("not proved")
            )
            findings.append(f"{label}: {verdict}. {finding.reasons}")
    sanctions = ""
    if hearing is not None and hearing.decided_at is not None and rules is not None:
        labels = {c.value: str(c.label) for c in rules.sanctions}
        chosen = [labels.get(s, s) for s in hearing.sanctions]
        lines = [
            _(
                "The Panel confirmed that it had considered the representations of all concerned "
                "regarding the form of sanction that should be imposed."
            )
        ]
        lines.append(
            _("The Panel's decision was to:") + "\n" + "\n".join(f"- {c}" for c in chosen)
            if chosen
            else _("The Panel decided that no sanction is required.")
        )
        if hearing.recommendations:
            lines.append(_("Recommendations: %(text)s", text=hearing.recommendations))
        sanctions = "\n\n".join(lines)
    witnesses = [a.name for a in hearing.attendees if a.kind == "witness"] if hearing else []
    return {
        "subject_member": case.subject_names,
        "received_on": format_date(case.received_on, "d MMMM yyyy"),
        "description": case.details,
        "initial_consideration": initial,
        "investigation": investigation,
        "provisions": "\n".join(label for label, _summary in _allegations(case)),
        "preliminary": "\n\n".join(preliminary),
        "io_presentation": notes.get("presentation-complaint", ""),
        "witnesses": ", ".join(witnesses),
        "subject_response": notes.get("presentation-subject", ""),
        "questioning": "",
        "summing_up": notes.get("summing-up", ""),
        "ip_views": notes.get("independent-person", ""),
        "mo_advice": "",
        "findings": "\n\n".join(findings),
        "sanction_representations": notes.get("sanction-representations", ""),
        "sanctions": sanctions,
    }


DRAFTERS: dict[str, Callable[[Case], dict[str, str]]] = {
    "initial-assessment": _initial_assessment,
    "hearing-panel": _hearing_panel,
}


def first_draft(case: Case, kind: str) -> dict:
    fields = DRAFTERS[kind](case)
    fields["_allegations"] = len(_allegations(case)) if kind == "initial-assessment" else 0
    return fields
