"""Read-side queries for the officer's pages. Each page runs a fixed number of them, whatever
the amount of data (the tests assert the counts)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, literal, or_, union_all
from sqlmodel import Session, select

from app.clock import now
from app.models import (
    AuditChainHead, AuditEvent, Bureau, Criterion, Invitation, Lot, Organisation, PanelMember, ScaleAnchor, Tender,
    TenderBuyer, User, UTCDateTime,
)

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


def brief_statements(tid, lead_id) -> dict:
    """What the tender page and the bureau's portal both show of a tender: its buyers (lead first in
    name order with the co-buyers), lots and criteria; `tid` and `lead_id` are bound parameters."""
    return {
        "buyers": select(Organisation).where(or_(
            Organisation.id == lead_id,
            Organisation.id.in_(select(TenderBuyer.organisation_id).where(TenderBuyer.tender_id == tid)),
        )).order_by(Organisation.name),
        "lots": select(Lot).where(Lot.tender_id == tid).order_by(Lot.position, Lot.id),
        "criteria": select(Criterion).where(Criterion.tender_id == tid)
        .order_by(Criterion.stage, Criterion.position, Criterion.id),
    }


@lru_cache(maxsize=None)
def _tender_view_statements(recent: int) -> dict:
    """The tender page's statements, built once with the tender as a bound parameter."""
    tid, lead_id, chain = bindparam("tender_id"), bindparam("lead_id"), bindparam("chain")
    return {
        **brief_statements(tid, lead_id),
        "panel": select(PanelMember, User).join(User, User.id == PanelMember.user_id)
        .where(PanelMember.tender_id == tid).order_by(User.name),
        "invitations": select(Invitation, Bureau).join(Bureau, Bureau.id == Invitation.bureau_id)
        .where(Invitation.tender_id == tid).order_by(Bureau.name),
        "events": select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq.desc()).limit(recent),
        # Anchors as plain rows (score, text): a page shows dozens; ORM objects cost more than the query.
        "anchors": select(ScaleAnchor.criterion_id, ScaleAnchor.score, ScaleAnchor.text)
        .join(Criterion, Criterion.id == ScaleAnchor.criterion_id)
        .where(Criterion.tender_id == tid).order_by(ScaleAnchor.score),
    }


def load_tender_view(session: Session, tender: Tender, recent: int = 5) -> TenderView:
    q = _tender_view_statements(recent)
    params = {"tender_id": tender.id, "lead_id": tender.lead_organisation_id, "chain": f"tender:{tender.id}"}
    orgs = session.exec(q["buyers"], params=params).all()
    lead = next(o for o in orgs if o.id == tender.lead_organisation_id)
    lots = session.exec(q["lots"], params=params).all()
    criteria_rows = session.exec(q["criteria"], params=params).all()
    criteria: dict[str, list[Criterion]] = {"vision": [], "pitch": []}
    for c in criteria_rows:
        criteria[c.stage].append(c)
    panel = session.exec(q["panel"], params=params).all()
    invitations = session.exec(q["invitations"], params=params).all()
    events = session.exec(q["events"], params=params).all()
    anchors: dict[int, list] = {c.id: [] for c in criteria_rows}
    if criteria_rows:
        for a in session.execute(q["anchors"], params):
            anchors[a.criterion_id].append(a)
    return TenderView(
        tender=tender, lead=lead, co_buyers=[o for o in orgs if o.id != lead.id], lots=list(lots),
        criteria=criteria, anchors=anchors,
        panel=list(panel), invitations=list(invitations), recent_events=list(events),
    )


@dataclass
class Dashboard:
    per_state: dict[str, int]
    deadlines: list[tuple]  # (moment, label, tender row), soonest first, at most DEADLINES_SHOWN
    tenders: list[tuple]  # (tender row, lead organisation name), last changed first
    total: int
    more_deadlines: bool = False  # more deadlines in the period than those shown


DEADLINES_SHOWN = 20


def _branches(role: str) -> list:
    """The tenders a user of `role` sees as disjoint branches, each `f(columns) -> Select` with the
    user as bound parameters, so every dashboard query is a UNION ALL of index-driven selects (an OR
    across lead buyer and co-buyer would scan every tender)."""
    if role == "officer":
        org = bindparam("organisation_id")
        return [
            lambda *cols: select(*cols).where(Tender.lead_organisation_id == org),
            # An organisation is never co-buyer of a tender it leads (operations.add_buyer refuses).
            lambda *cols: select(*cols).join(TenderBuyer, TenderBuyer.tender_id == Tender.id)
            .where(TenderBuyer.organisation_id == org),
        ]
    if role == "evaluator":
        return [lambda *cols: select(*cols).join(PanelMember, PanelMember.tender_id == Tender.id)
                .where(PanelMember.user_id == bindparam("user_id"))]
    if role == "bureau":
        return [lambda *cols: select(*cols).join(Invitation, Invitation.tender_id == Tender.id)
                .where(Invitation.bureau_id == bindparam("bureau_id"), Invitation.status != "planned")]
    return []


def _union(selects):
    return selects[0] if len(selects) == 1 else union_all(*selects)


def first_visible_statement(role: str, conditions: tuple, order: tuple, limit: int):
    """The first `limit` tenders a user of `role` sees that meet `conditions`, in `order` (ORM rows;
    execute with the user as parameters, see `scope_params`). Per branch of the user's scope the first
    `limit` ids are read by index and cut, then merged: an OR across lead buyer and co-buyer would scan
    every tender (the officer's dashboard tasks did, 13 ms a query at 10,000 tenders). Build it once
    per caller (the statement is a constant)."""
    branches = _branches(role)
    firsts = [b(Tender.id).where(*conditions).order_by(*order).limit(limit).subquery() for b in branches]
    ids = _union([select(f.c.id) for f in firsts]) if firsts else select(Tender.id).where(False)
    return select(Tender).where(Tender.id.in_(ids)).order_by(*order).limit(limit)


def scope_params(user) -> dict:
    return {"organisation_id": user.organisation_id, "user_id": user.id, "bureau_id": user.bureau_id}


@lru_cache(maxsize=None)
def _dashboard_statements(role: str, limit: int):
    """The dashboard's three statements for a role, built once (building them costs more than
    running them)."""
    branches = _branches(role)
    if not branches:
        return None
    counts = _union([b(Tender.state, func.count()).group_by(Tender.state) for b in branches])
    # The soonest deadlines: per branch and deadline column the first DEADLINES_SHOWN + 1 in the window,
    # read in order from an index (lead buyer, column); merged and cut. The extra row says "there is more".
    start, end = bindparam("start", type_=UTCDateTime), bindparam("end", type_=UTCDateTime)
    firsts = [
        b(Tender.id, Tender.title, getattr(Tender, col).label("moment"), literal(col).label("kind"))
        .where(Tender.state.in_(ACTIVE_STATES), getattr(Tender, col).between(start, end))
        .order_by(getattr(Tender, col), Tender.id).limit(DEADLINES_SHOWN + 1).subquery()
        for b in branches for col in DEADLINE_LABELS
    ]
    moments = _union([select(f) for f in firsts]).subquery()
    deadlines = select(moments).order_by(moments.c.moment, moments.c.id).limit(DEADLINES_SHOWN + 1)
    # Per branch the newest `limit` by index, then merged.
    recent = [b(Tender.id, Tender.title, Tender.reference, Tender.state, Tender.updated_at,
                Tender.lead_organisation_id).order_by(Tender.updated_at.desc()).limit(limit).subquery()
              for b in branches]
    merged = _union([select(r) for r in recent]).subquery()
    newest = select(merged.c.id, merged.c.title, merged.c.reference, merged.c.state,
                    Organisation.name.label("lead_name")) \
        .join(Organisation, Organisation.id == merged.c.lead_organisation_id) \
        .order_by(merged.c.updated_at.desc(), merged.c.id.desc()).limit(limit)
    return counts, deadlines, newest


def load_dashboard(session: Session, user, horizon_days: int = 14, limit: int = 50) -> Dashboard:
    """Three queries, each bounded by what is shown (or, for counts per state, an index-only count of
    the user's own tenders), never by all tenders: counts per state, the soonest deadlines, and the
    last changed tenders."""
    statements = _dashboard_statements(user.role, limit)
    if statements is None:
        return Dashboard({}, [], [], 0)
    counts, deadlines, newest = statements
    who = {"organisation_id": user.organisation_id, "user_id": user.id, "bureau_id": user.bureau_id}
    per_state: dict[str, int] = {}
    for state, n in session.execute(counts, who):
        per_state[state] = per_state.get(state, 0) + n
    rows = session.execute(deadlines, {**who, "start": now(), "end": now() + timedelta(days=horizon_days)}).all()
    tenders = session.execute(newest, who).all()
    return Dashboard(per_state=per_state,
                     deadlines=[(r.moment, DEADLINE_LABELS[r.kind], r) for r in rows[:DEADLINES_SHOWN]],
                     tenders=[(t, t.lead_name) for t in tenders], total=sum(per_state.values()),
                     more_deadlines=len(rows) > DEADLINES_SHOWN)


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
