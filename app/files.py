"""Storing uploads safely: size limit, type sniffed from the content, generated names outside
static/, and a SHA-256 for the record. Served only as attachments (see `send`)."""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import secrets
from pathlib import Path

import filetype
from flask import current_app, send_file
from flask_babel import gettext as _
from sqlalchemy import event
from sqlmodel import Session

from app.models import Attachment
from workflows import Refused

# What bureaus may upload: PDF, Word (DOCX) and OpenDocument text (ODT), recognised by content.
DOCUMENT_TYPES = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.text": "odt",
}


log = logging.getLogger(__name__)


class StorageError(Exception):
    """The file could not be written (disk full, storage unavailable)."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.errno = code


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def sniff(data: bytes) -> str | None:
    kind = filetype.guess(data[:8192] if len(data) > 8192 else data)
    return kind.mime if kind and kind.mime in DOCUMENT_TYPES else None


def store(session: Session, *, data: bytes, filename: str, tender_id: int, owner_type: str, owner_id: int,
          user_id: int | None, max_bytes: int | None = None) -> Attachment:
    """Check and store one file; refuse (Refused) a wrong type or size, raise StorageError on I/O failure.

    The row is flushed in the caller's transaction, and the file goes with it: when the transaction
    ends without a commit (a refusal, a storage failure later in the same request), the files it
    wrote are removed again (see `_remember`)."""
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
    _remember(session, stored_name)
    attachment = Attachment(tender_id=tender_id, owner_type=owner_type, owner_id=owner_id, filename=name,
                            stored_name=stored_name, content_type=content_type, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=user_id)
    session.add(attachment)
    session.flush()
    return attachment


def duplicate(session: Session, source: Attachment, *, owner_type: str, owner_id: int,
              user_id: int | None) -> Attachment:
    """The same file for another owner (a new draft carries the files of the version it copies).

    A hard link, not a copy of the bytes: stored files are never changed or deleted, so sharing the
    data is safe, and a full disk does not stop a bureau from revising its texts. Where links are not
    possible (another file system, no support) the bytes are copied."""
    stored_name = f"{secrets.token_hex(16)}{Path(source.stored_name).suffix}"
    directory = upload_dir()
    try:
        os.link(directory / source.stored_name, directory / stored_name)
    except OSError as e:
        if e.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
            _fail(e, "link")
        try:
            data = (directory / source.stored_name).read_bytes()
        except OSError as read_error:
            _fail(read_error, "read")
        _write(stored_name, data)
    _remember(session, stored_name)
    attachment = Attachment(tender_id=source.tender_id, owner_type=owner_type, owner_id=owner_id,
                            filename=source.filename, stored_name=stored_name, content_type=source.content_type,
                            size=source.size, sha256=source.sha256, uploaded_by_id=user_id)
    session.add(attachment)
    session.flush()
    return attachment


_NEW_FILES = "samenspel.new_files"


def _remember(session: Session, stored_name: str) -> None:
    """Tie a file just written to the session's transaction: kept on commit, removed otherwise, so a
    rolled-back request leaves no file behind that no row refers to."""
    new = session.info.get(_NEW_FILES)
    if new is None:
        new = session.info[_NEW_FILES] = []
        event.listen(session, "after_commit", _kept)
        event.listen(session, "after_transaction_end", _discard_unkept)
    new.append(upload_dir() / stored_name)


def _kept(session) -> None:
    session.info[_NEW_FILES].clear()  # committed: the files belong to their rows now


def _discard_unkept(session, transaction) -> None:
    if transaction.parent is not None or transaction.nested:
        return  # only the outermost transaction decides
    for path in session.info[_NEW_FILES]:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            log.warning("upload storage: could not remove %s after a rollback", path)
    session.info[_NEW_FILES].clear()


def _write(stored_name: str, data: bytes) -> None:
    """Write under a temporary name, then rename: a reader never sees half a file, and a failed
    write (disk full, read-only storage) leaves nothing behind."""
    directory = upload_dir()
    tmp = directory / f".{stored_name}.part"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, directory / stored_name)
    except OSError as e:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass  # the storage is gone altogether: there is nothing we could clean up
        _fail(e, "write")


def _fail(error: OSError, action: str):
    # The operators must hear of it: to the bureau it is only "try again later".
    log.error("upload storage: %s failed in %s: %s", action, upload_dir(), error)
    raise StorageError(str(error), error.errno) from error


def path_of(attachment: Attachment) -> Path:
    return upload_dir() / attachment.stored_name


def send(attachment: Attachment):
    """A download response: always as attachment, with the sniffed type and nosniff."""
    response = send_file(path_of(attachment), mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
