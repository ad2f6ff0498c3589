"""Dashboard tasks of the programmes (see `app.dashboard.tasks`), for the side that must act: plans to
write or accept, evaluation forms to fill in (due and overdue), the meeting's decision to record once
both forms are in (officers), and evaluations coming up.

The rules are those of the programmes page's own task list (`queries.my_tasks`), so both always agree;
here they run for at most `tasks.LIMIT` programmes (active ones first): at most five queries, whatever
the number of programmes.
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import gettext as _
from sqlmodel import Session

from app.clock import amsterdam
from app.dashboard import tasks
from app.programmes.queries import list_programmes, my_tasks

TITLES = {
    "draft": _l("Work on the programme plan"),
    "accept": _l("Accept the programme plan"),
    "form": _l("Fill in the evaluation form"),
    "decide": _l("Record the evaluation meeting's decision"),
    "upcoming": _l("Evaluation due"),
}


def _moment(day: date, kind: str):
    """Forms are due by the end of their day; an evaluation opens at its start."""
    return amsterdam(day.year, day.month, day.day, *((23, 59) if kind == "form" else (0, 0)))


@tasks.provider("officer", "bureau")
def programme_tasks(session: Session, user) -> list[tasks.Task]:
    rows = list_programmes(session, user, limit=tasks.LIMIT)
    out = []
    for t in my_tasks(session, user, rows)[:tasks.LIMIT]:
        out.append(tasks.Task(
            _("%(action)s: %(title)s", action=TITLES[t.kind], title=t.row.programme.title), t.url,
            f"programme.{t.kind}" + ("-overdue" if t.overdue else ""),
            _moment(t.due, t.kind) if t.due else None, t.text))
    return out
