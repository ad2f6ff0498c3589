"""E-mail that is never lost: the outbox, the SMTP sender (retries with back-off, each message once)
against a real SMTP server on loopback, and the outbox page for officers."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from app import clock, mail
from app.db import writing
from app.mail.sender import backoff, send_due
from app.models import OutboxMessage
from tests.portal_factories import invited


def _queue(session, n: int, tender_id=None, prefix="bericht"):
    with writing():
        for i in range(n):
            mail.queue(session, to=f"{prefix}{i}@bureau.example", to_name=f"Ontvanger {i}", subject=f"Onderwerp {i}",
                       text=f"Tekst {i}", kind="test", tender_id=tender_id)
        session.commit()


def _fresh(session):
    """End the test session's read snapshot so it sees what the sender committed."""
    session.commit()
    session.expire_all()


def _statuses(session):
    _fresh(session)
    return sorted(m.status for m in session.exec(select(OutboxMessage)))


def test_backoff_doubles_up_to_a_cap():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(30) == timedelta(hours=2)


def test_sender_delivers_each_message_once(session, runner, mail_server):
    _queue(session, 3)
    first = runner.invoke(args=["outbox", "send"])
    assert first.exit_code == 0 and "Sent 3" in first.output
    again = runner.invoke(args=["outbox", "send"])
    assert "Sent 0" in again.output
    assert len(mail_server.messages) == 3
    stored = {m.to_addr: m for m in session.exec(select(OutboxMessage))}
    received = mail_server.to("bericht1@bureau.example")
    assert len(received) == 1
    assert received[0]["Message-ID"] == stored["bericht1@bureau.example"].message_id
    assert received[0]["Subject"] == "Onderwerp 1" and mail_server.body(received[0]).strip() == "Tekst 1"
    assert _statuses(session) == ["sent"] * 3
    assert all(m.sent_at is not None and m.attempts == 1 for m in stored.values())


def test_server_down_then_back_sends_once(session, runner, mail_server):
    _queue(session, 2)
    mail_server.stop()
    down = runner.invoke(args=["outbox", "send"])
    assert "Sent 0, waiting to retry 1" in down.output  # the run stops at the first unreachable attempt
    _fresh(session)
    tried = session.exec(select(OutboxMessage).where(OutboxMessage.attempts == 1)).one()
    assert tried.status == "queued" and "cannot connect" in tried.last_error
    assert tried.due_at > clock.now() + timedelta(seconds=50)
    mail_server.start()
    runner.invoke(args=["outbox", "send"])
    assert len(mail_server.messages) == 1  # the one not yet tried; the other waits for its back-off
    clock.freeze(clock.now() + timedelta(minutes=2))
    runner.invoke(args=["outbox", "send"])
    runner.invoke(args=["outbox", "send"])
    assert sorted(m["To"] for m in mail_server.messages) == ["Ontvanger 0 <bericht0@bureau.example>",
                                                             "Ontvanger 1 <bericht1@bureau.example>"]
    assert _statuses(session) == ["sent", "sent"]


def test_temporary_and_permanent_smtp_errors(session, runner, mail_server):
    _queue(session, 1)
    mail_server.fail_next(1, "451 4.3.0 Try again later")
    runner.invoke(args=["outbox", "send"])
    _fresh(session)
    message = session.exec(select(OutboxMessage)).one()
    assert (message.status, message.attempts) == ("queued", 1) and message.last_error.startswith("451")
    clock.freeze(clock.now() + timedelta(minutes=5))
    mail_server.fail_next(1, "550 5.1.1 No such user")
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 1 and "550" in result.output
    _fresh(session)
    message = session.exec(select(OutboxMessage)).one()
    assert (message.status, message.attempts) == ("failed", 2)
    assert mail_server.messages == []


def test_concurrent_senders_never_send_twice(app, session, mail_server):
    _queue(session, 12)
    engine = app.extensions["samenspel.engine"]
    results = []

    def run():
        with app.app_context():
            results.append(send_due(engine, app.config))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    ids = [m["Message-ID"] for m in mail_server.messages]
    assert len(ids) == 12 and len(set(ids)) == 12
    assert sum(r.sent for r in results) == 12
    assert _statuses(session) == ["sent"] * 12


def test_a_stale_claim_is_taken_over(app, session, mail_server):
    """A sender that died mid-delivery leaves `sending` behind; after the lease it goes out again."""
    _queue(session, 1)
    with writing():
        message = session.exec(select(OutboxMessage)).one()
        message.status, message.locked_until = "sending", clock.now() + timedelta(minutes=10)
        session.commit()
    assert send_due(app.extensions["samenspel.engine"], app.config).sent == 0
    clock.freeze(clock.now() + timedelta(minutes=11))
    assert send_due(app.extensions["samenspel.engine"], app.config).sent == 1
    assert len(mail_server.messages) == 1


def test_without_smtp_officers_read_the_outbox(make, session, login_as, runner, count_queries):
    tender, officer = invited(make, session)
    result = runner.invoke(args=["outbox", "send"])
    assert "No MAIL_SERVER configured: 3 message(s) wait" in result.output
    client = login_as(officer)
    with count_queries() as q:
        html = client.get("/outbox").get_data(as_text=True)
    assert q.count <= 8, q.statements
    message = session.exec(select(OutboxMessage)).first()
    assert message.subject in html and message.to_addr in html
    body = client.get(f"/outbox/{message.id}").get_data(as_text=True)
    assert "/invitation/" in body  # the personal link the officer passes on
    # Another organisation's officer sees neither the list entry nor the message.
    stranger = login_as(make.officer())
    assert message.subject not in stranger.get("/outbox").get_data(as_text=True)
    assert stranger.get(f"/outbox/{message.id}").status_code == 404
    assert login_as(make.admin()).get("/outbox").status_code == 404


def test_with_smtp_the_bodies_stay_hidden(make, session, login_as, mail_server):
    tender, officer = invited(make, session)
    message = session.exec(select(OutboxMessage)).first()
    client = login_as(officer)
    html = client.get(f"/outbox?tender={tender.id}&status=queued").get_data(as_text=True)
    assert message.subject in html and f"/outbox/{message.id}" not in html
    assert client.get(f"/outbox/{message.id}").status_code == 404


@pytest.mark.app_config(MAIL_SERVER="")
def test_mail_is_queued_in_the_same_transaction(make, session):
    """A change that rolls back takes its e-mail with it."""
    from app.tenders import operations
    officer = make.officer()
    tender = make.tender(officer)
    operations.fire(session, officer, tender, "open_invitation")
    assert len(session.exec(select(OutboxMessage)).all()) == 3
    session.rollback()
    assert session.exec(select(OutboxMessage)).all() == []
