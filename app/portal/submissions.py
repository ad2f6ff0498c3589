"""Vision submission: a working draft, immutable submitted versions, the deadline on server
receipt time, withdrawal, and the opening record when the tender leaves `vision_submission`.

Sealed until the deadline: nothing here hands a vision to anyone but its own bureau; officers and
the panel read visions only through `readable_vision()` once an opening record exists. Audit events
and e-mail about a vision carry its version number, time and content hash, never its content.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, select

from app import audit, files, mail
from app.audit import Actor, canonical_json
from app.clock import now
from app.i18n import format_local
from app.models import (
    Attachment, Bureau, Invitation, Lot, OpeningRecord, Tender, User, Vision, VisionLot, VisionVersion,
)
from app.models.submissions import VISION_SECTIONS
from app.portal.invitations import ACTIVE, own_invitation
from app.portal.links import external_url
from app.tenders.operations import lock
from workflows import Refused

OWNER = "vision_version"
SECTION_LABELS = {
    "view": _l("Your view: the leadership development needed to reach these goals"),
    "co_creation": _l("How you will co-create the programme with the municipality"),
    "personal_level": _l("The personal level: how participants develop themselves"),
    "experience": _l("Relevant experience and references"),
    "team": _l("The team"),
}
SEALED_STATES = ("draft", "invitation", "vision_submission")


@dataclass
class VisionInput:
    sections: dict[str, str] = field(default_factory=dict)
    lots: dict[int, str] = field(default_factory=dict)  # lot id → approach, for the lots applied for


@dataclass
class Upload:
    data: bytes
    filename: str


def max_attachments() -> int:
    return current_app.config.get("VISION_MAX_ATTACHMENTS", 10)


def attachment_limit() -> int:
    return current_app.config.get("VISION_ATTACHMENT_MB", 10) * 1024 * 1024


def deadline_text(tender: Tender) -> str:
    return format_local(tender.vision_deadline, "long")


def editable(tender: Tender, invitation: Optional[Invitation], at: Optional[datetime] = None) -> Optional[str]:
    """None while this bureau may work on its vision, else why not."""
    if invitation is None or invitation.status not in ACTIVE:
        return _("Only invited bureaus that have not declined can submit a vision.")
    if tender.state not in ("invitation", "vision_submission"):
        return _("Vision submission has closed; the deadline was %(deadline)s.", deadline=deadline_text(tender))
    if tender.vision_deadline is not None and (at or now()) >= tender.vision_deadline:
        return _("The deadline for visions has passed: %(deadline)s (Amsterdam time).", deadline=deadline_text(tender))
    return None


# --- reading ---------------------------------------------------------------------------------------

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


# --- writing -----------------------------------------------------------------------------------------

def _lock(session: Session, user: User, tender: Tender) -> tuple[Tender, Optional[Invitation], Optional[Vision]]:
    tender = lock(session, tender.id)
    invitation = own_invitation(session, tender.id, user.bureau_id, lock_rows=True)
    return tender, invitation, vision_of(session, tender.id, user.bureau_id, lock_row=True)


def _copy(session: Session, user: User, tender: Tender, vision: Vision, source: Optional[VisionVersion],
          number: int) -> VisionVersion:
    """A new working draft: empty, or a copy of the version that counts (text, lots, files)."""
    draft = VisionVersion(vision_id=vision.id, number=number)
    if source is not None:
        for s in VISION_SECTIONS:
            setattr(draft, s, getattr(source, s))
    session.add(draft)
    session.flush()
    if source is not None:
        for vl in lots_of(session, [source.id])[source.id]:
            session.add(VisionLot(version_id=draft.id, lot_id=vl.lot_id, approach=vl.approach))
        for a in attachments_of(session, [source.id])[source.id]:
            files.store(session, data=files.path_of(a).read_bytes(), filename=a.filename, tender_id=tender.id,
                        owner_type=OWNER, owner_id=draft.id, user_id=user.id, max_bytes=max(a.size, 1))
        session.flush()
    return draft


def _working_draft(session: Session, user: User, tender: Tender, vision: Optional[Vision]) -> tuple[Vision, VisionVersion]:
    if vision is None:
        vision = Vision(tender_id=tender.id, bureau_id=user.bureau_id)
        session.add(vision)
        session.flush()
    versions = versions_of(session, vision)
    draft = draft_of(versions)
    if draft is None:
        number = (versions[-1].number + 1) if versions else 1
        source = submitted_of(vision, versions) or (versions[-1] if versions else None)
        draft = _copy(session, user, tender, vision, source, number)
    return vision, draft


def _apply(session: Session, tender: Tender, draft: VisionVersion, data: VisionInput) -> None:
    valid = set(session.exec(select(Lot.id).where(Lot.tender_id == tender.id)).all())
    unknown = set(data.lots) - valid
    if unknown:
        raise Refused([_("Choose lots of this tender only.")], kind="invalid")
    for s in VISION_SECTIONS:
        setattr(draft, s, (data.sections.get(s) or "").strip())
    for old in session.exec(select(VisionLot).where(VisionLot.version_id == draft.id)):
        session.delete(old)
    session.flush()
    for lot_id, approach in sorted(data.lots.items()):
        session.add(VisionLot(version_id=draft.id, lot_id=lot_id, approach=(approach or "").strip()))
    session.flush()


def _attach(session: Session, user: User, tender: Tender, draft: VisionVersion, upload: Upload) -> Attachment:
    count = session.scalar(select(func.count()).select_from(Attachment).where(
        Attachment.owner_type == OWNER, Attachment.owner_id == draft.id))
    if count >= max_attachments():
        raise Refused([_("A vision can have at most %(n)d attachments; remove one first.", n=max_attachments())],
                      kind="invalid")
    return files.store(session, data=upload.data, filename=upload.filename, tender_id=tender.id, owner_type=OWNER,
                       owner_id=draft.id, user_id=user.id, max_bytes=attachment_limit())


def _unchanged(session: Session, vision: Optional[Vision], data: VisionInput) -> bool:
    """True when no draft exists and the input equals the version that counts (nothing to save)."""
    versions = versions_of(session, vision)
    current = submitted_of(vision, versions)
    if current is None or draft_of(versions) is not None:
        return False
    lots = {vl.lot_id: vl.approach for vl in lots_of(session, [current.id])[current.id]}
    return all((data.sections.get(s) or "").strip() == getattr(current, s) for s in VISION_SECTIONS) and \
        {k: (v or "").strip() for k, v in data.lots.items()} == lots


def save_draft(session: Session, user: User, tender: Tender, data: VisionInput, upload: Optional[Upload] = None,
               received_at: Optional[datetime] = None) -> Optional[VisionVersion]:
    """Keep the bureau's work as its draft (None when nothing changed since the version that counts)."""
    tender, invitation, vision = _lock(session, user, tender)
    closed = editable(tender, invitation, received_at)
    if closed:
        raise Refused([closed])
    if upload is None and _unchanged(session, vision, data):
        return None
    vision, draft = _working_draft(session, user, tender, vision)
    _apply(session, tender, draft, data)
    if upload is not None:
        _attach(session, user, tender, draft, upload)
    vision.updated_at = now()
    session.flush()
    return draft


def problems(draft: VisionVersion, lots: list[VisionLot]) -> list[str]:
    """What keeps a draft from being submitted."""
    found = [_("Fill in the section “%(section)s”.", section=SECTION_LABELS[s])
             for s in VISION_SECTIONS if not getattr(draft, s).strip()]
    if not lots:
        found.append(_("Choose at least one lot you apply for."))
    elif any(not vl.approach.strip() for vl in lots):
        found.append(_("Describe your approach for every lot you apply for."))
    return found


def submit(session: Session, user: User, tender: Tender, data: VisionInput, upload: Optional[Upload],
           received_at: datetime) -> VisionVersion:
    """Save the input and submit it as the next version. The deadline is judged on `received_at`, the
    server's receipt time of the request."""
    tender, invitation, vision = _lock(session, user, tender)
    if tender.state == "invitation":
        raise Refused([_("Vision submission has not opened yet. Save your vision as a draft; you can submit it once "
                         "the municipality opens the submission.")])
    closed = editable(tender, invitation, received_at)
    if closed:
        raise Refused([closed])
    vision, draft = _working_draft(session, user, tender, vision)
    _apply(session, tender, draft, data)
    if upload is not None:
        _attach(session, user, tender, draft, upload)
    lots = lots_of(session, [draft.id])[draft.id]
    attachments = attachments_of(session, [draft.id])[draft.id]
    found = problems(draft, lots)
    if found:
        raise Refused(found, kind="invalid")
    digest = content_hash(draft, lots, attachments)
    current = submitted_of(vision, versions_of(session, vision))
    if current is not None and current.content_hash == digest:
        raise Refused([_("This exact vision was already submitted as version %(n)d on %(when)s; nothing changed.",
                         n=current.number, when=format_local(current.submitted_at))])
    draft.submitted_at, draft.submitted_by_id, draft.content_hash = received_at, user.id, digest
    before = vision.status
    vision.status, vision.submitted_version, vision.submitted_at, vision.updated_at = \
        "submitted", draft.number, received_at, now()
    session.flush()
    actor = Actor.of(user)
    if invitation.status in ("sent", "opened"):  # submitting a vision accepts the invitation
        old = invitation.status
        invitation.status, invitation.responded_at = "accepted", received_at
        invitation.opened_at = invitation.opened_at or received_at
        session.flush()
        audit.record(session, actor=actor, action="invitation.accepted", object_type="invitation",
                     object_id=invitation.id, tender_id=tender.id, changes={"status": [old, "accepted"]})
    audit.record(session, actor=actor, action="vision.submitted", object_type="vision", object_id=vision.id,
                 tender_id=tender.id, changes={"version": [current.number if current else None, draft.number],
                                               "status": [before, "submitted"], "content_hash": [None, digest],
                                               "received_at": [None, received_at]})
    bureau = session.get(Bureau, user.bureau_id)
    subject, body = mail.render("receipt", locale=user.locale, tender=tender, bureau=bureau, version=draft,
                                attachments=attachments, deadline=tender.vision_deadline,
                                link=external_url("portal.vision", tender_id=tender.id))
    mail.queue(session, to=user.email, to_name=user.name, subject=subject, text=body, kind="receipt",
               tender_id=tender.id, dedupe_key=f"receipt:{draft.id}")
    return draft


def record_late_attempt(session: Session, user: User, tender: Tender, received_at: datetime) -> None:
    """A refused late submission is evidence too: who tried, and when the server received it."""
    audit.record(session, actor=Actor.of(user), action="vision.late_refused", object_type="tender",
                 object_id=tender.id, tender_id=tender.id,
                 changes={"received_at": [None, received_at], "deadline": [None, tender.vision_deadline]})


def withdraw(session: Session, user: User, tender: Tender, received_at: datetime) -> Vision:
    tender, invitation, vision = _lock(session, user, tender)
    closed = editable(tender, invitation, received_at)
    if closed:
        raise Refused([closed])
    if vision is None or vision.status != "submitted":
        raise Refused([_("There is no submitted vision to withdraw.")])
    number = vision.submitted_version
    vision.status, vision.submitted_version, vision.submitted_at, vision.updated_at = "withdrawn", None, None, now()
    session.flush()
    audit.record(session, actor=Actor.of(user), action="vision.withdrawn", object_type="vision", object_id=vision.id,
                 tender_id=tender.id, changes={"status": ["submitted", "withdrawn"], "version": [number, None]})
    return vision


def remove_attachment(session: Session, user: User, tender: Tender, attachment_id: int) -> None:
    tender, invitation, vision = _lock(session, user, tender)
    closed = editable(tender, invitation)
    if closed:
        raise Refused([closed])
    draft = draft_of(versions_of(session, vision))
    attachment = session.get(Attachment, attachment_id)
    if draft is None or attachment is None or attachment.owner_type != OWNER or attachment.owner_id != draft.id:
        raise Refused([_("Only attachments of your working draft can be removed; submitted versions stay as they "
                         "are.")], kind="invalid")
    session.delete(attachment)
    session.flush()


# --- the opening ---------------------------------------------------------------------------------------

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
