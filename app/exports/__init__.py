"""Exports for officers (CSV and XLSX, streamed): invitations and the audit trail of a tender; other
areas register theirs in `app.exports.registry`."""
from flask import Blueprint

bp = Blueprint("exports", __name__)

from app.exports import tender_exports, views  # noqa: E402,F401
