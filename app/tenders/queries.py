"""Read-side queries for the officer's pages. Each page runs a fixed number of them, whatever
the amount of data (the tests assert the counts)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_
from sqlmodel import Session, select

from app.authz import visible_tenders
from app.clock import now
from app.models import AuditChainHead, AuditEvent, Bureau, Criterion, Invitation, Lot, Organisation, PanelMember, Tender, TenderBuyer, User
from app.tenders.operations import anchors_of

DEADLINE_LABELS = {
    "invitation_at": _l("Invitations go out"),
    "questions_deadline": _l("Questions deadline"),
    "vision_deadline": _l("Vision deadline"),
    "pitch_start": _l("Pitches start"),
    "pitch_end": _l("Pitches end"),
    "selection_at": _l("Selection decision"),
}
ACTIVE_STATES = ("draft", "invitation", "vision_submission", "vision_review", "pitch", "selection", "standstill")


@dataclass
class TenderView:
    tender: Tender
    lead: Organisation
    co_buyers: list[Organisation]
    lots: list[Lot]
    criteria: dict[str, list[Criterion]]
    anchors: dict[int, list]
    panel: list[tuple[PanelMember, User]]
    invitations: list[tuple[Invitation, Bureau]]
    recent_events: list[AuditEvent] = field(default_factory=list)

    def weight_total(self, stage: str) -> int:
        return sum(c.weight for c in self.criteria.get(stage, []) if c.counts_in_total)


def load_tender_view(session: Session, tender: Tender, recent: int = 5) -> TenderView:
    orgs = session.exec(
        select(Organisation).where(or_(
            Organisation.id == tender.lead_organisation_id,
            Organisation.id.in_(select(TenderBuyer.organisation_id).where(TenderBuyer.tender_id == tender.id)),
        )).order_by(Organisation.name)
    ).all()
    lead = next(o for o in orgs if o.id == tender.lead_organisation_id)
    lots = session.exec(select(Lot).where(Lot.tender_id == tender.id).order_by(Lot.position, Lot.id)).all()
    criteria_rows = session.exec(
        select(Criterion).where(Criterion.tender_id == tender.id).order_by(Criterion.stage, Criterion.position, Criterion.id)
    ).all()
    criteria: dict[str, list[Criterion]] = {"vision": [], "pitch": []}
    for c in criteria_rows:
        criteria[c.stage].append(c)
    panel = session.exec(
        select(PanelMember, User).join(User, User.id == PanelMember.user_id)
        .where(PanelMember.tender_id == tender.id).order_by(User.name)
    ).all()
    invitations = session.exec(
        select(Invitation, Bureau).join(Bureau, Bureau.id == Invitation.bureau_id)
        .where(Invitation.tender_id == tender.id).order_by(Bureau.name)
    ).all()
    events = session.exec(
        select(AuditEvent).where(AuditEvent.chain == f"tender:{tender.id}").order_by(AuditEvent.seq.desc()).limit(recent)
    ).all()
    return TenderView(
        tender=tender, lead=lead, co_buyers=[o for o in orgs if o.id != lead.id], lots=list(lots),
        criteria=criteria, anchors=anchors_of(session, [c.id for c in criteria_rows]),
        panel=list(panel), invitations=list(invitations), recent_events=list(events),
    )


@dataclass
class Dashboard:
    per_state: dict[str, int]
    deadlines: list[tuple]  # (moment, label, tender)
    tenders: list[tuple[Tender, str]]  # (tender, lead organisation name)
    total: int


def load_dashboard(session: Session, user, horizon_days: int = 14, limit: int = 50) -> Dashboard:
    scope = visible_tenders(user).subquery()
    per_state = dict(session.execute(select(scope.c.state, func.count()).group_by(scope.c.state)).all())
    start, end = now(), now() + timedelta(days=horizon_days)
    upcoming = session.exec(
        visible_tenders(user).where(Tender.state.in_(ACTIVE_STATES)).where(or_(
            *[getattr(Tender, col).between(start, end) for col in DEADLINE_LABELS]
        )).limit(limit)
    ).all()
    deadlines = sorted(
        ((getattr(t, col), DEADLINE_LABELS[col], t) for t in upcoming for col in DEADLINE_LABELS
         if getattr(t, col) is not None and start <= getattr(t, col) <= end),
        key=lambda row: row[0],
    )
    tenders = session.execute(
        visible_tenders(user).add_columns(Organisation.name)
        .join(Organisation, Organisation.id == Tender.lead_organisation_id)
        .order_by(Tender.updated_at.desc()).limit(limit)
    ).all()
    return Dashboard(per_state=per_state, deadlines=deadlines, tenders=[(t, name) for t, name in tenders],
                     total=sum(per_state.values()))


def audit_page(session: Session, tender: Tender, page: int, size: int, action: str = "", actor: str = ""):
    """One page of a tender's audit trail, newest first.

    Unfiltered, it pages by seq range (a chain's seq runs 1..N without gaps), so the last page of a
    long trail costs the same as the first; filtered, it counts and offsets.
    """
    chain = f"tender:{tender.id}"
    base = select(AuditEvent).where(AuditEvent.chain == chain)
    if action or actor:
        if action:
            base = base.where(AuditEvent.action.startswith(action))
        if actor:
            base = base.where(AuditEvent.actor_name.ilike(f"%{actor}%"))
        total = session.scalar(select(func.count()).select_from(base.subquery()))
    else:
        total = session.scalar(select(AuditChainHead.seq).where(AuditChainHead.chain == chain)) or 0
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    if action or actor:
        stmt = base.order_by(AuditEvent.seq.desc()).offset((page - 1) * size).limit(size)
    else:
        hi = total - (page - 1) * size
        stmt = base.where(AuditEvent.seq.between(hi - size + 1, hi)).order_by(AuditEvent.seq.desc())
    rows = session.exec(stmt).all()
    return rows, total, page, pages
