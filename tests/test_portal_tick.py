"""`flask tenders tick`: past the vision deadline to vision_review with an opening record (or to
unsuccessful without a valid vision), and reminders to bureaus that have not submitted."""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from sqlmodel import select

from app import clock
from app.models import AuditEvent, OpeningRecord, OutboxMessage, Tender
from app.portal import submissions
from app.tenders import operations
from tests.portal_factories import contacts, invited, open_submission, past_deadline, submit, vision_input
from workflows import Refused


@pytest.fixture
def running(make, session):
    tender, officer = invited(make, session)
    open_submission(session, officer, tender)
    return tender, officer, contacts(session, tender)


def test_tick_opens_the_visions_with_an_opening_record(running, session, runner, login_as, count_queries):
    tender, officer, (a, b, c) = running
    submit(session, a, tender)
    submit(session, a, tender, team="Herzien team")
    submit(session, b, tender)
    submissions.withdraw(session, b, tender, clock.now())
    submissions.save_draft(session, c, tender, vision_input(session, tender))
    session.commit()
    past_deadline(tender)
    result = runner.invoke(args=["tenders", "tick"])
    assert result.exit_code == 0 and f"{tender.reference}: vision_review" in result.output
    session.expire_all()
    assert session.get(Tender, tender.id).state == "vision_review"
    record = session.exec(select(OpeningRecord)).one()
    entries = {e["bureau"]: e for e in json.loads(record.entries)}
    names = sorted(entries)
    assert (record.outcome, record.opened_by_name) == ("vision_review", "Samenspel (automatisch)")
    assert record.record_hash == hashlib.sha256(record.entries.encode()).hexdigest()
    first, second, third = (entries[n] for n in names)
    assert (first["status"], first["counts"], [v["number"] for v in first["versions"]]) == ("submitted", 2, [1, 2])
    assert all(len(v["content_hash"]) == 64 and v["submitted_by"] == a.name for v in first["versions"])
    assert (second["status"], second["counts"]) == ("withdrawn", None)
    assert (third["status"], third["versions"]) == ("none", [])  # a draft is never disclosed
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "opening.recorded")).one()
    assert json.loads(event.changes)["entries"][1] == json.loads(record.entries)
    assert runner.invoke(args=["tenders", "tick"]).output.count(tender.reference) == 0  # idempotent
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    client = login_as(officer)
    with count_queries() as q:
        page = client.get(f"/tenders/{tender.id}").get_data(as_text=True)
    assert q.count <= 30, q.statements
    assert "Opening record" in page and page.count("Read the vision") == 1


def test_no_valid_vision_makes_the_tender_unsuccessful(running, session, runner):
    tender, officer, (a, _b, _c) = running
    submissions.save_draft(session, a, tender, vision_input(session, tender))
    session.commit()
    past_deadline(tender)
    with pytest.raises(Refused) as refused:  # the officer cannot open an empty submission either
        operations.fire(session, officer, tender, "close_submission")
    assert "No valid vision arrived" in refused.value.reasons[0]
    session.rollback()
    runner.invoke(args=["tenders", "tick"])
    session.expire_all()
    assert session.get(Tender, tender.id).state == "unsuccessful"
    assert session.exec(select(OpeningRecord)).one().outcome == "unsuccessful"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "tender.declare_unsuccessful")).one()
    assert "No valid vision arrived" in event.reason and event.actor_role == "system"


def test_reminders_go_only_to_bureaus_that_have_not_submitted(running, session, runner, login_as):
    tender, _officer, (a, b, c) = running
    submit(session, a, tender)
    login_as(c).post(f"/portal/tenders/{tender.id}/decline", data={"reason": "Geen tijd"})
    clock.freeze(tender.vision_deadline - timedelta(days=4))
    runner.invoke(args=["tenders", "tick"])
    assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).all() == []
    clock.freeze(tender.vision_deadline - timedelta(days=2))
    first = runner.invoke(args=["tenders", "tick"])
    runner.invoke(args=["tenders", "tick"])
    session.commit()
    reminders = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).all()
    assert [m.to_addr for m in reminders] == [b.email] and "reminder to" in first.output
    assert "not received a submitted vision" in reminders[0].body_text
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "reminder.sent")).all()) == 1


@pytest.mark.app_config(REMINDER_DAYS_BEFORE_DEADLINE=1)
def test_the_reminder_window_is_a_setting(running, session, runner):
    tender = running[0]
    clock.freeze(tender.vision_deadline - timedelta(days=2))
    runner.invoke(args=["tenders", "tick"])
    assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).all() == []
    clock.freeze(tender.vision_deadline - timedelta(hours=20))
    runner.invoke(args=["tenders", "tick"])
    session.commit()
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).all()) == 3
