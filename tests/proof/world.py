"""A tender with every kind of person around it, brought to a given stage through the real operations.

Roles (the columns of the authorisation matrix):
  anonymous, admin, officer (buying organisation), co_officer (co-buyer), other_officer (another
  organisation), panel (evaluator on the panel), conflicted (on the panel, conflict declared for the
  bureau), outsider (evaluator not on the panel), bureau (the invited bureau itself), other_bureau
  (another invited bureau), stranger_bureau (a bureau not invited).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlmodel import select

from app import clock
from app.audit import SYSTEM
from app.models import (
    Attachment, Bureau, Criterion, Invitation, Lot, OutboxMessage, PanelMember, PitchSlot, Question, ScoreSheet,
    User, Vision,
)
from app.evaluation import operations as evaluation
from app.portal import bulletins, submissions
from app.tenders import operations
from tests import portal_factories

ROLES = ("anonymous", "admin", "officer", "co_officer", "other_officer", "panel", "conflicted", "outsider",
         "bureau", "other_bureau", "stranger_bureau")
STAGES = ("draft", "invitation", "vision_submission", "vision_review")
# The whole procedure, for expectations that start at a later stage than the world reaches yet.
ALL_STAGES = ("draft", "invitation", "vision_submission", "vision_review", "pitch", "selection", "standstill",
              "awarded")


@dataclass
class World:
    stage: str
    users: dict[str, Any]
    ids: dict[str, int] = field(default_factory=dict)


def build(make, session, stage: str) -> World:
    lead = make.organisation()
    co = make.organisation()
    officer = make.officer(lead)
    tender = make.tender(officer, bureaus=0, evaluators=0)
    operations.add_buyer(session, officer, tender, co, None)
    panel = make.evaluator(lead)
    conflicted = make.evaluator(lead)
    for evaluator in (panel, conflicted):
        operations.add_panel_member(session, officer, tender, evaluator, None)
    bureaus = {name: make.bureau_user() for name in ("bureau", "other_bureau", "stranger_bureau")}
    for name in ("bureau", "other_bureau"):
        operations.add_invitee(session, officer, tender, session.get(Bureau, bureaus[name].bureau_id), None)
    extra = make.bureau()  # three invitees: the rule of 3–5 holds
    operations.add_invitee(session, officer, tender, extra, None)
    session.commit()
    _advance(session, officer, tender, stage, bureaus["bureau"])
    if stage == "vision_review":
        _declare(session, session.get(type(tender), tender.id), panel, conflicted, bureaus["bureau"].bureau_id)
    users = {
        "anonymous": None, "admin": make.admin(), "officer": officer, "co_officer": make.officer(co),
        "other_officer": make.officer(), "panel": panel, "conflicted": conflicted,
        "outsider": make.evaluator(lead), **bureaus,
    }
    ids = {
        "tender": tender.id,
        "lot": session.exec(select(Lot.id).where(Lot.tender_id == tender.id)).first(),
        "criterion": session.exec(select(Criterion.id).where(Criterion.tender_id == tender.id)).first(),
        "member": session.exec(select(PanelMember.id).where(PanelMember.user_id == panel.id)).first(),
        "invitation": session.exec(select(Invitation.id).where(Invitation.bureau_id == bureaus["bureau"].bureau_id)).first(),
        "co_buyer": co.id,
        "user": users["officer"].id,
        "organisation": lead.id,
        "bureau_id": bureaus["bureau"].bureau_id,
        "question": _first(session, Question.id, Question.tender_id == tender.id, Question.kind == "question"),
        "clarification": _first(session, Question.id, Question.tender_id == tender.id,
                                Question.kind == "clarification"),
        "vision": _first(session, Vision.id, Vision.tender_id == tender.id),
        "attachment": _first(session, Attachment.id, Attachment.tender_id == tender.id),
        "message": _first(session, OutboxMessage.id, OutboxMessage.tender_id == tender.id),
        "sheet": _first(session, ScoreSheet.id, ScoreSheet.tender_id == tender.id),
        "slot": _first(session, PitchSlot.id, PitchSlot.tender_id == tender.id),
    }
    return World(stage, users, ids)


def _first(session, column, *where):
    return session.exec(select(column).where(*where).order_by(column)).first()


def _advance(session, officer, tender, stage: str, bureau_user) -> None:
    """Through the real operations: a question answered in a bulletin, a clarification drafted, a vision
    submitted with an attachment, the deadline passed and the visions opened."""
    target = STAGES.index(stage)
    if target >= 1:
        operations.fire(session, officer, tender, "open_invitation")
        question = bulletins.ask(session, bureau_user, tender, "Hoe groot is de groep per laag?")
        bulletins.answer(session, officer, tender, question.id, "Ongeveer twintig mensen.")
        bulletins.publish(session, officer, tender)
        bulletins.add_clarification(session, officer, tender, "Locatie", "De bijeenkomsten zijn in het stadhuis.")
        session.commit()
    if target >= 2:
        operations.fire(session, officer, tender, "open_submission")
        portal_factories.submit(session, bureau_user, tender,
                                upload=submissions.Upload(portal_factories.pdf_bytes(), "visie.pdf"))
    if target >= 3:
        clock.freeze(tender.vision_deadline + timedelta(minutes=1))
        operations.fire(session, None, tender, "close_submission", actor=SYSTEM)
        session.commit()


def _declare(session, tender, panel, conflicted, bureau_id) -> None:
    """The panel member declares no conflicts and keeps a draft sheet; the other one has a conflict."""
    evaluation.declare_conflicts(session, panel, tender, {bureau_id: ("none", "")})
    evaluation.declare_conflicts(session, conflicted, tender, {bureau_id: ("professional", "Oud-collega.")})
    session.commit()


def user_of(world: World, role: str) -> User | None:
    return world.users[role]
