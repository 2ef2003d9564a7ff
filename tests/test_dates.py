"""conduct/dates.py prints what Flask-Babel's format_date and format_datetime print."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask_babel import force_locale, format_date, format_datetime

from conduct.dates import Dates

DAY_PATTERNS = ("d MMMM yyyy", "d MMM yyyy", "EEE d MMM yyyy", "d MMM", "EEEE dd MMMM yyyy")
# Every day of two years (all months and weekdays, a leap day), at times either side
# of the clock changes and of midnight in London.
DAYS = [date(2027, 1, 1) + timedelta(days=n) for n in range(-366, 366)]
MOMENTS = [datetime(2026, 3, 29, 0, 30) + timedelta(hours=n * 7, minutes=n) for n in range(0, 1500)]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_dates_as_flask_babel_prints_them(app: Flask, language: str) -> None:
    with app.test_request_context(), force_locale(language):
        dates = Dates()
        for pattern in DAY_PATTERNS:
            for day in DAYS:
                assert dates.day(day, pattern) == format_date(day, pattern)
        for moment in MOMENTS:
            for at in (moment, moment.replace(tzinfo=UTC)):
                assert dates.moment(at, "d MMM yyyy HH:mm") == format_datetime(
                    at, "d MMM yyyy HH:mm"
                )
                # A datetime's day is the reader's (British Summer Time moves some).
                assert dates.day(at, "d MMMM yyyy") == format_date(at, "d MMMM yyyy")


def test_a_field_not_written_out_is_left_to_babel(app: Flask) -> None:
    with app.test_request_context():
        moment = datetime(2026, 7, 4, 15, 5, tzinfo=UTC)
        assert Dates().moment(moment, "h:mm a, QQQ") == format_datetime(moment, "h:mm a, QQQ")
