"""Faults: the SMTP server down for a while, broken in the middle of a message, and two senders at once.

Every message the outbox holds must arrive exactly once (checked by Message-ID in tests/proof/mailcheck.py),
except where SMTP itself leaves the sender in the dark: the server took the message, then the connection
broke before its "250" arrived. The sender cannot tell that from a message that never arrived, so it
sends it again with the same Message-ID (at least once; counted apart as "resent").
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from app import clock, mail
from app.db import writing
from app.mail import sender
from app.models import OutboxMessage
from tests import figures
from tests.conftest import SECRET
from tests.mail_server import ACCEPT_THEN_DROP, DROP
from tests.proof.mailcheck import ledger
from tests.proof.servers import ROOT


def _queue(session, n: int, prefix: str) -> None:
    with writing():
        for i in range(n):
            mail.queue(session, to=f"{prefix}{i}@bureau.example", subject=f"{prefix} {i}", text=f"Tekst {i}",
                       kind="test")
        session.commit()


def _tick(app, senders: int = 2) -> list[sender.SendResult]:
    """One cron minute: `senders` senders start at the same moment (as on two hosts)."""
    engine = app.extensions["samenspel.engine"]
    results: list[sender.SendResult] = []

    def run():
        with app.app_context():
            results.append(sender.send_due(engine, app.config))

    threads = [threading.Thread(target=run) for _ in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _waiting(session) -> int:
    session.commit()
    return session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.status.in_(("queued", "sending"))))


def _until_empty(app, session, minutes: int = 300) -> None:
    """Cron every minute until nothing waits (the back-off is at most two hours)."""
    for _minute in range(minutes):
        if not _waiting(session):
            return
        _tick(app)
        clock.advance(timedelta(minutes=1))
    raise AssertionError(f"{_waiting(session)} messages still waiting after {minutes} minutes")


def test_smtp_outage_every_message_arrives_once(app, session, mail_server):
    clock.freeze(clock.now())
    _queue(session, 20, "voor")
    assert sender.send_due(app.extensions["samenspel.engine"], app.config, limit=8).sent == 8
    mail_server.stop()
    for minute in range(20):  # twenty minutes down; mail keeps being queued meanwhile
        _queue(session, 1, f"tijdens{minute}-")
        assert sum(r.sent for r in _tick(app)) == 0
        clock.advance(timedelta(minutes=1))
    session.expire_all()
    attempts = session.exec(select(OutboxMessage.attempts).where(OutboxMessage.status == "queued")).all()
    # Each run stops at the first unreachable attempt, and a message tried waits 1, 2, 4 … minutes:
    # twenty minutes allow at most five attempts of one message (0+1+2+4+8 = 15 minutes).
    assert 2 <= max(attempts) <= 5, attempts
    assert len(mail_server.messages) == 8
    mail_server.start()
    _until_empty(app, session)
    result = ledger(session, mail_server)
    result.record(figures)
    assert (result.messages, result.lost, result.duplicated) == (40, 0, 0), result


def test_smtp_server_failing_in_the_middle_of_a_message(app, session, mail_server):
    """451/452 on DATA, a cut connection before and after the server took the message, a 554."""
    clock.freeze(clock.now())
    _queue(session, 30, "midden")
    mail_server.play([None, "451 4.3.0 Try again later", None, DROP, None, ACCEPT_THEN_DROP, None,
                      "452 4.3.1 Insufficient system storage", "554 5.6.0 Message rejected", DROP, DROP, None])
    _until_empty(app, session)
    result = ledger(session, mail_server, forced=1)
    result.record(figures)
    assert (result.messages, result.lost, result.duplicated) == (30, 0, 0), result
    assert result.resent == 1  # the message whose "250" was lost: sent again, same Message-ID
    assert result.refused == 1  # the 554: on record as failed with the server's answer, not lost
    failed = session.exec(select(OutboxMessage).where(OutboxMessage.status == "failed")).one()
    assert failed.last_error.startswith("554")
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent")) == 29


def _sender_process(database_url: str, mail_server, instance) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "SAMENSPEL_INSTANCE": str(instance),
           "MAIL_SERVER": mail_server.host, "MAIL_PORT": str(mail_server.port), "MAIL_TIMEOUT": "10"}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "outbox", "send"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_two_sender_processes_never_deliver_one_message_twice(app, database_url, session, mail_server, tmp_path):
    _queue(session, 80, "samen")
    mail_server.delay = 0.04  # ~3 s of work, so the two processes overlap
    processes = [_sender_process(database_url, mail_server, tmp_path / f"i{n}") for n in range(2)]
    outputs = [p.communicate(timeout=120)[0].decode() for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    result = ledger(session, mail_server)
    result.record(figures)
    assert (result.messages, result.lost, result.duplicated) == (80, 0, 0), (result, outputs)
    assert len(set(mail_server.peers)) == 2, outputs  # both processes delivered: they really ran together
    assert sum(int(o.split("Sent ")[1].split(",")[0]) for o in outputs) == 80, outputs


# --- the check can fail ---------------------------------------------------------------------------------

def test_the_ledger_catches_senders_that_claim_without_a_lock(app, session, mail_server, monkeypatch):
    """Break the claim on purpose (read, then write, no lock, no re-check): two senders deliver twice."""
    def careless_claim(engine, postgres):
        with Session(engine) as s:
            found = s.exec(select(OutboxMessage.id).where(OutboxMessage.status == "queued")
                           .order_by(OutboxMessage.id).limit(1)).first()
        if found is None:
            return None
        time.sleep(0.05)  # the window a lock would close
        with writing(), Session(engine, expire_on_commit=False) as s:
            message = s.get(OutboxMessage, found)
            message.status, message.attempts = "sending", message.attempts + 1
            s.commit()
            return message, []

    monkeypatch.setattr(sender, "_claim", careless_claim)
    _queue(session, 6, "slordig")
    _tick(app)
    assert ledger(session, mail_server).duplicated > 0


def test_the_ledger_catches_an_outbox_that_loses_a_message(app, session, mail_server, monkeypatch):
    """Break the outcome on purpose (a failure recorded as sent): the message is lost, and counted."""
    finish = sender._finish
    monkeypatch.setattr(sender, "_finish", lambda engine, message_id, attempt, error: finish(engine, message_id,
                                                                                            attempt, None))
    _queue(session, 3, "kwijt")
    mail_server.stop()
    sender.send_due(app.extensions["samenspel.engine"], app.config)
    mail_server.start()
    sender.send_due(app.extensions["samenspel.engine"], app.config)
    assert ledger(session, mail_server).lost == 1
