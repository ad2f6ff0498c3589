"""Putting it together: the packages of one tender (for the public endpoints) and of all published
tenders (for `flask --app app ocds export`), streamed in batches so memory stays bounded."""
from __future__ import annotations

from typing import IO, Iterator, Optional

from flask import current_app
from sqlmodel import Session

from app.clock import now
from app.models import Tender
from app.ocds.common import Settings
from app.ocds.packages import compiled_record, package_head, write_package
from app.ocds.queries import load_facts, published_ids, published_tender
from app.ocds.releases import build_releases

RELEASES_PATH = "/open-data/tenders/{id}/releases.json"
RECORDS_PATH = "/open-data/tenders/{id}/records.json"
INDEX_PATH = "/open-data/"
KINDS = ("releases", "records")


def settings() -> Settings:
    return Settings.from_config(current_app.config)


def tender_package(session: Session, tender: Tender, kind: str) -> dict:
    """The release package or record package of one published tender."""
    cfg = settings()
    releases = build_releases(load_facts(session, [tender.id])[0], cfg)
    path = (RELEASES_PATH if kind == "releases" else RECORDS_PATH).format(id=tender.id)
    head = package_head(cfg, cfg.base_url + path, now())
    if kind == "releases":
        return {**head, "releases": releases}
    return {**head, "records": [compiled_record(releases)]}


def _items(session: Session, kind: str, tender_ids: Optional[list[int]], batch: int) -> Iterator[dict]:
    cfg = settings()
    batches = [tender_ids] if tender_ids is not None else published_ids(session, batch)
    for ids in batches:
        for facts in load_facts(session, ids):
            releases = build_releases(facts, cfg)
            if kind == "releases":
                yield from releases
            else:
                yield compiled_record(releases)
        session.expunge_all()  # this batch's rows are written out; let them go


def export(session: Session, fp: IO[str], kind: str = "releases", tender_id: Optional[int] = None,
           batch: int = 100) -> int:
    """Write the package of one published tender, or of all of them; returns how many tenders it
    holds. An unknown or unpublished tender raises LookupError."""
    cfg = settings()
    if tender_id is not None:
        tender = published_tender(session, tender_id)
        if tender is None:
            raise LookupError(tender_id)
        path = (RELEASES_PATH if kind == "releases" else RECORDS_PATH).format(id=tender_id)
        ids: Optional[list[int]] = [tender_id]
    else:
        path, ids = INDEX_PATH, None
    tenders = set()

    def counted(items):
        for item in items:
            tenders.add(item["ocid"])
            yield item

    write_package(fp, package_head(cfg, cfg.base_url + path, now()), kind, counted(_items(session, kind, ids, batch)))
    return len(tenders)
