"""Faults: the database server restarted under load.

The test runs its own private PostgreSQL server (tests/proof/pgcluster.py) so the restart disturbs
no other test. Clients keep firing transitions through gunicorn while the server restarts; afterwards
the app serves again by itself, every tender is either untouched or fully moved (state and audit event
agree), and every hash chain verifies.
"""
from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from app import audit, create_app
from app.cli.database import upgrade
from app.models import AuditEvent, Tender
from tests import figures
from tests.conftest import SECRET
from tests.factories import PASSWORD, Factory
from tests.proof import pgcluster
from tests.proof.servers import CSRF, HttpClient, start_gunicorn

pytestmark = pytest.mark.xdist_group("servers")


@pytest.fixture
def private_db():
    if not pgcluster.available():
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    cluster = pgcluster.PrivatePostgres().start()
    upgrade(cluster.url)
    yield cluster
    cluster.stop()


def partial_transitions(session, tender_ids) -> int:
    """Tenders whose state and audit chain disagree (a transition half done)."""
    bad = 0
    for tender_id in tender_ids:
        state = session.get(Tender, tender_id).state
        events = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.tender_id == tender_id, AuditEvent.action == "tender.open_invitation"))
        bad += (state, events) not in (("draft", 0), ("invitation", 1))
    return bad


def _fire_until_done(client, tender_id, statuses) -> None:
    """Keep trying through the outage, as a user would: until it is done or already done."""
    for _attempt in range(80):
        try:
            status, html = client.get(f"/tenders/{tender_id}")
            if status == 200:
                status, _ = client.post(f"/tenders/{tender_id}/actions/open_invitation", {},
                                        CSRF.search(html).group(1))
        except OSError:
            status = 0  # connection refused or reset while the database was away
        statuses[status] += 1
        if status in (302, 409):
            return
        time.sleep(0.25)


def test_postgres_restart_under_load(private_db, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "DATABASE_URL": private_db.url,
                      "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "BABEL_DEFAULT_LOCALE": "en"})
    engine = app.extensions["samenspel.engine"]
    with app.app_context(), Session(engine, expire_on_commit=False) as session:
        make = Factory(session)
        officer = make.officer()
        tender_ids = [make.tender(officer, bureaus=3, evaluators=1, lots=1).id for _ in range(20)]
    server = start_gunicorn(private_db.url, SECRET, tmp_path / "instance")
    statuses: Counter = Counter()
    restarted = threading.Event()
    try:
        client = HttpClient(server.url)
        client.login(officer.email, PASSWORD)

        restarter = threading.Thread(target=lambda: (private_db.restart(), restarted.set()))
        for i, tender_id in enumerate(tender_ids):
            if i == 5:  # the rest runs during and after the restart, on connections it broke
                restarter.start()
            _fire_until_done(client, tender_id, statuses)
        restarter.join(120)
        assert client.get("/")[0] == 200  # serving again by itself
    finally:
        server.stop()
    with app.app_context(), Session(engine) as session:
        partial = partial_transitions(session, tender_ids)
        moved = session.scalar(select(func.count()).select_from(Tender).where(
            Tender.id.in_(tender_ids), Tender.state == "invitation"))
        verified = audit.verify(session)
    engine.dispose()
    figures.record("faults", partial_transitions=partial)
    assert restarted.is_set()
    assert partial == 0
    assert verified.ok, verified.breaches
    assert moved == len(tender_ids), statuses


def test_the_checker_catches_a_transition_without_its_audit_event(session, make, monkeypatch):
    """Break the engine on purpose (the state changes, the audit event is not written): a partial
    transition, and the check counts it."""
    from app.tenders import operations
    from workflows.engine import Engine
    monkeypatch.setattr(Engine, "_record", lambda self, ctx, event, before: None)
    officer = make.officer()
    tenders = [make.tender(officer, bureaus=3, evaluators=1, lots=1) for _ in range(2)]
    operations.fire(session, officer, tenders[0], "open_invitation")
    session.commit()
    assert partial_transitions(session, [t.id for t in tenders]) == 1
