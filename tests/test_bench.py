"""The benchmark's own pieces (bench/, issue 9), at a tiny scale: the generator writes data the app
accepts as its own, and the ceiling route exists only when the benchmark asks for it.
The benchmark itself (`make bench`) never runs here."""
from __future__ import annotations

import itertools
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from app.audit import chain
from app.models import AuditEvent, Tender
from bench.endpoints import ENDPOINTS
from bench.generate import PostgresTarget, Scale, SqliteTarget, generate
from bench.load import Account
from tests.conftest import csrf_from

TINY = Scale(tenders=20, organisations=3, bureaus=8, events=900, long_trail=120, officers_per_org=1,
             evaluators_per_org=3)


@pytest.fixture
def generated(app, backend, database_url):
    """The tiny data set, written into this test's (migrated, empty) database."""
    target = SqliteTarget(Path(database_url.removeprefix("sqlite:///")), create=False) if backend == "sqlite" \
        else PostgresTarget(database_url, create=False)
    return generate(TINY, [target], workers=0)


def _login(app, email, password):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": password}).status_code == 303
    return client


def test_generated_data_passes_audit_verify(generated, runner):
    assert generated.rows["tender"] == 20
    assert set(generated.manifest["states"].values()) >= {1}  # every state is there
    assert all(n >= 1 for n in generated.manifest["states"].values())
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    events = generated.rows["audit_event"]
    assert f"OK: {events} events in {generated.rows['audit_chain_head']} chains" in result.output


def test_generated_chains_are_what_record_writes(generated, session):
    """The generator builds each event with the functions record() uses: recomputing an event's
    canonical text from its columns gives the stored text, and the hash links to the one before."""
    first, second = session.exec(select(AuditEvent).where(AuditEvent.chain == "tender:1")
                                 .order_by(AuditEvent.seq).limit(2)).all()
    body = chain.event_body(chain=first.chain, seq=first.seq, occurred_at=first.occurred_at,
                            actor=chain.Actor(first.actor_id, first.actor_name, first.actor_role),
                            action=first.action, object_type=first.object_type, object_id=first.object_id,
                            tender_id=first.tender_id, changes=json.loads(first.changes))
    assert chain.canonical_json(body) == first.canonical
    assert second.prev_hash == first.hash == chain.link_hash(first.prev_hash, first.canonical)
    assert session.get(Tender, 1).state == "pitch"
    assert first.action == "tender.created" and generated.manifest["long_trail"]["events"] == TINY.long_trail


def test_the_app_works_on_generated_data(app, generated, runner, session):
    m = generated.manifest
    officer = _login(app, m["officers"]["1"][0], m["password"])
    assert officer.get("/").status_code == 200
    for tender_id in m["tenders_of_org1"]:
        assert officer.get(f"/tenders/{tender_id}").status_code == 200
    last = officer.get(f"/tenders/1/audit?page={-(-TINY.long_trail // 50)}").get_data(as_text=True)
    assert "Tender created" in last or "Aanbesteding aangemaakt" in last
    # The later stages' measured pages answer on the generated data (bench/endpoints.py).
    for endpoint in ENDPOINTS:
        if endpoint.kind == "page":
            for req in itertools.islice(endpoint.requests(m, lambda email: Account(email, "", "")), 8):
                client = _login(app, req.email, m["password"]) if req.email else app.test_client()
                response = client.get(req.path)
                assert response.status_code == 200, (endpoint.name, req.path)
    sheet = m["evaluator_pages"][0]
    page = _login(app, sheet["user"], m["password"]).get(
        f"/evaluation/tenders/{sheet['tender']}/vision/{sheet['bureau']}").get_data(as_text=True)
    assert 'name="action" value="submit"' in page  # a draft sheet, still editable: the page an evaluator works in
    # A ready draft really is ready: sending its invitations succeeds and is audited on its chain.
    draft = m["ready_drafts"][0]
    client = _login(app, m["officers"][str(draft["org"])][0], m["password"])
    token = csrf_from(client.get(f"/tenders/{draft['tender']}").get_data(as_text=True))
    response = client.post(f"/tenders/{draft['tender']}/actions/open_invitation",
                           data={"csrf_token": token, "version": draft["version"], "reason": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    session.expire_all()
    assert session.get(Tender, draft["tender"]).state == "invitation"
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    assert events > generated.rows["audit_event"]  # the transition (and its effects) were audited
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and f"OK: {events} events" in result.output


def test_parallel_verify_splits_the_chains_and_names_each_break(generated, runner, session, backend):
    """`audit verify --jobs 2` checks every chain once, across two processes, and still names the
    first broken event of each broken chain, wherever its chain landed."""
    from tests.test_audit_chain import _tamper

    ok = runner.invoke(args=["audit", "verify", "--jobs", "2"])
    assert ok.exit_code == 0 and f"OK: {generated.rows['audit_event']} events in 21 chains" in ok.output
    victims = [session.exec(select(AuditEvent).where(AuditEvent.chain == c, AuditEvent.seq == 3)).one()
               for c in ("admin", "tender:20")]  # the first and the last chain in name order
    _tamper(session, backend, "UPDATE audit_event SET actor_name = 'Mallory' WHERE id IN (:a, :b)",
            a=victims[0].id, b=victims[1].id)
    broken = runner.invoke(args=["audit", "verify", "--jobs", "2"])
    assert broken.exit_code == 1
    for victim in victims:
        assert f"event {victim.id} (chain {victim.chain}, seq 3): column 'actor_name' was altered" in broken.output


def test_ceiling_route_is_absent_without_the_setting(client):
    assert client.get("/_bench/ceiling").status_code == 404


@pytest.mark.app_config(BENCH_CEILING=True)
def test_ceiling_route_answers_a_constant_without_the_database(client, count_queries):
    with count_queries() as q:
        response = client.get("/_bench/ceiling")
    assert (response.status_code, response.get_data(as_text=True), q.count) == (200, "samenspel", 0)
    assert response.headers["Content-Security-Policy"]  # the same stack: security headers and all


# --- the faster jsonable gives exactly what the original did -------------------------------------------

def _original_jsonable(value):
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_original_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _original_jsonable(v) for k, v in value.items()}
    return value


class _Text(str):
    pass


_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5),
    st.builds(_Text, st.text(max_size=3)), st.dates(), st.decimals(allow_nan=False, allow_infinity=False),
    st.datetimes(timezones=st.just(timezone(timedelta(hours=2)))),
)
_values = st.recursive(_leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.tuples(inner, inner),
    st.dictionaries(st.one_of(st.text(max_size=3), st.integers(), st.booleans()), inner, max_size=3)),
    max_leaves=12)


@settings(max_examples=120, deadline=None)
@given(_values)
def test_jsonable_is_unchanged(value):
    assert chain.jsonable(value) == _original_jsonable(value)
    assert repr(chain.jsonable(value)) == repr(_original_jsonable(value))
