"""Administration of organisations, bureaus and accounts (role: admin)."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import views  # noqa: E402,F401
