"""The standstill period: 20 calendar days from the day after sending (Amsterdam), extended past
weekends and the holidays of the Algemene termijnenwet."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from app.award.standstill import easter_sunday, holidays, kings_day, parse_equated, standstill_period
from app.clock import amsterdam


def test_easter_and_moving_holidays():
    assert easter_sunday(2027) == date(2027, 3, 28)
    assert easter_sunday(2025) == date(2025, 4, 20)
    days = holidays(2027)
    assert days[date(2027, 3, 26)] == "Goede Vrijdag"  # Algemene termijnenwet art. 3(2)
    assert days[date(2027, 3, 29)] == "Tweede Paasdag"
    assert days[date(2027, 5, 6)] == "Hemelvaartsdag"
    assert days[date(2027, 5, 17)] == "Tweede Pinksterdag"
    assert date(2027, 5, 5) in days and date(2027, 12, 26) in days and date(2027, 1, 1) in days


def test_kings_day_moves_to_saturday_when_the_27th_is_a_sunday():
    assert kings_day(2025) == date(2025, 4, 26)
    assert kings_day(2027) == date(2027, 4, 27)


@pytest.mark.parametrize("sent, last_day", [
    # Sent on a Monday: day 20 is a Sunday → Monday.
    (amsterdam(2027, 2, 1, 10), date(2027, 2, 22)),
    # Sent on a Sunday: day 20 is a Saturday → Monday.
    (amsterdam(2027, 1, 31, 10), date(2027, 2, 22)),
    # Sent on a Tuesday: day 20 is a Monday, a working day.
    (amsterdam(2027, 2, 2, 10), date(2027, 2, 22)),
    # 23:30 UTC on Saturday is already Sunday in Amsterdam: the Amsterdam day counts.
    (datetime(2027, 1, 30, 23, 30, tzinfo=timezone.utc), date(2027, 2, 22)),
    # Day 20 is Good Friday 2027 (26 March) → Easter Monday is a holiday too → Tuesday 30 March.
    (amsterdam(2027, 3, 6, 9), date(2027, 3, 30)),
    # Day 20 is Christmas Day 2026 (Friday) → Boxing Day, Sunday → Monday 28 December.
    (amsterdam(2026, 12, 5, 9), date(2026, 12, 28)),
    # Day 20 is Saturday 26 April 2025 (King's Day) → Monday 28 April.
    (amsterdam(2025, 4, 6, 9), date(2025, 4, 28)),
])
def test_last_day(sent, last_day):
    assert standstill_period(sent, 20)[0] == last_day


def test_the_period_ends_at_midnight_amsterdam_after_the_last_day():
    last, end = standstill_period(amsterdam(2027, 2, 2, 10), 20)
    assert last == date(2027, 2, 22)
    assert end == amsterdam(2027, 2, 23, 0, 0)
    # Summer time: midnight in Amsterdam is 22:00 UTC.
    _, end = standstill_period(amsterdam(2027, 6, 1, 10), 20)
    assert end == datetime(2027, 6, 21, 22, 0, tzinfo=timezone.utc)


def test_days_equated_by_royal_decree_extend_too():
    # Friday after Ascension 2027 (7 May) made equal to a holiday: day 20 on it runs on to Monday 10 May.
    sent = amsterdam(2027, 4, 17, 9)
    assert standstill_period(sent, 20)[0] == date(2027, 5, 7)
    assert standstill_period(sent, 20, parse_equated("2027-05-07"))[0] == date(2027, 5, 10)
