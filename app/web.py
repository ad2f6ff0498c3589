"""Small helpers shared by the views: safe redirects, refusal notices, status codes."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, request
from werkzeug.routing import IntegerConverter

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
