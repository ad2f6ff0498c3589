"""The evaluation panel: conflicts of interest, independent scoring, consensus, ranking, the shortlist
and the pitches. Evaluators, the officer (chair) and shortlisted bureaus (pitch booking) use it."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.audit.labels import register

bp = Blueprint("evaluation", __name__)

register({
    "conflict.declared": _l("Conflict of interest declared"),
    "conflict.changed": _l("Conflict of interest declaration changed"),
    "conflict.excused": _l("Evaluator excused for a bureau"),
    "sheet.saved": _l("Score sheet saved as draft"),
    "sheet.submitted": _l("Score sheet submitted"),
    "sheet.reopened": _l("Score sheet reopened"),
    "evaluation.due_set": _l("Scoring due date set"),
    "evaluation.reminder_sent": _l("Scoring reminder sent"),
    "consensus.recorded": _l("Consensus recorded"),
    "shortlist.decided": _l("Shortlist decided"),
    "shortlist.withdrawn": _l("Bureau withdrew from the pitches"),
    "pitch.slot_added": _l("Pitch slot added"),
    "pitch.slot_removed": _l("Pitch slot removed"),
    "pitch.slots_published": _l("Pitch slots published"),
    "pitch.booked": _l("Pitch slot booked"),
}, {
    "conflict.": _l("Conflicts of interest"),
    "sheet.": _l("Independent scoring"),
    "evaluation.": _l("Scoring due dates and reminders"),
    "consensus.": _l("Consensus"),
    "shortlist.": _l("Shortlist"),
    "pitch.": _l("Pitches"),
})

from app.evaluation import exports, jobs, pitch_views, tasks, views  # noqa: E402,F401


@bp.context_processor
def _helpers():
    from forms.evaluation import CONFLICT_LABELS
    return {"conflict_label": lambda kind: str(CONFLICT_LABELS.get(kind, kind)),
            "stage_name": lambda stage: _l("vision") if stage == "vision" else _l("pitch")}
