"""The concluded programme evaluations as the OCDS publication needs them
(`app.ocds.sources.assessments`): per contract, the fact of each evaluation, its period and the
meeting's decision — never the forms, scores, feedback or the decision's notes."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from app.models import Programme, ProgrammeEvaluation, ProgrammePeriod
from app.ocds import sources


@sources.assessments
def assessments(session: Session, tender_ids: list[int]) -> list[sources.Assessment]:
    """One query for all these tenders. Evaluations are numbered per contract from 1 in period order."""
    rows = session.execute(
        select(Programme.contract_id, ProgrammePeriod.starts_on, ProgrammePeriod.ends_on,
               ProgrammeEvaluation.decided_at, ProgrammeEvaluation.decision)
        .join(ProgrammeEvaluation, ProgrammeEvaluation.programme_id == Programme.id)
        .join(ProgrammePeriod, ProgrammePeriod.id == ProgrammeEvaluation.period_id)
        .where(Programme.tender_id.in_(tender_ids), ProgrammeEvaluation.decision.is_not(None))
        .order_by(Programme.contract_id, ProgrammePeriod.number)
    ).all()
    numbers: dict[int, int] = {}
    out = []
    for contract_id, starts_on, ends_on, decided_at, decision in rows:
        numbers[contract_id] = numbers.get(contract_id, 0) + 1
        # A period ends on the day the next one starts; the published period is inclusive.
        out.append(sources.Assessment(contract_id=contract_id, number=numbers[contract_id], period_start=starts_on,
                                      period_end=ends_on - timedelta(days=1), decided_at=decided_at,
                                      decision=decision))
    return out
