"""Small helpers shared by the views: running an operation, safe redirects, refusal notices, status codes."""
from __future__ import annotations

from typing import Callable, Optional, TypeVar
from urllib.parse import urlsplit

from flask import flash, request
from flask_babel import gettext as _
from sqlmodel import Session
from werkzeug.routing import IntegerConverter

from app import db
from app.files import StorageError
from workflows import Refused

T = TypeVar("T")

# Row ids are 32-bit integers in PostgreSQL; a larger number in a URL or form is simply not found.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` in every route, bounded so an absurd id answers 404 instead of overflowing the database."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

# Status codes for a form re-rendered with messages.
INVALID = 422  # the input did not validate
CONFLICT = 409  # refused by a rule, or someone else acted first


# A refusal shown on a re-rendered page: bad input is 422, a rule or a race 409, a failed file store 503.
STORAGE_FAILED = 503


def refusal_status(refusal: Refused) -> int:
    return {"invalid": INVALID, "storage": STORAGE_FAILED}.get(refusal.kind, CONFLICT)


def attempt(op: Callable[[Session], T]) -> tuple[Optional[T], Optional[Refused]]:
    """Run one operation in the request's transaction: `(result, None)` committed, or `(None, refusal)`
    rolled back. The view shows the refusal (flash or form) with its status; nothing is committed then.

    An attachment that cannot be written is a refusal too (kind "storage", shown as 503), with nothing
    saved."""
    session = db.session()
    try:
        result = op(session)
        session.commit()
        return result, None
    except Refused as refusal:
        session.rollback()
        return None, refusal
    except StorageError:
        session.rollback()
        return None, Refused([_("Your attachments could not be stored; nothing was saved. Try again later.")],
                             kind="storage")


def safe_next(default: str) -> str:
    """Only follow `next` to a path on this site (no scheme, no host, no protocol-relative URL)."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc \
            and "\\" not in target:
        return target
    return default


def flash_refusal(refusal) -> None:
    for reason in refusal.reasons:
        flash(reason, "error")


def form_status(form) -> int:
    return INVALID if form.errors else 200
