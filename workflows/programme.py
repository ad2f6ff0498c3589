"""The programme cycle after award: co-created plan, running periods, the periodic evaluation.

`start` is fired by the acceptance that makes the first plan version count; `open_evaluation` by
`tenders tick` when a period ends; `continue`, `adjust` and `end` record the decision of the joint
evaluation meeting. Effects live in app/programmes/operations.py; events go to the tender's chain.
"""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.programmes.access import side_of
from app.programmes.operations import (
    close_programme, open_evaluation_effect, open_first_period, record_adjust, record_continue,
)
from workflows.core import Context, State, Transition, Workflow
from workflows.guards.programme import CAN_DECIDE, CAN_OPEN_EVALUATION, CAN_START

STATES = (
    State("plan", _l("Plan (co-creation)"),
          _l("Municipality and bureau write the programme plan together; it counts once both accept it.")),
    State("running", _l("Running"), _l("The programme runs; participants take part in the sessions.")),
    State("evaluation", _l("Evaluation"),
          _l("Both sides evaluate the past period and decide: continue, adjust, or end.")),
    State("ended", _l("Ended"), _l("The programme has ended."), final=True),
)

OFFICER = frozenset({"officer"})

TRANSITIONS = (
    Transition("start", ("plan",), "running", _l("Start the programme"), frozenset({"officer", "bureau", "system"}),
               guards=CAN_START, effects=(open_first_period,)),
    Transition("open_evaluation", ("running",), "evaluation", _l("Open the evaluation"),
               frozenset({"officer", "system"}), guards=CAN_OPEN_EVALUATION, effects=(open_evaluation_effect,),
               help=_l("Both sides are asked for their evaluation form.")),
    Transition("continue", ("evaluation",), "running", _l("Continue as is"), OFFICER, guards=CAN_DECIDE,
               effects=(record_continue,)),
    Transition("adjust", ("evaluation",), "running", _l("Continue with adjustments"), OFFICER, guards=CAN_DECIDE,
               reason_required=True, effects=(record_adjust,),
               help=_l("Opens a new plan version to co-create; the current plan stays in force until both "
                       "accept it.")),
    Transition("end", ("running", "evaluation"), "ended", _l("End the programme"), OFFICER, guards=CAN_DECIDE,
               reason_required=True, danger=True, effects=(close_programme,)),
)


def authorise(ctx: Context) -> Optional[str]:
    if ctx.actor.role == "system":
        return None
    if side_of(ctx.session, ctx.user, ctx.obj) is None:
        return _("Only an officer of a buying organisation or the programme's bureau may do this.")
    return None


PROGRAMME = Workflow(
    name="programme",
    object_type="programme",
    states=STATES,
    transitions=TRANSITIONS,
    initial="plan",
    layout={"plan": (0, 0), "running": (1, 0), "evaluation": (2, 0), "ended": (2, 1)},
    authorise=authorise,
    tender_id_of=lambda p: p.tender_id,
)
