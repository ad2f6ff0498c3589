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

from datetime import datetime
from typing import Optional

from flask_babel import force_locale
from flask_babel import gettext as _

from app.ocds import award_releases
from app.ocds.common import Settings, period, put, value_eur
from app.ocds.parties import bureau_party, party_ref
from app.ocds.queries import TenderFacts
from app.ocds.snapshot import Snapshot

# The public names this module held before it was split stay importable from here (other branches and
# callers use them); their code lives in the modules named above.
from app.ocds.common import contract_end, iso  # noqa: F401
from app.ocds.packages import MERGE_RULES, VERSION, compiled_record, package_head, write_package  # noqa: F401
from app.ocds.parties import organisation_party  # noqa: F401

ORDER = ("draft", "invitation", "vision_submission", "vision_review", "pitch", "selection", "standstill", "awarded")
METHODS = {
    "multiple_private": "selective", "european_restricted": "selective", "national_open": "open",
    "single_private": "direct",
}


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
    snap = Snapshot(facts, settings)
    reached = ORDER.index(_reached(facts))
    _announce(snap)
    _open_visions(snap, reached)
    award_releases.decisions(snap)
    if t.state == "awarded":
        award_at = _at(facts, "tender.award", last=True)
        award_releases.definitive_award(snap, award_at)
        award_releases.contracts(snap, award_at)
    if t.state == "cancelled":
        _cancel(snap)
    return snap.releases


def _announce(snap: Snapshot) -> None:
    """1. The invitations went out: the tender is announced."""
    facts, t = snap.facts, snap.tender
    opened_at = _at(facts, "tender.open_invitation", t.invitation_at, t.created_at)
    section = {"id": t.reference, "title": t.title}
    put(section, "description", t.description.strip())
    section["status"] = "active"
    section["procuringEntity"] = party_ref(snap.buyers[0])
    put(section, "value", value_eur(t.estimated_value_eur))
    section.update({
        "procurementMethod": METHODS.get(t.procedure_type, "selective"),
        "procurementMethodDetails": procedure_details(t.procedure_type),
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": award_criteria_details(facts),
        "submissionMethod": ["electronicSubmission"],
    })
    put(section, "tenderPeriod", period(opened_at, t.vision_deadline))
    put(section, "enquiryPeriod", period(opened_at, t.questions_deadline))
    put(section, "awardPeriod", period(t.vision_deadline, t.selection_at))
    lots = []
    for lot in facts.lots:
        item = {"id": snap.lot_no[lot.id], "title": lot.title}
        put(item, "description", lot.description.strip())
        item["status"] = "active"
        lots.append(item)
    put(section, "lots", lots)
    snap.section = section
    snap.emit("tender", ["tender"], opened_at)


def _open_visions(snap: Snapshot, reached: int) -> None:
    """2. The deadline passed: who submitted becomes public."""
    facts, t = snap.facts, snap.tender

    def open_visions():
        snap.tenderers = list(facts.tenderer_ids)
        snap.section["tenderers"] = [party_ref(bureau_party(facts.bureaus[b])) for b in snap.tenderers]
        snap.section["numberOfTenderers"] = len(snap.tenderers)

    if t.state == "unsuccessful":
        open_visions()
        snap.set_status("unsuccessful")
        snap.emit("unsuccessful", ["tenderUpdate"],
                  _at(facts, "tender.declare_unsuccessful", t.vision_deadline, last=True))
    elif reached >= ORDER.index("vision_review"):
        open_visions()
        snap.emit("opening", ["tenderUpdate"], _at(facts, "tender.close_submission", t.vision_deadline))


def _cancel(snap: Snapshot) -> None:
    """6. Cancelled (pending awards with it)."""
    pending = [a for a in snap.awards.values() if a["status"] == "pending"]
    for award in pending:
        award["status"] = "cancelled"
    snap.set_status("cancelled")
    snap.emit("cancellation", ["tenderCancellation"] + (["awardCancellation"] if pending else []),
              _at(snap.facts, "tender.cancel", last=True))
