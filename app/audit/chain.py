"""Appending to and verifying the hash-chained audit trail.

Each chain (one per tender, plus `admin` for accounts) is a sequence of events where
`hash = SHA-256(prev_hash ‖ canonical)` and `canonical` is the event as sorted, compact JSON.
The canonical text is stored and hashed as is; nothing is re-rendered from columns, so a value
that loses precision in the database cannot break a hash.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from app.clock import now
from app.models import AuditChainHead, AuditEvent
from app.models.audit import GENESIS_HASH

ADMIN_CHAIN = "admin"


@dataclass(frozen=True)
class Actor:
    """Who did it: a user, or the system itself (cron, migrations)."""

    id: Optional[int]
    name: str
    role: str

    @classmethod
    def of(cls, user) -> "Actor":
        return cls(user.id, user.name, user.role)


SYSTEM = Actor(None, "Samenspel (automatisch)", "system")


def tender_chain(tender_id: int) -> str:
    return f"tender:{tender_id}"


_PLAIN = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """The value with datetimes, dates and decimals as text, tuples as lists and dict keys as text.

    The exact types JSON already has take a fast path (this runs for every value of every audit
    event, on writing and in `audit verify`); anything else, subclasses included, takes the general
    path below, which decides the result."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {k if type(k) is str else str(k): v if type(v) in _PLAIN else jsonable(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [v if type(v) in _PLAIN else jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def canonical_json(value: Any) -> str:
    return json.dumps(jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def snapshot(obj, fields) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def _lock_head(session: Session, chain: str) -> AuditChainHead:
    stmt = select(AuditChainHead).where(AuditChainHead.chain == chain).with_for_update()
    stmt = stmt.execution_options(populate_existing=True)
    head = session.exec(stmt).first()
    if head is not None:
        return head
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(AuditChainHead).values(chain=chain, seq=0, hash=GENESIS_HASH).on_conflict_do_nothing()
    )
    return session.exec(stmt).one()


def event_body(
    *,
    chain: str,
    seq: int,
    occurred_at: datetime,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: Optional[int] = None,
    tender_id: Optional[int] = None,
    from_state: Optional[str] = None,
    to_state: Optional[str] = None,
    changes: Optional[dict] = None,
    reason: Optional[str] = None,
) -> dict[str, Any]:
    """The event as it is hashed (`canonical_json` of this dict). `record()` and the bulk data
    generator in bench/ both build events here, so their hashes agree by construction."""
    return {
        "chain": chain,
        "seq": seq,
        "tender_id": tender_id,
        "occurred_at": occurred_at,
        "actor_id": actor.id,
        "actor_name": actor.name,
        "actor_role": actor.role,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "from_state": from_state,
        "to_state": to_state,
        "changes": changes or {},
        "reason": reason,
    }


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: Optional[int] = None,
    tender_id: Optional[int] = None,
    chain: Optional[str] = None,
    from_state: Optional[str] = None,
    to_state: Optional[str] = None,
    changes: Optional[dict] = None,
    reason: Optional[str] = None,
) -> AuditEvent:
    """Append one event to its chain in the caller's transaction (flushes, never commits)."""
    chain = chain or (tender_chain(tender_id) if tender_id is not None else ADMIN_CHAIN)
    head = _lock_head(session, chain)
    occurred_at = now()
    body = event_body(
        chain=chain, seq=head.seq + 1, occurred_at=occurred_at, actor=actor, action=action,
        object_type=object_type, object_id=object_id, tender_id=tender_id, from_state=from_state,
        to_state=to_state, changes=changes, reason=reason,
    )
    canonical = canonical_json(body)
    event = AuditEvent(
        chain=chain,
        seq=body["seq"],
        tender_id=tender_id,
        occurred_at=occurred_at,
        actor_id=actor.id,
        actor_name=actor.name,
        actor_role=actor.role,
        action=action,
        object_type=object_type,
        object_id=object_id,
        from_state=from_state,
        to_state=to_state,
        changes=canonical_json(changes or {}),
        reason=reason,
        canonical=canonical,
        prev_hash=head.hash,
        hash=link_hash(head.hash, canonical),
    )
    session.add(event)
    head.seq, head.hash = event.seq, event.hash
    session.flush()
    return event


# --- verification ---------------------------------------------------------------------------

# Columns that must agree with the canonical text, in the order the verifier selects them.
_MIRRORED = (
    "chain", "seq", "tender_id", "actor_id", "actor_name", "actor_role", "action",
    "object_type", "object_id", "from_state", "to_state", "reason",
)


@dataclass
class Breach:
    event_id: int
    chain: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"event {self.event_id} (chain {self.chain}, seq {self.seq}): {self.problem}"


@dataclass
class VerifyResult:
    events: int = 0
    chains: int = 0
    breaches: list[Breach] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaches


# Equal to canonical_json for what json.loads returns (exact JSON types: jsonable changes nothing).
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_DECODE = json.JSONDecoder().decode


def _check_event(row, expected_seq: int, expected_prev: str) -> Optional[str]:
    (event_id, chain, seq, tender_id, actor_id, actor_name, actor_role, action, object_type,
     object_id, from_state, to_state, reason, occurred_at, changes, canonical, prev_hash, digest) = row
    if seq != expected_seq:
        return f"sequence gap: expected seq {expected_seq}"
    if prev_hash != expected_prev:
        return "previous hash does not match the preceding event"
    if link_hash(prev_hash, canonical) != digest:
        return "hash does not match the event's canonical text"
    try:
        body = _DECODE(canonical)
    except ValueError:
        return "canonical text is not valid JSON"
    get = body.get
    recorded = (get("chain"), get("seq"), get("tender_id"), get("actor_id"), get("actor_name"), get("actor_role"),
                get("action"), get("object_type"), get("object_id"), get("from_state"), get("to_state"),
                get("reason"))
    if recorded != tuple(row[1:13]):
        for name, value, was in zip(_MIRRORED, row[1:13], recorded):
            if was != value:
                return f"column {name!r} was altered ({value!r} ≠ recorded {was!r})"
    if get("occurred_at") != _occurred_text(occurred_at):
        return "column 'occurred_at' was altered"
    if _ENCODE(get("changes", {})) != changes:
        return "column 'changes' was altered"
    return None


def _occurred_text(value) -> str:
    """The column as the canonical text writes it (`jsonable` of the aware UTC moment)."""
    if type(value) is str and len(value) == 26 and value[10] == " " and value[19] == ".":
        # SQLite's stored text "YYYY-MM-DD HH:MM:SS.ffffff" (UTC): what the general path gives, directly.
        return f"{value[:10]}T{value[11:]}Z"
    return jsonable(_aware(value))


def _aware(value):
    if isinstance(value, str):  # raw SQLite text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def verify(session: Session, chain: Optional[str] = None, batch: int = 5000) -> VerifyResult:
    """Walk every chain from its first event; report each chain's first broken link."""
    result, last_of_chain = _walk(session, chain=chain, batch=batch)
    _check_heads(session, chain, last_of_chain, result)
    return result


def _walk(session: Session, *, chain: Optional[str] = None, batch: int = 5000, low: Optional[str] = None,
          high: Optional[str] = None) -> tuple[VerifyResult, dict[str, tuple[int, str]]]:
    """Check the events of one chain, or of the chains named from `low` (inclusive) to `high`
    (exclusive), or of all; return the result and each chain's last (seq, hash)."""
    result = VerifyResult()
    where = []
    if chain:
        where.append("chain = :chain")
    if low is not None:
        where.append("chain >= :low")
    if high is not None:
        where.append("chain < :high")
    sql = text(
        "SELECT id, chain, seq, tender_id, actor_id, actor_name, actor_role, action, object_type,"
        " object_id, from_state, to_state, reason, occurred_at, changes, canonical, prev_hash, hash"
        f" FROM audit_event {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY chain, seq"
    )
    conn = session.connection()
    rows = conn.execution_options(stream_results=True, yield_per=batch).execute(
        sql, {"chain": chain, "low": low, "high": high})
    current, expected_seq, expected_prev, broken = None, 1, GENESIS_HASH, False
    last_of_chain: dict[str, tuple[int, str]] = {}
    events = chains = 0
    check, breaches = _check_event, result.breaches
    for part in rows.partitions(batch):
        events += len(part)
        for row in part:
            if row[1] != current:
                if current is not None:
                    last_of_chain[current] = (expected_seq - 1, expected_prev)
                current, expected_seq, expected_prev, broken = row[1], 1, GENESIS_HASH, False
                chains += 1
            if not broken:
                problem = check(row, expected_seq, expected_prev)
                if problem:
                    breaches.append(Breach(row[0], row[1], row[2], problem))
                    broken = True  # later links of this chain follow from the first break
            expected_seq, expected_prev = row[2] + 1, row[17]
    if current is not None:
        last_of_chain[current] = (expected_seq - 1, expected_prev)
    result.events, result.chains = events, chains
    return result, last_of_chain


def _chain_ranges(session: Session, jobs: int) -> list[tuple[Optional[str], Optional[str]]]:
    """`jobs` ranges of chain names with about as many events each (from the chain heads), in the
    database's own order, covering every name (the first and last are open-ended)."""
    heads = session.execute(select(AuditChainHead.chain, AuditChainHead.seq).order_by(AuditChainHead.chain)).all()
    total = sum(seq for _chain, seq in heads) or 1
    bounds: list[str] = []
    seen = 0
    for name, seq in heads:
        if seen >= total * (len(bounds) + 1) / jobs and len(bounds) < jobs - 1:
            bounds.append(name)
        seen += seq
    edges = [None, *bounds, None]
    return list(zip(edges[:-1], edges[1:]))


def _walk_range(args) -> tuple[VerifyResult, dict[str, tuple[int, str]]]:
    url, low, high, batch = args
    from app.db import make_engine

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return _walk(session, batch=batch, low=low, high=high)
    finally:
        engine.dispose()


def verify_parallel(session: Session, url: str, jobs: int, batch: int = 5000) -> VerifyResult:
    """`verify()` of every chain, with the chains split over `jobs` processes (each reads and
    checks its own range of chains; the heads are checked here once all are done)."""
    import multiprocessing

    ranges = _chain_ranges(session, jobs)
    session.rollback()  # no transaction of ours stays open while the workers read
    with multiprocessing.get_context("spawn").Pool(len(ranges)) as pool:
        parts = pool.map(_walk_range, [(url, low, high, batch) for low, high in ranges])
    result, last_of_chain = VerifyResult(), {}
    for part, last in parts:
        result.events += part.events
        result.chains += part.chains
        result.breaches += part.breaches
        last_of_chain.update(last)
    _check_heads(session, None, last_of_chain, result)
    return result


def _check_heads(session: Session, chain, last_of_chain, result: VerifyResult) -> None:
    stmt = select(AuditChainHead)
    if chain:
        stmt = stmt.where(AuditChainHead.chain == chain)
    for head in session.exec(stmt):
        last = last_of_chain.get(head.chain, (0, GENESIS_HASH))
        if (head.seq, head.hash) != last:
            result.breaches.append(
                Breach(0, head.chain, head.seq, f"chain ends at seq {last[0]} but its head records seq {head.seq}:"
                       " events were removed or the head was altered")
            )
