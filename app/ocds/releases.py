"""OCDS 1.1 releases and packages of a tender, built from its public facts.

Each published step of a tender gives one release, dated by the step's moment (the audit event of
the transition; the planned date or the state change when no event exists):

| step | tag | id suffix |
| --- | --- | --- |
| invitations sent (left `draft`) | tender | `tender` |
| visions opened (deadline passed) | tenderUpdate | `opening` |
| declared unsuccessful | tenderUpdate | `unsuccessful` |
| award decision (→ `standstill`), from `sources.award_decisions` | award | `decision-N` |
| decision withdrawn (objection upheld) | awardCancellation | `decision-N-withdrawn` |
| definitive award (→ `awarded`), from the contracts | award / awardUpdate | `award` |
| each contract | contract | `contract-ID` |
| each concluded evaluation, from `sources.assessments` | implementation / implementationUpdate | `contract-ID-assessment-N` |
| programme ended | contractTermination | `contract-ID-termination` |
| cancelled | tenderCancellation | `cancellation` |

Every release is a full snapshot of what is public at its moment (tender, parties, awards,
contracts), so each can be read on its own; the record's compiled release merges them with the
standard's reference implementation (`ocdsmerge`). Release ids are `<ocid>-<suffix>`, and the ocid
is `<OCDS_PREFIX>-<tender reference>`: both stable.

Only public facts enter: title, description, lots, criteria and weights, the timeline, buyers, who
submitted (after the opening), who was selected (after the decision), contracts and the fact,
period and decision of each evaluation. Never vision content, scores, notes, reasons, conflict
declarations, the brief for the invited bureaus, or anything before its step happened.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from typing import IO, Iterable, Optional

import ocdsmerge
from flask_babel import force_locale
from flask_babel import gettext as _

from app.clock import AMSTERDAM
from app.models import Bureau, Contract, Organisation
from app.ocds.queries import TenderFacts

VERSION = "1.1"
ORDER = ("draft", "invitation", "vision_submission", "vision_review", "pitch", "selection", "standstill", "awarded")
METHODS = {
    "multiple_private": "selective", "european_restricted": "selective", "national_open": "open",
    "single_private": "direct",
}
# The merge rules of the OCDS 1.1.5 release schema with the lots extension (its `omitWhenMerged` and
# `wholeListMerge` fields). Given explicitly so compiling needs no schema download; a test checks them
# against the standard's schema files.
MERGE_RULES = {
    ("date",): "omitWhenMerged", ("id",): "omitWhenMerged", ("tag",): "omitWhenMerged",
    **{path: "wholeListMerge" for path in (
        ("awards", "amendment", "changes"), ("awards", "amendments", "changes"),
        ("awards", "items", "additionalClassifications"), ("awards", "suppliers", "additionalIdentifiers"),
        ("buyer", "additionalIdentifiers"), ("contracts", "amendment", "changes"),
        ("contracts", "amendments", "changes"),
        ("contracts", "implementation", "transactions", "payee", "additionalIdentifiers"),
        ("contracts", "implementation", "transactions", "payer", "additionalIdentifiers"),
        ("contracts", "items", "additionalClassifications"), ("contracts", "relatedProcesses", "relationship"),
        ("parties", "additionalIdentifiers"), ("parties", "roles"), ("relatedProcesses", "relationship"),
        ("tender", "additionalProcurementCategories"), ("tender", "amendment", "changes"),
        ("tender", "amendments", "changes"), ("tender", "items", "additionalClassifications"),
        ("tender", "procuringEntity", "additionalIdentifiers"), ("tender", "submissionMethod"),
        ("tender", "tenderers", "additionalIdentifiers"),
    )},
    # The lots extension's `relatedLots` arrays.
    **{(*parent, "relatedLots"): "wholeListMerge" for parent in (
        ("awards",), ("awards", "documents"), ("contracts", "documents"), ("contracts", "implementation", "documents"),
        ("contracts", "implementation", "milestones"), ("contracts", "implementation", "milestones", "documents"),
        ("contracts", "milestones"), ("contracts", "milestones", "documents"), ("planning", "documents"),
        ("planning", "milestones"), ("planning", "milestones", "documents"), ("tender", "documents"),
        ("tender", "lotGroups"), ("tender", "milestones"), ("tender", "milestones", "documents"),
    )},
}


@dataclass(frozen=True)
class Settings:
    prefix: str
    publisher: str
    publisher_uri: str
    base_url: str
    language: str
    extensions: tuple[str, ...]
    license: str

    @classmethod
    def from_config(cls, config) -> "Settings":
        return cls(
            prefix=config["OCDS_PREFIX"], publisher=config["OCDS_PUBLISHER"],
            publisher_uri=config.get("OCDS_PUBLISHER_URI", ""), base_url=config["BASE_URL"].rstrip("/"),
            language=config["OCDS_LANGUAGE"], extensions=(config["OCDS_LOTS_EXTENSION_URL"],),
            license=config.get("OCDS_LICENSE", ""),
        )

    def ocid(self, reference: str) -> str:
        return f"{self.prefix}-{reference}"


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with its designator: sorts as text, reads everywhere."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=AMSTERDAM)


def _day_end(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=AMSTERDAM)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def contract_end(contract: Contract) -> date:
    return _add_years(contract.start_date, contract.duration_years) - timedelta(days=1)


def _period(start: Optional[datetime], end: Optional[datetime]) -> Optional[dict]:
    period = {}
    if start is not None:
        period["startDate"] = iso(start)
    if end is not None:
        period["endDate"] = iso(end)
    return period or None


def _value(amount: Optional[int]) -> Optional[dict]:
    return None if amount is None else {"amount": amount, "currency": "EUR"}


def _put(target: dict, key: str, value) -> None:
    if value not in (None, "", [], {}):
        target[key] = value


# --- parties --------------------------------------------------------------------------------------

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


def _ref(party: dict) -> dict:
    return {"id": party["id"], "name": party["name"]}


# --- the releases of one tender ---------------------------------------------------------------------

def award_criteria_details(facts: TenderFacts) -> str:
    t = facts.tender
    lines = [_("Best price-quality ratio, judged on quality only (Aanbestedingswet 2012, art. 2.114). "
               "Final score: vision %(vision)d %%, pitch %(pitch)d %%.",
               vision=t.vision_stage_weight, pitch=t.pitch_stage_weight)]
    for stage, label in (("vision", _("Vision")), ("pitch", _("Pitch"))):
        items = []
        for c in facts.criteria:
            if c.stage != stage:
                continue
            if c.counts_in_total:
                items.append(_("%(title)s (%(weight)d %%, scale %(min)d–%(max)d)",
                               title=c.title, weight=c.weight, min=c.scale_min, max=c.scale_max))
            else:
                items.append(_("%(title)s (does not count in the total)", title=c.title))
        if items:
            lines.append(f"{label}: " + "; ".join(items) + ".")
    return "\n".join(lines)


def procedure_details(procedure_type: str) -> str:
    from forms.tender import PROCEDURE_LABELS
    label = str(PROCEDURE_LABELS.get(procedure_type, procedure_type))
    if procedure_type == "multiple_private":
        return _("%(procedure)s: a few bureaus are invited (Gids Proportionaliteit, rule 3.4B); each writes a "
                 "vision and the best are invited to pitch.", procedure=label)
    return label


class _Snapshot:
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
            "parties": self.parties(), "buyer": _ref(self.buyers[0]), "tender": copy.deepcopy(self.section),
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
            "date": iso(at), "suppliers": [_ref(bureau_party(bureau))], "relatedLots": [self.lot_no[lot_id]],
            **(extra or {}),
        }
        self.awards.pop(key, None)
        self.awards[key] = award
        self.award_suppliers[key] = bureau_id
        return key


def _reached(facts: TenderFacts) -> str:
    """The furthest stage of the procedure the tender got to."""
    state = facts.tender.state
    if state in ORDER:
        return state
    if state == "unsuccessful":
        return "vision_submission"
    cancel = facts.last_step("tender.cancel")
    if cancel is not None and cancel.from_state in ORDER:
        return cancel.from_state
    return "invitation"  # cancelled after the invitations went out, stage unknown


def _at(facts: TenderFacts, action: str, *fallbacks: Optional[datetime], last: bool = False) -> datetime:
    step = facts.last_step(action) if last else facts.first_step(action)
    if step is not None:
        return step.at
    for moment in fallbacks:
        if moment is not None:
            return moment
    return facts.tender.state_changed_at


def build_releases(facts: TenderFacts, settings: Settings) -> list[dict]:
    """The releases of one published tender, oldest first."""
    with force_locale(settings.language):
        return _build(facts, settings)


def _build(facts: TenderFacts, settings: Settings) -> list[dict]:
    t = facts.tender
    snap = _Snapshot(facts, settings)
    reached = ORDER.index(_reached(facts))

    # 1. The invitations went out: the tender is announced.
    opened_at = _at(facts, "tender.open_invitation", t.invitation_at, t.created_at)
    section = {"id": t.reference, "title": t.title}
    _put(section, "description", t.description.strip())
    section["status"] = "active"
    section["procuringEntity"] = _ref(snap.buyers[0])
    _put(section, "value", _value(t.estimated_value_eur))
    section.update({
        "procurementMethod": METHODS.get(t.procedure_type, "selective"),
        "procurementMethodDetails": procedure_details(t.procedure_type),
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": award_criteria_details(facts),
        "submissionMethod": ["electronicSubmission"],
    })
    _put(section, "tenderPeriod", _period(opened_at, t.vision_deadline))
    _put(section, "enquiryPeriod", _period(opened_at, t.questions_deadline))
    _put(section, "awardPeriod", _period(t.vision_deadline, t.selection_at))
    lots = []
    for lot in facts.lots:
        item = {"id": snap.lot_no[lot.id], "title": lot.title}
        _put(item, "description", lot.description.strip())
        item["status"] = "active"
        lots.append(item)
    _put(section, "lots", lots)
    snap.section = section
    snap.emit("tender", ["tender"], opened_at)

    # 2. The deadline passed: who submitted becomes public.
    def open_visions():
        snap.tenderers = list(facts.tenderer_ids)
        snap.section["tenderers"] = [_ref(bureau_party(facts.bureaus[b])) for b in snap.tenderers]
        snap.section["numberOfTenderers"] = len(snap.tenderers)

    if t.state == "unsuccessful":
        open_visions()
        snap.set_status("unsuccessful")
        snap.emit("unsuccessful", ["tenderUpdate"],
                  _at(facts, "tender.declare_unsuccessful", t.vision_deadline, last=True))
    elif reached >= ORDER.index("vision_review"):
        open_visions()
        snap.emit("opening", ["tenderUpdate"], _at(facts, "tender.close_submission", t.vision_deadline))

    # 3. Award decisions as sent to the bureaus (the selection area provides them), and their withdrawal
    #    when an objection was upheld — also when the tender is back in `selection` since.
    for n, decision in enumerate(facts.decisions, start=1):
        keys = [snap.put_award(lot_id, bureau_id, "pending", decision.decided_at)
                for lot_id, bureau_id in decision.winners if lot_id in snap.lot_no]
        snap.emit(f"decision-{n}", ["award"], decision.decided_at)
        if decision.withdrawn_at is not None:
            for key in keys:
                snap.awards[key]["status"] = "cancelled"
            snap.emit(f"decision-{n}-withdrawn", ["awardCancellation"], decision.withdrawn_at)

    # 4. The definitive award, from the contracts.
    award_at = None
    if t.state == "awarded":
        award_at = _at(facts, "tender.award", last=True)
        had_awards = bool(snap.awards)
        made = set()
        for c in facts.contracts:
            start = _day_start(c.start_date)
            extra = {}
            _put(extra, "value", _value(c.value_eur))
            extra["contractPeriod"] = _period(start, _day_end(contract_end(c)))
            made.add(snap.put_award(c.lot_id, c.bureau_id, "active", award_at, extra))
        for key, award in snap.awards.items():
            if key not in made and award["status"] == "pending":
                award["status"] = "unsuccessful"
        lots_with_contract = {snap.lot_no[c.lot_id] for c in facts.contracts}
        snap.set_status("complete", {no: "complete" if no in lots_with_contract else "unsuccessful"
                                     for no in snap.lot_no.values()})
        snap.emit("award", ["awardUpdate"] if had_awards else ["award"], award_at)

        # 5. Contracts, then what happens under them: evaluations and endings.
        contract_keys = {}
        for c in facts.contracts:
            key = f"contract-{c.id}"
            contract_keys[c.id] = key
            lot = next(lot for lot in facts.lots if lot.id == c.lot_id)
            contract = {
                "id": key, "awardID": snap.award_key(c.lot_id, c.bureau_id),
                "title": _("%(lot)s: %(bureau)s", lot=lot.title, bureau=facts.bureaus[c.bureau_id].name),
                "status": "active",
                "period": _period(_day_start(c.start_date), _day_end(contract_end(c))),
            }
            _put(contract, "value", _value(c.value_eur))
            snap.contracts[key] = contract
            snap.emit(key, ["contract"], max(c.created_at, award_at))
        _implementation(snap, facts, contract_keys)

    # 6. Cancelled.
    if t.state == "cancelled":
        pending = [a for a in snap.awards.values() if a["status"] == "pending"]
        for award in pending:
            award["status"] = "cancelled"
        snap.set_status("cancelled")
        snap.emit("cancellation", ["tenderCancellation"] + (["awardCancellation"] if pending else []),
                  _at(facts, "tender.cancel", last=True))
    return snap.releases


DECISION_LABELS = {
    "continue": lambda: _("Decision: continue the programme as it is."),
    "adjust": lambda: _("Decision: continue the programme with adjustments."),
    "end": lambda: _("Decision: end the programme."),
}


def _implementation(snap: _Snapshot, facts: TenderFacts, contract_keys: dict[int, str]) -> None:
    events = []
    for a in facts.assessments:
        if a.contract_id in contract_keys:
            events.append((a.decided_at, 0, a.contract_id, a))
    for contract_id, programme in facts.programmes.items():
        if programme.state == "ended" and contract_id in contract_keys:
            events.append((programme.state_changed_at, 1, contract_id, programme))
    started: set[int] = set()
    for at, kind, contract_id, item in sorted(events, key=lambda e: (e[0], e[1], e[2])):
        key = contract_keys[contract_id]
        contract = snap.contracts[key]
        if kind == 0:
            milestone = {
                "id": f"assessment-{item.number}",
                "title": _("Evaluation %(n)d (%(start)s – %(end)s)", n=item.number,
                           start=item.period_start.isoformat(), end=item.period_end.isoformat()),
                "type": "assessment",
                "description": str(DECISION_LABELS[item.decision]()) if item.decision in DECISION_LABELS else "",
                "dueDate": iso(_day_end(item.period_end)),
                "dateMet": iso(item.decided_at),
                "dateModified": iso(item.decided_at),
                "status": "met",
                "relatedLots": list(snap.awards[contract["awardID"]]["relatedLots"]),
            }
            if not milestone["description"]:
                del milestone["description"]
            contract.setdefault("implementation", {}).setdefault("milestones", []).append(milestone)
            tag = "implementationUpdate" if contract_id in started else "implementation"
            started.add(contract_id)
            snap.emit(f"{key}-assessment-{item.number}", [tag], at)
        else:
            contract["status"] = "terminated"
            snap.emit(f"{key}-termination", ["contractTermination"], at)


# --- packages ------------------------------------------------------------------------------------------

@cache
def _merger() -> ocdsmerge.Merger:
    return ocdsmerge.Merger(merge_rules=MERGE_RULES)


def compiled_record(releases: list[dict]) -> dict:
    return {"ocid": releases[0]["ocid"], "releases": releases,
            "compiledRelease": _merger().create_compiled_release(releases)}


def package_head(settings: Settings, uri: str, published: datetime) -> dict:
    publisher = {"name": settings.publisher}
    _put(publisher, "uri", settings.publisher_uri)
    head = {"uri": uri, "version": VERSION, "extensions": list(settings.extensions),
            "publishedDate": iso(published), "publisher": publisher}
    _put(head, "license", settings.license)
    return head


def write_package(fp: IO[str], head: dict, key: str, items: Iterable[dict]) -> int:
    """Write a package item by item, so a package of any size never sits in memory whole."""
    fp.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "' + key + '": [')
    count = 0
    for item in items:
        fp.write(("," if count else "") + "\n" + json.dumps(item, ensure_ascii=False))
        count += 1
    fp.write("\n]}\n")
    return count
