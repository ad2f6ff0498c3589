"""Races across processes: two gunicorn servers on loopback against one PostgreSQL.

- Many clients fire the same transition at the same moment: exactly one state change and one audit
  event per tender; every other client is told it was already done.
- A random concurrent workload of many operations ends with `audit verify` passing, no forked chain,
  and every tender's state equal to what its own audit chain says.
"""
from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
from sqlalchemy import func
from sqlmodel import select

from app import audit
from app.models import AuditEvent, Lot, Tender
from tests import figures
from tests.factories import PASSWORD
from tests.proof.servers import HttpClient

pytestmark = [pytest.mark.xdist_group("servers"), pytest.mark.postgres_only]


def _clients(servers, user, n):
    clients = []
    for i in range(n):
        client = HttpClient(servers[i % len(servers)].url)
        client.login(user.email, PASSWORD)
        clients.append(client)
    return clients


def double_transitions(session, action: str) -> int:
    """How many tenders show the same transition recorded more than once."""
    counts = session.exec(select(AuditEvent.tender_id, func.count()).where(AuditEvent.action == action)
                          .group_by(AuditEvent.tender_id)).all()
    return sum(1 for _tender, n in counts if n > 1)


def test_same_transition_fired_by_many_clients_at_once(servers, make, session):
    officer = make.officer()
    tenders = [make.tender(officer, bureaus=3, evaluators=1, lots=1) for _ in range(6)]
    clients = _clients(servers, officer, 8)
    outcomes: Counter = Counter()
    for tender in tenders:
        tokens = [c.csrf(f"/tenders/{tender.id}") for c in clients]
        barrier = threading.Barrier(len(clients))

        def fire(client, token, tender=tender):
            barrier.wait()
            status, _ = client.post(f"/tenders/{tender.id}/actions/open_invitation",
                                    {"version": tender.version}, token)
            outcomes[(tender.id, status)] += 1

        threads = [threading.Thread(target=fire, args=(c, t)) for c, t in zip(clients, tokens)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    session.expire_all()
    doubles = double_transitions(session, "tender.open_invitation")
    figures.record("races", attempts=len(tenders) * len(clients), double_transitions=doubles)
    for tender in tenders:
        assert session.get(Tender, tender.id).state == "invitation"
        assert outcomes[(tender.id, 302)] == 1, outcomes
        assert outcomes[(tender.id, 409)] == len(clients) - 1, outcomes
    assert doubles == 0


def test_random_concurrent_workload_keeps_the_record_whole(servers, make, session):
    officer = make.officer()
    tenders = [make.tender(officer, bureaus=3, evaluators=1, lots=1) for _ in range(8)]
    clients = _clients(servers, officer, 8)
    rng = random.Random(20261124)
    operations = 600
    per_client = operations // len(clients)
    statuses: Counter = Counter()

    def work(client, seed):
        r = random.Random(seed)
        for i in range(per_client):
            tender = r.choice(tenders)
            path = f"/tenders/{tender.id}"
            status, html = client.get(path)
            token = _token(html) if status == 200 else client.csrf(path)
            version = _version(html)
            kind = r.random()
            if kind < 0.35:
                result = client.post(f"{path}/lots/new", {"version": version, "title": f"Laag {seed}-{i}"}, token)
            elif kind < 0.6:
                result = client.post(f"{path}/edit/brief", {"version": version, "city_goals": f"Doel {seed}-{i}",
                                                             "development_track": "OO", "open_question": "Wat?"}, token)
            elif kind < 0.85:
                result = client.post(f"{path}/actions/open_invitation", {"version": version}, token)
            else:
                result = client.post(f"{path}/actions/cancel", {"version": version, "reason": f"stop {seed}"}, token)
            statuses[result[0]] += 1

    threads = [threading.Thread(target=work, args=(c, rng.random())) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    session.expire_all()
    result = audit.verify(session)
    figures.record("races", attempts=sum(statuses.values()),
                   double_transitions=double_transitions(session, "tender.open_invitation")
                   + double_transitions(session, "tender.cancel"))
    assert result.ok, result.breaches
    assert statuses[500] == 0, statuses
    for tender in tenders:
        last = session.exec(select(AuditEvent.to_state).where(AuditEvent.tender_id == tender.id,
                                                              AuditEvent.to_state.is_not(None))
                            .order_by(AuditEvent.seq.desc())).first()
        assert session.get(Tender, tender.id).state == (last or "draft")
        lots = session.scalar(select(func.count()).select_from(Lot).where(Lot.tender_id == tender.id))
        added = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.tender_id == tender.id, AuditEvent.action == "lot.added"))
        assert lots == added  # every stored lot has exactly one audit event, and none is missing


def _token(html: str) -> str:
    from tests.proof.servers import CSRF
    return CSRF.search(html).group(1)


def _version(html: str) -> str:
    import re
    match = re.search(r'name="version" value="(\d+)"', html)
    return match.group(1) if match else ""


def test_the_checker_catches_a_double_transition(session, make):
    """Record the same transition twice by hand: the count must show it."""
    from app.audit import Actor
    officer = make.officer()
    tender = make.tender(officer)
    for _ in range(2):
        audit.record(session, actor=Actor.of(officer), action="tender.open_invitation", object_type="tender",
                     object_id=tender.id, tender_id=tender.id, from_state="draft", to_state="invitation")
    session.commit()
    assert double_transitions(session, "tender.open_invitation") == 1


def test_the_checker_catches_an_engine_that_records_a_transition_twice(session, make, login_as, monkeypatch):
    """Break the engine on purpose (the transition's audit event written twice): the count must show it."""
    from workflows.engine import Engine
    record = Engine._record

    def twice(self, ctx, event, before):
        record(self, ctx, event, before)
        record(self, ctx, event, before)

    monkeypatch.setattr(Engine, "_record", twice)
    officer = make.officer()
    tender = make.tender(officer, bureaus=3, evaluators=1, lots=1)
    response = login_as(officer).post(f"/tenders/{tender.id}/actions/open_invitation", data={"version": tender.version})
    assert response.status_code == 302
    assert double_transitions(session, "tender.open_invitation") == 1
