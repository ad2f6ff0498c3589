"""Consensus: the spread of the submitted independent scores per criterion, and the agreed score and
note the officer records once every sheet for a bureau is in."""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session, select

from app.audit import Actor
from app.clock import now
from app.evaluation.panel import PanelState, load_panel
from app.evaluation.rules import bureau_or_refuse, off_scale, record, require_stage_active, stage_label
from app.models import ConsensusScore, Criterion, Score, Tender, User
from app.tenders.operations import lock
from workflows import Refused

Entries = dict[int, tuple[Optional[int], str]]  # {criterion_id: (value or None, note)}


@dataclass
class CriterionStats:
    criterion: Criterion
    values: list[int]
    mean: Optional[Decimal]
    median: Optional[Decimal]
    spread: Optional[int]
    flagged: bool


def criterion_stats(criterion: Criterion, values: list[int], threshold: int) -> CriterionStats:
    if not values:
        return CriterionStats(criterion, [], None, None, None, False)
    q = Decimal("0.01")
    mean = (Decimal(sum(values)) / len(values)).quantize(q)
    median = Decimal(str(statistics.median(values))).quantize(q)
    spread = max(values) - min(values)
    return CriterionStats(criterion, values, mean, median, spread, spread >= threshold)


def submitted_scores(session: Session, state: PanelState, stage: str, bureau_id: int) -> dict[int, dict[int, Score]]:
    """{user_id: {criterion_id: Score}} of the submitted sheets of the expected members (one query)."""
    sheets = {state.sheet(stage, bureau_id, u.id).id: u.id for u in state.expected(stage, bureau_id)
              if state.submitted(stage, bureau_id, u.id)}
    out: dict[int, dict[int, Score]] = {uid: {} for uid in sheets.values()}
    if sheets:
        for s in session.exec(select(Score).where(Score.sheet_id.in_(list(sheets)))):
            out[sheets[s.sheet_id]][s.criterion_id] = s
    return out


def stats_for(session: Session, state: PanelState, stage: str, bureau_id: int) -> dict[int, CriterionStats]:
    threshold = current_app.config["SCORE_SPREAD_THRESHOLD"]
    scores = submitted_scores(session, state, stage, bureau_id)
    return {c.id: criterion_stats(c, [per[c.id].value for per in scores.values()
                                      if c.id in per and per[c.id].value is not None], threshold)
            for c in state.criteria[stage]}


def record_consensus(session: Session, officer: User, tender: Tender, stage: str, bureau_id: int,
                     entries: dict[int, tuple[Optional[int], str]]) -> int:
    """Record the agreed score and note per criterion {criterion_id: (value or None, note)}."""
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    require_stage_active(state, stage)
    bureau = bureau_or_refuse(state, bureau_id)
    if bureau_id not in state.stage_bureaus(stage):
        raise Refused([_("%(bureau)s is not in the %(stage)s round.", bureau=bureau.name, stage=stage_label(stage))],
                      kind="invalid")
    if not state.all_in(stage, bureau_id):
        raise Refused([_("Not every independent sheet for %(bureau)s is in yet (%(n)d of %(m)d); consensus comes "
                         "after.", bureau=bureau.name, n=state.submitted_count(stage, bureau_id),
                         m=len(state.expected(stage, bureau_id)))], kind="invalid")
    _check_consensus(session, state, stage, bureau_id, entries)
    changes = _write_consensus(session, officer, state, stage, bureau_id, entries)
    if changes:
        session.flush()
        record(session, Actor.of(officer), tender, "consensus.recorded", "bureau", bureau_id,
               {"bureau": [None, bureau.name], "stage": [None, stage], **changes})
    return len(changes)


def _check_consensus(session: Session, state: PanelState, stage: str, bureau_id: int, entries: Entries) -> None:
    stats = stats_for(session, state, stage, bureau_id)
    needed = {c.id for c in state.consensus_criteria(stage)}
    problems = []
    for c in state.criteria[stage]:
        value, note = entries.get(c.id, (None, ""))
        note = (note or "").strip()
        if value is not None and value not in c.levels():
            problems.append(off_scale(c))
        if value is None and c.id in needed:
            problems.append(_("%(criterion)s: record the agreed score.", criterion=c.title))
        if stats[c.id].flagged and value is not None and not note:
            problems.append(_("%(criterion)s: the scores lie %(spread)d points apart; explain the agreed score in a "
                              "consensus note.", criterion=c.title, spread=stats[c.id].spread))
    if problems:
        raise Refused(problems, kind="invalid")


def _write_consensus(session: Session, officer: User, state: PanelState, stage: str, bureau_id: int,
                     entries: Entries) -> dict[str, list]:
    """Store the agreed scores and notes; returns the changes for the audit event."""
    existing = state.consensus_rows(stage, bureau_id)
    changes: dict[str, list] = {}
    stamp = now()
    for c in state.criteria[stage]:
        value, note = entries.get(c.id, (None, ""))
        note = (note or "").strip()
        row = existing.get(c.id)
        if value is None:
            continue
        if row is not None and (row.value, row.note) == (value, note):
            continue
        if row is None:
            row = ConsensusScore(tender_id=state.tender.id, stage=stage, bureau_id=bureau_id, criterion_id=c.id,
                                 value=value)
            session.add(row)
            changes[c.title] = [None, value]
        else:
            if row.value != value:
                changes[c.title] = [row.value, value]
        if (row.note or "") != note:
            changes[f"{c.title} ({_('note')})"] = [row.note or None, note or None]
        row.value, row.note, row.decided_by_id, row.decided_at = value, note, officer.id, stamp
    return changes
