"""The programme itself: firing its workflow, periods, the workflow's effects, and mail to both sides.

Operations flush and audit in the caller's transaction; the view or the tick job commits once.
Plans, participants and evaluations have their own modules (plan_operations, …).
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Iterable, Optional

from flask import current_app
from sqlmodel import Session, select

from app import mail
from app.audit import Actor
from app.clock import now, today_local
from app.models import (
    Bureau, EvaluationForm, PlanVersion, Programme, ProgrammeEvaluation, ProgrammePeriod, Tender, TenderBuyer, User,
)
from app.programmes.access import BUREAU, MUNICIPALITY
from app.programmes.labels import decision_label, period_label
from workflows import programme_engine
from workflows.core import Context

# --- locking and firing -------------------------------------------------------------------------


def lock_programme(session: Session, programme_id: int) -> Programme:
    stmt = (select(Programme).where(Programme.id == programme_id).with_for_update()
            .execution_options(populate_existing=True))
    return session.exec(stmt).one()


def fire(session: Session, user: Optional[User], programme: Programme, event: str, *, reason: Optional[str] = None,
         expected_version: Optional[int] = None, actor: Optional[Actor] = None, data: Optional[dict] = None):
    engine = programme_engine()
    ctx = engine.context(session, programme, actor or Actor.of(user), user, reason=reason, data=dict(data or {}))
    return engine.fire(ctx, event, expected_version=expected_version)


# --- periods ------------------------------------------------------------------------------------

def add_period(start: date, cadence: str) -> date:
    """The day the period that starts on `start` ends: a year or three months later (clamped to the
    month's last day, so 31 January + a quarter is 30 April)."""
    months = 12 if cadence == "yearly" else 3
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def current_period(session: Session, programme_id: int) -> Optional[ProgrammePeriod]:
    return session.exec(select(ProgrammePeriod).where(ProgrammePeriod.programme_id == programme_id)
                        .order_by(ProgrammePeriod.number.desc()).limit(1)).first()


def plan_in_force(session: Session, programme_id: int) -> Optional[PlanVersion]:
    """The most recent plan version both sides agreed."""
    return session.exec(select(PlanVersion).where(PlanVersion.programme_id == programme_id,
                                                  PlanVersion.status == "agreed")
                        .order_by(PlanVersion.number.desc()).limit(1)).first()


def _new_period(session: Session, programme: Programme, number: int, starts_on: date,
                plan: Optional[PlanVersion]) -> ProgrammePeriod:
    period = ProgrammePeriod(programme_id=programme.id, number=number, cadence=programme.cadence,
                             starts_on=starts_on, ends_on=add_period(starts_on, programme.cadence),
                             plan_version_id=plan.id if plan else None)
    session.add(period)
    session.flush()
    programme.period_start, programme.next_evaluation_on = period.starts_on, period.ends_on
    return period


def apply_agreed_plan(session: Session, programme: Programme, plan: PlanVersion) -> dict:
    """A newly agreed plan governs the current period (when that is not being evaluated) and may change
    the cadence: a running period is then re-timed from its start. Returns audit changes."""
    changes = {}
    if plan.cadence != programme.cadence:
        changes["cadence"] = [programme.cadence, plan.cadence]
        programme.cadence = plan.cadence
    period = current_period(session, programme.id)
    if period is None or period.closed_at is not None or programme.state != "running":
        return changes
    period.plan_version_id = plan.id
    if period.cadence != plan.cadence:
        period.cadence = plan.cadence
        new_end = add_period(period.starts_on, plan.cadence)
        changes["next_evaluation_on"] = [period.ends_on, new_end]
        period.ends_on = new_end
        programme.next_evaluation_on = new_end
    session.flush()
    return changes


# --- effects of the workflow (run inside the engine's transaction) -------------------------------

def open_first_period(ctx: Context) -> None:
    programme = ctx.obj
    plan = plan_in_force(ctx.session, programme.id)
    programme.cadence = plan.cadence
    period = _new_period(ctx.session, programme, 1, today_local(), plan)
    ctx.data["audit_changes"] = {"period": [None, 1], "plan_version": [None, plan.number],
                                 "next_evaluation_on": [None, period.ends_on]}


def form_days() -> int:
    return int(current_app.config.get("PROGRAMME_FORM_DAYS", 28))


def open_evaluation_effect(ctx: Context) -> None:
    session, programme = ctx.session, ctx.obj
    period = current_period(session, programme.id)
    evaluation = ProgrammeEvaluation(programme_id=programme.id, period_id=period.id,
                                     due_on=today_local() + timedelta(days=form_days()))
    session.add(evaluation)
    session.flush()
    for side in (MUNICIPALITY, BUREAU):
        session.add(EvaluationForm(evaluation_id=evaluation.id, side=side))
    session.flush()
    ctx.data["audit_changes"] = {"period": [None, period.number], "forms_due_on": [None, evaluation.due_on]}
    notify(session, programme, (MUNICIPALITY, BUREAU), "programme_evaluation_opened", kind="reminder",
           dedupe=f"programme:{programme.id}:evaluation:{period.number}:opened",
           period=period, evaluation=evaluation, path=f"/programmes/{programme.id}/evaluations/{period.number}")


def _decide(ctx: Context, decision: str) -> tuple[Optional[ProgrammeEvaluation], Optional[ProgrammePeriod]]:
    """Store the meeting's decision on the open evaluation (none when a running programme is ended
    early) and close the current period."""
    from workflows.guards.programme import open_evaluation
    session = ctx.session
    period = current_period(session, ctx.obj.id)
    evaluation = open_evaluation(ctx)
    if evaluation is not None:
        evaluation.decision = decision
        evaluation.meeting_on = ctx.data.get("meeting_on")
        evaluation.decision_notes = (ctx.reason or "").strip()
        evaluation.decided_by_id = ctx.actor.id
        evaluation.decided_at = now()
    if period is not None and period.closed_at is None:
        period.closed_at = now()
    session.flush()
    return evaluation, period


def _carry_on(ctx: Context, decision: str) -> None:
    """continue / adjust: the next period starts where the evaluated one ended (the rhythm holds)."""
    from app.programmes import plan_operations
    session, programme = ctx.session, ctx.obj
    evaluation, period = _decide(ctx, decision)
    plan = plan_in_force(session, programme.id)
    nxt = _new_period(session, programme, period.number + 1, period.ends_on, plan)
    changes = {"decision": [None, decision], "meeting_on": [None, evaluation.meeting_on],
               "period": [period.number, nxt.number], "next_evaluation_on": [period.ends_on, nxt.ends_on]}
    new_version = None
    if decision == "adjust":
        new_version = plan_operations.open_version(session, ctx.actor, programme, reason=ctx.reason or "",
                                                   reuse_draft=True)
        changes["plan_version"] = [plan.number if plan else None, new_version.number]
    ctx.data["audit_changes"] = changes
    notify(session, programme, (MUNICIPALITY, BUREAU), "programme_decision", kind="decision",
           dedupe=f"programme:{programme.id}:evaluation:{period.number}:decision",
           period=period, evaluation=evaluation, new_version=new_version,
           path=f"/programmes/{programme.id}/plan/{new_version.number}" if new_version
           else f"/programmes/{programme.id}")


def record_continue(ctx: Context) -> None:
    _carry_on(ctx, "continue")


def record_adjust(ctx: Context) -> None:
    _carry_on(ctx, "adjust")


def close_programme(ctx: Context) -> None:
    from app.programmes import plan_operations
    session, programme = ctx.session, ctx.obj
    programme.end_reason = (ctx.reason or "").strip()
    evaluation, period = _decide(ctx, "end")
    programme.next_evaluation_on = None
    withdrawn = plan_operations.withdraw_drafts(session, programme)
    ctx.data["audit_changes"] = {"decision": [None, "end"],
                                 **({"meeting_on": [None, evaluation.meeting_on]} if evaluation else {}),
                                 **({"withdrawn_plan_versions": [None, withdrawn]} if withdrawn else {})}
    notify(session, programme, (MUNICIPALITY, BUREAU), "programme_decision", kind="decision",
           dedupe=f"programme:{programme.id}:ended", period=period, evaluation=evaluation, new_version=None,
           path=f"/programmes/{programme.id}")


# --- mail to the people of one side ----------------------------------------------------------------

def people_of(session: Session, programme: Programme, side: str) -> list[tuple[str, str, Optional[str], str]]:
    """(address, name, locale, key) of the active accounts on one side; a bureau without accounts
    is reached at its contact address."""
    if side == MUNICIPALITY:
        tender = session.get(Tender, programme.tender_id)
        orgs = {tender.lead_organisation_id, *session.exec(
            select(TenderBuyer.organisation_id).where(TenderBuyer.tender_id == tender.id)).all()}
        users = session.exec(select(User).where(User.role == "officer", User.active,
                                                User.organisation_id.in_(orgs)).order_by(User.id)).all()
    else:
        users = session.exec(select(User).where(User.role == "bureau", User.active,
                                                User.bureau_id == programme.bureau_id).order_by(User.id)).all()
        if not users:
            bureau = session.get(Bureau, programme.bureau_id)
            return [(bureau.contact_email, bureau.contact_name, None, "contact")]
    return [(u.email, u.name, u.locale, f"u{u.id}") for u in users]


def notify(session: Session, programme: Programme, sides: Iterable[str], template: str, *, kind: str, dedupe: str,
           path: str, **context) -> int:
    """Queue one message per person on the given sides; `dedupe` makes repeating it harmless."""
    link = current_app.config["BASE_URL"].rstrip("/") + path
    queued = 0
    for side in sides:
        for address, name, locale, key in people_of(session, programme, side):
            subject, body = mail.render(template, locale=locale, programme=programme, side=side, name=name,
                                        link=link, period_name=period_label, decision_label=decision_label,
                                        **context)
            if mail.queue(session, to=address, to_name=name, subject=subject, text=body, kind=kind,
                          tender_id=programme.tender_id, dedupe_key=f"{dedupe}:{side}:{key}"):
                queued += 1
    return queued
