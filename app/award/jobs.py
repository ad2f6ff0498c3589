"""The end of the standstill: `tenders tick` awards definitively when nothing stands in the way."""
from __future__ import annotations

from sqlmodel import Session, select

from app.audit import SYSTEM
from app.clock import now
from app.models import AwardDecision, Tender
from app.scheduler import job
from workflows import Refused, tender_engine


@job("award.after_standstill", order=60)
def award_after_standstill(session: Session) -> list[str]:
    """Tenders whose standstill is over: award them, or say what still blocks (an open objection)."""
    due = session.exec(
        select(Tender).join(AwardDecision, AwardDecision.tender_id == Tender.id)
        .where(Tender.state == "standstill", AwardDecision.status == "standstill",
               AwardDecision.standstill_ends_at <= now())
        .order_by(Tender.id)
    ).all()
    engine = tender_engine()
    lines = []
    for tender in due:
        ctx = engine.context(session, tender, SYSTEM)
        reasons = engine.check(ctx, engine.workflow.transition("award", "standstill"))
        if reasons:
            lines.append(f"{tender.reference}: {' '.join(reasons)}")
            continue
        try:
            engine.fire(engine.context(session, tender, SYSTEM), "award")
        except Refused as refusal:  # changed meanwhile (an officer awarded it a moment ago)
            if refusal.kind == "stale":
                raise  # a concurrent append: roll the job back, the next tick tries again
            lines.append(f"{tender.reference}: {' '.join(refusal.reasons)}")
            continue
        lines.append(f"{tender.reference}: awarded definitively")
    return lines
