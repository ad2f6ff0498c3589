"""Participants of the current period: "full is full" against the plan in force, with a waiting list.

Registrations lock the programme row, so two officers registering for the last place at the same moment
queue up: one gets the place, the other goes on the waiting list.
"""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from app import audit
from app.audit import Actor
from app.clock import now, today_local
from app.i18n import format_day, format_local
from app.models import Participant, PlanVersion, Programme, ProgrammePeriod, User
from app.programmes import operations as ops
from workflows import Refused

FIELDS = ("name", "organisation", "role")


def _closed_reason(programme: Programme) -> Optional[str]:
    if programme.state == "plan":
        return _("Participants can be registered once both sides have accepted the plan: its maximum decides "
                 "who gets a place.")
    if programme.state == "evaluation":
        return _("The period is being evaluated; register the participants of the next period after the decision.")
    if programme.state == "ended":
        return _("The programme has ended.")
    return None


def _enrolled(session: Session, period_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Participant).where(
        Participant.period_id == period_id, Participant.status == "enrolled"))


def register(session: Session, user: User, programme: Programme, values: dict) -> Participant:
    programme = ops.lock_programme(session, programme.id)
    closed = _closed_reason(programme)
    if closed:
        raise Refused([closed], kind="invalid")
    period = ops.current_period(session, programme.id)
    plan = session.get(PlanVersion, period.plan_version_id)
    if plan.enrolment_deadline and today_local() > plan.enrolment_deadline:
        raise Refused([_("Enrolment closed on %(day)s (full is full). Places that come free go to the waiting "
                         "list in order.", day=format_day(plan.enrolment_deadline))], kind="invalid")
    same = session.exec(select(Participant).where(
        Participant.period_id == period.id, Participant.status != "withdrawn",
        func.lower(Participant.name) == values["name"].lower(),
        func.lower(Participant.organisation) == values["organisation"].lower())).first()
    if same is not None:
        raise Refused([_("%(name)s of %(org)s is already registered (since %(when)s).", name=same.name,
                         org=same.organisation, when=format_local(same.registered_at))], kind="invalid")
    status = "enrolled" if _enrolled(session, period.id) < plan.max_participants else "waiting"
    participant = Participant(programme_id=programme.id, period_id=period.id, status=status,
                              registered_by_id=user.id, **values)
    session.add(participant)
    session.flush()
    audit.record(session, actor=Actor.of(user), action=f"participant.{status}", object_type="participant",
                 object_id=participant.id, tender_id=programme.tender_id,
                 changes={**{k: [None, values[k]] for k in FIELDS}, "status": [None, status],
                          "period": [None, period.number]})
    return participant


def withdraw(session: Session, user: User, programme: Programme, participant: Participant) -> list[Participant]:
    """Withdraw a participant; a place that comes free goes to the first on the waiting list."""
    programme = ops.lock_programme(session, programme.id)
    participant = session.exec(select(Participant).where(Participant.id == participant.id).with_for_update()
                               .execution_options(populate_existing=True)).one()
    period = session.get(ProgrammePeriod, participant.period_id)
    if period.closed_at is not None:
        raise Refused([_("The period of %(name)s has been evaluated and closed; its group no longer changes.",
                         name=participant.name)], kind="invalid")
    if participant.status == "withdrawn":
        raise Refused([_("%(name)s was already withdrawn at %(when)s.", name=participant.name,
                         when=format_local(participant.status_changed_at))], kind="stale")
    before = participant.status
    participant.status, participant.status_changed_at = "withdrawn", now()
    session.flush()
    actor = Actor.of(user)
    audit.record(session, actor=actor, action="participant.withdrawn", object_type="participant",
                 object_id=participant.id, tender_id=programme.tender_id,
                 changes={"participant": [None, participant.name], "status": [before, "withdrawn"]})
    return fill_from_waiting_list(session, actor, programme)


def fill_from_waiting_list(session: Session, actor: Actor, programme: Programme) -> list[Participant]:
    """Give free places of the current period to the waiting list, first come first served."""
    period = ops.current_period(session, programme.id)
    if period is None or period.closed_at is not None or period.plan_version_id is None:
        return []
    plan = session.get(PlanVersion, period.plan_version_id)
    free = plan.max_participants - _enrolled(session, period.id)
    if free <= 0:
        return []
    waiting = session.exec(select(Participant).where(Participant.period_id == period.id,
                                                     Participant.status == "waiting")
                           .order_by(Participant.registered_at, Participant.id).limit(free)).all()
    for participant in waiting:
        participant.status, participant.status_changed_at = "enrolled", now()
        session.flush()
        audit.record(session, actor=actor, action="participant.promoted", object_type="participant",
                     object_id=participant.id, tender_id=programme.tender_id,
                     changes={"participant": [None, participant.name], "status": ["waiting", "enrolled"]})
    return list(waiting)
