"""Tasks on the dashboards: a registry where areas register task providers per role.

    from app.dashboard import tasks

    @tasks.provider("evaluator")
    def sheets_to_score(session, user) -> list[tasks.Task]: ...

A provider answers with a fixed number of queries whatever the data (the dashboard tests count
them), and looks at no more than `LIMIT` objects (the longest waiting or most urgent first). The
dashboard of a user shows the tasks of every provider registered for their role, the most urgent first.
A provider runs the workflow's own guards on the objects it looks at (so a task never promises a step
the tender page would refuse); that costs about a millisecond per object, which is why the look is
short: at 25 objects per provider the officer dashboard cost 70 ms of CPU at 10,000 tenders (bench/).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Optional

from sqlmodel import Session

LIMIT = 10  # objects a provider looks at (the most urgent first): a dashboard is a short list, never a scan


@dataclass(frozen=True)
class Task:
    title: str
    url: str
    kind: str  # what sort of task, e.g. "tender.open_invitation"; also a CSS hook
    due: Optional[datetime] = None
    detail: str = ""  # a second line: which tender, why now


Provider = Callable[[Session, object], list[Task]]
_PROVIDERS: dict[str, list[Provider]] = {}


def provider(*roles: str):
    """Decorator: register `fn(session, user) -> list[Task]` for the given roles."""
    def decorator(fn: Provider) -> Provider:
        for role in roles:
            registered = _PROVIDERS.setdefault(role, [])
            if fn not in registered:
                registered.append(fn)
        return fn
    return decorator


def providers(role: str) -> list[Provider]:
    return list(_PROVIDERS.get(role, ()))


def tasks_for(session: Session, user) -> list[Task]:
    """Every registered provider's tasks for this user: those with a due date first, soonest first."""
    tasks = [task for fn in providers(user.role) for task in fn(session, user)]
    return sorted(tasks, key=lambda t: (t.due is None, t.due or datetime.max, t.title))
