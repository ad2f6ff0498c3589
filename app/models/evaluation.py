"""The panel's agreed scores: what the chair records after the independent scoring."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import now
from app.models.base import UTCDateTime, in_list
from app.models.tenders import STAGES


class ConsensusScore(SQLModel, table=True):
    """The agreed score of one bureau on one criterion of one stage, decided by the officer (chair).
    Individual scores propose; this decides. Stored apart from them, with who, when and a note."""

    __tablename__ = "consensus_score"
    __table_args__ = (
        CheckConstraint(in_list("stage", STAGES), name="stage"),
        UniqueConstraint("tender_id", "stage", "bureau_id", "criterion_id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    stage: str = Field(max_length=10)
    bureau_id: int = Field(foreign_key="bureau.id", index=True)
    criterion_id: int = Field(foreign_key="criterion.id", index=True)
    value: int
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    decided_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    decided_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
