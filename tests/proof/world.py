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
from app.models import Bureau, Criterion, Invitation, Lot, PanelMember, User
from app.tenders import operations

ROLES = ("anonymous", "admin", "officer", "co_officer", "other_officer", "panel", "conflicted", "outsider",
         "bureau", "other_bureau", "stranger_bureau")
STAGES = ("draft", "invitation", "vision_submission", "vision_review")


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
    _advance(session, officer, tender, stage)
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
    }
    return World(stage, users, ids)


def _advance(session, officer, tender, stage: str) -> None:
    path = ["open_invitation", "open_submission", "close_submission"]
    target = {"draft": 0, "invitation": 1, "vision_submission": 2, "vision_review": 3}[stage]
    for event in path[:target]:
        if event == "close_submission":
            clock.freeze(tender.vision_deadline + timedelta(minutes=1))
            operations.fire(session, None, tender, event, actor=SYSTEM)
        else:
            operations.fire(session, officer, tender, event)
        session.commit()


def user_of(world: World, role: str) -> User | None:
    return world.users[role]
