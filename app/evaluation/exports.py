"""The officers' scores export: per bureau, criterion and evaluator the submitted score and rationale,
next to the agreed (consensus) score and its note, for each stage whose consensus is recorded.

"Recorded" means the stage is closed (app/evaluation/stages.py): before the vision stage closes the
export does not exist (the route answers 404), and the pitch rows appear once the pitch stage closes.
The decision rests on the tender row alone, so the tender page offers it without a query.
"""
from __future__ import annotations

from typing import Iterator

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case
from sqlmodel import Session, select

from app.evaluation.stages import closed_stages, consensus_recorded
from app.exports.registry import Column, Export, register
from app.models import Bureau, ConsensusScore, Criterion, Score, ScoreSheet, Tender, User

BATCH = 500


def score_rows(session: Session, tender: Tender) -> Iterator[tuple]:
    stages = {"vision": str(_l("Vision")), "pitch": str(_l("Pitch"))}
    return _score_rows(session, tender.id, closed_stages(tender), stages)


def _score_rows(session: Session, tender_id: int, stages: tuple[str, ...], labels: dict[str, str]) -> Iterator[tuple]:
    """One streaming select: submitted sheets' scores with their bureau, criterion, evaluator and the
    consensus on the same bureau and criterion (outer join: a criterion outside the consensus keeps its
    individual scores). Drafts never appear: only submitted sheets count."""
    if not stages:
        return
    stmt = (
        select(ScoreSheet.stage, Bureau.name, Criterion.title, Criterion.weight, Criterion.counts_in_total,
               Criterion.scale_min, Criterion.scale_max, User.name, Score.value, Score.rationale,
               ScoreSheet.submitted_at, ConsensusScore.value, ConsensusScore.note)
        .select_from(Score)
        .join(ScoreSheet, ScoreSheet.id == Score.sheet_id)
        .join(Bureau, Bureau.id == ScoreSheet.bureau_id)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .join(User, User.id == ScoreSheet.user_id)
        .outerjoin(ConsensusScore, and_(ConsensusScore.tender_id == ScoreSheet.tender_id,
                                        ConsensusScore.stage == ScoreSheet.stage,
                                        ConsensusScore.bureau_id == ScoreSheet.bureau_id,
                                        ConsensusScore.criterion_id == Score.criterion_id))
        .where(ScoreSheet.tender_id == tender_id, ScoreSheet.status == "submitted", ScoreSheet.stage.in_(stages))
        .order_by(case((ScoreSheet.stage == "vision", 0), else_=1), Bureau.name, Bureau.id, Criterion.position,
                  Criterion.id, User.name, User.id)
        .execution_options(yield_per=BATCH)
    )
    for (stage, bureau, criterion, weight, counts, low, high, evaluator, value, rationale, submitted_at,
         agreed, note) in session.execute(stmt):
        yield (labels.get(stage, stage), bureau, criterion, weight if counts else 0, f"{low}–{high}", evaluator,
               value, rationale, submitted_at, agreed, note or "")


SCORES = register(Export(
    "scores", _l("Scores per bureau, criterion and evaluator, with the consensus"),
    columns=(
        Column(_l("Stage"), width=10), Column(_l("Bureau"), width=28), Column(_l("Criterion"), width=30),
        Column(_l("Weight (%)"), "int", 10), Column(_l("Scale"), width=8), Column(_l("Evaluator"), width=24),
        Column(_l("Score"), "int", 8), Column(_l("Rationale"), width=50),
        Column(_l("Sheet submitted (Amsterdam time)"), "datetime"), Column(_l("Consensus score"), "int", 12),
        Column(_l("Consensus note"), width=50),
    ),
    rows=score_rows,
    available=consensus_recorded,
    hint=_l("The stages whose consensus is recorded: the vision once the pitches started, the pitch once the "
            "selection started."),
))
