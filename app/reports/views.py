"""Downloading a PDF report: officers of the buying organisations only. Everyone else, unknown objects
and reports that do not exist yet in the tender's (or evaluation's) stage answer 404."""
from __future__ import annotations

from flask import Response, abort
from flask_login import current_user

from app import db
from app.authz import roles_required, tender_or_404
from app.exports import bp, registry
from app.programmes.access import programme_or_404
from app.reports import evaluation, opening, programme  # noqa: F401 (registers the tender reports)
from app.reports.opening import ENDPOINT


def _pdf(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/tenders/<int:tender_id>/reports/<name>.<fmt>", endpoint=ENDPOINT.split(".", 1)[1])
@roles_required("officer")
def tender_report(tender_id: int, name: str, fmt: str):
    tender = tender_or_404(tender_id)
    report = registry.get(name, ENDPOINT)
    if report is None or fmt not in report.formats or report not in registry.for_tender(tender, current_user):
        abort(404)
    data = report.document(db.session(), tender)
    if data is None:
        abort(404)
    return _pdf(data, f"{tender.reference}-{name}.pdf")


@bp.route("/programmes/<int:programme_id>/evaluations/<int:number>/report.pdf")
@roles_required("officer")
def programme_report(programme_id: int, number: int):
    session = db.session()
    item = programme_or_404(programme_id)
    data = programme.render(session, item, number)
    if data is None:
        abort(404)
    return _pdf(data, f"programme-{item.id}-evaluation-{number}.pdf")
