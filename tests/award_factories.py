"""Tenders ready for the selection: invitations sent and accepted, submitted visions for the lots,
agreed (consensus) scores for vision and pitch, then the state set to `selection`.

Built from the interface models directly (the portal and evaluation areas make these rows in the
app); the draft itself goes through the app's operations, so its audit chain stays valid.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import select

from app.clock import now
from app.models import Bureau, ConsensusScore, Criterion, Invitation, Lot, Tender, User, Vision, VisionLot, VisionVersion
from app.tenders import operations as tender_ops

# Default agreed score per bureau (index) on every criterion: a clear ranking 1, 2, 3, …
DEFAULT_SCORES = (8, 6, 4, 2, 10)


@dataclass
class Arranged:
    tender: Tender
    officer: User
    bureaus: list[Bureau]
    lots: list[Lot]
    criteria: list[Criterion]
    users: dict[int, User] = field(default_factory=dict)  # bureau_id → bureau user (when asked for)


def selection_tender(make, *, officer=None, bureaus: int = 3, lots: int = 2, max_winners: int = 1,
                     scores: dict[int, int] | None = None, applications: dict[int, list[int]] | None = None,
                     pitch_for: list[int] | None = None, bureau_users: bool = False, names: list[str] | None = None,
                     lot_titles: list[str] | None = None) -> Arranged:
    """`scores`: {bureau index: agreed score on every criterion}; `applications`: {bureau index: [lot indexes]}
    (default: every lot); `pitch_for`: bureau indexes with pitch scores (default: all)."""
    s = make.session
    officer = officer or make.officer()
    tender = make.tender(officer, bureaus=0, lots=0)
    tender_ops.update_fields(s, officer, tender, {"max_winners_per_lot": max_winners}, None)
    titles = lot_titles or [f"Laag {i + 1}" for i in range(lots)]
    for title in titles:
        tender_ops.save_lot(s, officer, tender, {"title": title, "description": ""}, None)
    made = [make.bureau(names[i] if names else None) for i in range(bureaus)]
    for bureau in made:
        tender_ops.add_invitee(s, officer, tender, bureau, None)
    s.commit()
    lot_rows = s.exec(select(Lot).where(Lot.tender_id == tender.id).order_by(Lot.position, Lot.id)).all()
    criteria = s.exec(select(Criterion).where(Criterion.tender_id == tender.id)
                      .order_by(Criterion.stage, Criterion.position)).all()
    sent = now() - timedelta(days=40)
    for inv in s.exec(select(Invitation).where(Invitation.tender_id == tender.id)):
        inv.status, inv.sent_at, inv.send_count, inv.responded_at = "accepted", sent, 1, sent + timedelta(days=1)
    scores = scores or {}
    pitch_for = list(range(bureaus)) if pitch_for is None else pitch_for
    for i, bureau in enumerate(made):
        applied = applications.get(i, []) if applications is not None else list(range(len(lot_rows)))
        vision = Vision(tender_id=tender.id, bureau_id=bureau.id, status="submitted", submitted_version=1,
                        submitted_at=sent + timedelta(days=15))
        s.add(vision)
        s.flush()
        version = VisionVersion(vision_id=vision.id, number=1, view=f"Visie van {bureau.name}",
                                submitted_at=vision.submitted_at, content_hash="0" * 64)
        s.add(version)
        s.flush()
        for li in applied:
            s.add(VisionLot(version_id=version.id, lot_id=lot_rows[li].id, approach="Onze aanpak"))
        value = scores.get(i, DEFAULT_SCORES[i % len(DEFAULT_SCORES)])
        for c in criteria:
            if c.stage == "pitch" and i not in pitch_for:
                continue
            s.add(ConsensusScore(tender_id=tender.id, stage=c.stage, bureau_id=bureau.id, criterion_id=c.id,
                                 value=value, note=f"Toelichting {c.title} voor {bureau.name}: één € notitie",
                                 decided_by_id=officer.id))
    tender = s.get(Tender, tender.id)
    tender.state = "selection"
    s.commit()
    arranged = Arranged(tender=tender, officer=officer, bureaus=made, lots=list(lot_rows), criteria=list(criteria))
    if bureau_users:
        arranged.users = {b.id: make.bureau_user(b) for b in made}
    return arranged


def selection_form(lot: Lot, version: int, choices: list[tuple[Bureau, bool, str]]) -> dict:
    """POST data for the selection of one lot: [(bureau, selected, motivation)]."""
    data = {f"lot{lot.id}-version": str(version)}
    for i, (bureau, selected, motivation) in enumerate(choices):
        data[f"lot{lot.id}-bureaus-{i}-bureau_id"] = str(bureau.id)
        data[f"lot{lot.id}-bureaus-{i}-motivation"] = motivation
        if selected:
            data[f"lot{lot.id}-bureaus-{i}-selected"] = "y"
    return data


def decide_all(session, arranged: Arranged, winners: dict[int, list[int]] | None = None) -> None:
    """Record a complete selection directly (operations, not pages): lot index → winning bureau indexes
    (default: the first bureau wins every lot)."""
    from app.award.operations import save_lot_selection
    winners = winners or {li: [0] for li in range(len(arranged.lots))}
    from app.award.queries import load_selection
    data = load_selection(session, arranged.tender)
    for li, lot in enumerate(arranged.lots):
        lv = data.lot(lot.id)
        if not lv.rows:
            continue
        chosen = {arranged.bureaus[i].id for i in winners.get(li, [])}
        choices = {b: (b in chosen, f"Motivering voor {data.bureaus[b].name} in {lot.title}") for b in lv.applicants}
        save_lot_selection(session, arranged.officer, arranged.tender, lot.id, choices, None)
    session.commit()
