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
