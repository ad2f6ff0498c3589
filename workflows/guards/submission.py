"""Rules around the vision submission period."""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _

from app.clock import now
from app.i18n import format_local
from workflows.core import Context, Guard


def vision_deadline_passed(ctx: Context) -> Optional[str]:
    deadline = ctx.obj.vision_deadline
    if deadline is None or now() < deadline:
        return _("The vision deadline (%(deadline)s) has not passed yet; submissions stay sealed until then.",
                 deadline=format_local(deadline) if deadline else "—")
    return None


DEADLINE_PASSED = (Guard("vision_deadline_passed", vision_deadline_passed),)


def has_valid_vision(ctx: Context) -> Optional[str]:
    from app.portal.submissions import valid_visions
    if ctx.memo("valid_visions", lambda: valid_visions(ctx.session, ctx.obj.id)):
        return None
    return _("No valid vision arrived; declare the tender unsuccessful instead.")


VISIONS_TO_OPEN = DEADLINE_PASSED + (Guard("has_valid_vision", has_valid_vision),)
