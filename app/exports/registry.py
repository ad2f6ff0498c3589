"""Downloads for officers: a registry of exports per tender, each offered as CSV and/or XLSX.

An export declares its columns and a function `rows(session, tender)` that returns an iterator of
its rows, read one by one from the database (`yield_per`), so a huge tender never sits in memory.
The function runs in the request (translate labels there, into plain dicts) and its iterator may run
after the request has ended, on a session of its own that is closed when the stream ends: the
iterator must touch only that session and plain values (e.g. `tender.id` taken beforehand).
Areas register their own:

    from app.exports.registry import Column, Export, register

    register(Export("scores", _l("Scores"), columns=(...), rows=score_rows, available=consensus_recorded))

The route is `/tenders/<id>/exports/<name>.<csv|xlsx>`; `available(tender)` decides (from the tender
row alone, no query) whether the tender page offers it and whether the route answers at all — the
scores export (evaluation area) registers with "only once consensus is recorded".

PDF reports of a tender (app/reports) register here too, with `document(session, tender) -> bytes`
instead of rows and their own route (`endpoint`), so the tender page lists every download in one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

from flask import url_for

from sqlmodel import Session

from app.models import Tender

FORMATS = ("csv", "xlsx")
EXPORT_ENDPOINT = "exports.download"


@dataclass(frozen=True)
class Column:
    label: Any  # lazy string
    kind: str = "text"  # text | int | datetime
    width: int = 18  # XLSX column width (characters)


@dataclass(frozen=True)
class Export:
    name: str
    label: Any
    columns: tuple[Column, ...] = ()
    rows: Optional[Callable[[Session, Tender], Iterator[tuple]]] = None
    available: Callable[[Tender], bool] = lambda tender: True
    formats: tuple[str, ...] = FORMATS
    roles: frozenset[str] = field(default_factory=lambda: frozenset({"officer"}))
    hint: Any = ""
    # A PDF report instead of rows: its bytes, built in the request; served by `endpoint`.
    document: Optional[Callable[[Session, Tender], bytes]] = None
    endpoint: str = EXPORT_ENDPOINT

    def href(self, tender: Tender, fmt: str) -> str:
        return url_for(self.endpoint, tender_id=tender.id, name=self.name, fmt=fmt)


_EXPORTS: dict[str, Export] = {}


def register(export: Export) -> Export:
    _EXPORTS[export.name] = export
    return export


def get(name: str, endpoint: str = EXPORT_ENDPOINT) -> Export | None:
    """The export (or, with the reports' endpoint, the report) of that name served by `endpoint`."""
    export = _EXPORTS.get(name)
    return export if export is not None and export.endpoint == endpoint else None


def for_tender(tender: Tender, user) -> list[Export]:
    """The exports this user is offered on this tender (no query)."""
    return [e for e in _EXPORTS.values() if user.role in e.roles and e.available(tender)]
