"""Rules for leaving `invitation`: the questions round is settled."""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _

from app.clock import now
from app.i18n import format_local
from workflows.core import Context, Guard


def questions_settled(ctx: Context) -> Optional[str]:
    """The questions deadline has passed, or every question has been answered in a published bulletin."""
    from app.portal.bulletins import unanswered_count
    tender = ctx.obj
    if tender.questions_deadline is not None and now() >= tender.questions_deadline:
        return None
    open_questions = ctx.memo("unanswered_questions", lambda: unanswered_count(ctx.session, tender.id))
    if open_questions:
        return _("%(n)d question(s) have not been answered in a published bulletin yet, and the questions deadline "
                 "(%(deadline)s) has not passed.", n=open_questions, deadline=format_local(tender.questions_deadline))
    return None


QUESTIONS_SETTLED = (Guard("questions_settled", questions_settled),)
