"""Exports for officers (CSV and XLSX, streamed): invitations and the audit trail of a tender; other
areas register theirs in `app.exports.registry`. The PDF reports (app/reports) hang on this blueprint."""
from flask import Blueprint

bp = Blueprint("exports", __name__)

from app.exports import tender_exports, views  # noqa: E402,F401
from app.reports import views as report_views  # noqa: E402,F401
