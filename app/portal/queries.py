"""Read-side queries of the portal pages and the officer's cards; a fixed number per page."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from sqlalchemy import bindparam
from sqlmodel import Session, select

from app.models import (
    Bulletin, Bureau, Criterion, Invitation, Lot, OpeningRecord, Organisation, OutboxMessage, Question, ScaleAnchor,
    Tender, Vision,
)
from app.portal.bulletins import bulletin_items
from app.tenders.queries import brief_statements
from app.portal.submissions import attachments_of, draft_of, lots_of, opening_of, submitted_of, versions_of


@dataclass
class Brief:
    """What every invited bureau may read of a tender: the brief, lots, criteria, published bulletins."""

    tender: Tender
    buyers: list[Organisation]
    lots: list[Lot]
    criteria: dict[str, list[Criterion]]
    anchors: dict[int, list]
    bulletins: list[Bulletin]
    items: dict[int, list[Question]]

    def weight_total(self, stage: str) -> int:
        return sum(c.weight for c in self.criteria.get(stage, []) if c.counts_in_total)


def tender_lots(session: Session, tender_id: int) -> list[Lot]:
    return list(session.exec(select(Lot).where(Lot.tender_id == tender_id).order_by(Lot.position, Lot.id)))


@lru_cache(maxsize=None)
def _portal_statements() -> dict:
    """The portal tender page's statements, built once with the tender and bureau as bound parameters
    (building them cost more than running them; bench/RESULTS.md)."""
    tid, lead, bid = bindparam("tender_id"), bindparam("lead_id"), bindparam("bureau_id")
    return {
        **brief_statements(tid, lead),
        # Anchors as plain rows (criterion, score, text): dozens per page; ORM objects cost more than the query.
        "anchors": select(ScaleAnchor.criterion_id, ScaleAnchor.score, ScaleAnchor.text)
        .join(Criterion, Criterion.id == ScaleAnchor.criterion_id)
        .where(Criterion.tender_id == tid).order_by(ScaleAnchor.score),
        "bulletins": select(Bulletin).where(Bulletin.tender_id == tid).order_by(Bulletin.number.desc()),
        "invitation": select(Invitation).where(Invitation.tender_id == tid, Invitation.bureau_id == bid),
        "questions": select(Question).where(Question.tender_id == tid, Question.bureau_id == bid)
        .order_by(Question.asked_at.desc(), Question.id.desc()),
        "vision": select(Vision).where(Vision.tender_id == tid, Vision.bureau_id == bid),
    }


def load_brief(session: Session, tender: Tender) -> Brief:
    q = _portal_statements()
    params = {"tender_id": tender.id, "lead_id": tender.lead_organisation_id}
    buyers = session.exec(q["buyers"], params=params).all()
    buyers = sorted(buyers, key=lambda o: o.id != tender.lead_organisation_id)
    lots = session.exec(q["lots"], params=params).all()
    criteria: dict[str, list[Criterion]] = {"vision": [], "pitch": []}
    rows = session.exec(q["criteria"], params=params).all()
    for c in rows:
        criteria[c.stage].append(c)
    anchors: dict[int, list] = {c.id: [] for c in rows}
    if rows:
        for a in session.execute(q["anchors"], params):
            anchors[a.criterion_id].append(a)
    bulletins = session.exec(q["bulletins"], params=params).all()
    return Brief(tender=tender, buyers=list(buyers), lots=list(lots), criteria=criteria,
                 anchors=anchors, bulletins=list(bulletins),
                 items=bulletin_items(session, [b.id for b in bulletins]))


@dataclass
class PortalTender:
    brief: Brief
    invitation: Invitation
    questions: list[Question]
    vision: Optional[Vision]
    bulletin_numbers: dict[int, int] = field(default_factory=dict)  # bulletin id → number


def load_portal_tender(session: Session, tender: Tender, bureau_id: int) -> PortalTender:
    brief = load_brief(session, tender)
    q, params = _portal_statements(), {"tender_id": tender.id, "bureau_id": bureau_id}
    invitation = session.exec(q["invitation"], params=params).one()
    questions = session.exec(q["questions"], params=params).all()
    vision = session.exec(q["vision"], params=params).first()
    return PortalTender(brief=brief, invitation=invitation, questions=list(questions), vision=vision,
                        bulletin_numbers={b.id: b.number for b in brief.bulletins})


def load_portal_index(session: Session, bureau_id: int, page: int = 1, size: int = 50):
    """One page of the bureau's invitations (most recently moved tenders first) and the page count: a
    bureau invited to hundreds of tenders over the years gets pages, not one ever longer list."""
    from sqlalchemy import func

    mine = (Invitation.bureau_id == bureau_id, Invitation.status != "planned")
    total = session.scalar(select(func.count()).select_from(Invitation).where(*mine)) or 0
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    rows = session.exec(
        select(Invitation, Tender, Vision).join(Tender, Tender.id == Invitation.tender_id)
        .outerjoin(Vision, (Vision.tender_id == Tender.id) & (Vision.bureau_id == bureau_id))
        .where(*mine).order_by(Tender.state_changed_at.desc(), Invitation.id.desc())
        .offset((page - 1) * size).limit(size)
    ).all()
    return list(rows), total, page, pages


@dataclass
class VisionPage:
    vision: Optional[Vision]
    versions: list
    draft: Optional[object]
    current: Optional[object]
    working: Optional[object]  # what the form shows: the draft, else the version that counts
    lots: dict[int, list]
    attachments: dict[int, list]

    @property
    def submitted_versions(self):
        return [v for v in self.versions if v.submitted_at is not None]


def load_vision_page(session: Session, tender_id: int, bureau_id: int) -> VisionPage:
    vision = session.exec(select(Vision).where(Vision.tender_id == tender_id, Vision.bureau_id == bureau_id)).first()
    versions = versions_of(session, vision)
    draft, current = draft_of(versions), submitted_of(vision, versions)
    ids = [v.id for v in versions]
    return VisionPage(vision=vision, versions=versions, draft=draft, current=current,
                      working=draft or current or (versions[-1] if versions else None),
                      lots=lots_of(session, ids), attachments=attachments_of(session, ids))


@dataclass
class OfficerCards:
    """What the officer's tender page shows of invitations, questions and submissions."""

    invitations: list[tuple[Invitation, Bureau]]
    visions: dict[int, Vision]  # bureau id → vision (status and time only are shown while sealed)
    open_questions: int
    bulletins: int
    opening: Optional[OpeningRecord]
    replacement_choices: list[tuple[int, str]]

    @property
    def opening_entries(self) -> list[dict]:
        return json.loads(self.opening.entries) if self.opening else []


def load_officer_cards(session: Session, tender: Tender) -> OfficerCards:
    from app.portal.bulletins import unanswered_count
    invitations = session.exec(select(Invitation, Bureau).join(Bureau, Bureau.id == Invitation.bureau_id)
                               .where(Invitation.tender_id == tender.id).order_by(Bureau.name)).all()
    visions = {v.bureau_id: v for v in session.exec(select(Vision).where(Vision.tender_id == tender.id))}
    bulletins = len(session.exec(select(Bulletin.id).where(Bulletin.tender_id == tender.id)).all())
    choices: list[tuple[int, str]] = []
    if tender.state == "invitation" and any(i.status == "declined" for i, _b in invitations):
        invited = {b.id for _i, b in invitations}
        choices = [(b.id, b.name) for b in session.exec(select(Bureau).order_by(Bureau.name)) if b.id not in invited]
    return OfficerCards(invitations=list(invitations), visions=visions,
                        open_questions=unanswered_count(session, tender.id), bulletins=bulletins,
                        opening=opening_of(session, tender.id), replacement_choices=choices)


@dataclass
class QuestionsPage:
    pending: list[tuple[Question, Optional[Bureau]]]
    bulletins: list[Bulletin]
    items: dict[int, list[Question]]
    askers: dict[int, str]  # question id → bureau name (the officer's eyes only)


def load_questions_page(session: Session, tender: Tender) -> QuestionsPage:
    pending = session.exec(select(Question, Bureau).outerjoin(Bureau, Bureau.id == Question.bureau_id)
                           .where(Question.tender_id == tender.id, Question.bulletin_id.is_(None))
                           .order_by(Question.asked_at, Question.id)).all()
    bulletins = session.exec(select(Bulletin).where(Bulletin.tender_id == tender.id)
                             .order_by(Bulletin.number.desc())).all()
    items = bulletin_items(session, [b.id for b in bulletins])
    published_askers = {q.bureau_id for qs in items.values() for q in qs if q.bureau_id}
    names = {b.id: b.name for b in session.exec(select(Bureau).where(Bureau.id.in_(published_askers)))} \
        if published_askers else {}
    askers = {q.id: names[q.bureau_id] for qs in items.values() for q in qs if q.bureau_id}
    return QuestionsPage(pending=list(pending), bulletins=list(bulletins), items=items, askers=askers)


def outbox_page(session: Session, user, tender_id: Optional[int], status: str, page: int, size: int = 50):
    from sqlalchemy import func

    from app.authz import visible_tenders
    scope = visible_tenders(user).with_only_columns(Tender.id)
    stmt = select(OutboxMessage, Tender).join(Tender, Tender.id == OutboxMessage.tender_id) \
        .where(OutboxMessage.tender_id.in_(scope))
    if tender_id:
        stmt = stmt.where(OutboxMessage.tender_id == tender_id)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    rows = session.exec(stmt.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
                        .offset((page - 1) * size).limit(size)).all()
    return list(rows), total, page, pages
