"""The bureaus' side of a tender (the portal), and the officer's side of invitations, the questions
bulletin, sealed submissions, the opening record and the outbox."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.audit import labels

bp = Blueprint("portal", __name__)

labels.register({
    "invitation.sent": _l("Invitation sent"),
    "invitation.resent": _l("Invitation sent again"),
    "invitation.opened": _l("Invitation opened"),
    "invitation.accepted": _l("Invitation accepted"),
    "invitation.declined": _l("Invitation declined"),
    "invitation.replaced": _l("Declining bureau replaced"),
    "question.asked": _l("Question asked"),
    "question.answered": _l("Answer drafted"),
    "question.clarification": _l("Clarification drafted"),
    "question.clarification_removed": _l("Clarification removed"),
    "bulletin.published": _l("Bulletin published"),
    "vision.submitted": _l("Vision submitted"),
    "vision.withdrawn": _l("Vision withdrawn"),
    "vision.late_refused": _l("Late submission refused"),
    "reminder.sent": _l("Reminder sent"),
    "opening.recorded": _l("Visions opened (opening record)"),
}, {
    "invitation.": _l("Invitations"),
    "question.": _l("Questions"),
    "bulletin.": _l("Bulletins"),
    "vision.": _l("Visions"),
    "opening.": _l("Opening record"),
})



@bp.app_template_filter("isotime")
def _isotime(value):
    """An ISO 8601 text from a canonical record (opening record) back to an aware datetime."""
    from datetime import datetime
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


from app.portal import jobs, officer_views, tasks, views  # noqa: E402,F401
