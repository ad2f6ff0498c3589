"""Rules for leaving `vision_review` and `pitch`: the panel's work must be done.

The reasons give counts and names of bureaus, never scores: the officer sees these on the tender page.
"""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _

from workflows.core import Context, Guard


def _panel(ctx: Context):
    from app.evaluation.panel import load_panel
    return ctx.memo("panel_state", lambda: load_panel(ctx.session, ctx.obj))


def _names(state, bureau_ids) -> str:
    return ", ".join(state.bureaus[b].name for b in bureau_ids)


def _sheets_in(stage: str, ctx: Context) -> Optional[str]:
    state = _panel(ctx)
    if not state.stage_bureaus(stage):
        return None
    missing = state.missing_sheets(stage)
    undeclared = [u for u in state.members if state.undeclared(u.id)]
    if undeclared:
        return _("Not every evaluator has declared their conflicts of interest yet (%(n)d to go).", n=len(undeclared))
    if missing:
        return _("Not every evaluator without a conflict has submitted their scores yet (%(n)d sheets to go).",
                 n=missing)
    return None


def _consensus(stage: str, ctx: Context) -> Optional[str]:
    state = _panel(ctx)
    missing = state.bureaus_without_consensus(stage)
    if missing:
        return _("Record the consensus for: %(bureaus)s.", bureaus=_names(state, missing))
    return None


def vision_scored(ctx: Context) -> Optional[str]:
    state = _panel(ctx)
    if not state.bureaus:
        return _("There are no submitted visions to evaluate.")
    return _sheets_in("vision", ctx)


def vision_consensus(ctx: Context) -> Optional[str]:
    return _consensus("vision", ctx)


def shortlist_decided(ctx: Context) -> Optional[str]:
    state = _panel(ctx)
    if not state.shortlist_decided:
        return _("Decide the shortlist: which bureaus go on to pitch.")
    return None


def pitch_scored(ctx: Context) -> Optional[str]:
    state = _panel(ctx)
    if not state.stage_bureaus("pitch"):
        return _("No shortlisted bureau is left to pitch.")
    unbooked = [b for b in state.stage_bureaus("pitch") if b not in state.slot_by_bureau]
    if unbooked:
        return _("Still without a pitch slot: %(bureaus)s.", bureaus=_names(state, unbooked))
    return _sheets_in("pitch", ctx)


def pitch_consensus(ctx: Context) -> Optional[str]:
    return _consensus("pitch", ctx)


VISION_DONE = (
    Guard("vision_scored", vision_scored),
    Guard("vision_consensus", vision_consensus),
    Guard("shortlist_decided", shortlist_decided),
)
PITCH_DONE = (
    Guard("pitch_scored", pitch_scored),
    Guard("pitch_consensus", pitch_consensus),
)
