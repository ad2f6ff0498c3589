"""iCalendar (RFC 5545) files for pitch invitations.

One event per bureau's pitch: its UID stays the same when the bureau moves its booking and the SEQUENCE
grows, so calendar programs update the event instead of adding a second one. METHOD:PUBLISH: the file
adds the pitch to a calendar; replies go through Samenspel, not to the no-reply sender.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from icalendar import Calendar, Event

from app.clock import now
from app.mail.outbox import MailAttachment
from app.models import Bureau, PitchSlot, Tender

CONTENT_TYPE = "text/calendar; method=PUBLISH; charset=UTF-8"


def pitch_uid(tender: Tender, bureau: Bureau) -> str:
    domain = current_app.config.get("MAIL_MESSAGE_ID_DOMAIN", "samenspel.local")
    return f"pitch-{tender.id}-{bureau.id}@{domain}"


def pitch_calendar(tender: Tender, bureau: Bureau, slot: PitchSlot, summary: str, description: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Samenspel//Pitch//NL")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", pitch_uid(tender, bureau))
    event.add("sequence", slot.ics_sequence)
    event.add("dtstamp", now())
    event.add("dtstart", slot.starts_at)
    event.add("dtend", slot.starts_at + timedelta(minutes=slot.duration_minutes))
    event.add("summary", summary)
    event.add("description", description)
    where = ", ".join(part for part in (slot.location, slot.online_url) if part)
    event.add("location", where)
    if slot.online_url:
        event.add("url", slot.online_url)
    event.add("status", "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()


def pitch_attachment(tender: Tender, bureau: Bureau, slot: PitchSlot, summary: str, description: str) -> MailAttachment:
    return MailAttachment(filename="pitch.ics", content_type=CONTENT_TYPE,
                          content=pitch_calendar(tender, bureau, slot, summary, description))
