"""Rules of the programme cycle: starting needs an agreed plan, the evaluation opens when the period
ends, and leaving the evaluation needs both forms and the meeting."""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _
from sqlmodel import select

from app.clock import AMSTERDAM, today_local
from app.i18n import format_day
from app.models import EvaluationForm, PlanVersion, ProgrammeEvaluation, ProgrammePeriod
from workflows.core import Context, Guard


def plan_agreed(ctx: Context) -> Optional[str]:
    agreed = ctx.session.exec(select(PlanVersion.id).where(
        PlanVersion.programme_id == ctx.obj.id, PlanVersion.status == "agreed")).first()
    return None if agreed else _("The programme starts once both sides have accepted a plan version.")


def current_period(ctx: Context) -> Optional[ProgrammePeriod]:
    return ctx.memo("period", lambda: ctx.session.exec(
        select(ProgrammePeriod).where(ProgrammePeriod.programme_id == ctx.obj.id)
        .order_by(ProgrammePeriod.number.desc()).limit(1)).first())


def open_evaluation(ctx: Context) -> Optional[ProgrammeEvaluation]:
    """The evaluation that is open (not decided) for the current period."""
    def load():
        period = current_period(ctx)
        if period is None:
            return None
        return ctx.session.exec(select(ProgrammeEvaluation).where(
            ProgrammeEvaluation.period_id == period.id, ProgrammeEvaluation.decision.is_(None))).first()
    return ctx.memo("evaluation", load)


def period_ended(ctx: Context) -> Optional[str]:
    period = current_period(ctx)
    if period is None:
        return _("The programme has no running period.")
    if today_local() < period.ends_on:
        return _("The current period runs until %(day)s; its evaluation opens on that day.",
                 day=format_day(period.ends_on))
    return None


def both_forms_submitted(ctx: Context) -> Optional[str]:
    if ctx.obj.state != "evaluation":
        return None  # ending a running programme early needs only a reason
    evaluation = open_evaluation(ctx)
    if evaluation is None:
        return _("There is no open evaluation.")
    submitted = set(ctx.session.exec(select(EvaluationForm.side).where(
        EvaluationForm.evaluation_id == evaluation.id, EvaluationForm.submitted_at.is_not(None))).all())
    missing = []
    if "municipality" not in submitted:
        missing.append(_("the municipality's evaluation"))
    if "bureau" not in submitted:
        missing.append(_("the bureau's self-evaluation"))
    if missing:
        return _("Still to be submitted: %(forms)s.", forms=", ".join(missing))
    return None


def meeting_recorded(ctx: Context) -> Optional[str]:
    """Leaving the evaluation records the joint meeting; pages ask "as if the meeting were today"."""
    if ctx.obj.state != "evaluation":
        return None
    meeting_on = ctx.data.get("meeting_on")
    if meeting_on is None:
        return _("Enter the date of the joint evaluation meeting.")
    if meeting_on > today_local():
        return _("The evaluation meeting cannot lie in the future; record the decision after the meeting.")
    evaluation = open_evaluation(ctx)
    if evaluation is not None and meeting_on < evaluation.opened_at.astimezone(AMSTERDAM).date():
        return _("The evaluation meeting cannot lie before the evaluation opened (%(day)s).",
                 day=format_day(evaluation.opened_at))
    return None


CAN_START = (Guard("plan_agreed", plan_agreed),)
CAN_OPEN_EVALUATION = (Guard("period_ended", period_ended),)
CAN_DECIDE = (Guard("both_forms_submitted", both_forms_submitted), Guard("meeting_recorded", meeting_recorded))
