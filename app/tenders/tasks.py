"""The officer's tasks on the dashboard: drafts ready to send, and tenders whose next step is allowed.

Both ask the workflow engine (the same guards as the tender page), for at most `tasks.LIMIT`
tenders each, with a fixed number of queries: the draft guards' facts are loaded for all drafts at
once (`workflows.guards.draft.prime`) and the co-buyer links are loaded up front, so checking a
tender runs no query of its own.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlmodel import select

from app.audit import Actor
from app.authz import visible_tenders
from app.dashboard import tasks
from app.models import Tender, TenderBuyer
from workflows import tender_engine
from workflows.guards.draft import prime

# The date by which the next step of each stage is due.
DUE = {
    "invitation": "questions_deadline", "vision_submission": "vision_deadline", "vision_review": "pitch_start",
    "pitch": "pitch_end", "selection": "selection_at",
}
ACTIVE = ("invitation", "vision_submission", "vision_review", "pitch", "selection", "standstill")


def _load_links(session, user, tenders) -> list[TenderBuyer]:
    """Put the user's co-buyer links in the session's identity map, so the engine's permission check
    (`is_buyer_officer`) finds them without a query. The identity map holds rows weakly: the caller
    keeps the returned list while it checks."""
    ids = [t.id for t in tenders if t.lead_organisation_id != user.organisation_id]
    if not ids:
        return []
    return list(session.exec(select(TenderBuyer).where(TenderBuyer.tender_id.in_(ids),
                                                       TenderBuyer.organisation_id == user.organisation_id)))


@tasks.provider("officer")
def drafts_ready_to_send(session, user) -> list[tasks.Task]:
    drafts = session.exec(visible_tenders(user).where(Tender.state == "draft")
                          .order_by(Tender.updated_at.desc()).limit(tasks.LIMIT)).all()
    if not drafts:
        return []
    facts = prime(session, [t.id for t in drafts])
    links = _load_links(session, user, drafts)
    engine = tender_engine()
    send = engine.workflow.transition("open_invitation", "draft")
    out = []
    for tender in drafts:
        ctx = engine.context(session, tender, Actor.of(user), user)
        ctx.cache.update(facts[tender.id])
        if not engine.check(ctx, send):
            out.append(tasks.Task(
                title=_("Send the invitations: %(title)s", title=tender.title),
                url=url_for("tenders.show", tender_id=tender.id), kind="tender.open_invitation",
                due=tender.invitation_at, detail=_("The draft is complete; the checks pass.")))
    del links  # held until here, so the checks found them
    return out


@tasks.provider("officer")
def next_steps_allowed(session, user) -> list[tasks.Task]:
    active = session.exec(visible_tenders(user).where(Tender.state.in_(ACTIVE))
                          .order_by(Tender.state_changed_at).limit(tasks.LIMIT)).all()
    if not active:
        return []
    links = _load_links(session, user, active)
    engine = tender_engine()
    out = []
    for tender in active:
        ctx = engine.context(session, tender, Actor.of(user), user)
        allowed = [a for a in engine.actions(ctx) if a.allowed and not a.transition.danger]
        if not allowed:
            continue
        action = allowed[0]
        out.append(tasks.Task(
            title=_("%(action)s: %(title)s", action=action.transition.label, title=tender.title),
            url=url_for("tenders.show", tender_id=tender.id), kind=f"tender.{action.event}",
            due=getattr(tender, DUE[tender.state]) if tender.state in DUE else None,
            detail=_("Now: %(stage)s", stage=engine.workflow.state(tender.state).label)))
    del links  # held until here, so the checks found them
    return out
