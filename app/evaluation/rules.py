"""What every change by the evaluation panel checks first, and how it writes its audit event.

The operations (conflicts, scoring, consensus, shortlist, pitches) each lock the tender row, check the
rules below against a fresh `PanelState`, change the rows, flush and write their audit event in the
caller's transaction.
"""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _

from app import audit
from app.audit import Actor
from app.evaluation.panel import PanelState
from app.models import Bureau, Criterion, Tender, User
from workflows import Refused


def stage_label(stage: str) -> str:
    return _("vision") if stage == "vision" else _("pitch")


def record(session, actor: Actor, tender: Tender, action: str, object_type: str, object_id,
           changes=None, reason: Optional[str] = None):
    audit.record(session, actor=actor, action=action, object_type=object_type, object_id=object_id,
                 tender_id=tender.id, changes=changes, reason=reason)


def require_stage_active(state: PanelState, stage: str) -> None:
    if not state.stage_active(stage):
        raise Refused([_("The %(stage)s scoring is closed: the tender is not in the stage for it.",
                         stage=stage_label(stage))], kind="invalid")


def member_or_refuse(state: PanelState, user: User) -> None:
    if not state.is_member(user):
        raise Refused([_("You are not on this tender's evaluation panel.")], kind="forbidden")


def bureau_or_refuse(state: PanelState, bureau_id: int) -> Bureau:
    bureau = state.bureaus.get(bureau_id)
    if bureau is None:
        raise Refused([_("This bureau is not being evaluated in this tender.")], kind="forbidden")
    return bureau


def off_scale(criterion: Criterion) -> str:
    """The problem of a score that is not on the criterion's scale."""
    return _("%(criterion)s: choose a score on the scale (%(levels)s).", criterion=criterion.title,
             levels=", ".join(str(v) for v in criterion.levels()))
