"""The one place the application asks what time it is.

Tests and demos freeze or move the clock with `freeze()`; everything else calls `now()`.
Deadlines are compared on server receipt time in UTC and shown in Europe/Amsterdam.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(timezone.utc)


def freeze(moment: datetime | None) -> None:
    """Fix the clock at `moment` (aware), or release it with None."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = moment.astimezone(timezone.utc) if moment else None


def advance(delta: timedelta) -> None:
    freeze(now() + delta)


def local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM)


def today_local() -> date:
    return local(now()).date()


def amsterdam(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware UTC datetime for a wall-clock time in Amsterdam."""
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM).astimezone(timezone.utc)


def local_to_utc(naive_local: datetime) -> datetime:
    """A naive wall-clock datetime typed in a form (Amsterdam) → aware UTC."""
    return naive_local.replace(tzinfo=AMSTERDAM).astimezone(timezone.utc)


def end_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=AMSTERDAM).astimezone(timezone.utc)
