"""The award releases of a tender (steps 3 to 5 of the table in `app.ocds.releases`): the award
decisions and their withdrawal, the definitive award, the contracts, and what happens under each
contract (its evaluations and its ending)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from app.ocds.common import contract_end, day_end, day_start, iso, period, put, value_eur
from app.ocds.queries import TenderFacts
from app.ocds.snapshot import Snapshot


def decisions(snap: Snapshot) -> None:
    """3. Award decisions as sent to the bureaus (the selection area provides them), and their withdrawal
    when an objection was upheld — also when the tender is back in `selection` since."""
    for n, decision in enumerate(snap.facts.decisions, start=1):
        keys = [snap.put_award(lot_id, bureau_id, "pending", decision.decided_at)
                for lot_id, bureau_id in decision.winners if lot_id in snap.lot_no]
        snap.emit(f"decision-{n}", ["award"], decision.decided_at)
        if decision.withdrawn_at is not None:
            for key in keys:
                snap.awards[key]["status"] = "cancelled"
            snap.emit(f"decision-{n}-withdrawn", ["awardCancellation"], decision.withdrawn_at)


def definitive_award(snap: Snapshot, award_at: datetime) -> None:
    """4. The definitive award, from the contracts."""
    facts = snap.facts
    had_awards = bool(snap.awards)
    made = set()
    for c in facts.contracts:
        start = day_start(c.start_date)
        extra = {}
        put(extra, "value", value_eur(c.value_eur))
        extra["contractPeriod"] = period(start, day_end(contract_end(c)))
        made.add(snap.put_award(c.lot_id, c.bureau_id, "active", award_at, extra))
    for key, award in snap.awards.items():
        if key not in made and award["status"] == "pending":
            award["status"] = "unsuccessful"
    lots_with_contract = {snap.lot_no[c.lot_id] for c in facts.contracts}
    snap.set_status("complete", {no: "complete" if no in lots_with_contract else "unsuccessful"
                                 for no in snap.lot_no.values()})
    snap.emit("award", ["awardUpdate"] if had_awards else ["award"], award_at)


def contracts(snap: Snapshot, award_at: datetime) -> None:
    """5. Contracts, then what happens under them: evaluations and endings."""
    facts = snap.facts
    contract_keys = {}
    for c in facts.contracts:
        key = f"contract-{c.id}"
        contract_keys[c.id] = key
        lot = next(lot for lot in facts.lots if lot.id == c.lot_id)
        contract = {
            "id": key, "awardID": snap.award_key(c.lot_id, c.bureau_id),
            "title": _("%(lot)s: %(bureau)s", lot=lot.title, bureau=facts.bureaus[c.bureau_id].name),
            "status": "active",
            "period": period(day_start(c.start_date), day_end(contract_end(c))),
        }
        put(contract, "value", value_eur(c.value_eur))
        snap.contracts[key] = contract
        snap.emit(key, ["contract"], max(c.created_at, award_at))
    _implementation(snap, facts, contract_keys)


DECISION_LABELS = {
    "continue": lambda: _("Decision: continue the programme as it is."),
    "adjust": lambda: _("Decision: continue the programme with adjustments."),
    "end": lambda: _("Decision: end the programme."),
}


def _implementation(snap: Snapshot, facts: TenderFacts, contract_keys: dict[int, str]) -> None:
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
                "dueDate": iso(day_end(item.period_end)),
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

