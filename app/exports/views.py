"""Downloading an export of a tender: officers of its buyers only; others get 404."""
from __future__ import annotations

from flask import Response, abort, send_file
from flask_login import current_user
from sqlmodel import Session

from app import db
from app.authz import roles_required, tender_or_404
from app.exports import bp, registry, writers

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.route("/tenders/<int:tender_id>/exports/<name>.<fmt>")
@roles_required("officer", "evaluator")
def download(tender_id: int, name: str, fmt: str):
    tender = tender_or_404(tender_id)
    export = registry.get(name)
    if export is None or fmt not in export.formats or export not in registry.for_tender(tender, current_user):
        abort(404)
    filename = f"{tender.reference}-{export.name}.{fmt}"
    if fmt == "csv":
        # The rows are read while the response is sent, after this request's session is gone:
        # on a session of their own, closed when the stream ends (or the client goes away).
        stream_session = Session(db.engine())
        chunks = writers.csv_chunks(export.columns, export.rows(stream_session, tender))
        response = Response(_closing(chunks, stream_session), mimetype=MIMETYPES["csv"])
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    fp = writers.xlsx_file(str(export.label), export.columns, export.rows(db.session(), tender))
    return send_file(fp, mimetype=MIMETYPES["xlsx"], as_attachment=True, download_name=filename, max_age=0)


def _closing(chunks, session):
    try:
        yield from chunks
    finally:
        session.close()
