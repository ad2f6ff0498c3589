"""Totals and ranking from consensus scores."""
from __future__ import annotations

from decimal import Decimal

from app.evaluation.ranking import RankRow, assign_ranks, stage_totals
from app.models import ConsensusScore, Criterion


def _c(cid, stage, weight, lo=0, hi=10, counts=True):
    return Criterion(id=cid, tender_id=1, stage=stage, title=str(cid), weight=weight, scale_min=lo, scale_max=hi,
                     scale_step=2, counts_in_total=counts)


def _s(bureau, cid, value, stage="vision"):
    return ConsensusScore(tender_id=1, stage=stage, bureau_id=bureau, criterion_id=cid, value=value)


def test_stage_total_normalises_each_scale():
    criteria = [_c(1, "vision", 60), _c(2, "vision", 40, lo=1, hi=5), _c(3, "vision", 0, counts=False)]
    scores = [_s(7, 1, 8), _s(7, 2, 3), _s(7, 3, 10)]
    # 60 × 8/10 + 40 × (3−1)/(5−1) = 48 + 20
    assert stage_totals(criteria, scores, "vision") == {7: Decimal("68.00")}


def test_incomplete_consensus_has_no_total():
    criteria = [_c(1, "vision", 50), _c(2, "vision", 50)]
    assert stage_totals(criteria, [_s(7, 1, 8)], "vision") == {}


def test_ties_share_a_rank_and_unscored_go_last():
    rows = [RankRow(1, None, None, Decimal("70")), RankRow(2, None, None, Decimal("80")),
            RankRow(3, None, None, Decimal("70")), RankRow(4, None, None, None)]
    ranked = assign_ranks(rows)
    assert [(r.bureau_id, r.rank, r.tied) for r in ranked] == [(2, 1, False), (1, 2, True), (3, 2, True),
                                                               (4, None, False)]
