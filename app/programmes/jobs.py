"""Time-driven work for programmes (`flask tenders tick`): open evaluations when a period ends, remind
the side whose form is due or overdue, and the side a plan version is waiting for. Idempotent: each
reminder has a dedupe key (overdue reminders repeat once a week)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlmodel import Session, select

from app.audit import SYSTEM
from app.clock import today_local
from app.models import EvaluationForm, PlanAcceptance, PlanVersion, Programme, ProgrammeEvaluation, ProgrammePeriod
from app.programmes import operations as ops
from app.programmes.access import other_side
from app.scheduler import job
from workflows import Refused


@job("programme-evaluations", order=60)
def open_due_evaluations(session: Session) -> list[str]:
    today = today_local()
    due = session.exec(select(Programme).where(Programme.state == "running", Programme.next_evaluation_on <= today)
                       .order_by(Programme.id)).all()
    lines = []
    for programme in due:
        savepoint = session.begin_nested()
        try:
            ops.fire(session, None, programme, "open_evaluation", actor=SYSTEM)
            savepoint.commit()
            lines.append(f"programme {programme.id}: evaluation opened")
        except Refused as refusal:
            savepoint.rollback()
            lines.append(f"programme {programme.id}: not opened ({'; '.join(refusal.reasons)})")
    return lines


@job("programme-reminders", order=61)
def remind(session: Session) -> list[str]:
    return remind_forms(session) + remind_plans(session)


def remind_forms(session: Session) -> list[str]:
    """Before the due date (once) and after it (once a week), to the side that has not submitted."""
    today = today_local()
    before = int(current_app.config.get("REMINDER_DAYS_BEFORE_DEADLINE", 3))
    rows = session.exec(
        select(EvaluationForm, ProgrammeEvaluation, ProgrammePeriod, Programme)
        .join(ProgrammeEvaluation, ProgrammeEvaluation.id == EvaluationForm.evaluation_id)
        .join(ProgrammePeriod, ProgrammePeriod.id == ProgrammeEvaluation.period_id)
        .join(Programme, Programme.id == ProgrammeEvaluation.programme_id)
        .where(ProgrammeEvaluation.decision.is_(None), EvaluationForm.submitted_at.is_(None),
               ProgrammeEvaluation.due_on <= today + timedelta(days=before))
        .order_by(EvaluationForm.id)).all()
    lines = []
    for form, evaluation, period, programme in rows:
        overdue = today > evaluation.due_on
        key = (f"overdue:{(today - evaluation.due_on).days // 7}" if overdue else "due-soon")
        sent = ops.notify(session, programme, (form.side,), "programme_form_reminder", kind="reminder",
                          dedupe=f"programme:{programme.id}:evaluation:{period.number}:form:{key}",
                          period=period, evaluation=evaluation, overdue=overdue,
                          path=f"/programmes/{programme.id}/evaluations/{period.number}/form")
        if sent:
            lines.append(f"programme {programme.id}: reminded the {form.side} of its form ({key})")
    return lines


def remind_plans(session: Session) -> list[str]:
    """A plan revision one side accepted a while ago and the other side has not: once a week."""
    today = today_local()
    wait = int(current_app.config.get("PLAN_REMINDER_DAYS", 7))
    rows = session.exec(
        select(PlanAcceptance, PlanVersion, Programme)
        .join(PlanVersion, PlanVersion.id == PlanAcceptance.plan_version_id)
        .join(Programme, Programme.id == PlanVersion.programme_id)
        .where(PlanVersion.status == "draft", PlanAcceptance.revision == PlanVersion.revision)
        .order_by(PlanAcceptance.id)).all()
    lines = []
    for acceptance, version, programme in rows:
        days = (today - acceptance.accepted_at.date()).days
        if days < wait:
            continue
        waiting_for = other_side(acceptance.side)
        sent = ops.notify(session, programme, (waiting_for,), "programme_plan_awaiting", kind="reminder",
                          dedupe=f"plan:{version.id}:rev:{version.revision}:remind:{days // wait}",
                          version=version, accepted_by=acceptance.user_name,
                          path=f"/programmes/{programme.id}/plan/{version.number}")
        if sent:
            lines.append(f"programme {programme.id}: reminded the {waiting_for} of plan version {version.number}")
    return lines
