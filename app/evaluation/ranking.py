"""From consensus scores to totals and a ranking per lot.

A criterion's contribution is its weight times the agreed score's place on the scale
(`(value − min) / (max − min)`), so a stage total runs from 0 to 100 whatever the scales.
The final score combines the stage totals with the tender's stage weights. Equal totals share a
rank (ties are shown as ties). Only bureaus that applied for a lot are ranked in it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

from sqlmodel import Session, select

from app.models import ConsensusScore, Criterion, Lot, Tender, Vision, VisionLot, VisionVersion

PLACES = Decimal("0.01")


@dataclass
class RankRow:
    bureau_id: int
    vision: Optional[Decimal]
    pitch: Optional[Decimal]
    final: Optional[Decimal]
    rank: Optional[int] = None
    tied: bool = False


def _round(value: Decimal) -> Decimal:
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def stage_totals(criteria: list[Criterion], scores: list[ConsensusScore], stage: str) -> dict[int, Decimal]:
    """{bureau_id: total 0..100} for bureaus with an agreed score on every counting criterion."""
    counting = {c.id: c for c in criteria if c.stage == stage and c.counts_in_total}
    per_bureau: dict[int, dict[int, int]] = {}
    for s in scores:
        if s.stage == stage and s.criterion_id in counting:
            per_bureau.setdefault(s.bureau_id, {})[s.criterion_id] = s.value
    totals = {}
    for bureau_id, values in per_bureau.items():
        if set(values) != set(counting):
            continue  # incomplete consensus: no total yet
        total = sum(
            Decimal(c.weight) * Decimal(values[c.id] - c.scale_min) / Decimal(c.scale_max - c.scale_min)
            for c in counting.values()
        )
        totals[bureau_id] = _round(total)
    return totals


def assign_ranks(rows: list[RankRow], by: str = "final") -> list[RankRow]:
    """Sort by the `by` score (final, vision or pitch; highest first); equal scores share a rank;
    unscored rows go last, unranked."""
    def key(r: RankRow):
        return getattr(r, by)
    scored = sorted((r for r in rows if key(r) is not None), key=key, reverse=True)
    rank = 0
    for i, row in enumerate(scored):
        if i == 0 or key(row) != key(scored[i - 1]):
            rank = i + 1
        row.rank = rank
    for i, row in enumerate(scored):
        row.tied = any(o is not row and key(o) == key(row) for o in scored)
    return scored + [r for r in rows if key(r) is None]


def applicants_per_lot(session: Session, tender_id: int) -> dict[int, set[int]]:
    """{lot_id: {bureau_id}} from each bureau's counting (submitted) vision version."""
    rows = session.exec(
        select(VisionLot.lot_id, Vision.bureau_id)
        .join(VisionVersion, VisionVersion.id == VisionLot.version_id)
        .join(Vision, Vision.id == VisionVersion.vision_id)
        .where(Vision.tender_id == tender_id, Vision.status == "submitted",
               VisionVersion.number == Vision.submitted_version)
    ).all()
    out: dict[int, set[int]] = {}
    for lot_id, bureau_id in rows:
        out.setdefault(lot_id, set()).add(bureau_id)
    return out


def ranking_per_lot(session: Session, tender: Tender, by: str = "final") -> dict[int, list[RankRow]]:
    """{lot_id: ranked rows}. Final = vision × vision weight + pitch × pitch weight, once both are agreed.
    `by="vision"` ranks on the vision total alone (the ranking the shortlist is chosen from)."""
    criteria = session.exec(select(Criterion).where(Criterion.tender_id == tender.id)).all()
    scores = session.exec(select(ConsensusScore).where(ConsensusScore.tender_id == tender.id)).all()
    vision, pitch = stage_totals(criteria, scores, "vision"), stage_totals(criteria, scores, "pitch")
    applicants = applicants_per_lot(session, tender.id)
    lots = session.exec(select(Lot.id).where(Lot.tender_id == tender.id).order_by(Lot.position, Lot.id)).all()
    out = {}
    for lot_id in lots:
        rows = []
        for bureau_id in sorted(applicants.get(lot_id, ())):
            v, p = vision.get(bureau_id), pitch.get(bureau_id)
            final = None
            if v is not None and p is not None:
                final = _round((v * tender.vision_stage_weight + p * tender.pitch_stage_weight) / 100)
            rows.append(RankRow(bureau_id, v, p, final))
        out[lot_id] = assign_ranks(rows, by)
    return out


def stage_contributions(tender: Tender, row: RankRow) -> tuple[Optional[Decimal], Optional[Decimal]]:
    """What the vision and the pitch each add to the final score (for stacked ranking charts)."""
    v = _round(row.vision * tender.vision_stage_weight / 100) if row.vision is not None else None
    p = _round(row.pitch * tender.pitch_stage_weight / 100) if row.pitch is not None else None
    return v, p
