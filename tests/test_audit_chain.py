"""The audit trail: append-only in the database, tamper-evident by hash chain, verified by CLI."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import select

from app import audit
from app.audit import SYSTEM
from app.models import AuditEvent


def _events(session, chain):
    return session.exec(select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)).all()


def test_events_form_a_chain(session, make):
    tender = make.tender()
    events = _events(session, f"tender:{tender.id}")
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == "0" * 64
    for prev, nxt in zip(events, events[1:]):
        assert nxt.prev_hash == prev.hash
    assert audit.verify(session).ok


def test_database_refuses_update_and_delete(session, make):
    make.tender()
    event_id = session.exec(select(AuditEvent.id)).first()
    for statement in ("UPDATE audit_event SET action = 'x' WHERE id = :id", "DELETE FROM audit_event WHERE id = :id"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement), {"id": event_id})
        session.rollback()
    assert session.get(AuditEvent, event_id).action != "x"


def _tamper(session, backend, statement, **params):
    """Change an audit row behind the application's back (as a DBA with the triggers off would)."""
    if backend == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
        session.execute(text(statement), params)
    else:
        session.execute(text("DROP TRIGGER audit_event_no_update"))
        session.execute(text("DROP TRIGGER audit_event_no_delete"))
        session.execute(text(statement), params)
    session.commit()


def test_verify_names_an_altered_row(session, make, backend, runner):
    tender = make.tender()
    victim = _events(session, f"tender:{tender.id}")[3]
    _tamper(session, backend, "UPDATE audit_event SET changes = '{\"title\": [null, \"forged\"]}' WHERE id = :id",
            id=victim.id)
    result = audit.verify(session)
    assert not result.ok
    assert result.breaches[0].event_id == victim.id
    assert "changes" in result.breaches[0].problem

    cli = runner.invoke(args=["audit", "verify"])
    assert cli.exit_code == 1
    assert f"event {victim.id} (chain tender:{tender.id}, seq {victim.seq})" in cli.output


def test_verify_detects_a_rewritten_canonical_text(session, make, backend):
    tender = make.tender()
    victim = _events(session, f"tender:{tender.id}")[1]
    forged = victim.canonical.replace('"action":"', '"action":"x')
    _tamper(session, backend, "UPDATE audit_event SET canonical = :c WHERE id = :id", c=forged, id=victim.id)
    breach = audit.verify(session).breaches[0]
    assert (breach.event_id, breach.problem) == (victim.id, "hash does not match the event's canonical text")


def test_verify_detects_a_removed_last_event(session, make, backend):
    tender = make.tender()
    last = _events(session, f"tender:{tender.id}")[-1]
    _tamper(session, backend, "DELETE FROM audit_event WHERE id = :id", id=last.id)
    result = audit.verify(session)
    assert [b.chain for b in result.breaches] == [f"tender:{tender.id}"]
    assert "removed" in result.breaches[0].problem


def test_verify_detects_a_removed_middle_event(session, make, backend):
    tender = make.tender()
    events = _events(session, f"tender:{tender.id}")
    _tamper(session, backend, "DELETE FROM audit_event WHERE id = :id", id=events[2].id)
    breach = audit.verify(session).breaches[0]
    assert breach.event_id == events[3].id and "sequence gap" in breach.problem


def test_a_forked_chain_fails_on_insert(session, make):
    """Two events with the same (chain, seq) cannot both be stored."""
    tender = make.tender()
    last = _events(session, f"tender:{tender.id}")[-1]
    twin = AuditEvent(**{**last.model_dump(exclude={"id"}), "hash": "f" * 64})
    session.add(twin)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_cli_verify_passes_and_counts(runner, make):
    make.tender()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")
    assert " events in " in result.output


def test_record_keeps_exact_canonical_text(session):
    event = audit.record(session, actor=SYSTEM, action="user.created", object_type="user", object_id=1,
                         changes={"name": [None, "Ünïcødé ‘quotes’"]})
    session.commit()
    stored = session.get(AuditEvent, event.id)
    assert audit.chain.link_hash(stored.prev_hash, stored.canonical) == stored.hash
    assert "Ünïcødé" in stored.canonical
