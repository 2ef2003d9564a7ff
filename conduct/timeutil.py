"""Local dates for a UK service: days turn over at midnight in London, not UTC."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()
