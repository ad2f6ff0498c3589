"""The evaluation report of a tender as a PDF: the criteria and weights per stage, the agreed
(consensus) scores and notes per bureau with the weighted totals, and per lot the ranking (equal totals
share a rank, shown as "=1") with a bar chart of the totals.

Only stages whose consensus is final are reported (`closed_stages`: the vision once the pitches
started, the pitch once the selection started); before that the report does not exist. Individual
evaluators' scores are not in it (they are in the scores export); neither is any vision content.
The totals and ranks come from `app.evaluation.ranking`, the same arithmetic as the ranking page.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from app.evaluation.stages import closed_stages, consensus_recorded
from app.evaluation.ranking import RankRow, applicants_per_lot, assign_ranks, stage_totals, _round
from app.exports.registry import Export, register
from app.models import Bureau, ConsensusScore, Criterion, Lot, Tender, Vision
from app.reports.common import buyer_names, document, score
from app.reports.opening import ENDPOINT


@dataclass
class Report:
    tender: Tender
    buyers: list[str]
    stages: tuple[str, ...]
    criteria: dict[str, list[Criterion]]
    bureaus: list[Bureau]
    agreed: dict[tuple[str, int, int], ConsensusScore]  # (stage, bureau, criterion) → consensus
    totals: dict[str, dict[int, Decimal]]  # stage → bureau → total 0..100
    lots: list[tuple[Lot, list[RankRow]]]
    by: str  # what the ranking is on: final, or vision while the pitch stage is open


def load(session: Session, tender: Tender) -> Optional[Report]:
    """Everything the report prints, in six queries whatever the number of bureaus, lots or criteria."""
    stages = closed_stages(tender)
    if not stages:
        return None
    criteria: dict[str, list[Criterion]] = {s: [] for s in stages}
    for c in session.exec(select(Criterion).where(Criterion.tender_id == tender.id, Criterion.stage.in_(stages))
                          .order_by(Criterion.position, Criterion.id)):
        criteria[c.stage].append(c)
    scores = session.exec(select(ConsensusScore).where(ConsensusScore.tender_id == tender.id,
                                                       ConsensusScore.stage.in_(stages))).all()
    bureaus = session.exec(select(Bureau).join(Vision, Vision.bureau_id == Bureau.id).where(
        Vision.tender_id == tender.id, Vision.status == "submitted", Vision.submitted_version.is_not(None))
        .order_by(Bureau.name, Bureau.id)).all()
    every = [c for cs in criteria.values() for c in cs]
    totals = {stage: stage_totals(every, scores, stage) for stage in stages}
    by = "final" if "pitch" in stages else "vision"
    applicants = applicants_per_lot(session, tender.id)
    lots = []
    for lot in session.exec(select(Lot).where(Lot.tender_id == tender.id).order_by(Lot.position, Lot.id)):
        rows = []
        for bureau_id in sorted(applicants.get(lot.id, ())):
            v, p = totals["vision"].get(bureau_id), totals.get("pitch", {}).get(bureau_id)
            final = None
            if v is not None and p is not None:
                final = _round((v * tender.vision_stage_weight + p * tender.pitch_stage_weight) / 100)
            rows.append(RankRow(bureau_id, v, p, final))
        lots.append((lot, assign_ranks(rows, by)))
    return Report(tender, buyer_names(session, tender), stages, criteria, list(bureaus),
                  {(s.stage, s.bureau_id, s.criterion_id): s for s in scores}, totals, lots, by)


def stage_title(stage: str) -> str:
    return _("Vision") if stage == "vision" else _("Pitch")


def rank_label(row: RankRow) -> str:
    if row.rank is None:
        return "—"
    return f"={row.rank}" if row.tied else str(row.rank)


def _criteria(doc, report: Report, stage: str) -> None:
    doc.table([_("Criterion"), _("Weight"), _("Scale"), _("Required")],
              [[c.title, f"{c.weight} %" if c.counts_in_total else _("does not count"), f"{c.scale_min}–{c.scale_max}",
                _("yes") if c.required else _("no")] for c in report.criteria[stage]],
              widths=(4, 1.4, 1, 1), align=("L", "R", "R", "L"))


def _bureau_scores(doc, report: Report, stage: str) -> None:
    for bureau in report.bureaus:
        lines = [(c, report.agreed.get((stage, bureau.id, c.id))) for c in report.criteria[stage]]
        if not any(agreed for _c, agreed in lines):
            continue  # not evaluated in this stage (e.g. not shortlisted for the pitch)
        doc.heading(bureau.name, level=3)
        doc.table([_("Criterion"), _("Consensus score"), _("Consensus note")],
                  [[c.title, f"{a.value} / {c.scale_max}" if a else "—", (a.note if a else "") or "—"] for c, a in lines],
                  widths=(3, 1.3, 5), align=("L", "R", "L"))
        doc.paragraph(_("Weighted total %(stage)s: %(total)s of 100", stage=stage_title(stage).lower(),
                        total=score(report.totals[stage].get(bureau.id))), bold=True)


def _ranking(doc, report: Report, names: dict[int, str]) -> None:
    tender = report.tender
    if report.by == "final":
        doc.paragraph(_("Final score = vision total × %(v)d %% + pitch total × %(p)d %%. Equal scores share a rank "
                        "(shown as “=”).", v=tender.vision_stage_weight, p=tender.pitch_stage_weight))
    else:
        doc.paragraph(_("The pitch stage is not finished yet: the ranking is on the vision total. Equal scores share "
                        "a rank (shown as “=”)."))
    for lot, rows in report.lots:
        doc.heading(lot.title, level=2)
        if not rows:
            doc.paragraph(_("Nobody applied for this lot."), muted=True)
            continue
        header = [_("Rank"), _("Bureau"), _("Vision")]
        if "pitch" in report.stages:
            header += [_("Pitch"), _("Final score")]
        doc.table(header, [[rank_label(r), names.get(r.bureau_id, "?"), score(r.vision)]
                           + ([score(r.pitch), score(r.final)] if "pitch" in report.stages else []) for r in rows],
                  widths=(0.8, 4, 1.2, 1.2, 1.4)[:len(header)], align=("R", "L", "R", "R", "R")[:len(header)])
        bars = [(f"{rank_label(r)}  {names.get(r.bureau_id, '?')}", float(getattr(r, report.by)))
                for r in rows if getattr(r, report.by) is not None]
        if bars:
            doc.bar_chart(bars, maximum=100, value_text=score)


def render(session: Session, tender: Tender) -> Optional[bytes]:
    report = load(session, tender)
    if report is None:
        return None
    doc = document(_("Evaluation report"), tender, report.buyers)
    names = {b.id: b.name for b in report.bureaus}
    doc.facts([
        (_("Tender"), f"{tender.title} ({tender.reference})"),
        (_("Buyers"), ", ".join(report.buyers)),
        (_("Stages reported"), ", ".join(stage_title(s) for s in report.stages)),
        (_("Stage weights"), _("vision %(v)d %%, pitch %(p)d %%", v=tender.vision_stage_weight,
                               p=tender.pitch_stage_weight)),
        (_("Bureaus evaluated"), str(len(report.bureaus))),
    ])
    doc.paragraph(_("The panel scored every bureau independently; the scores below are the consensus the panel "
                    "agreed afterwards, with the chair's note. A criterion's share of a stage total is its weight "
                    "times the score's place on the scale, so each stage total runs from 0 to 100."))
    for stage in report.stages:
        doc.heading(_("%(stage)s: criteria and weights", stage=stage_title(stage)))
        _criteria(doc, report, stage)
        doc.heading(_("%(stage)s: consensus scores per bureau", stage=stage_title(stage)), level=2)
        _bureau_scores(doc, report, stage)
    doc.heading(_("Ranking per lot"))
    _ranking(doc, report, names)
    return doc.output()


REPORT = register(Export(
    "evaluation", _l("Evaluation report (PDF)"), formats=("pdf",), available=consensus_recorded, document=render,
    endpoint=ENDPOINT, hint=_l("Criteria and weights, consensus scores and notes, ranking and chart per lot."),
))
