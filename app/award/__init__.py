"""Selection per lot, the award decision with its letters, the standstill, objections, the award."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.audit import labels

bp = Blueprint("award", __name__)

labels.register({
    "selection.saved": _l("Selection saved"),
    "contract_terms.saved": _l("Contract terms saved"),
    "objection.lodged": _l("Objection lodged"),
    "objection.rejected": _l("Objection rejected"),
    "objection.upheld": _l("Objection upheld"),
}, {
    "selection.": _l("Selection"),
    "contract_terms.": _l("Contract terms"),
    "objection.": _l("Objections"),
})

from app.award import jobs, ocds, tasks, views  # noqa: E402,F401
