"""Which stages' consensus is final, read from the tender row alone (no query).

"Recorded" means the stage is closed: the tender can only leave `vision_review` with vision consensus for
every bureau, and `pitch` with pitch consensus (workflows/guards). While a stage is open the chair may
still change its consensus, so the scores export and the evaluation report leave it out until then.
"""
from __future__ import annotations

from app.models import Tender

# Tender states in which a stage's consensus is final (the stage lies behind the tender).
CLOSED = {
    "vision": ("pitch", "selection", "standstill", "awarded"),
    "pitch": ("selection", "standstill", "awarded"),
}


def closed_stages(tender: Tender) -> tuple[str, ...]:
    """The stages whose consensus is recorded and final, in order."""
    return tuple(stage for stage in ("vision", "pitch") if tender.state in CLOSED[stage])


def consensus_recorded(tender: Tender) -> bool:
    return bool(closed_stages(tender))
