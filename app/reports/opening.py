"""The opening record (proces-verbaal van opening) as a PDF: which visions arrived when, with their
content hashes and attachments (name, size, SHA-256), which invited bureaus submitted nothing, who opened
and when, and the fingerprint of the record itself.

It is printed from the record fixed at the opening (`OpeningRecord.entries`, the same canonical text as
in the audit trail), never from the live tables, so the PDF always says what was recorded. Before the
opening there is no record and no report: nothing sealed can leak through it.
"""
from __future__ import annotations

import json
from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from app.exports.registry import Export, register
from app.models import OpeningRecord, Tender
from app.reports.common import buyer_names, document, parse_iso, size, when
from app.templating import INVITATION_LABELS

# The states a tender can only be in after its opening was recorded (leaving `vision_submission` records
# it). A cancelled tender is not among them: the row does not say whether it was cancelled before.
OPENED_STATES = ("vision_review", "pitch", "selection", "standstill", "awarded", "unsuccessful")
ENDPOINT = "exports.tender_report"


def available(tender: Tender) -> bool:
    return tender.state in OPENED_STATES


def record_of(session: Session, tender: Tender) -> Optional[OpeningRecord]:
    return session.exec(select(OpeningRecord).where(OpeningRecord.tender_id == tender.id)).first()


def _status(entry: dict) -> str:
    if entry["status"] == "submitted":
        return _("submitted, version %(n)d counts", n=entry["counts"])
    if entry["status"] == "withdrawn":
        return _("withdrawn")
    return _("no vision submitted")


def _versions(doc, entry: dict) -> None:
    """A bureau's versions, each hash on a line of its own so it prints (and copies) whole."""
    doc.heading(entry["bureau"], level=3)
    for v in entry["versions"]:
        doc.paragraph(_("Version %(n)d · received %(when)s · by %(who)s", n=v["number"],
                        when=when(parse_iso(v["submitted_at"])), who=v.get("submitted_by") or "—"), bold=True, size=9)
        doc.paragraph(_("Content hash (SHA-256): %(hash)s", hash=v.get("content_hash") or "—"), size=8)
        for a in v["attachments"]:
            doc.paragraph(_("Attachment %(name)s · %(size)s · SHA-256 %(hash)s", name=a["filename"], size=size(a["size"]),
                            hash=a["sha256"]), size=8)


def render(session: Session, tender: Tender) -> Optional[bytes]:
    """The PDF, or None when the tender has no opening record (two queries)."""
    record = record_of(session, tender)
    if record is None:
        return None
    entries = json.loads(record.entries)
    buyers = buyer_names(session, tender)
    doc = document(_("Opening record"), tender, buyers)
    valid = [e for e in entries if e["status"] == "submitted"]
    missing = [e for e in entries if e["status"] != "submitted"]
    outcome = _("visions opened for review") if record.outcome == "vision_review" \
        else _("declared unsuccessful: no valid vision")
    doc.facts([
        (_("Tender"), f"{tender.title} ({tender.reference})"),
        (_("Buyers"), ", ".join(buyers)),
        (_("Deadline for the visions"), when(tender.vision_deadline)),
        (_("Opened"), when(record.opened_at)),
        (_("Opened by"), record.opened_by_name),
        (_("Outcome"), outcome),
        (_("Valid visions"), _("%(n)d of %(m)d invited bureaus", n=len(valid), m=len(entries))),
    ])
    doc.paragraph(_("The visions were sealed until the deadline. At the opening Samenspel fixed this record: per "
                    "invited bureau every version it submitted, when and by whom, with the SHA-256 hash of its "
                    "content and of each attachment. Only the latest submitted version counts."))
    doc.heading(_("Per bureau"))
    doc.table([_("Bureau"), _("Invitation"), _("Vision")],
              [[e["bureau"], str(INVITATION_LABELS.get(e["invitation"], e["invitation"])), _status(e)]
               for e in entries], widths=(3, 1.5, 2.5))
    doc.heading(_("Submitted versions"))
    versions = [(e, v) for e in entries for v in e["versions"]]
    if not versions:
        doc.paragraph(_("No vision was submitted."), muted=True)
    for entry in entries:
        if entry["versions"]:
            _versions(doc, entry)
    doc.heading(_("Bureaus without a valid vision"))
    if missing:
        doc.table([_("Bureau"), _("Invitation"), _("Vision")],
                  [[e["bureau"], str(INVITATION_LABELS.get(e["invitation"], e["invitation"])), _status(e)]
                   for e in missing], widths=(3, 1.5, 2.5))
    else:
        doc.paragraph(_("Every invited bureau submitted a vision."))
    doc.heading(_("Fingerprint of this record"))
    doc.paragraph(_("SHA-256 of the recorded text: %(hash)s. The same text is in the tender's audit trail (event "
                    "“Visions opened (opening record)”), which “flask audit verify” checks.", hash=record.record_hash),
                  size=9)
    return doc.output()


REPORT = register(Export(
    "opening", _l("Opening record (PDF)"), formats=("pdf",), available=available, document=render,
    endpoint=ENDPOINT, hint=_l("Which visions arrived when, with their hashes; who opened them and when."),
))
