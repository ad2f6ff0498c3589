"""Reading a bureau's vision: its versions, their lots and files, the opening record, the content hash.

Split from app/portal/submissions.py (which re-exports these names); no access checks here: callers
decide who may read what (`unsealed()` says when officers and the panel may).
"""
from __future__ import annotations

import hashlib
from typing import Optional

from sqlmodel import Session, select

from app.audit import canonical_json
from app.models import Attachment, OpeningRecord, Tender, Vision, VisionLot, VisionVersion
from app.models.submissions import VISION_SECTIONS

OWNER = "vision_version"  # Attachment.owner_type of a vision version's files
SEALED_STATES = ("draft", "invitation", "vision_submission")


def vision_of(session: Session, tender_id: int, bureau_id: int, lock_row: bool = False) -> Optional[Vision]:
    stmt = select(Vision).where(Vision.tender_id == tender_id, Vision.bureau_id == bureau_id)
    if lock_row:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.exec(stmt).first()


def versions_of(session: Session, vision: Optional[Vision]) -> list[VisionVersion]:
    if vision is None or vision.id is None:
        return []
    return list(session.exec(select(VisionVersion).where(VisionVersion.vision_id == vision.id)
                             .order_by(VisionVersion.number)))


def draft_of(versions: list[VisionVersion]) -> Optional[VisionVersion]:
    return next((v for v in versions if v.submitted_at is None), None)


def submitted_of(vision: Optional[Vision], versions: list[VisionVersion]) -> Optional[VisionVersion]:
    if vision is None or vision.submitted_version is None:
        return None
    return next((v for v in versions if v.number == vision.submitted_version), None)


def lots_of(session: Session, version_ids: list[int]) -> dict[int, list[VisionLot]]:
    out: dict[int, list[VisionLot]] = {v: [] for v in version_ids}
    if version_ids:
        for vl in session.exec(select(VisionLot).where(VisionLot.version_id.in_(version_ids)).order_by(VisionLot.id)):
            out[vl.version_id].append(vl)
    return out


def attachments_of(session: Session, version_ids: list[int]) -> dict[int, list[Attachment]]:
    out: dict[int, list[Attachment]] = {v: [] for v in version_ids}
    if version_ids:
        for a in session.exec(select(Attachment).where(Attachment.owner_type == OWNER,
                                                       Attachment.owner_id.in_(version_ids)).order_by(Attachment.id)):
            out[a.owner_id].append(a)
    return out


def opening_of(session: Session, tender_id: int) -> Optional[OpeningRecord]:
    return session.exec(select(OpeningRecord).where(OpeningRecord.tender_id == tender_id)).first()


def unsealed(session: Session, tender: Tender) -> bool:
    """Visions may be read by the officer and the panel: the opening record exists."""
    return tender.state not in SEALED_STATES and opening_of(session, tender.id) is not None


def content_hash(version: VisionVersion, lots: list[VisionLot], attachments: list[Attachment]) -> str:
    body = {
        "sections": {s: getattr(version, s) for s in VISION_SECTIONS},
        "lots": sorted(({"lot": vl.lot_id, "approach": vl.approach} for vl in lots), key=lambda x: x["lot"]),
        "attachments": [{"filename": a.filename, "sha256": a.sha256, "size": a.size} for a in attachments],
    }
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()
