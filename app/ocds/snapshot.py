"""The public state of one tender as its steps happen, from which each release is a copy."""
from __future__ import annotations

import copy
from datetime import datetime
from typing import Optional

from flask_babel import gettext as _

from app.ocds.common import Settings, iso
from app.ocds.parties import bureau_party, organisation_party, party_ref
from app.ocds.queries import TenderFacts


class Snapshot:
    """The public state of one tender as its steps happen; `emit` publishes a copy as a release."""

    def __init__(self, facts: TenderFacts, settings: Settings):
        self.facts = facts
        self.settings = settings
        self.tender = facts.tender
        self.ocid = settings.ocid(self.tender.reference)
        self.lot_no = {lot.id: str(i) for i, lot in enumerate(facts.lots, start=1)}
        self.buyers = [organisation_party(o) for o in facts.buyers]
        self.tenderers: list[int] = []
        self.section: dict = {}
        self.awards: dict[str, dict] = {}
        self.award_suppliers: dict[str, int] = {}
        self.contracts: dict[str, dict] = {}
        self.releases: list[dict] = []
        self.last: Optional[datetime] = None

    # what is public at this moment
    def parties(self) -> list[dict]:
        parties = []
        for i, party in enumerate(self.buyers):
            parties.append({**party, "roles": ["buyer", "procuringEntity"] if i == 0 else ["buyer"]})
        suppliers = {b for key, b in self.award_suppliers.items()
                     if self.awards[key]["status"] in ("pending", "active")}
        for bureau_id in dict.fromkeys([*self.tenderers, *self.award_suppliers.values()]):
            roles = ["tenderer"] + (["supplier"] if bureau_id in suppliers else [])
            parties.append({**bureau_party(self.facts.bureaus[bureau_id]), "roles": roles})
        return parties

    def emit(self, suffix: str, tags: list[str], at: datetime) -> None:
        at = max(at, self.last) if self.last else at  # releases never go back in time
        self.last = at
        release = {
            "ocid": self.ocid, "id": f"{self.ocid}-{suffix}", "date": iso(at), "tag": tags,
            "initiationType": "tender", "language": self.settings.language,
            "parties": self.parties(), "buyer": party_ref(self.buyers[0]), "tender": copy.deepcopy(self.section),
        }
        if self.awards:
            release["awards"] = copy.deepcopy(list(self.awards.values()))
        if self.contracts:
            release["contracts"] = copy.deepcopy(list(self.contracts.values()))
        self.releases.append(release)

    def set_status(self, tender_status: str, lot_status: Optional[dict[str, str]] = None) -> None:
        self.section["status"] = tender_status
        for lot in self.section.get("lots", []):
            lot["status"] = (lot_status or {}).get(lot["id"], tender_status)

    def award_key(self, lot_id: int, bureau_id: int) -> str:
        return f"award-{self.lot_no[lot_id]}-{bureau_id}"

    def put_award(self, lot_id: int, bureau_id: int, status: str, at: datetime, extra: Optional[dict] = None) -> str:
        key = self.award_key(lot_id, bureau_id)
        bureau = self.facts.bureaus[bureau_id]
        lot = next(lot for lot in self.facts.lots if lot.id == lot_id)
        award = {
            "id": key, "title": _("%(lot)s: %(bureau)s", lot=lot.title, bureau=bureau.name), "status": status,
            "date": iso(at), "suppliers": [party_ref(bureau_party(bureau))], "relatedLots": [self.lot_no[lot_id]],
            **(extra or {}),
        }
        self.awards.pop(key, None)
        self.awards[key] = award
        self.award_suppliers[key] = bureau_id
        return key
