"""Pitch slots: published by the officer, booked by shortlisted bureaus (one bureau per slot, even
under a race), invitations with an iCalendar file; pitches scored once held; withdrawal."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlmodel import select

from app import clock
from app.evaluation import operations as ops
from app.models import AuditEvent, OutboxAttachment, OutboxMessage, PitchSlot
from tests.evaluation_factories import EvaluationFactory
from workflows import Refused


@pytest.fixture
def ev(make):
    return EvaluationFactory(make)


@pytest.fixture
def pitching(ev):
    sc = ev.in_review(lots=1, bureau_users=True)
    b0, b1, b2 = sc.bureaus
    return ev.to_pitch(sc, picked=[b0, b1])


def _local(moment):
    return clock.local(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_officer_adds_slots_with_checks(pitching, login_as, session):
    sc = pitching
    officer = login_as(sc.officer)
    url = f"/evaluation/tenders/{sc.id}/slots"
    start = clock.now() + timedelta(days=2)
    past = officer.post(url, data={"starts_at": _local(clock.now() - timedelta(hours=1)), "duration_minutes": "45",
                                   "location": "Stadhuis"})
    assert past.status_code == 422 and "must lie in the future" in past.get_data(as_text=True)
    nowhere = officer.post(url, data={"starts_at": _local(start), "duration_minutes": "45"})
    assert nowhere.status_code == 422 and "Give a place or an online link" in nowhere.get_data(as_text=True)
    bad_link = officer.post(url, data={"starts_at": _local(start), "duration_minutes": "45",
                                       "online_url": "javascript:alert(1)"})
    assert bad_link.status_code == 422
    ok = officer.post(url, data={"starts_at": _local(start), "duration_minutes": "45", "location": "Stadhuis, zaal 3",
                                 "online_url": "https://meet.example/pitch"})
    assert ok.status_code == 302
    overlap = officer.post(url, data={"starts_at": _local(start + timedelta(minutes=30)), "duration_minutes": "30",
                                      "location": "Stadhuis"})
    assert overlap.status_code == 422 and "overlaps" in overlap.get_data(as_text=True)
    assert len(session.exec(select(PitchSlot)).all()) == 1
    assert officer.post(f"{url}/publish", data={}).status_code == 302
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "pitch")).all()
    assert sorted(m.to_addr for m in mails) == sorted(b.contact_email for b in sc.bureaus[:2])
    assert officer.post(f"{url}/publish", data={}).status_code == 422  # nothing new


def test_a_bureau_books_a_slot_and_gets_a_calendar_invitation(ev, pitching, login_as, session):
    sc = pitching
    b0, b1, b2 = sc.bureaus
    slot = ev.slot(sc, 26, location="Stadhuis, zaal 3", online_url="https://meet.example/p1")
    client = login_as(sc.bureau_users[b0.id])
    page = client.get(f"/evaluation/pitches/{sc.id}").get_data(as_text=True)
    assert "Book this slot" in page and "https://meet.example/p1" not in page
    # Booking for another bureau is refused; the booking is always for the user's own bureau.
    other = client.post(f"/evaluation/pitches/{sc.id}", data={"slot": slot.id, "bureau": b1.id})
    assert other.status_code == 422 and "only for your own bureau" in other.get_data(as_text=True)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "pitch.booked")).first() is None
    assert client.post(f"/evaluation/pitches/{sc.id}", data={"slot": slot.id, "bureau": b0.id}).status_code == 302
    session.expire_all()
    booked = session.get(PitchSlot, slot.id)
    assert booked.bureau_id == b0.id and booked.booked_by_id == sc.bureau_users[b0.id].id
    invitations = session.exec(select(OutboxMessage).where(OutboxMessage.subject.contains(b0.name))).all()
    assert {m.to_addr for m in invitations} == {b0.contact_email} | {e.email for e in sc.evaluators}
    attachment = session.exec(select(OutboxAttachment).where(
        OutboxAttachment.message_id == next(m.id for m in invitations if m.to_addr == b0.contact_email))).one()
    assert attachment.filename == "pitch.ics" and attachment.content_type.startswith("text/calendar")
    event = Calendar.from_ical(attachment.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == booked.starts_at
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)
    assert str(event["location"]) == "Stadhuis, zaal 3, https://meet.example/p1" and int(event["sequence"]) == 0
    page = client.get(f"/evaluation/pitches/{sc.id}").get_data(as_text=True)
    assert "your pitch" in page and "https://meet.example/p1" in page
    ics = client.get(f"/evaluation/pitches/{sc.id}/pitch.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar" and b"BEGIN:VEVENT" in ics.data

    # Moving to another slot frees the first and updates the same calendar event.
    later = ev.slot(sc, 30)
    assert client.post(f"/evaluation/pitches/{sc.id}", data={"slot": later.id}).status_code == 302
    session.expire_all()
    assert session.get(PitchSlot, slot.id).bureau_id is None and session.get(PitchSlot, later.id).ics_sequence == 1
    twice = client.post(f"/evaluation/pitches/{sc.id}", data={"slot": later.id})
    assert twice.status_code == 409 and "already booked this slot" in twice.get_data(as_text=True)


def test_one_bureau_per_slot(ev, pitching, login_as, session):
    sc = pitching
    b0, b1, _b2 = sc.bureaus
    slot = ev.slot(sc, 26)
    ev.book(sc, b0, slot)
    response = login_as(sc.bureau_users[b1.id]).post(f"/evaluation/pitches/{sc.id}", data={"slot": slot.id})
    assert response.status_code == 409 and "Another bureau booked this slot" in response.get_data(as_text=True)
    assert b0.name not in response.get_data(as_text=True)  # who holds it is not disclosed
    session.expire_all()
    assert session.get(PitchSlot, slot.id).bureau_id == b0.id


def test_two_bureaus_racing_for_one_slot_get_one_booking(ev, pitching, login_as, session, app):
    sc = pitching
    b0, b1, _b2 = sc.bureaus
    slot = ev.slot(sc, 26)
    clients = [login_as(sc.bureau_users[b.id]) for b in (b0, b1)]
    barrier, results = threading.Barrier(2), []
    url, data = f"/evaluation/pitches/{sc.id}", {"slot": slot.id}  # read before the threads share nothing

    def book(client):
        barrier.wait()
        results.append(client.post(url, data=data).status_code)

    saved = app.extensions.get("test_sessions", [])
    app.extensions["test_sessions"] = []  # the test's own session must not be shared between the threads
    try:
        threads = [threading.Thread(target=book, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        app.extensions["test_sessions"] = saved
    session.commit()
    session.expire_all()
    assert sorted(results) == [302, 409]
    assert session.get(PitchSlot, slot.id).bureau_id in (b0.id, b1.id)
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "pitch.booked")).all()) == 1


def test_a_bureau_not_on_the_shortlist_cannot_book(ev, pitching, login_as, make):
    sc = pitching
    slot = ev.slot(sc, 26)
    outsider = login_as(make.bureau_user(sc.bureaus[2], email="x@outsider.example"))
    page = outsider.get(f"/evaluation/pitches/{sc.id}")
    assert page.status_code == 200 and "does not go on to pitch" in page.get_data(as_text=True)
    assert outsider.post(f"/evaluation/pitches/{sc.id}", data={"slot": slot.id}).status_code == 404
    stranger = login_as(make.bureau_user())
    assert stranger.get(f"/evaluation/pitches/{sc.id}").status_code == 404


def test_pitches_are_scored_only_once_held(ev, pitching, session, login_as):
    sc = pitching
    b0 = sc.bureaus[0]
    ev.declare_all(sc)
    slot = ev.slot(sc, 26)
    ev.book(sc, b0, slot)
    with pytest.raises(Refused, match="its pitch has not taken place"):
        ev.score(sc, sc.evaluators[0], "pitch", b0, [6, 6])
    session.rollback()
    clock.freeze(slot.starts_at + timedelta(minutes=5))
    ev.score(sc, sc.evaluators[0], "pitch", b0, [6, 6])
    page = login_as(sc.evaluators[0]).get(f"/evaluation/tenders/{sc.id}").get_data(as_text=True)
    assert "panel scores" in page


def test_a_withdrawn_bureau_leaves_the_pitch_round(ev, pitching, login_as, session):
    sc = pitching
    b0, b1, _b2 = sc.bureaus
    slot = ev.slot(sc, 26)
    ev.book(sc, b1, slot)
    officer = login_as(sc.officer)
    assert officer.post(f"/evaluation/tenders/{sc.id}/withdraw", data={"bureau": b1.id, "reason": ""}
                        ).status_code == 422
    assert officer.post(f"/evaluation/tenders/{sc.id}/withdraw", data={"bureau": b1.id, "reason": "Trok zich terug."}
                        ).status_code == 302
    session.expire_all()
    assert session.get(PitchSlot, slot.id).bureau_id is None
    with pytest.raises(Refused):
        ops.book_slot(session, sc.bureau_users[b1.id], sc.tender, slot.id)
    session.rollback()
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "shortlist.withdrawn")).one().reason \
        == "Trok zich terug."
