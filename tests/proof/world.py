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
from app.models import VisionLot, VisionVersion
from app.models import (
    Attachment, Bureau, Criterion, DecisionLetter, Invitation, Lot, LotSelection, Objection, OutboxMessage,
    Participant, PanelMember, PitchSlot, Programme, Question, ScoreSheet, User, Vision,
)
from app.award import operations as award
from app.award.queries import current_decision
from app.evaluation import operations as evaluation
from app.portal import bulletins, submissions
from app.tenders import operations
from tests import portal_factories

ROLES = ("anonymous", "admin", "officer", "co_officer", "other_officer", "panel", "conflicted", "outsider",
         "bureau", "other_bureau", "stranger_bureau")
STAGES = ("draft", "invitation", "vision_submission", "vision_review", "pitch", "selection", "standstill",
          "awarded", "programme_running", "programme_evaluation")
ALL_STAGES = STAGES


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
    if STAGES.index(stage) >= STAGES.index("vision_review"):
        tender = session.get(type(tender), tender.id)
        _declare(session, tender, panel, conflicted, bureaus["bureau"].bureau_id)
        _evaluate_and_award(session, officer, tender, panel, bureaus["bureau"], stage)
    if STAGES.index(stage) >= STAGES.index("programme_running"):
        _run_programme(make, session, officer, tender, bureaus["bureau"], stage)
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
        "selection": _first(session, LotSelection.id, LotSelection.tender_id == tender.id),
        "letter": _first(session, DecisionLetter.id, DecisionLetter.tender_id == tender.id,
                         DecisionLetter.bureau_id == bureaus["bureau"].bureau_id),
        "objection": _first(session, Objection.id, Objection.tender_id == tender.id),
        "objection_file": _first(session, Attachment.id, Attachment.tender_id == tender.id,
                                 Attachment.owner_type == "objection"),
        "programme": _first(session, Programme.id, Programme.tender_id == tender.id),
        "participant": _first(session, Participant.id),
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


def _scores(session, tender, stage: str, value: int, text: str) -> dict:
    criteria = session.exec(select(Criterion).where(Criterion.tender_id == tender.id, Criterion.stage == stage)).all()
    return {c.id: (value, text) for c in criteria}


def _evaluate_and_award(session, officer, tender, panel, bureau_user, stage: str) -> None:
    """From the opened visions on, through the panel's and the officer's real operations."""
    target = STAGES.index(stage)
    b = bureau_user.bureau_id
    if target >= STAGES.index("pitch"):
        evaluation.save_sheet(session, panel, tender, "vision", b, _scores(session, tender, "vision", 8, "Sterk."), True)
        evaluation.record_consensus(session, officer, tender, "vision", b, _scores(session, tender, "vision", 8, "Eens."))
        evaluation.decide_shortlist(session, officer, tender, {b: (True, "")})
        operations.fire(session, officer, tender, "start_pitches")
        slot = evaluation.add_slot(session, officer, tender, clock.now() + timedelta(hours=2), 45, "Stadhuis", "")
        evaluation.publish_slots(session, officer, tender)
        evaluation.book_slot(session, bureau_user, tender, slot.id)
        session.commit()
    if target >= STAGES.index("selection"):
        clock.freeze(clock.now() + timedelta(hours=3))  # the pitch was held
        evaluation.save_sheet(session, panel, tender, "pitch", b, _scores(session, tender, "pitch", 6, "Helder."), True)
        evaluation.record_consensus(session, officer, tender, "pitch", b, _scores(session, tender, "pitch", 6, "Eens."))
        operations.fire(session, officer, tender, "start_selection")
        session.commit()
    if target >= STAGES.index("standstill"):
        for lot_id in session.exec(select(VisionLot.lot_id).join(VisionVersion, VisionVersion.id == VisionLot.version_id)
                                   .join(Vision, Vision.id == VisionVersion.vision_id)
                                   .where(Vision.tender_id == tender.id)).all():
            award.save_lot_selection(session, officer, tender, lot_id, {b: (True, "Past het best bij deze laag.")}, None)
        operations.fire(session, officer, tender, "send_decision")
        award.lodge_objection(session, bureau_user, tender, "Wij maken bezwaar.",
                              [("bezwaar.pdf", portal_factories.pdf_bytes("bezwaar"))])
        session.commit()
    if target >= STAGES.index("awarded"):
        objection = session.exec(select(Objection).where(Objection.tender_id == tender.id)).one()
        award.handle_objection(session, officer, tender, objection.id, "rejected", "Ongegrond.", None)
        clock.freeze(current_decision(session, tender.id).standstill_ends_at + timedelta(minutes=1))
        operations.fire(session, None, tender, "award", actor=SYSTEM)
        session.commit()


def _run_programme(make, session, officer, tender, bureau_user, stage: str) -> None:
    """The awarded programme: plan version 1 agreed by both sides, a participant; then a year later the
    evaluation opens and the municipality submits its form."""
    from app.programmes import participant_operations
    from tests.programme_factories import ProgrammeFactory, Setup
    programmes = ProgrammeFactory(make)
    programme = session.exec(select(Programme).where(Programme.tender_id == tender.id)).one()
    setup = Setup(programme, tender, officer, bureau_user, session.get(Bureau, bureau_user.bureau_id))
    programmes.agreed_plan(setup)
    participant_operations.register(session, officer, session.get(Programme, programme.id),
                                    {"name": "Deelnemer Een", "organisation": "Gemeente", "role": "Teamleider"})
    session.commit()
    if stage == "programme_evaluation":
        clock.advance(timedelta(days=366))
        programmes.open_evaluation(setup)
        programmes.submit_forms(setup, sides=("municipality",))
