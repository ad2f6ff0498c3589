"""Storing uploads safely: size limit, type sniffed from the content, generated names outside
static/, and a SHA-256 for the record. Served only as attachments (see `send`)."""
from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import filetype
from flask import current_app, send_file
from flask_babel import gettext as _
from sqlmodel import Session

from app.models import Attachment
from workflows import Refused

# What bureaus may upload: PDF, Word (DOCX) and OpenDocument text (ODT), recognised by content.
DOCUMENT_TYPES = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.text": "odt",
}


class StorageError(Exception):
    """The file could not be written (disk full, storage unavailable)."""


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def sniff(data: bytes) -> str | None:
    kind = filetype.guess(data[:8192] if len(data) > 8192 else data)
    return kind.mime if kind and kind.mime in DOCUMENT_TYPES else None


def store(session: Session, *, data: bytes, filename: str, tender_id: int, owner_type: str, owner_id: int,
          user_id: int | None, max_bytes: int | None = None) -> Attachment:
    """Check and store one file; refuse (Refused) a wrong type or size, raise StorageError on I/O failure.

    The row is flushed in the caller's transaction; if it rolls back, the orphan file on disk is
    harmless: it is never referenced."""
    limit = max_bytes or current_app.config["MAX_CONTENT_LENGTH"]
    name = os.path.basename(filename or "").strip()[:255] or "bestand"
    if not data:
        raise Refused([_("The file “%(name)s” is empty.", name=name)], kind="invalid")
    if len(data) > limit:
        raise Refused([_("The file “%(name)s” is larger than %(mb)d MB.", name=name, mb=limit // (1024 * 1024))],
                      kind="invalid")
    content_type = sniff(data)
    if content_type is None:
        raise Refused([_("The file “%(name)s” is not a PDF, DOCX or ODT document (judged by its content, not its "
                         "name).", name=name)], kind="invalid")
    stored_name = f"{secrets.token_hex(16)}.{DOCUMENT_TYPES[content_type]}"
    _write(stored_name, data)
    attachment = Attachment(tender_id=tender_id, owner_type=owner_type, owner_id=owner_id, filename=name,
                            stored_name=stored_name, content_type=content_type, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=user_id)
    session.add(attachment)
    session.flush()
    return attachment


def _write(stored_name: str, data: bytes) -> None:
    directory = upload_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{stored_name}.part"
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, directory / stored_name)
    except OSError as e:
        raise StorageError(str(e)) from e


def path_of(attachment: Attachment) -> Path:
    return upload_dir() / attachment.stored_name


def send(attachment: Attachment):
    """A download response: always as attachment, with the sniffed type and nosniff."""
    response = send_file(path_of(attachment), mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
