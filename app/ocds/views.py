"""Public, read-only: the packages of published tenders and a page listing them. No login."""
from __future__ import annotations

import json

from flask import Response, abort, render_template, request

from app import db
from app.ocds import bp, publication, queries

PAGE_SIZE = 50


def _json(data: dict, filename: str) -> Response:
    # No indent: with one, the json module falls back to its pure-Python encoder, which took most of
    # the record package's time (bench/RESULTS.md); compact, like `flask ocds export` writes.
    response = Response(json.dumps(data, ensure_ascii=False), mimetype="application/json")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


def _published_or_404(tender_id: int):
    tender = queries.published_tender(db.session(), tender_id)
    if tender is None:
        abort(404)
    return tender


@bp.route("/open-data/")
def index():
    page = request.args.get("page", 1, type=int)
    rows, total, page, pages = queries.published_page(db.session(), page, PAGE_SIZE)
    return render_template("ocds/index.html", rows=rows, total=total, page=page, pages=pages)


@bp.route("/open-data/tenders/<int:tender_id>/releases.json")
def releases(tender_id: int):
    tender = _published_or_404(tender_id)
    return _json(publication.tender_package(db.session(), tender, "releases"), f"{tender.reference}-releases.json")


@bp.route("/open-data/tenders/<int:tender_id>/records.json")
def records(tender_id: int):
    tender = _published_or_404(tender_id)
    return _json(publication.tender_package(db.session(), tender, "records"), f"{tender.reference}-records.json")
