"""What the reports share: the buyers' names, dates in Amsterdam time, scores, the document frame."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

from babel.numbers import format_decimal
from flask_babel import gettext as _
from sqlmodel import Session, select

from app.clock import AMSTERDAM, now
from app.i18n import _locale, format_local
from app.models import Organisation, Tender, TenderBuyer


def buyer_names(session: Session, tender: Tender) -> list[str]:
    """The lead buyer first, then the co-buyers by name (one query)."""
    rows = session.exec(select(Organisation.id, Organisation.name).where(
        (Organisation.id == tender.lead_organisation_id)
        | Organisation.id.in_(select(TenderBuyer.organisation_id).where(TenderBuyer.tender_id == tender.id)))).all()
    return [name for oid, name in sorted(rows, key=lambda r: (r[0] != tender.lead_organisation_id, r[1]))]


def when(moment: Optional[datetime]) -> str:
    return format_local(moment, "long") if moment is not None else "—"


def parse_iso(value) -> Optional[datetime]:
    """A datetime from a canonical record (ISO 8601 text with Z) or as it is."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def score(value) -> str:
    if value is None:
        return "—"
    return format_decimal(Decimal(str(value)), format="0.00", locale=_locale())


def size(n: Optional[int]) -> str:
    if n is None:
        return "—"
    if n < 1024:
        return _("%(n)d bytes", n=n)
    return format_decimal(Decimal(n) / 1024, format="0.0", locale=_locale()) + " kB"


def document(title: str, tender: Tender, buyers: list[str], extra: str = ""):
    """A report of a tender: title block with the tender, running header, footer with the buyers."""
    from app.reports.pdf import Document  # when a report is written: fpdf2 costs every worker ~25-38 MB
    subtitle = " · ".join(p for p in (tender.title, tender.reference, ", ".join(buyers), extra) if p)
    return Document(title=title, subtitle=subtitle, header=f"{title} — {tender.reference}",
                    footer=_("%(buyers)s · made with Samenspel on %(when)s", buyers=", ".join(buyers),
                             when=format_local(now(), "medium")),
                    created=now().astimezone(AMSTERDAM), language=str(_locale()))
