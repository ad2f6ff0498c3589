"""The programme cycle after award: co-created plan, running years, yearly evaluation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from workflows.core import State, Transition, Workflow

STATES = (
    State("plan", _l("Plan (co-creation)"),
          _l("Municipality and bureau write the programme plan together; it counts once both accept it.")),
    State("running", _l("Running"), _l("The programme runs; participants take part in the sessions.")),
    State("evaluation", _l("Yearly evaluation"),
          _l("Both sides evaluate the past period and decide: continue, adjust, or end.")),
    State("ended", _l("Ended"), _l("The programme has ended."), final=True),
)

TRANSITIONS = (
    Transition("start", ("plan",), "running", _l("Start the programme"), frozenset({"officer", "bureau", "system"})),
    Transition("open_evaluation", ("running",), "evaluation", _l("Open the yearly evaluation"),
               frozenset({"officer", "system"})),
    Transition("continue", ("evaluation",), "running", _l("Continue the programme"), frozenset({"officer"})),
    Transition("end", ("running", "evaluation"), "ended", _l("End the programme"), frozenset({"officer"}),
               reason_required=True, danger=True),
)

PROGRAMME = Workflow(
    name="programme",
    object_type="programme",
    states=STATES,
    transitions=TRANSITIONS,
    initial="plan",
    layout={"plan": (0, 0), "running": (1, 0), "evaluation": (2, 0), "ended": (3, 0)},
    tender_id_of=lambda p: p.tender_id,
)
