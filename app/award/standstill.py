"""The standstill period (Alcatel, Aanbestedingswet art. 2.127) with the Algemene termijnenwet.

The period is STANDSTILL_DAYS calendar days, counted in Europe/Amsterdam from the day after the
decision is sent. A period whose last day is a Saturday, Sunday or generally recognised holiday
(Algemene termijnenwet art. 1 and 3, Good Friday included by art. 3(2)) runs to the end of the next
day that is none of these. Days equated with holidays by royal decree (art. 3(3), published in the
Staatscourant) are configured with EQUATED_HOLIDAYS.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from app.clock import AMSTERDAM


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def kings_day(year: int) -> date:
    """27 April, or Saturday 26 April when the 27th is a Sunday (Wet viering Koningsdag)."""
    day = date(year, 4, 27)
    return day - timedelta(days=1) if day.weekday() == 6 else day


@lru_cache(maxsize=64)
def holidays(year: int) -> dict[date, str]:
    """The generally recognised holidays of the Algemene termijnenwet (art. 3(1) and (2)) in a year."""
    easter = easter_sunday(year)
    return {
        date(year, 1, 1): "Nieuwjaarsdag",
        easter - timedelta(days=2): "Goede Vrijdag",
        easter + timedelta(days=1): "Tweede Paasdag",
        kings_day(year): "Koningsdag",
        date(year, 5, 5): "Bevrijdingsdag",
        easter + timedelta(days=39): "Hemelvaartsdag",
        easter + timedelta(days=50): "Tweede Pinksterdag",
        date(year, 12, 25): "Eerste Kerstdag",
        date(year, 12, 26): "Tweede Kerstdag",
    }


def is_working_day(day: date, equated: frozenset[date] = frozenset()) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year) and day not in equated


def parse_equated(raw: str) -> frozenset[date]:
    """EQUATED_HOLIDAYS: ISO dates separated by commas or spaces (e.g. '2027-05-07, 2027-12-27')."""
    return frozenset(date.fromisoformat(part) for part in raw.replace(",", " ").split())


def standstill_period(sent_at: datetime, days: int, equated: frozenset[date] = frozenset()) -> tuple[date, datetime]:
    """(last day, end moment in UTC) of a standstill for a decision sent at `sent_at`.

    Day 1 is the Amsterdam day after sending; the period ends at midnight after its last day."""
    sent_day = sent_at.astimezone(AMSTERDAM).date()
    last = sent_day + timedelta(days=days)
    while not is_working_day(last, equated):
        last += timedelta(days=1)
    end = datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=AMSTERDAM).astimezone(timezone.utc)
    return last, end
