"""Time-driven work, run by `flask --app app tenders tick` (meant for cron, e.g. every minute).

Areas register jobs here (deadlines passing, reminders, the end of a standstill, programme periods).
Each job runs in its own transaction and returns a list of human-readable lines of what it did, so
one failing job never undoes another's work. Jobs must be idempotent: running tick twice does
nothing more than running it once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlmodel import Session

Job = Callable[[Session], list[str]]


@dataclass(frozen=True)
class Registered:
    name: str
    run: Job
    order: int


_JOBS: list[Registered] = []


def job(name: str, order: int = 100):
    """Decorator: register `fn(session) -> [lines]` as a tick job (lower order runs first)."""
    def decorator(fn: Job) -> Job:
        if not any(j.name == name for j in _JOBS):
            _JOBS.append(Registered(name, fn, order))
            _JOBS.sort(key=lambda j: j.order)
        return fn
    return decorator


def jobs() -> list[Registered]:
    return list(_JOBS)
