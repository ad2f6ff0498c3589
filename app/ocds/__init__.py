"""Open data: the OCDS 1.1 publication of tenders that have left `draft` (public, no login), and
`flask --app app ocds export`."""
from flask import Blueprint

bp = Blueprint("ocds", __name__, cli_group="ocds")

from app.ocds import cli, views  # noqa: E402,F401
