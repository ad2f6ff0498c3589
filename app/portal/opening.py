"""The opening of the visions: the record fixed when the tender leaves `vision_submission`, and
reading a vision once it exists. Split from app/portal/submissions.py (which re-exports these names).
"""
from __future__ import annotations

import hashlib

from sqlalchemy import func
from sqlmodel import Session, select

from app import audit
from app.audit import canonical_json
from app.models import Bureau, Invitation, Lot, OpeningRecord, Tender, User, Vision, VisionLot, VisionVersion
from app.portal.vision_reading import attachments_of, unsealed


def opening_entries(session: Session, tender: Tender) -> list[dict]:
    """Per invited bureau: its submitted versions (number, when, by whom, hash, files) and which counts."""
    rows = session.exec(select(Invitation, Bureau).join(Bureau, Bureau.id == Invitation.bureau_id)
                        .where(Invitation.tender_id == tender.id, Invitation.status != "planned")
                        .order_by(Bureau.name)).all()
    visions = {v.bureau_id: v for v in session.exec(select(Vision).where(Vision.tender_id == tender.id))}
    versions = session.exec(select(VisionVersion).where(
        VisionVersion.vision_id.in_([v.id for v in visions.values()]), VisionVersion.submitted_at.is_not(None))
        .order_by(VisionVersion.number)).all() if visions else []
    files_by_version = attachments_of(session, [v.id for v in versions])
    submitters = {u.id: u.name for u in session.exec(select(User).where(
        User.id.in_({v.submitted_by_id for v in versions if v.submitted_by_id})))} if versions else {}
    entries = []
    for invitation, bureau in rows:
        vision = visions.get(bureau.id)
        own = [v for v in versions if vision is not None and v.vision_id == vision.id]
        entries.append({
            "bureau": bureau.name,
            "bureau_id": bureau.id,
            "invitation": invitation.status,
            "vision_id": vision.id if vision else None,
            "status": vision.status if vision and own else "none",
            "counts": vision.submitted_version if vision else None,
            "versions": [{
                "number": v.number, "submitted_at": v.submitted_at, "submitted_by": submitters.get(v.submitted_by_id),
                "content_hash": v.content_hash,
                "attachments": [{"filename": a.filename, "sha256": a.sha256, "size": a.size}
                                for a in files_by_version[v.id]],
            } for v in own],
        })
    return entries


def record_opening(ctx) -> None:
    """Effect of leaving `vision_submission` (close or unsuccessful): fix the opening record."""
    session, tender = ctx.session, ctx.obj
    entries = opening_entries(session, tender)
    text = canonical_json(entries)
    record = OpeningRecord(tender_id=tender.id, opened_by_id=ctx.actor.id, opened_by_name=ctx.actor.name,
                           outcome=tender.state, entries=text,
                           record_hash=hashlib.sha256(text.encode()).hexdigest())
    session.add(record)
    session.flush()
    valid = sum(1 for e in entries if e["status"] == "submitted")
    audit.record(session, actor=ctx.actor, action="opening.recorded", object_type="opening_record",
                 object_id=record.id, tender_id=tender.id,
                 changes={"valid_visions": [None, valid], "entries": [None, entries],
                          "record_hash": [None, record.record_hash]})


def valid_visions(session: Session, tender_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Vision).where(
        Vision.tender_id == tender_id, Vision.status == "submitted"))


def readable_vision(session: Session, tender: Tender, vision_id: int):
    """(vision, bureau, the version that counts, its lots with titles, its attachments) once the visions
    are opened; None before that, or for a vision that was never validly submitted."""
    if not unsealed(session, tender):
        return None
    vision = session.exec(select(Vision).where(Vision.id == vision_id, Vision.tender_id == tender.id)).first()
    if vision is None or vision.submitted_version is None:
        return None
    version = session.exec(select(VisionVersion).where(VisionVersion.vision_id == vision.id,
                                                       VisionVersion.number == vision.submitted_version)).one()
    lots = session.exec(select(VisionLot, Lot).join(Lot, Lot.id == VisionLot.lot_id)
                        .where(VisionLot.version_id == version.id).order_by(Lot.position, Lot.id)).all()
    return vision, session.get(Bureau, vision.bureau_id), version, list(lots), \
        attachments_of(session, [version.id])[version.id]
