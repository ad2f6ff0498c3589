"""Pitch slots: the officer plans and publishes them, a shortlisted bureau books one, and the bureau and the
panel get the invitation with its calendar file."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import update
from sqlmodel import Session

from app.audit import Actor
from app.clock import now
from app.evaluation import ics
from app.evaluation.notify import bureau_recipients
from app.evaluation.panel import PanelState, load_panel
from app.evaluation.rules import record, require_stage_active
from app.i18n import format_local
from app.links import external_url
from app.mail import queue, render
from app.models import Bureau, PitchSlot, Tender, User
from app.tenders.operations import lock
from workflows import Refused


def _slot_end(slot: PitchSlot) -> datetime:
    return slot.starts_at + timedelta(minutes=slot.duration_minutes)


def add_slot(session: Session, officer: User, tender: Tender, starts_at: datetime, duration_minutes: int,
             location: str, online_url: str) -> PitchSlot:
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    require_stage_active(state, "pitch")
    location, online_url = (location or "").strip(), (online_url or "").strip()
    starts_at = starts_at.replace(second=0, microsecond=0)  # slots are planned in whole minutes
    _check_slot(state, starts_at, duration_minutes, location, online_url)
    slot = PitchSlot(tender_id=tender.id, starts_at=starts_at, duration_minutes=duration_minutes, location=location,
                     online_url=online_url, created_by_id=officer.id)
    session.add(slot)
    session.flush()
    record(session, Actor.of(officer), tender, "pitch.slot_added", "pitch_slot", slot.id,
           {"starts_at": [None, starts_at], "duration_minutes": [None, duration_minutes],
            "location": [None, location or None], "online_url": [None, online_url or None]})
    return slot


def _check_slot(state: PanelState, starts_at: datetime, duration_minutes: int, location: str,
                online_url: str) -> None:
    problems = []
    if starts_at <= now():
        problems.append(_("A pitch slot must lie in the future."))
    if not location and not online_url:
        problems.append(_("Give a place or an online link (or both)."))
    if not 10 <= duration_minutes <= 480:
        problems.append(_("Between 10 and 480 minutes."))
    end = starts_at + timedelta(minutes=duration_minutes)
    for other in state.slots:
        if starts_at < _slot_end(other) and other.starts_at < end:
            problems.append(_("This overlaps the slot of %(when)s; the panel cannot be in two pitches at once.",
                              when=format_local(other.starts_at)))
            break
    if problems:
        raise Refused(problems, kind="invalid")


def remove_slot(session: Session, officer: User, tender: Tender, slot_id: int) -> None:
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    require_stage_active(state, "pitch")
    slot = next((s for s in state.slots if s.id == slot_id), None)
    if slot is None:
        raise Refused([_("This slot no longer exists.")], kind="stale")
    if slot.bureau_id is not None:
        raise Refused([_("This slot is booked by %(bureau)s; it cannot be removed. Ask the bureau to move its "
                         "booking first.", bureau=state.bureaus[slot.bureau_id].name)], kind="invalid")
    record(session, Actor.of(officer), tender, "pitch.slot_removed", "pitch_slot", slot.id,
           {"starts_at": [slot.starts_at, None]})
    session.delete(slot)
    session.flush()


def publish_slots(session: Session, officer: User, tender: Tender) -> int:
    """Publish the slots not yet published and tell the shortlisted bureaus without a booking."""
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    require_stage_active(state, "pitch")
    fresh = [s for s in state.slots if s.published_at is None]
    if not fresh:
        raise Refused([_("There are no new slots to publish.")], kind="invalid")
    stamp = now()
    for s in fresh:
        s.published_at = stamp
    session.flush()
    published = sum(1 for s in state.slots if s.published_at is not None)
    record(session, Actor.of(officer), tender, "pitch.slots_published", "tender", tender.id,
           {"slots": [published - len(fresh), published]})
    waiting = [bid for bid in state.stage_bureaus("pitch") if bid not in state.slot_by_bureau]
    recipients = bureau_recipients(session, waiting)
    for bid in waiting:
        bureau = state.bureaus[bid]
        for address, name, locale in recipients[bid]:
            subject, text = render("evaluation_pitch_slots", locale=locale, tender=tender, bureau=bureau,
                                   link=external_url("evaluation.bureau_pitch", tender_id=tender.id))
            queue(session, to=address, to_name=name, subject=subject, text=text, kind="pitch", tender_id=tender.id,
                  dedupe_key=f"pitch-slots:{tender.id}:{bid}:{published}:{address.lower()}")
    return len(fresh)


def book_slot(session: Session, user: User, tender: Tender, slot_id: int) -> PitchSlot:
    """A shortlisted bureau books (or moves to) a published, free, future slot: one bureau per slot."""
    tender = lock(session, tender.id)
    state = load_panel(session, tender)
    bureau_id = user.bureau_id
    slot, current = _bookable(state, user, slot_id)
    sequence = current.ics_sequence + 1 if current is not None else 0
    if current is not None:
        session.execute(update(PitchSlot).where(PitchSlot.id == current.id, PitchSlot.bureau_id == bureau_id)
                        .values(bureau_id=None, booked_at=None, booked_by_id=None))
    stamp = now()
    taken = session.execute(
        update(PitchSlot).where(PitchSlot.id == slot.id, PitchSlot.bureau_id.is_(None))
        .values(bureau_id=bureau_id, booked_at=stamp, booked_by_id=user.id, ics_sequence=sequence)
    ).rowcount
    if taken != 1:
        raise Refused([_("Another bureau booked this slot a moment ago. Choose another slot.")], kind="stale")
    session.expire(slot)
    if current is not None:
        session.expire(current)
    bureau = state.bureaus[bureau_id]
    record(session, Actor.of(user), tender, "pitch.booked", "pitch_slot", slot.id,
           {"bureau": [None, bureau.name], "starts_at": [current.starts_at if current else None, slot.starts_at]})
    _invite_to_pitch(session, state, tender, bureau, slot)
    return slot


def _bookable(state: PanelState, user: User, slot_id: int) -> tuple[PitchSlot, Optional[PitchSlot]]:
    """(the slot to book, the bureau's current booking) if this bureau may book it now; refused otherwise."""
    bureau_id = user.bureau_id
    if user.role != "bureau" or bureau_id not in state.stage_bureaus("pitch"):
        raise Refused([_("Only a bureau on the shortlist can book a pitch slot.")], kind="forbidden")
    require_stage_active(state, "pitch")
    slot = next((s for s in state.slots if s.id == slot_id and s.published_at is not None), None)
    if slot is None:
        raise Refused([_("This slot does not exist (any more).")], kind="invalid")
    current = state.slot_by_bureau.get(bureau_id)
    if current is not None and current.id == slot.id:
        raise Refused([_("You already booked this slot on %(when)s.", when=format_local(current.booked_at))],
                      kind="stale")
    if slot.starts_at <= now():
        raise Refused([_("This slot has already begun; choose a later one.")], kind="invalid")
    if current is not None and current.starts_at <= now():
        raise Refused([_("Your pitch of %(when)s has already begun; it cannot be moved.",
                         when=format_local(current.starts_at))], kind="invalid")
    return slot, current


PITCH_PAGES = {"bureau": "evaluation.bureau_pitch", "panel": "evaluation.tender"}  # the invitation links here


def _invite_to_pitch(session: Session, state: PanelState, tender: Tender, bureau: Bureau, slot: PitchSlot) -> None:
    """The pitch invitation with its .ics: to the bureau and to the panel members who may see it."""
    people = [(a, n, loc, "bureau") for a, n, loc in bureau_recipients(session, [bureau.id])[bureau.id]]
    people += [(u.email, u.name, u.locale, "panel") for u in state.members if not state.blocked(u.id, bureau.id)]
    for address, name, locale, audience in people:
        subject, text = render("evaluation_pitch_invitation", locale=locale, tender=tender, bureau=bureau, slot=slot,
                               audience=audience, end=_slot_end(slot),
                               link=external_url(PITCH_PAGES[audience], tender_id=tender.id))
        attachment = ics.pitch_attachment(tender, bureau, slot, subject, text.strip())
        queue(session, to=address, to_name=name, subject=subject, text=text, kind="pitch", tender_id=tender.id,
              attachments=[attachment],
              dedupe_key=f"pitch-invite:{tender.id}:{bureau.id}:{slot.ics_sequence}:{address.lower()}")

