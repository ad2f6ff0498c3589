"""Reminders to panel members who are late with their scores, run by `flask --app app tenders tick`.

Only members with work left get one: conflicts still to declare, or sheets still to submit for bureaus
they can score now. One reminder `SCORING_REMINDER_DAYS_BEFORE` days before the due date, then one every
`SCORING_REMINDER_INTERVAL_DAYS` days after it. Idempotent: each reminder has a dedupe key, so running
tick twice sends nothing twice.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlmodel import Session, select

from app import audit, scheduler
from app.audit import SYSTEM
from app.clock import now
from app.evaluation.panel import STAGE_STATES, load_panel
from app.i18n import format_local
from app.links import external_url
from app.mail import queue, render
from app.models import OutboxMessage, Tender


def _reminder_slot(due, moment, before_days: int, interval: int):
    """"before", "after-<n>", or None when no reminder is due at this moment."""
    if moment >= due:
        return f"after-{(moment - due).days // max(1, interval)}"
    if moment >= due - timedelta(days=before_days):
        return "before"
    return None


@scheduler.job("evaluation.reminders", order=200)
def send_reminders(session: Session) -> list[str]:
    before_days = current_app.config.get("SCORING_REMINDER_DAYS_BEFORE", 2)
    interval = current_app.config.get("SCORING_REMINDER_INTERVAL_DAYS", 2)
    moment = now()
    lines = []
    tenders = session.exec(select(Tender).where(Tender.state.in_(tuple(STAGE_STATES.values())))).all()
    for tender in tenders:
        state = load_panel(session, tender)
        stage = "vision" if tender.state == "vision_review" else "pitch"
        due = state.due(stage)
        if due is None or not state.bureaus:
            continue
        slot = _reminder_slot(due, moment, before_days, interval)
        if slot is None:
            continue
        for member in state.members:
            undeclared = len(state.undeclared(member.id))
            sheets = len(state.to_do(stage, member.id))
            if not undeclared and not sheets:
                continue
            key = f"eval-reminder:{tender.id}:{stage}:{member.id}:{slot}"
            if session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)).first():
                continue
            subject, text = render("evaluation_reminder", locale=member.locale, tender=tender, member=member,
                                   stage=stage, due=format_local(due), overdue=slot != "before",
                                   undeclared=undeclared, sheets=sheets,
                                   link=external_url("evaluation.tender", tender_id=tender.id))
            queue(session, to=member.email, to_name=member.name, subject=subject, text=text, kind="reminder",
                  tender_id=tender.id, dedupe_key=key)
            audit.record(session, actor=SYSTEM, action="evaluation.reminder_sent", object_type="user",
                         object_id=member.id, tender_id=tender.id,
                         changes={"evaluator": [None, member.name], "stage": [None, stage],
                                  "when": [None, "before" if slot == "before" else "overdue"],
                                  "to_declare": [None, undeclared], "sheets_to_submit": [None, sheets]})
            lines.append(f"{tender.reference}: reminded {member.email} ({stage}, {slot})")
    return lines
