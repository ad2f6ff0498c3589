"""What the OCDS publication reads: the public tenders, and their facts in a fixed number of queries.

`load_facts(session, ids)` loads everything the releases of a batch of tenders need with the same
number of queries whatever the batch holds (the tests assert it). It deliberately reads only what
can become public: no vision content, scores, notes, reasons or declarations are selected at all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime
from typing import Iterator, Optional

from sqlalchemy import and_, bindparam, exists, func, or_
from sqlmodel import Session, select

from app.models import (
    AuditEvent, Bureau, Contract, Criterion, Invitation, Lot, Organisation, Programme, Tender, TenderBuyer, Vision,
)
from app.ocds import sources

# The tender transitions whose moments the releases are dated by.
STEP_ACTIONS = (
    "tender.open_invitation", "tender.close_submission", "tender.declare_unsuccessful", "tender.award",
    "tender.cancel",
)


def _sent(tender_id_col):
    """The invitations of the tender went out (an audit event says so, or an invitation left `planned`)."""
    return or_(
        exists().where(AuditEvent.tender_id == tender_id_col, AuditEvent.action == "tender.open_invitation"),
        exists().where(Invitation.tender_id == tender_id_col, Invitation.status != "planned"),
    )


def published_clause():
    """Tenders that have left `draft`: their invitations went out. A tender cancelled while still a draft
    never was public and stays unpublished."""
    return and_(Tender.state != "draft", or_(Tender.state != "cancelled", _sent(Tender.id)))


@lru_cache(maxsize=None)
def _statements() -> dict:
    """The public endpoints' statements, built once with bound (expanding) parameters: building them
    cost more than running them (bench/RESULTS.md)."""
    ids, one = bindparam("ids", expanding=True), bindparam("tender_id")
    return {
        "published": select(Tender).where(Tender.id == one, published_clause()),
        "tenders": select(Tender).where(Tender.id.in_(ids)).order_by(Tender.id),
        "co_buyers": select(TenderBuyer).where(TenderBuyer.tender_id.in_(ids)),
        "orgs": select(Organisation).where(Organisation.id.in_(bindparam("org_ids", expanding=True))),
        "lots": select(Lot).where(Lot.tender_id.in_(ids)).order_by(Lot.position, Lot.id),
        "criteria": select(Criterion).where(Criterion.tender_id.in_(ids))
        .order_by(Criterion.stage.desc(), Criterion.position, Criterion.id),
        "events": select(AuditEvent.tender_id, AuditEvent.action, AuditEvent.occurred_at, AuditEvent.from_state)
        .where(AuditEvent.tender_id.in_(ids), AuditEvent.action.in_(STEP_ACTIONS))
        .order_by(AuditEvent.tender_id, AuditEvent.seq),
        "tenderers": select(Vision.tender_id, Vision.bureau_id)
        .where(Vision.tender_id.in_(ids), Vision.status == "submitted").order_by(Vision.bureau_id),
        "contracts": select(Contract).where(Contract.tender_id.in_(ids)).order_by(Contract.created_at, Contract.id),
        "programmes": select(Programme).where(Programme.tender_id.in_(ids)),
        "bureaus": select(Bureau).where(Bureau.id.in_(bindparam("bureau_ids", expanding=True))),
    }


def published_tender(session: Session, tender_id: int) -> Optional[Tender]:
    return session.exec(_statements()["published"], params={"tender_id": tender_id}).first()


def is_published(session: Session, tender: Tender) -> bool:
    if tender.state == "draft":
        return False
    if tender.state != "cancelled":
        return True
    return session.scalar(select(_sent(tender.id))) or False


def published_ids(session: Session, batch: int = 200) -> Iterator[list[int]]:
    """The ids of all published tenders, in batches (keyset pagination: memory stays bounded)."""
    last = 0
    while True:
        ids = list(session.scalars(
            select(Tender.id).where(published_clause(), Tender.id > last).order_by(Tender.id).limit(batch)))
        if not ids:
            return
        yield ids
        last = ids[-1]


def published_page(session: Session, page: int, size: int):
    """One page of published tenders with their lead buyer, newest first, and the page count."""
    total = session.scalar(select(func.count()).select_from(Tender).where(published_clause())) or 0
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    rows = session.execute(
        select(Tender, Organisation.name).join(Organisation, Organisation.id == Tender.lead_organisation_id)
        .where(published_clause()).order_by(Tender.id.desc()).offset((page - 1) * size).limit(size)
    ).all()
    return rows, total, page, pages


@dataclass
class Step:
    action: str
    at: datetime
    from_state: Optional[str]


@dataclass
class TenderFacts:
    tender: Tender
    buyers: list[Organisation]  # the lead buyer first, then the co-buyers by name
    lots: list[Lot]
    criteria: list[Criterion]
    steps: list[Step]  # transition events, in order
    tenderer_ids: list[int]  # bureaus with a submitted vision
    contracts: list[Contract]
    programmes: dict[int, Programme]  # by contract id
    decisions: list[sources.AwardDecision]
    assessments: list[sources.Assessment]
    bureaus: dict[int, Bureau] = field(default_factory=dict)

    def last_step(self, action: str) -> Optional[Step]:
        found = [s for s in self.steps if s.action == action]
        return found[-1] if found else None

    def first_step(self, action: str) -> Optional[Step]:
        return next((s for s in self.steps if s.action == action), None)


def load_facts(session: Session, tender_ids: list[int]) -> list[TenderFacts]:
    """Facts of the given (published) tenders, in id order."""
    if not tender_ids:
        return []
    q = _statements()
    tenders = session.exec(q["tenders"], params={"ids": list(tender_ids)}).all()
    ids = [t.id for t in tenders]
    by_ids = {"ids": ids}
    co_buyers = session.exec(q["co_buyers"], params=by_ids).all()
    org_ids = {t.lead_organisation_id for t in tenders} | {b.organisation_id for b in co_buyers}
    orgs = {o.id: o for o in session.exec(q["orgs"], params={"org_ids": sorted(org_ids)})}
    lots = session.exec(q["lots"], params=by_ids).all()
    criteria = session.exec(q["criteria"], params=by_ids).all()
    events = session.execute(q["events"], by_ids).all()
    tenderers = session.execute(q["tenderers"], by_ids).all()
    contracts = session.exec(q["contracts"], params=by_ids).all()
    programmes = session.exec(q["programmes"], params=by_ids).all()
    decisions = sources.load_award_decisions(session, ids)
    assessments = sources.load_assessments(session, ids)
    contract_tender = {c.id: c.tender_id for c in contracts}

    facts = {t.id: TenderFacts(
        tender=t, buyers=[orgs[t.lead_organisation_id]], lots=[], criteria=[], steps=[], tenderer_ids=[],
        contracts=[], programmes={}, decisions=decisions.get(t.id, []), assessments=[],
    ) for t in tenders}
    for link in sorted(co_buyers, key=lambda b: orgs[b.organisation_id].name):
        facts[link.tender_id].buyers.append(orgs[link.organisation_id])
    for lot in lots:
        facts[lot.tender_id].lots.append(lot)
    for c in criteria:
        facts[c.tender_id].criteria.append(c)
    for tender_id, action, at, from_state in events:
        facts[tender_id].steps.append(Step(action, at, from_state))
    for tender_id, bureau_id in tenderers:
        facts[tender_id].tenderer_ids.append(bureau_id)
    for c in contracts:
        facts[c.tender_id].contracts.append(c)
    for p in programmes:
        facts[p.tender_id].programmes[p.contract_id] = p
    for a in assessments:
        if a.contract_id in contract_tender:
            facts[contract_tender[a.contract_id]].assessments.append(a)

    bureau_ids = {b for f in facts.values() for b in f.tenderer_ids}
    bureau_ids |= {c.bureau_id for c in contracts}
    bureau_ids |= {b for f in facts.values() for d in f.decisions for _lot, b in d.winners}
    bureaus = {b.id: b for b in session.exec(q["bureaus"], params={"bureau_ids": sorted(bureau_ids)})} \
        if bureau_ids else {}
    for f in facts.values():
        f.bureaus = bureaus
    return [facts[i] for i in ids]

