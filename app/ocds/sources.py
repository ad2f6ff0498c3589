"""Facts that later stages own, handed to the OCDS publication through registered sources.

The award decision (issue 5: selection, standstill) and the yearly evaluations (issue 6: programmes)
are modelled by their own areas. Each area registers one function here; until it does, the releases
that need its facts are simply not published (nothing is guessed — in particular the ranking of
`app/evaluation/ranking.py` is never taken for the award: the award is whoever the officer selected).

    from app.ocds import sources

    @sources.award_decisions
    def decisions(session, tender_ids): ...   # -> list[AwardDecision]

    @sources.assessments
    def yearly(session, tender_ids): ...      # -> list[Assessment]

Both functions get a list of tender ids and must answer with a fixed number of queries
(the public endpoints and the export run them for many tenders at once).

Registered by `app/award/ocds.py` (decisions as sent, withdrawn when an objection was upheld) and
`app/programmes/ocds.py` (concluded evaluations), on import of their areas. Tests that want other facts
register a stand-in and put the areas' sources back afterwards (`tests/opendata_factories.py`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Optional

from sqlmodel import Session

DECISIONS = ("continue", "adjust", "end")


@dataclass(frozen=True)
class AwardDecision:
    """One award decision as sent to the bureaus (the move to `standstill`).

    `winners` are the (lot_id, bureau_id) pairs the officer selected. When an objection is upheld
    (`reopen_selection`), the decision is withdrawn: `withdrawn_at` is that moment, and a new
    decision follows as a new AwardDecision.
    """

    tender_id: int
    decided_at: datetime
    winners: tuple[tuple[int, int], ...]
    withdrawn_at: Optional[datetime] = None


@dataclass(frozen=True)
class Assessment:
    """A concluded periodic (by default yearly) evaluation of the programme under a contract.

    `number` counts the evaluations of that contract from 1; `decision` is one of DECISIONS
    (continue as is, continue with adjustments, end). Only the fact of the evaluation, its period
    and its decision are published — never the content of the evaluation forms.
    """

    contract_id: int
    number: int
    period_start: date
    period_end: date
    decided_at: datetime
    decision: str


AwardDecisionSource = Callable[[Session, list[int]], list[AwardDecision]]
AssessmentSource = Callable[[Session, list[int]], list[Assessment]]

_award_decisions: Optional[AwardDecisionSource] = None
_assessments: Optional[AssessmentSource] = None


def award_decisions(fn: Optional[AwardDecisionSource]) -> Optional[AwardDecisionSource]:
    """Register (decorator) the source of award decisions; returns it. `None` unregisters."""
    global _award_decisions
    _award_decisions = fn
    return fn


def assessments(fn: Optional[AssessmentSource]) -> Optional[AssessmentSource]:
    """Register (decorator) the source of concluded programme evaluations; returns it. `None` unregisters."""
    global _assessments
    _assessments = fn
    return fn


def load_award_decisions(session: Session, tender_ids: list[int]) -> dict[int, list[AwardDecision]]:
    out: dict[int, list[AwardDecision]] = {}
    if _award_decisions is None or not tender_ids:
        return out
    for d in _award_decisions(session, tender_ids):
        out.setdefault(d.tender_id, []).append(d)
    for items in out.values():
        items.sort(key=lambda d: d.decided_at)
    return out


def load_assessments(session: Session, tender_ids: list[int]) -> list[Assessment]:
    if _assessments is None or not tender_ids:
        return []
    return list(_assessments(session, tender_ids))
