"""Reminders by `tenders tick`: only to members who are late, before and after the due date, once each."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app import clock
from app.evaluation import operations as ops
from app.models import AuditEvent, OutboxMessage
from tests.evaluation_factories import EvaluationFactory


@pytest.fixture
def ev(make):
    return EvaluationFactory(make)


def _reminders(session):
    session.commit()  # end the test session's snapshot, so it sees what `tick` wrote
    return session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder").order_by(OutboxMessage.id)).all()


def test_reminders_go_only_to_late_members_before_and_after_the_due_date(ev, runner, session):
    sc = ev.in_review(lots=1)
    done, halfway, silent = sc.evaluators
    ev.declare(sc, done)
    ev.declare(sc, halfway)
    for b in sc.bureaus:
        ev.score(sc, done, "vision", b, [8, 6])
    ev.score(sc, halfway, "vision", sc.bureaus[0], [8, 6])
    due = clock.now() + timedelta(days=5)
    ops.set_due(session, sc.officer, sc.tender, "vision", due)
    session.commit()

    assert runner.invoke(args=["tenders", "tick"]).exit_code == 0
    assert _reminders(session) == []  # not yet within two days of the due date

    clock.freeze(due - timedelta(days=1))
    result = runner.invoke(args=["tenders", "tick"])
    assert result.exit_code == 0, result.output
    before = _reminders(session)
    assert sorted(m.to_addr for m in before) == sorted([halfway.email, silent.email])
    text = {m.to_addr: m.body_text for m in before}
    assert "Score sheets still to submit: 2" in text[halfway.email]
    assert "Conflicts of interest still to declare: 3 bureaus" in text[silent.email]
    assert runner.invoke(args=["tenders", "tick"]).exit_code == 0
    assert len(_reminders(session)) == 2  # idempotent

    for b in sc.bureaus[1:]:
        ev.score(sc, halfway, "vision", b, [6, 6])
    clock.freeze(due + timedelta(hours=1))
    runner.invoke(args=["tenders", "tick"])
    after = _reminders(session)[2:]
    assert [m.to_addr for m in after] == [silent.email] and after[0].subject.startswith("Overdue")
    clock.freeze(due + timedelta(days=2, hours=1))
    runner.invoke(args=["tenders", "tick"])
    assert [m.to_addr for m in _reminders(session)[3:]] == [silent.email]
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "evaluation.reminder_sent")).all()
    assert len(events) == 4 and all(e.actor_role == "system" for e in events)


def test_the_officer_sets_the_due_date(ev, login_as, session):
    sc = ev.in_review(lots=1)
    officer = login_as(sc.officer)
    assert officer.post(f"/evaluation/tenders/{sc.id}/vision/due", data={"vision-due_at": ""}).status_code == 422
    response = officer.post(f"/evaluation/tenders/{sc.id}/vision/due", data={"vision-due_at": "2030-03-02T12:00"})
    assert response.status_code == 302
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "evaluation.due_set")).one()
    assert '"2030-03-02T11:00:00.000000Z"]' in event.changes
    assert "2 Mar 2030 12:00" in login_as(sc.evaluators[0]).get(f"/evaluation/tenders/{sc.id}").get_data(as_text=True)
