"""Programmes after award: the co-created plan, participants, the periodic evaluation and its history."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.audit import labels

bp = Blueprint("programmes", __name__, url_prefix="/programmes")

labels.register({
    "programme.start": _l("Programme started"),
    "programme.open_evaluation": _l("Evaluation opened"),
    "programme.continue": _l("Evaluation decided: continue as is"),
    "programme.adjust": _l("Evaluation decided: continue with adjustments"),
    "programme.end": _l("Programme ended"),
    "plan.opened": _l("Plan version opened"),
    "plan.edited": _l("Plan draft changed"),
    "plan.commented": _l("Comment on the plan"),
    "plan.accepted": _l("Plan version accepted by one side"),
    "plan.agreed": _l("Plan version agreed by both sides"),
    "participant.enrolled": _l("Participant enrolled"),
    "participant.waiting": _l("Participant put on the waiting list"),
    "participant.promoted": _l("Participant moved up from the waiting list"),
    "participant.withdrawn": _l("Participant withdrawn"),
    "programme_evaluation.form_saved": _l("Evaluation form saved"),
    "programme_evaluation.form_submitted": _l("Evaluation form submitted"),
    "programme_evaluation.feedback": _l("Participants' feedback recorded"),
}, {
    "programme.": _l("Programmes"),
    "plan.": _l("Programme plans"),
    "participant.": _l("Participants"),
    "programme_evaluation.": _l("Programme evaluations"),
})

from app.programmes import evaluation_views, jobs, ocds, participant_views, plan_views, tasks, views  # noqa: E402,F401
