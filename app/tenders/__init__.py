"""The officer's side of a tender: dashboard, draft editing, the tender page, its audit trail."""
from flask import Blueprint

bp = Blueprint("tenders", __name__)

from app.tenders import draft_views, tasks, views  # noqa: E402,F401
