"""The workflow engine: definitions as data, one machine per definition, actions with reasons,
one transaction per action with its audit event, races and failures."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, select

from app.audit import Actor, SYSTEM
from app.db import writing
from app.models import AuditEvent, Tender
from app.tenders import operations
from workflows import Refused, programme_engine, tender_engine
from workflows.tender import TENDER


def _events(session, tender_id, action=None):
    stmt = select(func.count()).select_from(AuditEvent).where(AuditEvent.chain == f"tender:{tender_id}")
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return session.scalar(stmt)


def test_one_machine_per_definition():
    assert tender_engine() is tender_engine()
    assert tender_engine().machine is tender_engine().machine
    assert programme_engine().machine is not tender_engine().machine
    # The machine holds no models (no leak, no per-request machines).
    assert tender_engine().machine.models == []


def test_tender_definition_covers_the_procedure():
    states = [s.name for s in TENDER.states]
    assert states[:8] == ["draft", "invitation", "vision_submission", "vision_review", "pitch", "selection",
                          "standstill", "awarded"]
    cancel = next(t for t in TENDER.transitions if t.event == "cancel")
    assert cancel.reason_required and "awarded" not in cancel.sources and set(cancel.sources) >= {"draft", "standstill"}
    assert {s.name for s in TENDER.states if s.final} == {"awarded", "cancelled", "unsuccessful"}


def test_programme_cycle_is_defined():
    wf = programme_engine().workflow
    assert [s.name for s in wf.states] == ["plan", "running", "evaluation", "ended"]
    assert wf.transition("continue", "evaluation").dest == "running"
    assert wf.transition("open_evaluation", "running").dest == "evaluation"


def test_actions_offered_with_reasons(session, make):
    officer = make.officer()
    tender = make.tender(officer, ready=False)
    engine = tender_engine()
    actions = {a.event: a for a in engine.actions(engine.context(session, tender, Actor.of(officer), officer))}
    assert set(actions) == {"open_invitation", "cancel"}
    assert not actions["open_invitation"].allowed
    assert any("lot" in r for r in actions["open_invitation"].reasons)
    assert actions["cancel"].allowed


def test_roles_see_only_their_actions(session, make):
    officer = make.officer()
    tender = make.tender(officer)
    evaluator_actions = tender_engine().actions(
        tender_engine().context(session, tender, Actor("1", "E", "evaluator")))
    assert evaluator_actions == []


def test_fire_changes_state_and_writes_one_event(session, make):
    officer = make.officer()
    tender = make.tender(officer)
    before = _events(session, tender.id)
    operations.fire(session, officer, tender, "open_invitation")
    session.commit()
    session.refresh(tender)
    assert tender.state == "invitation"
    # One event for the transition, after one per invitation its effect sent (app/portal/invitations.py).
    assert _events(session, tender.id, "tender.open_invitation") == 1
    assert _events(session, tender.id) == before + 1 + _events(session, tender.id, "invitation.sent")
    event = session.exec(select(AuditEvent).where(AuditEvent.chain == f"tender:{tender.id}")
                         .order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.from_state, event.to_state, event.actor_id) == \
        ("tender.open_invitation", "draft", "invitation", officer.id)


def test_officer_of_another_organisation_is_refused(session, make):
    tender = make.tender()
    stranger = make.officer()
    with pytest.raises(Refused) as refused:
        operations.fire(session, stranger, tender, "open_invitation")
    assert refused.value.kind == "forbidden"
    session.rollback()
    assert session.get(Tender, tender.id).state == "draft"


def test_reason_required_for_cancel(session, make):
    officer = make.officer()
    tender = make.tender(officer)
    with pytest.raises(Refused) as refused:
        operations.fire(session, officer, tender, "cancel", reason="   ")
    assert "reason" in refused.value.reasons[0].lower()
    session.rollback()
    operations.fire(session, officer, tender, "cancel", reason="Budget withdrawn by the council")
    session.commit()
    tender = session.get(Tender, tender.id)
    assert tender.state == "cancelled"
    assert session.exec(select(AuditEvent.reason).where(AuditEvent.action == "tender.cancel")).one() == \
        "Budget withdrawn by the council"


def test_database_backs_the_cancel_reason(session, make):
    tender = make.tender()
    with pytest.raises(Exception):
        session.execute(text("UPDATE tender SET state = 'cancelled' WHERE id = :id"), {"id": tender.id})
        session.flush()
    session.rollback()


def test_stale_version_is_refused_with_who_and_when(session, make):
    officer = make.officer(name="Anna Eerst")
    tender = make.tender(officer)
    old_version = tender.version
    operations.fire(session, officer, tender, "open_invitation", expected_version=old_version)
    session.commit()
    with pytest.raises(Refused) as refused:
        operations.fire(session, officer, tender, "open_invitation", expected_version=old_version)
    assert refused.value.kind == "stale"
    assert "Anna Eerst" in refused.value.reasons[0]


def test_repeating_a_done_action_says_who_did_it(session, make):
    officer = make.officer(name="Bert Tweede")
    tender = make.tender(officer)
    operations.fire(session, officer, tender, "open_invitation")
    session.commit()
    with pytest.raises(Refused) as refused:
        operations.fire(session, officer, tender, "open_invitation")
    assert "already done by Bert Tweede" in refused.value.reasons[0]


def test_failure_writing_the_audit_event_leaves_the_state_unchanged(session, make):
    """Make the database refuse the audit insert (the chain head points back one link, so the next
    seq collides with an existing event): the state change must roll back with it."""
    officer = make.officer()
    tender = make.tender(officer)
    chain = f"tender:{tender.id}"
    session.execute(text("UPDATE audit_chain_head SET seq = seq - 1 WHERE chain = :c"), {"c": chain})
    session.commit()
    events_before = _events(session, tender.id)
    with pytest.raises(Refused) as refused:
        operations.fire(session, officer, tender, "open_invitation")
    assert refused.value.kind == "stale"
    session.rollback()
    assert session.get(Tender, tender.id).state == "draft"
    assert _events(session, tender.id) == events_before


def test_failing_effect_rolls_back(session, make, monkeypatch):
    """An exception inside the transition (an effect) leaves nothing changed."""
    officer = make.officer()
    tender = make.tender(officer)
    engine = tender_engine()

    def boom(_ctx):
        raise RuntimeError("mail server exploded")
    monkeypatch.setattr(engine, "_record", lambda *a, **k: boom(None))
    with pytest.raises(RuntimeError):
        operations.fire(session, officer, tender, "open_invitation")
    session.rollback()
    assert session.get(Tender, tender.id).state == "draft"


def test_two_officers_at_the_same_moment(app, session, make):
    """Both fire the same action with the same version: exactly one state change and one event;
    the other is refused and told who did it."""
    officer_a = make.officer(name="Officer A")
    tender = make.tender(officer_a)
    officer_b = make.officer(organisation=None)
    # B belongs to the same organisation as A.
    officer_b.organisation_id = officer_a.organisation_id
    session.add(officer_b)
    session.commit()
    version = tender.version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    engine = app.extensions["samenspel.engine"]

    def attempt(user_id):
        with app.app_context(), writing():
            barrier.wait()
            with Session(engine, expire_on_commit=False) as s:
                from app.models import User
                try:
                    operations.fire(s, s.get(User, user_id), s.get(Tender, tender.id), "open_invitation",
                                    expected_version=version)
                    s.commit()
                    outcomes.append("done")
                except Refused as r:
                    s.rollback()
                    outcomes.append("refused: " + r.reasons[0])

    threads = [threading.Thread(target=attempt, args=(u.id,)) for u in (officer_a, officer_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(o.split(":")[0] for o in outcomes) == ["done", "refused"]
    session.expire_all()
    assert _events(session, tender.id, "tender.open_invitation") == 1
    assert session.get(Tender, tender.id).state == "invitation"


def test_system_actor_may_close_submission_after_deadline(session, make):
    from datetime import timedelta

    from app import clock
    officer = make.officer()
    tender = make.tender(officer)
    operations.fire(session, officer, tender, "open_invitation")
    operations.fire(session, officer, tender, "open_submission")
    session.commit()
    from tests.portal_factories import contacts, submit
    submit(session, contacts(session, tender)[0], tender)  # a valid vision to open
    with pytest.raises(Refused) as refused:
        operations.fire(session, None, tender, "close_submission", actor=SYSTEM)
    assert "has not passed" in refused.value.reasons[0]
    session.rollback()
    clock.freeze(tender.vision_deadline + timedelta(seconds=1))
    operations.fire(session, None, tender, "close_submission", actor=SYSTEM)
    session.commit()
    assert session.get(Tender, tender.id).state == "vision_review"
