"""Dashboard tasks of the programmes (see `app.dashboard.tasks`), for the side that must act: evaluations
due (officers open them), evaluation forms to fill in (due and overdue), the meeting's decision to record
once both forms are in (officers), and plan versions the other side accepted and that wait for yours.

Officers act for the municipality, a bureau for itself (`app.programmes.access`). At most three
queries whatever the number of programmes, each limited to `tasks.LIMIT` rows.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import and_, exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.clock import amsterdam, today_local
from app.dashboard import tasks
from app.models import EvaluationForm, PlanAcceptance, PlanVersion, Programme, ProgrammeEvaluation, ProgrammePeriod
from app.programmes.access import BUREAU, MUNICIPALITY, other_side, visible_programmes

HORIZON_DAYS = 14  # evaluations due within this many days show on the officer's dashboard


def _day_start(day: date):
    return amsterdam(day.year, day.month, day.day)


def _day_end(day: date):
    return amsterdam(day.year, day.month, day.day, 23, 59)


@tasks.provider("officer", "bureau")
def programme_tasks(session: Session, user) -> list[tasks.Task]:
    side = MUNICIPALITY if user.role == "officer" else BUREAU
    out = _evaluations_due(session, user) if side == MUNICIPALITY else []
    out += _open_evaluations(session, user, side)
    out += _plans_awaiting(session, user, side)
    return out[:tasks.LIMIT]


def _evaluations_due(session: Session, user) -> list[tasks.Task]:
    today = today_local()
    rows = session.exec(visible_programmes(user).where(
        Programme.state == "running", Programme.next_evaluation_on <= today + timedelta(days=HORIZON_DAYS))
        .order_by(Programme.next_evaluation_on, Programme.id).limit(tasks.LIMIT)).all()
    out = []
    for p in rows:
        ready = p.next_evaluation_on <= today
        title = _("Open the evaluation: %(title)s") if ready else _("Evaluation due: %(title)s")
        out.append(tasks.Task(title % {"title": p.title}, url_for("programmes.show", programme_id=p.id),
                              "programme.open_evaluation" if ready else "programme.evaluation_due",
                              _day_start(p.next_evaluation_on), _("The period ends; both sides evaluate it.")))
    return out


def _open_evaluations(session: Session, user, side: str) -> list[tasks.Task]:
    mine, theirs = aliased(EvaluationForm), aliased(EvaluationForm)
    rows = session.execute(
        visible_programmes(user)
        .add_columns(ProgrammeEvaluation.due_on, ProgrammePeriod.number, mine.submitted_at, theirs.submitted_at)
        .join(ProgrammeEvaluation, ProgrammeEvaluation.programme_id == Programme.id)
        .join(ProgrammePeriod, ProgrammePeriod.id == ProgrammeEvaluation.period_id)
        .join(mine, and_(mine.evaluation_id == ProgrammeEvaluation.id, mine.side == side))
        .join(theirs, and_(theirs.evaluation_id == ProgrammeEvaluation.id, theirs.side == other_side(side)))
        .where(Programme.state == "evaluation", ProgrammeEvaluation.decision.is_(None))
        .order_by(ProgrammeEvaluation.due_on, Programme.id).limit(tasks.LIMIT)).all()
    out = []
    for p, due_on, number, my_submission, their_submission in rows:
        if my_submission is None:
            overdue = due_on < today_local()
            out.append(tasks.Task(
                _("Fill in the evaluation form: %(title)s", title=p.title),
                url_for("programmes.evaluation_form", programme_id=p.id, number=number),
                "programme.form_overdue" if overdue else "programme.form", _day_end(due_on),
                _("Overdue: the form was due on the date shown.") if overdue
                else _("Your side's evaluation of the period.")))
        elif their_submission is not None and side == MUNICIPALITY:
            out.append(tasks.Task(
                _("Record the evaluation meeting's decision: %(title)s", title=p.title),
                url_for("programmes.evaluation", programme_id=p.id, number=number), "programme.decision", None,
                _("Both forms are in: continue, adjust or end.")))
    return out


def _plans_awaiting(session: Session, user, side: str) -> list[tasks.Task]:
    """Draft versions whose current revision the other side accepted and this side has not."""
    def accepted_by(who: str):
        return exists().where(PlanAcceptance.plan_version_id == PlanVersion.id, PlanAcceptance.side == who,
                              PlanAcceptance.revision == PlanVersion.revision)
    rows = session.execute(
        visible_programmes(user).add_columns(PlanVersion.number, PlanVersion.updated_at)
        .join(PlanVersion, PlanVersion.programme_id == Programme.id)
        .where(PlanVersion.status == "draft", accepted_by(other_side(side)), ~accepted_by(side))
        .order_by(PlanVersion.updated_at, PlanVersion.id).limit(tasks.LIMIT)).all()
    return [tasks.Task(_("Accept plan version %(n)d: %(title)s", n=number, title=p.title),
                       url_for("programmes.plan", programme_id=p.id, number=number), "programme.plan", None,
                       _("The other side accepted this version; it counts once you accept it too."))
            for p, number, _updated in rows]
