"""Tick jobs (`flask --app app tenders tick`): the vision deadline and the reminders before it.
Both are idempotent: a second run finds nothing left to do."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session, select

from app import audit, mail, scheduler
from app.audit import SYSTEM
from app.clock import now
from app.i18n import format_local
from app.models import Tender, Vision
from app.portal.invitations import active_recipients
from app.portal.links import external_url
from app.portal.submissions import valid_visions
from app.tenders import operations
from workflows import Refused


@scheduler.job("vision_deadline", order=10)
def close_passed_deadlines(session: Session) -> list[str]:
    """Tenders whose vision deadline passed go to vision_review, or to unsuccessful without a valid vision."""
    lines = []
    due = session.exec(select(Tender.id).where(Tender.state == "vision_submission", Tender.vision_deadline <= now())
                       .order_by(Tender.id)).all()
    for tender_id in due:
        tender = session.get(Tender, tender_id)
        try:
            if valid_visions(session, tender.id):
                operations.fire(session, None, tender, "close_submission", actor=SYSTEM)
            else:
                operations.fire(session, None, tender, "declare_unsuccessful", actor=SYSTEM, reason=_(
                    "No valid vision arrived before the deadline (%(deadline)s).",
                    deadline=format_local(tender.vision_deadline)))
        except Refused as refusal:  # someone else moved it in the meantime
            lines.append(f"{tender.reference}: skipped ({'; '.join(refusal.reasons)})")
            continue
        lines.append(f"{tender.reference}: {tender.state}")
    return lines


@scheduler.job("vision_reminders", order=20)
def send_reminders(session: Session) -> list[str]:
    """Bureaus that have not submitted hear N days before the deadline (REMINDER_DAYS_BEFORE_DEADLINE)."""
    days = current_app.config["REMINDER_DAYS_BEFORE_DEADLINE"]
    moment = now()
    tenders = session.exec(select(Tender).where(Tender.state == "vision_submission", Tender.vision_deadline > moment,
                                                Tender.vision_deadline <= moment + timedelta(days=days))
                           .order_by(Tender.id)).all()
    lines = []
    for tender in tenders:
        submitted = set(session.exec(select(Vision.bureau_id).where(Vision.tender_id == tender.id,
                                                                    Vision.status == "submitted")).all())
        for invitation, bureau, contact in active_recipients(session, tender.id):
            if bureau.id in submitted:
                continue
            subject, body = mail.render("reminder", locale=contact.locale, tender=tender, bureau=bureau,
                                        link=external_url("portal.vision", tender_id=tender.id))
            queued = mail.queue(session, to=contact.email, to_name=contact.name, subject=subject, text=body,
                                kind="reminder", tender_id=tender.id, dedupe_key=f"reminder:{tender.id}:{bureau.id}")
            if queued is None:
                continue
            audit.record(session, actor=SYSTEM, action="reminder.sent", object_type="invitation",
                         object_id=invitation.id, tender_id=tender.id,
                         changes={"bureau": [None, bureau.name], "deadline": [None, tender.vision_deadline]})
            lines.append(f"{tender.reference}: reminder to {bureau.name}")
    return lines
