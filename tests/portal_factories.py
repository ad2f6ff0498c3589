"""Test helpers for the portal: tenders in the invitation and submission stages, bureau contacts
with passwords, vision input and small real documents (PDF, DOCX, ODT).

    tender, officer = invited(make, session)          # invitations sent (mail queued)
    bureau = contacts(session, tender)[0]              # the contact users, passwords set
    open_submission(session, officer, tender)
    submit(session, bureau, tender)                    # version 1, submitted now
"""
from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from sqlmodel import select

from app import clock
from app.auth.passwords import hash_password
from app.models import Bureau, Invitation, Lot, User
from app.portal import submissions
from app.tenders import operations
from tests.factories import PASSWORD

SECTIONS = {
    "view": "Leiderschap dat de stad in gaat.",
    "co_creation": "We ontwerpen elke bijeenkomst samen met de gemeente.",
    "personal_level": "Reflectie op eigen gedrag in de praktijk.",
    "experience": "Almere, Zwolle, Utrecht.",
    "team": "Drie begeleiders.",
}


def invited(make, session, officer=None, **kw):
    """A tender whose invitations went out; returns (tender, officer)."""
    officer = officer or make.officer()
    tender = make.tender(officer, **kw)
    operations.fire(session, officer, tender, "open_invitation")
    session.commit()
    return tender, officer


def contacts(session, tender, password: str | None = PASSWORD) -> list[User]:
    """The contact users of the invited bureaus (by bureau name), with a password set."""
    users = session.exec(select(User).join(Bureau, Bureau.id == User.bureau_id)
                         .join(Invitation, Invitation.bureau_id == Bureau.id)
                         .where(Invitation.tender_id == tender.id).order_by(Bureau.name)).all()
    if password:
        for u in users:
            if u.password_hash is None:
                u.password_hash = hash_password(password)
        session.commit()
    return list(users)


def open_submission(session, officer, tender):
    operations.fire(session, officer, tender, "open_submission")
    session.commit()
    return tender


def vision_input(session, tender, lots: int = 1, **sections) -> submissions.VisionInput:
    lot_ids = session.exec(select(Lot.id).where(Lot.tender_id == tender.id).order_by(Lot.position)).all()[:lots]
    return submissions.VisionInput(sections={**SECTIONS, **sections},
                                   lots={lot_id: f"Aanpak voor laag {lot_id}" for lot_id in lot_ids})


def submit(session, user, tender, upload=None, **sections):
    version = submissions.submit(session, user, tender, vision_input(session, tender, **sections), upload, clock.now())
    session.commit()
    return version


def past_deadline(tender, seconds: int = 1):
    clock.freeze(tender.vision_deadline + timedelta(seconds=seconds))


def pdf_bytes(text: str = "visie") -> bytes:
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text.encode() + b"\ntrailer << >>\n%%EOF\n")


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def odt_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()
