"""Read-side queries for the selection, the decision and the bureau's letter. A fixed number of
queries per page, whatever the number of lots, bureaus, letters or objections."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from app.clock import now
from app.evaluation.ranking import RankRow, ranking_per_lot
from app.models import (
    Attachment, AwardDecision, Bureau, Contract, DecisionLetter, Lot, LotSelection, Objection, Programme, Tender, User,
)


@dataclass
class LotView:
    lot: Lot
    rows: list[RankRow]
    selections: dict[int, LotSelection]  # bureau_id → row, only for current applicants

    @property
    def applicants(self) -> list[int]:
        return [r.bureau_id for r in self.rows]

    @property
    def winners(self) -> list[int]:
        return [r.bureau_id for r in self.rows if (s := self.selections.get(r.bureau_id)) and s.selected]

    @property
    def decided(self) -> bool:
        return not self.rows or (bool(self.winners) and all(
            (s := self.selections.get(b)) is not None and s.motivation.strip() for b in self.applicants))


@dataclass
class SelectionData:
    tender: Tender
    lots: list[LotView]
    bureaus: dict[int, Bureau]

    def lot(self, lot_id: int) -> Optional[LotView]:
        return next((lv for lv in self.lots if lv.lot.id == lot_id), None)

    @property
    def participants(self) -> list[Bureau]:
        """Every bureau that applied for at least one lot (a submitted vision), by name."""
        ids = {b for lv in self.lots for b in lv.applicants}
        return sorted((self.bureaus[b] for b in ids), key=lambda b: b.name.lower())

    def problems(self) -> list[str]:
        """Why the selection is not complete yet (empty when the decision can be sent)."""
        out = []
        for lv in self.lots:
            if not lv.rows:
                continue  # nobody applied: the lot is not awarded
            missing = [self.bureaus[b].name for b in lv.applicants
                       if (s := lv.selections.get(b)) is None or not s.motivation.strip()]
            if missing:
                out.append(_("Lot “%(lot)s”: write a motivation for %(names)s.", lot=lv.lot.title,
                             names=", ".join(missing)))
            elif not lv.winners:
                out.append(_("Lot “%(lot)s”: select at least one bureau.", lot=lv.lot.title))
            elif len(lv.winners) > self.tender.max_winners_per_lot:
                out.append(_("Lot “%(lot)s”: at most %(n)d bureau(s) may be selected.", lot=lv.lot.title,
                             n=self.tender.max_winners_per_lot))
        if not self.participants:
            out.append(_("No bureau applied for any lot: there is nothing to decide."))
        return out


def load_selection(session: Session, tender: Tender) -> SelectionData:
    ranking = ranking_per_lot(session, tender)
    lots = session.exec(select(Lot).where(Lot.tender_id == tender.id).order_by(Lot.position, Lot.id)).all()
    ids = {row.bureau_id for rows in ranking.values() for row in rows}
    bureaus = {b.id: b for b in session.exec(select(Bureau).where(Bureau.id.in_(ids)))} if ids else {}
    rows = session.exec(select(LotSelection).where(LotSelection.tender_id == tender.id)).all()
    by_lot: dict[int, dict[int, LotSelection]] = {}
    for s in rows:
        by_lot.setdefault(s.lot_id, {})[s.bureau_id] = s
    views = []
    for lot in lots:
        ranked = ranking.get(lot.id, [])
        applicants = {r.bureau_id for r in ranked}
        views.append(LotView(lot, ranked, {b: s for b, s in by_lot.get(lot.id, {}).items() if b in applicants}))
    return SelectionData(tender=tender, lots=views, bureaus=bureaus)


def current_decision(session: Session, tender_id: int) -> Optional[AwardDecision]:
    """The latest decision of the tender, whatever its status."""
    return session.exec(select(AwardDecision).where(AwardDecision.tender_id == tender_id)
                        .order_by(AwardDecision.number.desc()).limit(1)).first()


def open_objections(session: Session, tender_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Objection)
                          .where(Objection.tender_id == tender_id, Objection.status == "open")) or 0


def countdown(ends_at: datetime) -> Optional[tuple[int, int, int]]:
    """(days, hours, minutes) left until `ends_at`, or None once it has passed."""
    left = ends_at - now()
    if left.total_seconds() <= 0:
        return None
    minutes = int(left.total_seconds() // 60)
    return minutes // 1440, (minutes % 1440) // 60, minutes % 60


@dataclass
class TenderPanel:
    """What the tender page shows about the selection and award."""

    state: str
    lots_decided: int = 0
    lots_total: int = 0
    decision: Optional[AwardDecision] = None
    open_objections: int = 0
    contracts: int = 0

    @property
    def left(self):
        return countdown(self.decision.standstill_ends_at) if self.decision else None


def tender_panel(session: Session, tender: Tender) -> Optional[TenderPanel]:
    if tender.state not in ("selection", "standstill", "awarded"):
        return None
    panel = TenderPanel(state=tender.state)
    if tender.state == "selection":
        data = load_selection(session, tender)
        panel.lots_total = len(data.lots)
        panel.lots_decided = sum(1 for lv in data.lots if lv.decided)
    panel.decision = current_decision(session, tender.id)
    if tender.state == "standstill":
        panel.open_objections = open_objections(session, tender.id)
    if tender.state == "awarded":
        panel.contracts = session.scalar(select(func.count()).select_from(Contract)
                                         .where(Contract.tender_id == tender.id)) or 0
    return panel


@dataclass
class DecisionPage:
    """The officer's page about the decision(s): letters, objections, contract terms, contracts."""

    decisions: list[AwardDecision]
    letters: dict[int, list[tuple[DecisionLetter, Bureau]]]  # decision_id → letters
    objections: list[tuple[Objection, Bureau]]
    attachments: dict[int, list[Attachment]]  # objection_id → files
    winners: list[tuple[LotSelection, Lot, Bureau]]
    programmes: list[tuple[Programme, Contract, Lot, Bureau]]
    people: dict[int, str] = field(default_factory=dict)  # user_id → name

    @property
    def current(self) -> Optional[AwardDecision]:
        return self.decisions[0] if self.decisions else None


def _letters(session: Session, tender_id: int) -> dict[int, list[tuple[DecisionLetter, Bureau]]]:
    rows = session.exec(
        select(DecisionLetter, Bureau).join(Bureau, Bureau.id == DecisionLetter.bureau_id)
        .where(DecisionLetter.tender_id == tender_id).order_by(Bureau.name)
        .options(defer(DecisionLetter.pdf), defer(DecisionLetter.content))  # the page only links to them
    ).all()
    out: dict[int, list] = {}
    for letter, bureau in rows:
        out.setdefault(letter.decision_id, []).append((letter, bureau))
    return out


def attachments_of(session: Session, objection_ids: list[int]) -> dict[int, list[Attachment]]:
    out: dict[int, list[Attachment]] = {i: [] for i in objection_ids}
    if objection_ids:
        for a in session.exec(select(Attachment).where(Attachment.owner_type == "objection",
                                                       Attachment.owner_id.in_(objection_ids)).order_by(Attachment.id)):
            out[a.owner_id].append(a)
    return out


def load_decision_page(session: Session, tender: Tender) -> DecisionPage:
    decisions = session.exec(select(AwardDecision).where(AwardDecision.tender_id == tender.id)
                             .order_by(AwardDecision.number.desc())).all()
    objections = session.exec(
        select(Objection, Bureau).join(Bureau, Bureau.id == Objection.bureau_id)
        .where(Objection.tender_id == tender.id).order_by(Objection.lodged_at.desc(), Objection.id.desc())
    ).all()
    winners = session.exec(
        select(LotSelection, Lot, Bureau).join(Lot, Lot.id == LotSelection.lot_id)
        .join(Bureau, Bureau.id == LotSelection.bureau_id)
        .where(LotSelection.tender_id == tender.id, LotSelection.selected).order_by(Lot.position, Lot.id, Bureau.name)
    ).all()
    programmes = session.exec(
        select(Programme, Contract, Lot, Bureau).join(Contract, Contract.id == Programme.contract_id)
        .join(Lot, Lot.id == Programme.lot_id).join(Bureau, Bureau.id == Programme.bureau_id)
        .where(Programme.tender_id == tender.id).order_by(Lot.position, Lot.id, Bureau.name)
    ).all()
    user_ids = {d.sent_by_id for d in decisions} | {o.handled_by_id for o, _b in objections}
    user_ids.discard(None)
    people = dict(session.exec(select(User.id, User.name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    return DecisionPage(
        decisions=list(decisions), letters=_letters(session, tender.id), objections=list(objections),
        attachments=attachments_of(session, [o.id for o, _b in objections]), winners=list(winners),
        programmes=list(programmes), people=people,
    )


@dataclass
class BureauPage:
    letters: list[tuple[DecisionLetter, AwardDecision]]  # newest first
    objections: list[Objection]
    attachments: dict[int, list[Attachment]]

    @property
    def current(self) -> Optional[tuple[DecisionLetter, AwardDecision]]:
        return self.letters[0] if self.letters else None


def load_bureau_page(session: Session, tender: Tender, bureau_id: int) -> BureauPage:
    letters = session.exec(
        select(DecisionLetter, AwardDecision).join(AwardDecision, AwardDecision.id == DecisionLetter.decision_id)
        .where(DecisionLetter.tender_id == tender.id, DecisionLetter.bureau_id == bureau_id)
        .order_by(AwardDecision.number.desc()).options(defer(DecisionLetter.pdf))
    ).all()
    objections = session.exec(select(Objection).where(Objection.tender_id == tender.id,
                                                      Objection.bureau_id == bureau_id)
                              .order_by(Objection.lodged_at.desc(), Objection.id.desc())).all()
    return BureauPage(letters=list(letters), objections=list(objections),
                      attachments=attachments_of(session, [o.id for o in objections]))


def bureau_letters(session: Session, bureau_id: int) -> list[tuple[DecisionLetter, AwardDecision, Tender]]:
    """Every letter a bureau received, newest first (its overview page)."""
    return list(session.exec(
        select(DecisionLetter, AwardDecision, Tender)
        .join(AwardDecision, AwardDecision.id == DecisionLetter.decision_id)
        .join(Tender, Tender.id == DecisionLetter.tender_id)
        .where(DecisionLetter.bureau_id == bureau_id).order_by(AwardDecision.sent_at.desc(), DecisionLetter.id.desc())
        .options(defer(DecisionLetter.pdf), defer(DecisionLetter.content))
    ).all())
