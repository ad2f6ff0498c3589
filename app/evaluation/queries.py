"""Read-side queries for the panel's pages: a fixed number per page whatever the size of the panel,
the number of bureaus or criteria (the tests assert the counts). Templates never query."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session, select

from app.authz import visible_tenders
from app.charts import Bar, DotRow, Segment, bar_chart, dot_chart
from app.clock import now
from app.evaluation.consensus import CriterionStats, criterion_stats, submitted_scores
from app.evaluation.panel import EVALUATION_STATES, STAGE_STATES, PanelState
from app.evaluation.ranking import RankRow, assign_ranks, ranking_per_lot, stage_contributions
from app.models import (
    Attachment, ConflictDeclaration, Lot, PanelExcusal, PitchSlot, ScaleAnchor, Score, ScoreRevision, ScoreSheet,
    ShortlistEntry, Tender, User, Vision, VisionLot, VisionVersion,
)


# --- the evaluator's landing page ------------------------------------------------------------------

@dataclass
class TenderTodo:
    tender: Tender
    bureaus: int = 0
    declared: int = 0
    conflicts: int = 0
    # stage → (submitted, expected, open to write now)
    sheets: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    @property
    def must_declare(self) -> bool:
        return self.declared < self.bureaus


def my_tenders(session: Session, user: User) -> list[TenderTodo]:
    """The tenders on this evaluator's panels, with what is left to do (six queries)."""
    tenders = session.exec(visible_tenders(user).where(Tender.state.in_(EVALUATION_STATES))
                           .order_by(Tender.state_changed_at.desc()).limit(100)).all()
    ids = [t.id for t in tenders]
    if not ids:
        return []
    bureaus: dict[int, set[int]] = defaultdict(set)
    for tid, bid in session.exec(select(Vision.tender_id, Vision.bureau_id).where(
            Vision.tender_id.in_(ids), Vision.status == "submitted", Vision.submitted_version.is_not(None))):
        bureaus[tid].add(bid)
    blocked: dict[int, set[int]] = defaultdict(set)
    declared: dict[int, int] = defaultdict(int)
    conflicts: dict[int, int] = defaultdict(int)
    for d in session.exec(select(ConflictDeclaration).where(ConflictDeclaration.tender_id.in_(ids),
                                                            ConflictDeclaration.user_id == user.id)):
        declared[d.tender_id] += 1
        if d.kind != "none":
            conflicts[d.tender_id] += 1
            blocked[d.tender_id].add(d.bureau_id)
    for tid, bid in session.exec(select(PanelExcusal.tender_id, PanelExcusal.bureau_id).where(
            PanelExcusal.tender_id.in_(ids), PanelExcusal.user_id == user.id)):
        blocked[tid].add(bid)
    shortlisted: dict[int, set[int]] = defaultdict(set)
    for e in session.exec(select(ShortlistEntry).where(ShortlistEntry.tender_id.in_(ids), ShortlistEntry.shortlisted,
                                                       ShortlistEntry.withdrawn_at.is_(None))):
        shortlisted[e.tender_id].add(e.bureau_id)
    held: dict[int, set[int]] = defaultdict(set)
    for tid, bid in session.exec(select(PitchSlot.tender_id, PitchSlot.bureau_id).where(
            PitchSlot.tender_id.in_(ids), PitchSlot.bureau_id.is_not(None), PitchSlot.starts_at <= now())):
        held[tid].add(bid)
    submitted: dict[tuple[int, str], set[int]] = defaultdict(set)
    for tid, stage, bid in session.exec(select(ScoreSheet.tender_id, ScoreSheet.stage, ScoreSheet.bureau_id).where(
            ScoreSheet.tender_id.in_(ids), ScoreSheet.user_id == user.id, ScoreSheet.status == "submitted")):
        submitted[(tid, stage)].add(bid)
    out = []
    for t in tenders:
        todo = TenderTodo(t, bureaus=len(bureaus[t.id]), declared=declared[t.id], conflicts=conflicts[t.id])
        for stage, stage_bureaus in (("vision", bureaus[t.id]), ("pitch", shortlisted[t.id])):
            mine = stage_bureaus - blocked[t.id]
            done = len(mine & submitted[(t.id, stage)])
            open_now = 0
            if t.state == STAGE_STATES[stage]:
                ready = mine if stage == "vision" else mine & held[t.id]
                open_now = len(ready - submitted[(t.id, stage)])
            if mine and (stage == "vision" or t.state != "vision_review"):
                todo.sheets[stage] = (done, len(mine), open_now)
        out.append(todo)
    return out


# --- a bureau's material ------------------------------------------------------------------------------

@dataclass
class Material:
    version: Optional[VisionVersion]
    lots: list[tuple[Lot, VisionLot]]
    attachments: list[Attachment]


def material(session: Session, tender: Tender, bureau_id: int) -> Material:
    """The bureau's counting vision version, its lots and attachments (three queries)."""
    version = session.exec(
        select(VisionVersion).join(Vision, Vision.id == VisionVersion.vision_id)
        .where(Vision.tender_id == tender.id, Vision.bureau_id == bureau_id, Vision.status == "submitted",
               VisionVersion.number == Vision.submitted_version)).first()
    if version is None:
        return Material(None, [], [])
    lots = session.exec(select(Lot, VisionLot).join(VisionLot, VisionLot.lot_id == Lot.id)
                        .where(VisionLot.version_id == version.id).order_by(Lot.position, Lot.id)).all()
    attachments = session.exec(select(Attachment).where(Attachment.owner_type == "vision_version",
                                                        Attachment.owner_id == version.id)
                               .order_by(Attachment.id)).all()
    return Material(version, list(lots), list(attachments))


def lots_applied(session: Session, tender: Tender) -> dict[int, list[str]]:
    """{bureau_id: [lot titles]} from the counting versions (one query)."""
    rows = session.exec(
        select(Vision.bureau_id, Lot.title).join(VisionVersion, VisionVersion.vision_id == Vision.id)
        .join(VisionLot, VisionLot.version_id == VisionVersion.id).join(Lot, Lot.id == VisionLot.lot_id)
        .where(Vision.tender_id == tender.id, Vision.status == "submitted",
               VisionVersion.number == Vision.submitted_version).order_by(Lot.position, Lot.id)).all()
    out: dict[int, list[str]] = defaultdict(list)
    for bid, title in rows:
        out[bid].append(title)
    return out


# --- sheets ----------------------------------------------------------------------------------------------

def scores_of(session: Session, sheet: Optional[ScoreSheet]) -> dict[int, Score]:
    if sheet is None or sheet.id is None:
        return {}
    return {s.criterion_id: s for s in session.exec(select(Score).where(Score.sheet_id == sheet.id))}


def revisions_of(session: Session, sheet_ids: list[int]) -> dict[int, list[ScoreRevision]]:
    out: dict[int, list[ScoreRevision]] = {sid: [] for sid in sheet_ids}
    if sheet_ids:
        for r in session.exec(select(ScoreRevision).where(ScoreRevision.sheet_id.in_(sheet_ids))
                              .order_by(ScoreRevision.recorded_at, ScoreRevision.id)):
            out[r.sheet_id].append(r)
    return out


def criteria_anchors(session: Session, state: PanelState, stage: str) -> dict[int, dict[int, str]]:
    """{criterion_id: {score: anchor text}} (one query)."""
    ids = [c.id for c in state.criteria[stage]]
    out: dict[int, dict[int, str]] = {cid: {} for cid in ids}
    if ids:  # plain rows: a sheet shows dozens of anchors, and ORM objects cost more than the query
        for cid, score, text in session.execute(select(ScaleAnchor.criterion_id, ScaleAnchor.score, ScaleAnchor.text)
                                                .where(ScaleAnchor.criterion_id.in_(ids))):
            out[cid][score] = text
    return out


def user_names(session: Session, ids) -> dict[int, str]:
    ids = sorted({i for i in ids if i is not None})
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.name).where(User.id.in_(ids))).all())


# --- consensus --------------------------------------------------------------------------------------------

@dataclass
class ConsensusLine:
    stats: CriterionStats
    scores: list[tuple[User, Optional[Score]]]
    agreed: object  # ConsensusScore or None


@dataclass
class ConsensusView:
    stage: str
    bureau_id: int
    members: list[User]
    lines: list[ConsensusLine]
    history: dict[int, list[ScoreRevision]]  # user_id → revisions of their sheet
    sheets: dict[int, ScoreSheet]
    complete: bool
    all_in: bool
    threshold: int

    @property
    def flagged(self) -> int:
        return sum(1 for line in self.lines if line.stats.flagged)


def consensus_view(session: Session, state: PanelState, stage: str, bureau_id: int) -> ConsensusView:
    """Each member's submitted score and rationale per criterion, with mean, median and spread (two queries)."""
    threshold = current_app.config["SCORE_SPREAD_THRESHOLD"]
    scores = submitted_scores(session, state, stage, bureau_id)
    members = [u for u in state.expected(stage, bureau_id) if u.id in scores]
    agreed = state.consensus_rows(stage, bureau_id)
    lines = []
    for c in state.criteria[stage]:
        values = [scores[u.id][c.id].value for u in members if c.id in scores[u.id]
                  and scores[u.id][c.id].value is not None]
        lines.append(ConsensusLine(criterion_stats(c, values, threshold),
                                   [(u, scores[u.id].get(c.id)) for u in members], agreed.get(c.id)))
    sheets = {u.id: state.sheet(stage, bureau_id, u.id) for u in members}
    history_by_sheet = revisions_of(session, [s.id for s in sheets.values()])
    return ConsensusView(stage, bureau_id, members, lines, {uid: history_by_sheet[s.id] for uid, s in sheets.items()},
                         sheets, state.consensus_complete(stage, bureau_id), state.all_in(stage, bureau_id), threshold)


def score_chart(view: ConsensusView, bureau_name: str):
    rows = [DotRow(line.stats.criterion.title, line.stats.criterion.levels(),
                   {i: (score.value if score else None) for i, (_u, score) in enumerate(line.scores)},
                   line.agreed.value if line.agreed else None, line.stats.flagged)
            for line in view.lines]
    title = _("Scores per criterion for %(bureau)s (%(stage)s)", bureau=bureau_name,
              stage=_("vision") if view.stage == "vision" else _("pitch"))
    return dot_chart(rows, [u.name for u in view.members], title, _("Consensus"), _("large spread"))


# --- ranking ----------------------------------------------------------------------------------------------

@dataclass
class LotRanking:
    lot: Lot
    rows: list[RankRow]
    visible: bool
    by: str = "final"
    chart: object = None


def ranking(session: Session, user, state: PanelState, by: str = "final") -> list[LotRanking]:
    """The ranking per lot (five queries), with its chart; hidden from members who may not see every
    bureau in it (a conflict) or have not submitted their own sheets for them."""
    tender = state.tender
    per_lot = ranking_per_lot(session, tender, by)
    lots = session.exec(select(Lot).where(Lot.tender_id == tender.id).order_by(Lot.position, Lot.id)).all()
    out = []
    for lot in lots:
        rows, lot_by = per_lot.get(lot.id, []), by
        if by == "final" and not any(r.final is not None for r in rows):
            lot_by = "vision"  # no pitch consensus yet: the vision ranking is what there is
            rows = assign_ranks(rows, lot_by)
        visible = state.may_see_ranking(user, [r.bureau_id for r in rows])
        item = LotRanking(lot, rows, visible, lot_by)
        if visible and rows:
            item.chart = _ranking_chart(tender, state, lot, rows, lot_by)
        out.append(item)
    return out


def _ranking_chart(tender: Tender, state: PanelState, lot: Lot, rows: list[RankRow], by: str):
    bars = []
    for r in rows:
        name = state.bureaus[r.bureau_id].name if r.bureau_id in state.bureaus else str(r.bureau_id)
        if by == "final":
            v, p = stage_contributions(tender, r)
            segments = [Segment(v, "chart-seg-vision", _("vision"))] if v is not None else []
            if p is not None:
                segments.append(Segment(p, "chart-seg-pitch", _("pitch")))
            total = r.final
        else:
            total = getattr(r, by)
            segments = [Segment(total, f"chart-seg-{by}", _("vision") if by == "vision" else _("pitch"))] \
                if total is not None else []
        bars.append(Bar(name, r.rank, r.tied, total, segments))
    legend = None
    if by == "final":
        legend = [(_("vision (× %(w)d %%)", w=tender.vision_stage_weight), "chart-seg-vision"),
                  (_("pitch (× %(w)d %%)", w=tender.pitch_stage_weight), "chart-seg-pitch")]
    title = _("Ranking for %(lot)s", lot=lot.title)
    return bar_chart(bars, title, Decimal(100), _("no final score") if by == "final" else _("no total yet"), legend)
