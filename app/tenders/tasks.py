"""The officer's tasks on the dashboard: drafts ready to send, and tenders whose next step is allowed.

Both ask the workflow engine (the same guards as the tender page), for at most `tasks.LIMIT`
tenders each, with a fixed number of queries: the guards' facts are loaded for all those tenders at
once (`prime_many`, `_prime_submission_facts`) and the co-buyer links are loaded up front, so checking a tender runs no
query of its own. That is why `next_steps_allowed` covers only the stages whose guard facts can be
primed (invitation, vision submission); the later stages' tasks come from their own areas' providers,
which ask with one grouped query each.
"""
from __future__ import annotations

from functools import lru_cache

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import select

from app.audit import Actor
from app.dashboard import tasks
from app.models import Question, Tender, TenderBuyer, Vision
from app.tenders.queries import first_visible_statement, scope_params
from workflows import tender_engine
from workflows.guards.draft import prime_many

# The date by which the next step of each stage is due.
DUE = {
    "invitation": "questions_deadline", "vision_submission": "vision_deadline", "vision_review": "pitch_start",
    "pitch": "pitch_end", "selection": "selection_at",
}
PRIMED = ("invitation", "vision_submission")


@lru_cache(maxsize=None)
def _statement(role: str, kind: str):
    """The tenders each provider checks, built once per role: index-driven per branch of the scope."""
    if kind == "drafts":  # the most recently edited drafts
        return first_visible_statement(role, (Tender.state == "draft",), (Tender.updated_at.desc(), Tender.id.desc()),
                                       tasks.LIMIT)
    return first_visible_statement(role, (Tender.state.in_(PRIMED),), (Tender.state_changed_at, Tender.id),
                                   tasks.LIMIT)  # the longest waiting first


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
    drafts = session.exec(_statement(user.role, "drafts"), params=scope_params(user)).all()
    if not drafts:
        return []
    facts = prime_many(session, [t.id for t in drafts])
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
    active = session.exec(_statement(user.role, "primed"), params=scope_params(user)).all()
    if not active:
        return []
    facts = _prime_submission_facts(session, [t.id for t in active])
    links = _load_links(session, user, active)
    engine = tender_engine()
    out = []
    for tender in active:
        ctx = engine.context(session, tender, Actor.of(user), user)
        ctx.cache.update(facts[tender.id])
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


def _prime_submission_facts(session, tender_ids: list[int]) -> dict[int, dict]:
    """What the invitation and submission guards memoise, for many tenders in two queries."""
    facts = {i: {"unanswered_questions": 0, "valid_visions": 0} for i in tender_ids}
    for tender_id, n in session.execute(
            select(Question.tender_id, func.count()).where(
                Question.tender_id.in_(tender_ids), Question.kind == "question", Question.bulletin_id.is_(None))
            .group_by(Question.tender_id)):
        facts[tender_id]["unanswered_questions"] = n
    for tender_id, n in session.execute(
            select(Vision.tender_id, func.count()).where(Vision.tender_id.in_(tender_ids), Vision.status == "submitted")
            .group_by(Vision.tender_id)):
        facts[tender_id]["valid_visions"] = n
    return facts
