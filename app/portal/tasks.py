"""The bureau's dashboard tasks on the portal (see `app.dashboard.tasks`): invitations to answer, visions
to submit before the deadline, a pitch slot to book (or the booked pitch), and award letters received
while objections are still possible. Programme tasks come from `app.programmes.tasks`.

Three queries whatever the number of tenders, each about the user's own bureau only and limited to
`tasks.LIMIT` rows.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import and_, exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.clock import now
from app.dashboard import tasks
from app.models import AwardDecision, DecisionLetter, Invitation, PitchSlot, ShortlistEntry, Tender, Vision

OPEN = ("invitation", "vision_submission")


@tasks.provider("bureau")
def bureau_tasks(session: Session, user) -> list[tasks.Task]:
    if user.bureau_id is None:
        return []
    return (_invitations(session, user.bureau_id) + _pitches(session, user.bureau_id)
            + _letters(session, user.bureau_id))[:tasks.LIMIT]


def _invitations(session: Session, bureau_id: int) -> list[tasks.Task]:
    """Invitations not answered yet, and accepted ones without a submitted vision, while the tender is open."""
    submitted = exists().where(Vision.tender_id == Tender.id, Vision.bureau_id == bureau_id,
                               Vision.status == "submitted")
    rows = session.execute(
        select(Tender, Invitation.status, submitted)
        .join(Invitation, and_(Invitation.tender_id == Tender.id, Invitation.bureau_id == bureau_id))
        .where(Tender.state.in_(OPEN), Invitation.status.in_(("sent", "opened", "accepted")))
        .order_by(Tender.vision_deadline, Tender.id).limit(tasks.LIMIT)).all()
    out = []
    for tender, status, has_vision in rows:
        if status in ("sent", "opened") and not has_vision:
            out.append(tasks.Task(_("Answer the invitation: %(title)s", title=tender.title),
                                  url_for("portal.tender", tender_id=tender.id), "portal.invitation",
                                  tender.vision_deadline, _("Accept or decline; you may ask questions first.")))
        elif not has_vision:
            out.append(tasks.Task(_("Submit your vision: %(title)s", title=tender.title),
                                  url_for("portal.vision", tender_id=tender.id), "portal.vision",
                                  tender.vision_deadline, _("The deadline is shown; late visions are refused.")))
    return out


def _pitches(session: Session, bureau_id: int) -> list[tasks.Task]:
    """Shortlisted and in the pitch stage: book a slot, or the pitch that lies ahead."""
    published = aliased(PitchSlot)  # not the bureau's own slot joined below
    rows = session.execute(
        select(Tender, PitchSlot.starts_at)
        .join(ShortlistEntry, and_(ShortlistEntry.tender_id == Tender.id, ShortlistEntry.bureau_id == bureau_id))
        .outerjoin(PitchSlot, and_(PitchSlot.tender_id == Tender.id, PitchSlot.bureau_id == bureau_id))
        .where(Tender.state == "pitch", ShortlistEntry.shortlisted, ShortlistEntry.withdrawn_at.is_(None),
               exists().where(published.tender_id == Tender.id, published.published_at.is_not(None)))
        .order_by(Tender.pitch_start, Tender.id).limit(tasks.LIMIT)).all()
    out = []
    for tender, starts_at in rows:
        url = url_for("evaluation.bureau_pitch", tender_id=tender.id)
        if starts_at is None:
            out.append(tasks.Task(_("Book a time for your pitch: %(title)s", title=tender.title), url,
                                  "portal.pitch_booking", tender.pitch_start, _("You are invited to pitch.")))
        elif starts_at > now():
            out.append(tasks.Task(_("Your pitch: %(title)s", title=tender.title), url, "portal.pitch", starts_at,
                                  _("The time and place are on the pitch page.")))
    return out


def _letters(session: Session, bureau_id: int) -> list[tasks.Task]:
    """Award letters of decisions still in their standstill: read them; objections are possible until the end."""
    rows = session.execute(
        select(Tender, AwardDecision.standstill_ends_at)
        .join(AwardDecision, AwardDecision.tender_id == Tender.id)
        .join(DecisionLetter, and_(DecisionLetter.decision_id == AwardDecision.id,
                                   DecisionLetter.bureau_id == bureau_id))
        .where(AwardDecision.status == "standstill", AwardDecision.standstill_ends_at > now())
        .order_by(AwardDecision.standstill_ends_at, Tender.id).limit(tasks.LIMIT)).all()
    return [tasks.Task(_("Read the award decision: %(title)s", title=tender.title),
                       url_for("award.bureau_tender", tender_id=tender.id), "portal.letter", ends_at,
                       _("An objection is possible until the end of the standstill shown."))
            for tender, ends_at in rows]
