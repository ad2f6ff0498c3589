"""Vision submission: a working draft, immutable submitted versions, the deadline on server
receipt time, withdrawal. Reading a vision lives in `vision_reading`, the opening record when the
tender leaves `vision_submission` in `opening`; both are re-exported here.

Sealed until the deadline: nothing here hands a vision to anyone but its own bureau; officers and
the panel read visions only through `readable_vision()` once an opening record exists. Audit events
and e-mail about a vision carry its version number, time and content hash, never its content.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, select

from app import audit, files, mail
from app.audit import Actor
from app.clock import now
from app.i18n import format_local
from app.models import Attachment, Bureau, Invitation, Lot, Tender, User, Vision, VisionLot, VisionVersion
from app.models.submissions import VISION_SECTIONS
from app.portal.invitations import ACTIVE, own_invitation
from app.portal.links import external_url
from app.portal.opening import opening_entries, readable_vision, record_opening, valid_visions  # noqa: F401
from app.portal.vision_reading import (  # noqa: F401  (re-exported: callers import them from here)
    OWNER, SEALED_STATES, attachments_of, content_hash, draft_of, lots_of, opening_of, submitted_of, unsealed,
    versions_of, vision_of,
)
from app.tenders.operations import lock
from workflows import Refused

SECTION_LABELS = {
    "view": _l("Your view: the leadership development needed to reach these goals"),
    "co_creation": _l("How you will co-create the programme with the municipality"),
    "personal_level": _l("The personal level: how participants develop themselves"),
    "experience": _l("Relevant experience and references"),
    "team": _l("The team"),
}


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
            files.duplicate(session, a, owner_type=OWNER, owner_id=draft.id, user_id=user.id)
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
