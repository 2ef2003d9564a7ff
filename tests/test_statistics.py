"""The statistics service, its figures and charts: every number checked against the cases."""

from __future__ import annotations

import statistics as pystats
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import Date, Integer, String, literal, select

from conduct import access, engine
from conduct.statistics import charts, figures, records, service
from conduct.statistics.service import DeadlineCounts, Durations, Period
from core.db import db
from core.tenancy import scope
from tenants.models import Council, User
from tests.casework_helpers import perform_as, record_case
from tests.conftest import make_council, make_user
from tests.statistics_data import (
    CC,
    CLERK_A,
    LR,
    MOP,
    NOW,
    PERIOD_START,
    SPECS,
    TODAY,
    expected_by_council,
    expected_by_outcome,
    expected_by_procedure,
    expected_by_stage,
    expected_deadlines,
    expected_decisions,
    expected_medians,
    expected_open_by_procedure,
    expected_sanctions,
    expected_stage_one,
    insert,
    setup_councils,
    within,
)


@pytest.fixture
def ids(app) -> dict[str, int]:
    """Council slug -> id, with every case of SPECS in the database."""
    with app.app_context():
        councils = setup_councils()
        insert(SPECS, councils)
        db.session.commit()
        return {slug: c.id for slug, c in councils.items()}


def _compute(app, council_ids, period: Period | None = None, **kw) -> service.Statistics:
    with app.app_context(), time_machine.travel(NOW, tick=False):
        return service.compute(council_ids, period or Period.last_12_months(engine.today()), **kw)


def _by_slug(counter: Counter, ids: dict[str, int]) -> Counter:
    slugs = {v: k for k, v in ids.items()}
    return Counter({slugs[k]: n for k, n in counter.items()})


def test_cases_are_counted_by_council_procedure_stage_reached_and_outcome(app, ids):
    stats = _compute(app, ids.values())
    cases = within(SPECS)
    assert stats.period == Period(PERIOD_START, TODAY)
    assert stats.total == len(cases) == 21
    assert _by_slug(stats.by_council, ids) == expected_by_council(cases)
    assert stats.by_procedure == expected_by_procedure(cases)
    assert stats.open_by_procedure == expected_open_by_procedure(cases)
    assert stats.by_stage == expected_by_stage(cases)
    assert stats.by_outcome == expected_by_outcome(cases)


def test_a_closed_case_counts_at_the_stage_it_closed_from_with_its_outcome(app, ids):
    stats = _compute(app, ids.values())
    # Withdrawn while waiting for the councillor's response.
    assert stats.by_stage[(CC, "subject-response", "withdrawn")] == 1
    assert stats.by_stage[(CC, "hearing", "hearing-decision")] == 3
    assert stats.by_stage[(LR, "stage-1", "stage-1-resolved")] == 6
    # Open cases count at their current stage.
    assert stats.by_stage[(CC, "received", None)] == 2
    assert stats.by_stage[(LR, "stage-1", None)] == 1


def test_hearing_decisions_are_the_finding_and_the_committee_conclusion_only(app, ids):
    stats = _compute(app, ids.values())
    assert stats.decisions == expected_decisions(within(SPECS))
    assert stats.decisions == Counter({(CC, "breach"): 2, (CC, "no-breach"): 1, (LR, "c"): 1})
    # The ombudsman's recorded outcome is a fact named "outcome" too, but no hearing's.
    assert not any(p == "ombudsman-referral" for p, _d in stats.decisions)


def test_sanctions_are_counted_from_decided_hearings_only(app, ids):
    stats = _compute(app, ids.values())
    assert stats.sanctions == expected_sanctions(within(SPECS))
    assert stats.sanctions == Counter({(CC, "reprimand"): 2, (CC, "training"): 1})


def test_deadlines_met_late_or_overdue_leave_out_closed_and_paused_ones(app, ids):
    stats = _compute(app, ids.values())
    expected = expected_deadlines(within(SPECS))
    assert {k: (c.met, c.late, c.overdue) for k, c in stats.deadlines.items()} == expected
    # acknowledge: met on time 3 times (Ashby twice, Brockton once), late twice, one
    # overdue; the paused case's and the not-yet-due one are neither.
    assert stats.deadlines[(CC, "acknowledge")] == DeadlineCounts(met=3, late=2, overdue=1)
    assert stats.deadlines[(CC, "acknowledge")].missed == 3
    assert stats.deadlines[(CC, "subject-response")] == DeadlineCounts(met=0, late=1)
    assert (CC, "agenda-pack") not in stats.deadlines  # closed: no longer applies


def test_overdue_is_judged_on_the_day_given(app, ids):
    with app.app_context():
        stats = service.compute(ids.values(), Period(PERIOD_START, TODAY), today=date(2026, 3, 24))
    # The acknowledgement due on 23 March is now overdue too.
    assert stats.deadlines[(CC, "acknowledge")].overdue == 2


def test_median_days_from_receipt_to_close_overall_and_per_procedure(app, ids):
    stats = _compute(app, ids.values())
    expected = expected_medians(within(SPECS))
    assert {k: d.median() for k, d in stats.durations.items()} == {
        k: v for k, v in expected.items() if k != "all"
    }
    assert stats.all_durations.median() == expected["all"]
    assert stats.all_durations.cases == len([s for s in within(SPECS) if s.closed])


def test_stage_one_resolutions_by_council_type_and_month(app, ids):
    stats = _compute(app, ids.values())
    slugs = {v: k for k, v in ids.items()}
    found = Counter({(slugs[c], t, m): n for (c, t, m), n in stats.stage_one.items()})
    assert found == expected_stage_one(within(SPECS))
    assert stats.stage_one_by_type == Counter({"respect": 3, "vexatious": 1, "other": 1, "": 1})
    assert _by_slug(stats.stage_one_by_council, ids) == Counter({"ashby": 4, "cwm-aur": 2})
    assert stats.stage_one_by_month[(2026, 2)] == 3  # resolved 3, 10 and 25 February


def test_the_period_includes_both_of_its_days(app, ids):
    period = Period(date(2026, 1, 12), date(2026, 3, 2))
    stats = _compute(app, ids.values(), period)
    cases = within(SPECS, period.start, period.end)
    assert {s.received for s in cases} >= {date(2026, 1, 12), date(2026, 3, 2)}
    assert stats.total == len(cases)
    assert stats.by_stage == expected_by_stage(cases)
    assert {k: (c.met, c.late, c.overdue) for k, c in stats.deadlines.items()} == (
        expected_deadlines(cases)
    )


def test_the_default_period_is_the_last_12_months_to_today_in_london(app):
    # 23:30 UTC on 30 June 2026 is already 1 July in London (BST).
    with app.app_context(), time_machine.travel(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)):
        period = Period.last_12_months(engine.today())
    assert period == Period(date(2025, 7, 2), date(2026, 7, 1))
    # The 12 months to 29 February 2028 start on 1 March 2027.
    assert Period.last_12_months(date(2028, 2, 29)) == Period(date(2027, 3, 1), date(2028, 2, 29))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, Period(date(2025, 3, 21), TODAY)),
        (date(2025, 1, 1), None, Period(date(2025, 1, 1), TODAY)),
        (None, date(2025, 12, 31), Period(date(2025, 1, 1), date(2025, 12, 31))),
        (date(2027, 1, 1), None, Period(date(2027, 1, 1), date(2027, 1, 1))),
    ],
)
def test_a_filter_missing_a_date_gets_today_or_12_months_before_the_end(start, end, expected):
    assert Period.chosen(start, end, TODAY) == expected


def test_tenant_scope_limits_the_figures_whatever_councils_are_asked_for(app, ids):
    with app.app_context(), scope({ids["brockton"]}):
        stats = service.compute(ids.values(), Period(PERIOD_START, TODAY), today=TODAY)
    assert _by_slug(stats.by_council, ids) == Counter({"brockton": 2})
    assert stats.stage_one == Counter() and stats.sanctions == Counter()
    assert set(stats.deadlines) == {(CC, "acknowledge")}


def test_figures_can_be_limited_to_the_cases_a_user_may_read(app, ids):
    with app.app_context():
        clerk = db.session.scalar(select(User).where(User.email == CLERK_A))
        stats = service.compute(
            ids.values(), Period(PERIOD_START, TODAY), visible=access.readable(clerk), today=TODAY
        )
    # A clerk reads the member/officer protocol cases of their council, nothing else.
    assert stats.by_procedure == Counter({MOP: 2})
    assert stats.decisions == Counter() and stats.deadlines == {}


def test_anonymised_rows_of_deleted_cases_count_through_the_records_seam(app, ids):
    """A retention feature adds rows with the same columns; every figure includes them."""

    def retained_case():
        return select(
            literal(ids["brockton"], Integer).label("council_id"),
            literal(LR, String).label("procedure_key"),
            literal(date(2025, 4, 1), Date).label("received_on"),
            literal(date(2025, 4, 11), Date).label("closed_on"),
            literal("closed-stage-1", String).label("stage"),
            literal("stage-1", String).label("stage_reached"),
            literal("stage-1-resolved", String).label("outcome"),
            literal(None, String).label("decision"),
            literal("other", String).label("complaint_type"),
        )

    def none_of(source):
        return source.where(literal(False))

    with app.app_context():
        live = records.live_records()
        retained = records.Records(
            cases=retained_case(),
            deadlines=none_of(records.deadline_records()),
            sanctions=none_of(records.sanction_records()),
        )
        before = service.compute(ids.values(), Period(PERIOD_START, TODAY), today=TODAY)
        after = service.compute(
            ids.values(),
            Period(PERIOD_START, TODAY),
            today=TODAY,
            records=live.including(retained),
        )
    assert after.total == before.total + 1
    assert after.by_stage[(LR, "stage-1", "stage-1-resolved")] == 7
    assert after.stage_one[(ids["brockton"], "other", (2025, 4))] == 1
    assert after.durations[LR].cases == before.durations[LR].cases + 1


def test_the_service_runs_five_queries_however_many_cases_and_councils(app, ids, count_queries):
    with app.app_context():
        with count_queries() as small:
            service.compute(ids.values(), Period(PERIOD_START, TODAY), today=TODAY)
        councils = {c.slug: c for c in db.session.scalars(select(Council))}
        councils["dunmore"] = make_council("dunmore", procedures=(CC, LR))
        more = [replace(s, council="dunmore") for s in SPECS] * 5 + list(SPECS) * 5
        insert(more, councils, start=100)
        db.session.commit()
        all_ids = [c.id for c in councils.values()]
        with count_queries() as large:
            stats = service.compute(all_ids, Period(PERIOD_START, TODAY), today=TODAY)
    assert stats.total == 21 * 11
    assert small.count == large.count == 5, large.statements


# --- figures: labels, suppression, CSV, charts --------------------------------------


def _stats(**kw) -> service.Statistics:
    base = dict(
        period=Period(date(2026, 1, 1), date(2026, 3, 31)),
        today=date(2026, 3, 31),
        council_ids=(1,),
        cube=Counter(),
        sanctions=Counter(),
        deadlines={},
        durations={},
        stage_one=Counter(),
    )
    # Cube keys may leave out the hearing decision (None).
    kw["cube"] = Counter({(*k, None)[:5]: n for k, n in kw.get("cube", Counter()).items()})
    return service.Statistics(**{**base, **kw})


def _build(app, stats, public: bool):
    with app.test_request_context():
        return figures.build(stats, {}, public=public)


def _figure(sections, key: str) -> figures.Figure:
    return next(f for s in sections for f in s.figures if f.key == key)


def test_public_figures_suppress_counts_of_one_and_two_but_not_zero_or_three(app):
    stats = _stats(
        cube=Counter(
            {
                (1, CC, "received", None): 1,
                (1, CC, "hearing", "hearing-decision"): 2,
                (1, CC, "subject-response", "withdrawn"): 3,
            }
        )
    )
    public = _figure(_build(app, stats, public=True), f"outcomes:{CC}")
    staff = _figure(_build(app, stats, public=False), f"outcomes:{CC}")
    assert staff.value("hearing-decision", "cases") == figures.Cell(2)
    assert public.value("hearing-decision", "cases").suppressed
    assert public.value("hearing-decision", "cases").value is None
    assert public.value("withdrawn", "cases") == figures.Cell(3)
    assert public.value("no-breach", "cases") == figures.Cell(0)
    stages = _figure(_build(app, stats, public=True), f"stages:{CC}")
    assert stages.value("received/open", "cases").suppressed
    assert stages.has_hidden


def test_public_median_of_fewer_than_3_cases_is_withheld(app):
    two = Durations({10: 1, 30: 1})
    three = Durations({10: 1, 30: 1, 31: 1})
    stats = _stats(
        cube=Counter({(1, CC, "hearing", "x"): 2, (1, LR, "stage-1", "y"): 3}),
        durations={CC: two, LR: three},
    )
    public = _figure(_build(app, stats, public=True), "time-to-close")
    staff = _figure(_build(app, stats, public=False), "time-to-close")
    assert staff.value(CC, "median-days").value == 20
    assert public.value(CC, "median-days").withheld
    assert public.value(CC, "median-days").csv == ""
    assert public.value(LR, "median-days").value == 30
    assert public.value("all", "median-days").value == 30  # five cases: 10, 10, 30, 30, 31


def test_durations_median_of_odd_and_even_numbers_of_cases():
    assert Durations({}).median() is None
    assert Durations({7: 1}).median() == 7
    assert Durations({1: 2, 9: 2}).median() == 5
    assert Durations({1: 1, 4: 3, 100: 1}).median() == 4
    samples = [3, 3, 8, 12, 40, 41]
    assert Durations(Counter(samples)).median() == pystats.median(samples)


def test_csv_writes_each_cell_and_small_counts_as_less_than_3(app):
    stats = _stats(cube=Counter({(1, CC, "received", None): 2, (1, CC, "hearing", "x"): 4}))
    with app.test_request_context():
        text = figures.to_csv(figures.build(stats, {}, public=True))
    lines = text.splitlines()
    assert lines[0] == ",".join(figures.CSV_HEADER)
    assert 'by-procedure,"Cases received, by procedure",conduct-complaint,' in lines[1]
    assert lines[1].endswith(",received,Received,6")
    assert any(line.endswith(",open,Still open,<3") for line in lines)


def test_csv_labels_cannot_start_a_spreadsheet_formula(app):
    council = Council(id=1, slug="eq", code="EQ", name='=HYPERLINK("x")', nation="england")
    stats = _stats(council_ids=(1, 2), cube=Counter({(1, CC, "received", None): 4}))
    with app.test_request_context():
        text = figures.to_csv(figures.build(stats, {1: council}))
    assert ",'=HYPERLINK" in text.replace('"', "")
    assert ",=HYPERLINK" not in text.replace('"', "")


def test_chart_bars_are_proportional_and_hidden_values_get_no_bar(app):
    stats = _stats(
        cube=Counter(
            {
                (1, CC, "received", None): 10,
                (1, CC, "hearing", "hearing-decision"): 5,
                (1, CC, "subject-response", "withdrawn"): 1,
            }
        )
    )
    with app.test_request_context():
        staff = _figure(figures.build(stats, {}), f"outcomes:{CC}")
        public = _figure(figures.build(stats, {}, public=True), f"outcomes:{CC}")
        staff_chart = charts.chart_of(staff)
        public_chart = charts.chart_of(public)
    widths = {b.full_label: sum(s.width for s in b.segments) for b in staff_chart.bars}
    assert widths["Closed: hearing decision"] == charts.BAR_AREA
    assert widths["Withdrawn"] == charts.BAR_AREA / 5
    assert widths["Closed: no breach"] == 0
    hidden = next(b for b in public_chart.bars if b.full_label == "Withdrawn")
    assert hidden.segments == () and hidden.text == "<3"


def test_stacked_charts_have_a_legend_naming_each_series(app):
    stats = _stats(
        cube=Counter({(1, CC, "received", None): 3}),
        deadlines={(CC, "acknowledge"): DeadlineCounts(met=4, late=2, overdue=2)},
    )
    with app.test_request_context():
        deadlines = _figure(figures.build(stats, {}), f"deadlines:{CC}")
        chart = charts.chart_of(deadlines)
    assert [item.label for item in chart.legend] == ["Met on time", "Met late", "Overdue"]
    (bar,) = chart.bars
    assert [s.width for s in bar.segments] == [250, 125, 125]
    assert bar.text == "4 / 2 / 2"


def test_labels_come_from_the_procedure_data(app):
    stats = _stats(
        cube=Counter({(1, CC, "hearing", "hearing-decision", "breach"): 3}),
        sanctions=Counter({(CC, "training"): 3}),
    )
    with app.test_request_context():
        sections = figures.build(stats, {})
    sanctions = _figure(sections, f"sanctions:{CC}")
    assert [r.key for r in sanctions.rows] == [c.value for c in records_sanctions()]
    assert sanctions.rows[-2].labels == ("Offer additional training",)
    decisions = _figure(sections, f"decisions:{CC}")
    assert decisions.rows[0].labels == ("The councillor failed to comply with the Code",)
    stages = _figure(sections, f"stages:{CC}")
    assert stages.rows[0].labels == ("Hearing", "Closed: hearing decision")


def records_sanctions():
    from conduct.procedures import PROCEDURES

    return PROCEDURES[CC].hearing.sanctions


def test_complaint_types_and_decisions_are_read_from_the_procedures():
    assert [c.value for c in records.complaint_types()] == ["respect", "vexatious", "other"]
    assert records.decision_facts() == {CC: "finding", LR: "outcome"}
    assert [c.value for c in records.decision_choices(LR)] == ["a", "b", "c", "d"]


def test_cases_moved_by_the_engine_are_counted_as_it_leaves_them(app):
    """The records read what the engine writes: previous stage, outcome, facts, deadlines."""
    mo = "mo@example.org"
    with app.app_context():
        ashby = make_council("ashby", procedures=(CC, LR))
        make_user(mo, (ashby, "monitoring-officer"))
        db.session.commit()
        ashby_id = ashby.id
    withdrawn = record_case(app, "ashby", date(2026, 3, 2))
    perform_as(app, withdrawn, mo, "record-acknowledgement", {"how": "post"}, on=date(2026, 3, 4))
    perform_as(app, withdrawn, mo, "proceed", on=date(2026, 3, 4))
    perform_as(app, withdrawn, mo, "withdraw", {"reason": "By letter"}, on=date(2026, 3, 6))
    record_case(app, "ashby", date(2026, 3, 2))  # its acknowledgement is overdue on the 20th
    resolved = record_case(app, "ashby", date(2026, 3, 2), procedure=LR)
    perform_as(
        app, resolved, mo, "within-protocol", {"criteria": ["low-level"]}, on=date(2026, 3, 3)
    )
    perform_as(
        app,
        resolved,
        mo,
        "stage-1-resolved",
        {"resolution": "Apologised at the next meeting", "complaint_type": "vexatious"},
        on=date(2026, 3, 10),
    )
    stats = _compute(app, [ashby_id])
    assert stats.by_stage == Counter(
        {
            (CC, "notify-subject", "withdrawn"): 1,
            (CC, "received", None): 1,
            (LR, "stage-1", "stage-1-resolved"): 1,
        }
    )
    assert stats.deadlines[(CC, "acknowledge")] == DeadlineCounts(met=1, overdue=1)
    assert stats.durations == {CC: Durations({4: 1}), LR: Durations({8: 1})}
    assert stats.stage_one == Counter({(ashby_id, "vexatious", (2026, 3)): 1})
