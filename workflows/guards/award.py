"""Rules for sending the award decision and for the definitive award."""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _

from workflows.core import Context, Guard


def _selection(ctx: Context):
    from app.award.queries import load_selection
    return ctx.memo("award.selection", lambda: load_selection(ctx.session, ctx.obj))


def _decision(ctx: Context):
    from app.award.queries import current_decision
    return ctx.memo("award.decision", lambda: current_decision(ctx.session, ctx.obj.id))


def selection_complete(ctx: Context) -> Optional[str]:
    """Every lot someone applied for has its bureau(s) selected, with a motivation for every applicant."""
    return " ".join(_selection(ctx).problems()) or None


def standstill_over(ctx: Context) -> Optional[str]:
    from app.award.letters import long_day
    from app.award.queries import countdown
    decision = _decision(ctx)
    if decision is None or decision.status != "standstill":
        return _("No award decision is in its standstill period.")
    left = countdown(decision.standstill_ends_at)
    if left is not None:
        days, hours, _minutes = left
        return _("The standstill period runs until %(day)s at 24:00 (%(days)d days and %(hours)d hours to go).",
                 day=long_day(decision.standstill_last_day), days=days, hours=hours)
    return None


def no_open_objection(ctx: Context) -> Optional[str]:
    from app.award.queries import open_objections
    n = ctx.memo("award.open_objections", lambda: open_objections(ctx.session, ctx.obj.id))
    if n:
        return _("%(n)d objection(s) still open: reject or uphold them before the award.", n=n)
    return None


def decision_in_standstill(ctx: Context) -> Optional[str]:
    decision = _decision(ctx)
    if decision is None or decision.status != "standstill":
        return _("No award decision is in its standstill period.")
    return None


SELECTION_COMPLETE = (Guard("selection_complete", selection_complete),)
CAN_AWARD = (Guard("standstill_over", standstill_over), Guard("no_open_objection", no_open_objection))
CAN_REOPEN = (Guard("decision_in_standstill", decision_in_standstill),)
