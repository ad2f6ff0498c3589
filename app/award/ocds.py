"""The award decisions as the OCDS publication needs them (`app.ocds.sources.award_decisions`).

A decision is published as it was sent: `decided_at` is the move to `standstill` (the decision's
`sent_at`), `winners` the (lot, bureau) pairs selected in it, and `withdrawn_at` the moment an upheld
objection (or the officer) withdrew it and reopened the selection.

Where the winners come from: the selection (`lot_selection`) cannot change from the moment a decision is
sent until it is withdrawn, so for every decision that was not withdrawn it still says what was sent.
A withdrawn decision's selection may have been changed since; its winners are read from the letters
sent with it (each letter's snapshot says per lot whether its bureau was selected). Only the lot titles
and outcomes are taken from those snapshots — nothing else in them is public.
"""
from __future__ import annotations

import json

from sqlmodel import Session, select

from app.models import AwardDecision, DecisionLetter, Lot, LotSelection
from app.ocds import sources


@sources.award_decisions
def award_decisions(session: Session, tender_ids: list[int]) -> list[sources.AwardDecision]:
    """Every decision of these tenders, in at most four queries whatever their number."""
    decisions = session.execute(
        select(AwardDecision.id, AwardDecision.tender_id, AwardDecision.sent_at, AwardDecision.status,
               AwardDecision.closed_at)
        .where(AwardDecision.tender_id.in_(tender_ids)).order_by(AwardDecision.tender_id, AwardDecision.number)
    ).all()
    if not decisions:
        return []
    current: dict[int, list[tuple[int, int]]] = {}
    for tender_id, lot_id, bureau_id in session.execute(
            select(LotSelection.tender_id, LotSelection.lot_id, LotSelection.bureau_id)
            .where(LotSelection.tender_id.in_(tender_ids), LotSelection.selected)
            .order_by(LotSelection.lot_id, LotSelection.bureau_id)):
        current.setdefault(tender_id, []).append((lot_id, bureau_id))
    withdrawn = {d.id: d.tender_id for d in decisions if d.status == "withdrawn"}
    as_sent = _winners_from_letters(session, withdrawn)
    return [
        sources.AwardDecision(
            tender_id=d.tender_id, decided_at=d.sent_at,
            winners=tuple(as_sent.get(d.id, ()) if d.id in withdrawn else current.get(d.tender_id, ())),
            withdrawn_at=(d.closed_at or d.sent_at) if d.status == "withdrawn" else None,
        )
        for d in decisions
    ]


def _winners_from_letters(session: Session, decision_tenders: dict[int, int]) -> dict[int, list[tuple[int, int]]]:
    """{decision_id: [(lot_id, bureau_id)]} selected in the withdrawn decisions, from their letters
    (two queries). Lot titles are unique per tender and frozen once the invitations went out."""
    if not decision_tenders:
        return {}
    lot_ids = {(tender_id, title): lot_id for lot_id, tender_id, title in session.execute(
        select(Lot.id, Lot.tender_id, Lot.title).where(Lot.tender_id.in_(set(decision_tenders.values()))))}
    out: dict[int, set[tuple[int, int]]] = {}
    for decision_id, bureau_id, content in session.execute(
            select(DecisionLetter.decision_id, DecisionLetter.bureau_id, DecisionLetter.content)
            .where(DecisionLetter.decision_id.in_(list(decision_tenders)))):
        tender_id = decision_tenders[decision_id]
        for lot in json.loads(content).get("lots", []):
            lot_id = lot_ids.get((tender_id, lot.get("title")))
            if lot_id is not None and lot.get("outcome") == "selected":
                out.setdefault(decision_id, set()).add((lot_id, bureau_id))
    return {decision_id: sorted(pairs) for decision_id, pairs in out.items()}
