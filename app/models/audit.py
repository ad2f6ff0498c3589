"""The append-only, hash-chained audit trail (see app/audit/chain.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime

GENESIS_HASH = "0" * 64


class AuditEvent(SQLModel, table=True):
    """One recorded action. Never updated or deleted; the database refuses both.

    `canonical` is the exact text that was hashed; the other columns are copies kept for
    querying, and `audit verify` checks that they still agree with it.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        # Two writers appending to one chain at once cannot both take the same seq: a fork fails.
        UniqueConstraint("chain", "seq"),
        Index("ix_audit_event_tender_seq", "tender_id", "seq"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    chain: str = Field(sa_column=Column(String(40), nullable=False))
    seq: int
    tender_id: Optional[int] = Field(default=None, foreign_key="tender.id")
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    actor_id: Optional[int] = Field(default=None, foreign_key="user.id")
    actor_name: str = Field(max_length=200)
    actor_role: str = Field(max_length=20)
    action: str = Field(max_length=60)
    object_type: str = Field(max_length=40)
    object_id: Optional[int] = None
    from_state: Optional[str] = Field(default=None, max_length=30)
    to_state: Optional[str] = Field(default=None, max_length=30)
    changes: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON {field: [old, new]}
    reason: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    canonical: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))


class AuditChainHead(SQLModel, table=True):
    """The last link of each chain. Appenders lock this row, so appends to one chain queue up.

    It is a convenience, not evidence: `audit verify` recomputes everything from the events and
    only checks that the head agrees with the last event (a truncated chain shows up there).
    """

    __tablename__ = "audit_chain_head"
    chain: str = Field(sa_column=Column(String(40), primary_key=True))
    seq: int = 0
    hash: str = Field(default=GENESIS_HASH, max_length=64)
