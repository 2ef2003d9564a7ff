"""The working-day calendar behind every deadline (SPEC "Time"), checked against dates by hand.

Bank holiday dates were checked against gov.uk's published lists and the ``holidays`` library.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import holidays
import pytest

from conduct.calendar import (
    NATIONS,
    TWO_WEEKS,
    WorkingCalendar,
    add_calendar_days,
    add_months,
    bank_holidays,
)

ENGLAND = WorkingCalendar("england")
WALES = WorkingCalendar("wales")
SCOTLAND = WorkingCalendar("scotland")
NORTHERN_IRELAND = WorkingCalendar("northern-ireland")


def _is_holiday(nation: str, d: date) -> bool:
    return d in bank_holidays(nation, d.year)


# --- Bank holidays ---------------------------------------------------------------------------


@pytest.mark.parametrize("nation", ["england", "wales", "scotland", "northern-ireland"])
def test_christmas_boxing_day_and_new_year_2026_and_2027_with_weekend_substitutes(nation):
    expected = {
        date(2026, 1, 1),  # Thursday
        date(2026, 12, 25),  # Friday
        date(2026, 12, 28),  # Boxing Day is Saturday 26th: substitute Monday 28th
        date(2027, 1, 1),  # Friday
        date(2027, 12, 27),  # Christmas is Saturday 25th: substitute Monday 27th
        date(2027, 12, 28),  # Boxing Day is Sunday 26th: substitute Tuesday 28th
        date(2028, 1, 3),  # New Year's Day is Saturday 1st: substitute Monday 3rd
    }
    for d in expected:
        assert _is_holiday(nation, d), d
    calendar = WorkingCalendar(nation)
    for d in expected | {date(2026, 12, 26), date(2027, 12, 25), date(2027, 12, 26)}:
        assert not calendar.is_working_day(d), d
    # The working days between Christmas and New Year are still working days.
    for d in (date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31), date(2027, 12, 29)):
        assert calendar.is_working_day(d), d


def test_scotland_also_has_2_january_with_its_own_substitute():
    assert _is_holiday("scotland", date(2026, 1, 2))  # Friday
    assert _is_holiday("scotland", date(2027, 1, 4))  # 2 January 2027 is Saturday -> Monday 4th
    # 1 and 2 January 2028 are Saturday and Sunday -> Monday 3rd and Tuesday 4th.
    assert _is_holiday("scotland", date(2028, 1, 3))
    assert _is_holiday("scotland", date(2028, 1, 4))
    for nation in ("england", "wales", "northern-ireland"):
        assert WorkingCalendar(nation).is_working_day(date(2026, 1, 2))
        assert WorkingCalendar(nation).is_working_day(date(2027, 1, 4))
        assert WorkingCalendar(nation).is_working_day(date(2028, 1, 4))
    assert not SCOTLAND.is_working_day(date(2026, 1, 2))
    assert not SCOTLAND.is_working_day(date(2027, 1, 4))


@pytest.mark.parametrize("nation", ["england", "wales", "northern-ireland"])
def test_easter_2026_and_2027_good_friday_and_easter_monday(nation):
    for d in (date(2026, 4, 3), date(2026, 4, 6), date(2027, 3, 26), date(2027, 3, 29)):
        assert _is_holiday(nation, d), d
        assert not WorkingCalendar(nation).is_working_day(d), d


def test_easter_monday_is_not_a_bank_holiday_in_scotland_but_good_friday_is():
    assert not SCOTLAND.is_working_day(date(2026, 4, 3))
    assert not SCOTLAND.is_working_day(date(2027, 3, 26))
    assert SCOTLAND.is_working_day(date(2026, 4, 6))
    assert SCOTLAND.is_working_day(date(2027, 3, 29))


def test_scotland_summer_bank_holiday_is_first_monday_of_august_not_last():
    assert not SCOTLAND.is_working_day(date(2026, 8, 3))
    assert SCOTLAND.is_working_day(date(2026, 8, 31))
    assert ENGLAND.is_working_day(date(2026, 8, 3))
    assert not ENGLAND.is_working_day(date(2026, 8, 31))
    assert not SCOTLAND.is_working_day(date(2027, 8, 2))
    assert not ENGLAND.is_working_day(date(2027, 8, 30))


def test_st_andrews_day_is_a_holiday_in_scotland_only():
    assert not SCOTLAND.is_working_day(date(2026, 11, 30))  # Monday
    assert ENGLAND.is_working_day(date(2026, 11, 30))
    assert WALES.is_working_day(date(2026, 11, 30))
    assert NORTHERN_IRELAND.is_working_day(date(2026, 11, 30))


def test_northern_ireland_st_patricks_day_and_battle_of_the_boyne_with_substitute():
    assert not NORTHERN_IRELAND.is_working_day(date(2026, 3, 17))  # Tuesday
    assert ENGLAND.is_working_day(date(2026, 3, 17))
    # 12 July 2026 is a Sunday: substitute Monday 13 July.
    assert _is_holiday("northern-ireland", date(2026, 7, 13))
    assert not NORTHERN_IRELAND.is_working_day(date(2026, 7, 13))
    assert ENGLAND.is_working_day(date(2026, 7, 13))
    assert not NORTHERN_IRELAND.is_working_day(date(2027, 7, 12))  # Monday


def test_england_bank_holidays_2026_are_exactly_the_published_eight():
    assert set(bank_holidays("england", 2026)) == {
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 4),  # early May
        date(2026, 5, 25),  # spring
        date(2026, 8, 31),  # summer
        date(2026, 12, 25),
        date(2026, 12, 26),  # Saturday; the day off is the substitute below
        date(2026, 12, 28),
    }
    assert bank_holidays("england", 2026)[date(2026, 4, 6)] == "Easter Monday"


@pytest.mark.parametrize("year", [2025, 2026, 2027, 2028])
def test_england_and_wales_share_one_list_and_the_library_agrees(year):
    assert bank_holidays("wales", year) == bank_holidays("england", year)
    # The library's own Welsh subdivision gives the same dates, so mapping Wales to England
    # loses nothing; if a future release diverges, this test says so.
    assert set(holidays.UnitedKingdom(subdiv="WLS", years=year)) == set(
        holidays.UnitedKingdom(subdiv="ENG", years=year)
    )


def test_bank_holidays_returns_a_copy_so_the_cache_cannot_be_corrupted():
    first = bank_holidays("england", 2026)
    first.clear()
    assert date(2026, 12, 25) in bank_holidays("england", 2026)


@pytest.mark.parametrize("nation", ["france", "England", "uk", "", None])
def test_unknown_nation_raises_value_error(nation):
    with pytest.raises(ValueError, match="Unknown nation"):
        bank_holidays(nation, 2026)
    with pytest.raises(ValueError, match="Unknown nation"):
        WorkingCalendar(nation)


def test_nations_match_the_councils_nations():
    from tenants.models import NATIONS as COUNCIL_NATIONS

    assert set(NATIONS) == set(COUNCIL_NATIONS)


# --- Working days ----------------------------------------------------------------------------


def test_weekends_are_not_working_days():
    assert ENGLAND.is_working_day(date(2026, 3, 6))  # Friday
    assert not ENGLAND.is_working_day(date(2026, 3, 7))  # Saturday
    assert not ENGLAND.is_working_day(date(2026, 3, 8))  # Sunday
    assert ENGLAND.next_working_day(date(2026, 3, 6)) == date(2026, 3, 9)


def test_closure_days_push_a_deadline_over_christmas():
    # From Wednesday 23 December 2026, England: 24 Thu = 1; 25 Fri and 28 Mon bank holidays;
    # 29-31 closed; 1 Jan Fri bank holiday; 4 Jan Mon = 2, 5 = 3, 6 = 4, 7 Thu = 5.
    closures = [date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)]
    council = WorkingCalendar("england", closures)
    assert council.add_working_days(date(2026, 12, 23), 5) == date(2027, 1, 7)
    # Without the closures: 24 = 1, 29 = 2, 30 = 3, 31 = 4, 4 Jan = 5.
    assert ENGLAND.add_working_days(date(2026, 12, 23), 5) == date(2027, 1, 4)
    # Scotland with the same closures also loses Monday 4 January 2027 (2 January substitute):
    # 24 = 1, 5 Jan = 2, 6 = 3, 7 = 4, 8 Fri = 5.
    scottish = WorkingCalendar("scotland", closures)
    assert scottish.add_working_days(date(2026, 12, 23), 5) == date(2027, 1, 8)


def test_one_closure_day_inside_a_deadline_moves_it_by_one_working_day():
    # Received Monday 2 March 2026: 5 working days -> Monday 9 March. Closing Wednesday 4 March
    # makes it Tuesday 10 March; closing a day after the deadline changes nothing.
    assert ENGLAND.due_in_working_days(date(2026, 3, 2), 5) == date(2026, 3, 9)
    closed_4th = WorkingCalendar("england", [date(2026, 3, 4)])
    assert closed_4th.due_in_working_days(date(2026, 3, 2), 5) == date(2026, 3, 10)
    closed_later = WorkingCalendar("england", [date(2026, 3, 11)])
    assert closed_later.due_in_working_days(date(2026, 3, 2), 5) == date(2026, 3, 9)


def test_receipt_on_a_saturday_before_easter_moves_to_tuesday_then_counts_from_there():
    # Saturday 4 April 2026, England: Sunday 5th, Easter Monday 6th -> receipt Tuesday 7th;
    # 8 = 1, 9 = 2, 10 = 3, 13 Mon = 4, 14 Tue = 5.
    assert ENGLAND.receipt_day(date(2026, 4, 4)) == date(2026, 4, 7)
    assert ENGLAND.due_in_working_days(date(2026, 4, 4), 5) == date(2026, 4, 14)
    # In Scotland Easter Monday is a working day: receipt Monday 6th; 7, 8, 9, 10, 13.
    assert SCOTLAND.receipt_day(date(2026, 4, 4)) == date(2026, 4, 6)
    assert SCOTLAND.due_in_working_days(date(2026, 4, 4), 5) == date(2026, 4, 13)


def test_receipt_on_a_sunday_counts_as_monday_and_day_one_is_tuesday():
    assert ENGLAND.receipt_day(date(2026, 3, 1)) == date(2026, 3, 2)
    assert ENGLAND.due_in_working_days(date(2026, 3, 1), 1) == date(2026, 3, 3)
    # Same deadline as something received on the Monday itself.
    assert ENGLAND.due_in_working_days(date(2026, 3, 1), 5) == date(2026, 3, 9)
    assert ENGLAND.due_in_working_days(date(2026, 3, 2), 5) == date(2026, 3, 9)


def test_receipt_on_a_bank_holiday_moves_past_the_substitute_day_too():
    # Christmas Day 2026 (Friday): Sat, Sun, Monday 28th (Boxing Day substitute) -> Tuesday 29th.
    assert ENGLAND.receipt_day(date(2026, 12, 25)) == date(2026, 12, 29)
    assert ENGLAND.due_in_working_days(date(2026, 12, 25), 1) == date(2026, 12, 30)
    # A working day is its own receipt day.
    assert ENGLAND.receipt_day(date(2026, 12, 24)) == date(2026, 12, 24)


def test_seven_working_days_spanning_the_late_may_bank_holiday():
    # Received Wednesday 20 May 2026: 21 Thu = 1, 22 Fri = 2, 25 Mon spring bank holiday,
    # 26 = 3, 27 = 4, 28 = 5, 29 Fri = 6, 1 June Mon = 7.
    assert ENGLAND.due_in_working_days(date(2026, 5, 20), 7) == date(2026, 6, 1)
    assert SCOTLAND.due_in_working_days(date(2026, 5, 20), 7) == date(2026, 6, 1)


def test_twenty_working_days_across_easter_2027():
    # Received Monday 15 March 2027, England. Day 1 is 16 March. Working days: 16-19 (4),
    # 22-25 (8), 26 Good Friday and 29 Easter Monday skipped, 30-31 March, 1-2 April (12),
    # 5-9 April (17), 12 = 18, 13 = 19, 14 = 20.
    assert ENGLAND.due_in_working_days(date(2027, 3, 15), 20) == date(2027, 4, 14)
    # Scotland works Easter Monday, so one day sooner.
    assert SCOTLAND.due_in_working_days(date(2027, 3, 15), 20) == date(2027, 4, 13)


def test_add_working_days_zero_returns_start_even_on_a_weekend():
    assert ENGLAND.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)
    assert ENGLAND.due_in_working_days(date(2026, 3, 7), 0) == date(2026, 3, 9)


def test_add_working_days_backwards_over_easter():
    # 5 working days before Tuesday 7 April 2026, England: 6 Apr Easter Monday, 3 Apr Good
    # Friday; 2 Apr Thu = 1, 1 = 2, 31 Mar = 3, 30 = 4, 27 Mar Fri = 5.
    assert ENGLAND.add_working_days(date(2026, 4, 7), -5) == date(2026, 3, 27)
    assert ENGLAND.previous_working_day(date(2026, 4, 7)) == date(2026, 4, 2)
    assert ENGLAND.add_working_days(date(2026, 3, 27), 5) == date(2026, 4, 7)


def test_due_in_working_days_refuses_a_negative_count():
    with pytest.raises(ValueError):
        ENGLAND.due_in_working_days(date(2026, 3, 2), -1)


def test_working_days_between_for_a_one_week_pause():
    # Paused Monday 2 March 2026, resumed Monday 9 March: Mon-Fri = 5.
    assert ENGLAND.working_days_between(date(2026, 3, 2), date(2026, 3, 9)) == 5
    assert ENGLAND.working_days_between(date(2026, 3, 9), date(2026, 3, 2)) == 0
    assert ENGLAND.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
    assert ENGLAND.working_days_between(date(2026, 3, 7), date(2026, 3, 9)) == 0  # weekend


def test_working_days_between_across_easter_differs_by_nation():
    # Monday 30 March to Monday 13 April 2026: 10 weekdays less Good Friday and Easter Monday.
    assert ENGLAND.working_days_between(date(2026, 3, 30), date(2026, 4, 13)) == 8
    assert SCOTLAND.working_days_between(date(2026, 3, 30), date(2026, 4, 13)) == 9


def test_working_days_between_does_not_count_a_closure_twice_or_on_a_weekend():
    # 21 Dec 2026 to 4 Jan 2027, England: 21-24 (4), 29-31 (3) = 7 working days.
    assert ENGLAND.working_days_between(date(2026, 12, 21), date(2027, 1, 4)) == 7
    # Closing Saturday 26th and Monday 28th (already a bank holiday) changes nothing;
    # closing Tuesday 29th removes one.
    closures = [date(2026, 12, 26), date(2026, 12, 28), date(2026, 12, 29)]
    council = WorkingCalendar("england", closures)
    assert council.working_days_between(date(2026, 12, 21), date(2027, 1, 4)) == 6


@pytest.mark.parametrize("nation", ["england", "scotland", "northern-ireland"])
def test_working_days_between_agrees_with_counting_day_by_day(nation):
    calendar = WorkingCalendar(nation, [date(2026, 12, 29), date(2027, 6, 9), date(2027, 6, 12)])
    start = date(2025, 12, 20)
    for offset in range(0, 800, 11):
        first = start + timedelta(days=offset)
        for span in (0, 1, 3, 6, 7, 8, 13, 30, 95, 400):
            last = first + timedelta(days=span)
            by_hand = sum(calendar.is_working_day(first + timedelta(days=i)) for i in range(span))
            assert calendar.working_days_between(first, last) == by_hand, (first, last)


def test_working_days_between_undoes_add_working_days():
    # The pause arithmetic relies on this: n working days after a working day d, counted
    # back with working_days_between over (d, result], is n again.
    for offset in range(0, 730, 5):
        d = ENGLAND.receipt_day(date(2026, 1, 1) + timedelta(days=offset))
        for n in (1, 5, 7, 20):
            due = ENGLAND.add_working_days(d, n)
            assert ENGLAND.working_days_between(d + timedelta(days=1), due + timedelta(days=1)) == n
            assert ENGLAND.add_working_days(due, -n) == d


def test_datetimes_are_refused_because_they_never_equal_holiday_dates():
    with pytest.raises(TypeError):
        ENGLAND.is_working_day(datetime(2026, 12, 25, 9, 0))
    with pytest.raises(TypeError):
        WorkingCalendar("england", [datetime(2026, 12, 29)])


def test_ten_thousand_deadlines_are_computed_well_within_a_second():
    calendar = WorkingCalendar("england", [date(2026, 12, 29), date(2026, 12, 30)])
    started = time.perf_counter()
    for i in range(10_000):
        calendar.due_in_working_days(date(2026, 1, 1) + timedelta(days=i % 1000), 1 + i % 20)
    assert time.perf_counter() - started < 1.0


# --- Calendar days and months -----------------------------------------------------------------


def test_two_weeks_are_fourteen_calendar_days_regardless_of_holidays():
    assert TWO_WEEKS == 14
    # Friday 18 December 2026 + 14 days = Friday 1 January 2027, itself a bank holiday.
    assert add_calendar_days(date(2026, 12, 18), TWO_WEEKS) == date(2027, 1, 1)
    assert add_calendar_days(date(2026, 3, 1), -1) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # 2026 is not a leap year
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # 2028 is
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # February 2027 has 28 days
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 8, 31), 2, date(2026, 10, 31)),  # October has a 31st: no clamping
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # over the year end
        (date(2026, 1, 15), 0, date(2026, 1, 15)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 10, 31), -1, date(2026, 9, 30)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),  # back over the year end
        (date(2026, 5, 31), -15, date(2025, 2, 28)),
    ],
)
def test_add_months_keeps_day_number_or_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_add_months_clamps_once_not_step_by_step():
    # Two months from 31 January is 31 March, not 28 March via 28 February.
    assert add_months(date(2026, 1, 31), 2) == date(2026, 3, 31)
    assert add_months(add_months(date(2026, 1, 31), 1), 1) == date(2026, 3, 28)
