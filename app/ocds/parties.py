"""The parties of a release: buyers and bureaus, identified by their OIN or KvK number where they have one."""
from __future__ import annotations

from typing import Optional

from app.models import Bureau, Organisation


def _scheme(identifier: Optional[str]) -> Optional[str]:
    """Dutch identifiers in org-id.guide schemes: an OIN has 20 digits, a KvK number 8."""
    value = (identifier or "").strip()
    if value.isdigit() and len(value) == 20:
        return "NL-OIN"
    if value.isdigit() and len(value) == 8:
        return "NL-KVK"
    return None


def _party_base(kind: str, row_id: int, name: str, identifier: Optional[str], city: Optional[str]) -> dict:
    scheme = _scheme(identifier)
    party = {"name": name}
    if scheme:
        party["id"] = f"{scheme}-{identifier.strip()}"
        party["identifier"] = {"scheme": scheme, "id": identifier.strip(), "legalName": name}
    else:
        party["id"] = f"samenspel-{kind}-{row_id}"
    if city:
        party["address"] = {"locality": city}
    return party


def organisation_party(org: Organisation) -> dict:
    return _party_base("organisation", org.id, org.name, org.identifier, org.city)


def bureau_party(bureau: Bureau) -> dict:
    party = _party_base("bureau", bureau.id, bureau.name, bureau.kvk_number, bureau.city)
    if bureau.website:
        party["contactPoint"] = {"url": bureau.website}
    return party


def party_ref(party: dict) -> dict:
    return {"id": party["id"], "name": party["name"]}
