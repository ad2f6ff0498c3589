"""Who on the panel may see and score what, worked out once per request from a fixed set of queries.

The rules (docs/decisions.md, "Evaluation panel"):
- The bureaus evaluated in the vision stage are those with a submitted (counting) vision; in the pitch
  stage, the shortlisted bureaus that did not withdraw.
- A member sees no bureau's material before declaring, for every bureau, a conflict or none.
- A member with a declared conflict with a bureau, or excused by the officer for it, neither sees nor
  scores that bureau, and is not expected to.
- Until a member has submitted their own sheet for a bureau and stage, they see no other score, total,
  average, count or ranking for it. The officer sees counts only until every expected sheet for a bureau
  is in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from typing import Optional

from sqlalchemy import bindparam
from sqlmodel import Session, select

from app.clock import now
from app.models import (
    Bureau, ConflictDeclaration, ConsensusScore, Criterion, PanelExcusal, PanelMember, PitchSlot, ScoreSheet,
    ScoringRound, ShortlistEntry, Tender, User, Vision,
)

STAGE_STATES = {"vision": "vision_review", "pitch": "pitch"}
# Tender states in which the evaluation pages exist (read-only after the stage they belong to). Not
# `cancelled`: a tender cancelled during the submission period holds visions that must stay sealed.
EVALUATION_STATES = ("vision_review", "pitch", "selection", "standstill", "awarded")


@dataclass
class PanelState:
    tender: Tender
    members: list[User]
    bureaus: dict[int, Bureau]  # bureaus with a counting vision, by name
    criteria: dict[str, list[Criterion]]
    declarations: dict[tuple[int, int], ConflictDeclaration]
    excusals: dict[tuple[int, int], PanelExcusal]
    sheets: dict[tuple[str, int, int], ScoreSheet]
    shortlist: dict[int, ShortlistEntry]
    slots: list[PitchSlot]
    consensus: dict[tuple[str, int, int], ConsensusScore]
    rounds: dict[str, ScoringRound] = field(default_factory=dict)

    # --- who ----------------------------------------------------------------------------------
    @cached_property
    def member_ids(self) -> set[int]:
        return {u.id for u in self.members}

    def is_member(self, user) -> bool:
        return user is not None and user.id in self.member_ids

    def member(self, user_id: int) -> Optional[User]:
        return next((u for u in self.members if u.id == user_id), None)

    # --- which bureaus ------------------------------------------------------------------------
    @property
    def shortlist_decided(self) -> bool:
        return bool(self.shortlist)

    def stage_bureaus(self, stage: str) -> list[int]:
        if stage == "vision":
            return list(self.bureaus)
        return [bid for bid in self.bureaus
                if (e := self.shortlist.get(bid)) is not None and e.shortlisted and e.withdrawn_at is None]

    def stage_active(self, stage: str) -> bool:
        return self.tender.state == STAGE_STATES[stage]

    def stage_open(self, stage: str) -> bool:
        """The stage has started (its pages exist): vision from vision_review on, pitch from pitch on."""
        state = self.tender.state
        return state in EVALUATION_STATES and \
            EVALUATION_STATES.index(state) >= EVALUATION_STATES.index(STAGE_STATES[stage])

    # --- pitches ------------------------------------------------------------------------------
    @cached_property
    def slot_by_bureau(self) -> dict[int, PitchSlot]:
        return {s.bureau_id: s for s in self.slots if s.bureau_id is not None}

    def pitch_held(self, bureau_id: int) -> bool:
        slot = self.slot_by_bureau.get(bureau_id)
        return slot is not None and slot.starts_at <= now()

    def scorable(self, stage: str, bureau_id: int) -> bool:
        """Sheets for this bureau and stage can be written now."""
        if not self.stage_active(stage) or bureau_id not in self.stage_bureaus(stage):
            return False
        return stage == "vision" or self.pitch_held(bureau_id)

    # --- conflicts ----------------------------------------------------------------------------
    def declaration(self, user_id: int, bureau_id: int) -> Optional[ConflictDeclaration]:
        return self.declarations.get((user_id, bureau_id))

    def excusal(self, user_id: int, bureau_id: int) -> Optional[PanelExcusal]:
        return self.excusals.get((user_id, bureau_id))

    def blocked(self, user_id: int, bureau_id: int) -> bool:
        d = self.declarations.get((user_id, bureau_id))
        return (d is not None and d.kind != "none") or (user_id, bureau_id) in self.excusals

    def undeclared(self, user_id: int) -> list[int]:
        return [bid for bid in self.bureaus if (user_id, bid) not in self.declarations]

    def declared_all(self, user_id: int) -> bool:
        return not self.undeclared(user_id)

    # --- sheets -------------------------------------------------------------------------------
    def sheet(self, stage: str, bureau_id: int, user_id: int) -> Optional[ScoreSheet]:
        return self.sheets.get((stage, bureau_id, user_id))

    def submitted(self, stage: str, bureau_id: int, user_id: int) -> bool:
        s = self.sheets.get((stage, bureau_id, user_id))
        return s is not None and s.status == "submitted"

    def expected(self, stage: str, bureau_id: int) -> list[User]:
        """The members whose sheet for this bureau and stage is needed (no conflict, not excused)."""
        return [u for u in self.members if not self.blocked(u.id, bureau_id)]

    def submitted_count(self, stage: str, bureau_id: int) -> int:
        return sum(1 for u in self.expected(stage, bureau_id) if self.submitted(stage, bureau_id, u.id))

    def all_in(self, stage: str, bureau_id: int) -> bool:
        expected = self.expected(stage, bureau_id)
        return bool(expected) and all(self.submitted(stage, bureau_id, u.id) for u in expected)

    def missing_sheets(self, stage: str) -> int:
        return sum(len(self.expected(stage, bid)) - self.submitted_count(stage, bid) for bid in self.stage_bureaus(stage))

    def to_do(self, stage: str, user_id: int) -> list[int]:
        """Bureaus this member still has to submit a sheet for in this stage (only those scorable now)."""
        return [bid for bid in self.stage_bureaus(stage)
                if not self.blocked(user_id, bid) and not self.submitted(stage, bid, user_id)
                and self.scorable(stage, bid)]

    # --- what a user may see --------------------------------------------------------------------
    def may_open(self, user, bureau_id: int) -> bool:
        """May this user read the bureau's material?"""
        if bureau_id not in self.bureaus:
            return False
        if user.role == "officer":
            return True
        return self.is_member(user) and self.declared_all(user.id) and not self.blocked(user.id, bureau_id)

    def may_see_scores(self, user, stage: str, bureau_id: int) -> bool:
        """May this user see anyone's scores (and aggregates) for this bureau and stage?"""
        if bureau_id not in self.stage_bureaus(stage) and not self.consensus_rows(stage, bureau_id):
            return False
        if user.role == "officer":
            return self.all_in(stage, bureau_id)
        return self.may_open(user, bureau_id) and self.submitted(stage, bureau_id, user.id)

    def may_see_ranking(self, user, bureau_ids) -> bool:
        """Rankings show only to the officer, and to members who may see every bureau ranked and have
        submitted their own sheets for them."""
        if user.role == "officer":
            return True
        return self.is_member(user) and all(
            self.may_open(user, bid) and all(self.submitted(stage, bid, user.id) or bid not in self.stage_bureaus(stage)
                                             for stage in ("vision", "pitch") if self.stage_open(stage))
            for bid in bureau_ids)

    # --- consensus ------------------------------------------------------------------------------
    def consensus_criteria(self, stage: str) -> list[Criterion]:
        """Criteria that need an agreed score: those that count in the total or are required."""
        return [c for c in self.criteria.get(stage, []) if c.counts_in_total or c.required]

    def consensus_rows(self, stage: str, bureau_id: int) -> dict[int, ConsensusScore]:
        return {cid: row for (st, bid, cid), row in self.consensus.items() if st == stage and bid == bureau_id}

    def consensus_complete(self, stage: str, bureau_id: int) -> bool:
        rows = self.consensus_rows(stage, bureau_id)
        return all(c.id in rows for c in self.consensus_criteria(stage))

    def bureaus_without_consensus(self, stage: str) -> list[int]:
        return [bid for bid in self.stage_bureaus(stage) if not self.consensus_complete(stage, bid)]

    # --- due dates ----------------------------------------------------------------------------
    def due(self, stage: str) -> Optional[datetime]:
        r = self.rounds.get(stage)
        return r.due_at if r else default_due(self.tender, stage)


def default_due(tender: Tender, stage: str) -> Optional[datetime]:
    """Vision scores are due two days before the pitches start; pitch scores two days after they end."""
    if stage == "vision":
        if tender.pitch_start:
            return tender.pitch_start - timedelta(days=2)
        return tender.vision_deadline + timedelta(days=7) if tender.vision_deadline else None
    return tender.pitch_end + timedelta(days=2) if tender.pitch_end else None


@lru_cache(maxsize=None)
def _panel_statements() -> dict:
    """load_panel's ten statements, built once with the tender as a bound parameter: building them
    cost more than running them on every evaluation page (bench/RESULTS.md)."""
    tid = bindparam("tender_id")
    return {
        "members": select(User).join(PanelMember, PanelMember.user_id == User.id)
        .where(PanelMember.tender_id == tid).order_by(User.name, User.id),
        "bureaus": select(Bureau).join(Vision, Vision.bureau_id == Bureau.id)
        .where(Vision.tender_id == tid, Vision.status == "submitted", Vision.submitted_version.is_not(None))
        .order_by(Bureau.name),
        "criteria": select(Criterion).where(Criterion.tender_id == tid)
        .order_by(Criterion.stage, Criterion.position, Criterion.id),
        "declarations": select(ConflictDeclaration).where(ConflictDeclaration.tender_id == tid),
        "excusals": select(PanelExcusal).where(PanelExcusal.tender_id == tid),
        "sheets": select(ScoreSheet).where(ScoreSheet.tender_id == tid),
        "shortlist": select(ShortlistEntry).where(ShortlistEntry.tender_id == tid),
        "slots": select(PitchSlot).where(PitchSlot.tender_id == tid).order_by(PitchSlot.starts_at, PitchSlot.id),
        "consensus": select(ConsensusScore).where(ConsensusScore.tender_id == tid),
        "rounds": select(ScoringRound).where(ScoringRound.tender_id == tid),
    }


def load_panel(session: Session, tender: Tender) -> PanelState:
    """Ten queries, whatever the size of the panel or the number of bureaus."""
    q, params = _panel_statements(), {"tender_id": tender.id}

    def rows(name: str):
        return session.exec(q[name], params=params)

    criteria: dict[str, list[Criterion]] = {"vision": [], "pitch": []}
    members = rows("members").all()
    bureaus = rows("bureaus").all()
    for c in rows("criteria"):
        criteria[c.stage].append(c)
    return PanelState(
        tender=tender,
        members=list(members),
        bureaus={b.id: b for b in bureaus},
        criteria=criteria,
        declarations={(d.user_id, d.bureau_id): d for d in rows("declarations")},
        excusals={(e.user_id, e.bureau_id): e for e in rows("excusals")},
        sheets={(s.stage, s.bureau_id, s.user_id): s for s in rows("sheets")},
        shortlist={e.bureau_id: e for e in rows("shortlist")},
        slots=list(rows("slots")),
        consensus={(c.stage, c.bureau_id, c.criterion_id): c for c in rows("consensus")},
        rounds={r.stage: r for r in rows("rounds")},
    )
