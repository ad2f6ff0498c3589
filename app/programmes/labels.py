"""Human labels for programme fields, sides, cadences and decisions (shared by forms, pages and mail)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.models.programme_cycle import CADENCE_LABELS, FORM_LABELS  # noqa: F401 (re-exported)
from app.programmes.access import BUREAU, MUNICIPALITY

PLAN_FIELD_LABELS = {
    "target_group": _l("Target group"),
    "intake": _l("Intake"),
    "max_participants": _l("Maximum number of participants"),
    "cost_per_participant_eur": _l("Cost per participant"),
    "time_investment": _l("Time investment per participant"),
    "enrolment_deadline": _l("Enrolment deadline"),
    "programme_leads": _l("Programme leads"),
    "cadence": _l("Evaluation cadence"),
    "sessions": _l("Sessions"),
    "spread": _l("Spread across partner organisations"),
    "indicators": _l("Indicators"),
}
FORM_TITLES = {MUNICIPALITY: _l("The municipality's evaluation"), BUREAU: _l("The bureau's self-evaluation")}
SIDE_LABELS = {MUNICIPALITY: _l("municipality"), BUREAU: _l("bureau")}
SIDE_TITLES = {MUNICIPALITY: _l("The municipality"), BUREAU: _l("The bureau")}
ACCEPTED_BY_SIDE = {MUNICIPALITY: _l("accepted by the municipality"), BUREAU: _l("accepted by the bureau")}
DECISION_LABELS = {
    "continue": _l("Continue as is"),
    "adjust": _l("Continue with adjustments"),
    "end": _l("End the programme"),
}
PARTICIPANT_LABELS = {"enrolled": _l("enrolled"), "waiting": _l("waiting list"), "withdrawn": _l("withdrawn")}


def period_label(period) -> str:
    if period.cadence == "quarterly":
        return _("Quarter %(n)d", n=period.number)
    return _("Year %(n)d", n=period.number)


def decision_label(decision) -> str:
    return str(DECISION_LABELS.get(decision, decision))
