"""After the award: a contract per awarded lot and bureau, and the programme that runs under it."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, Column, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import now
from app.models.base import UTCDateTime, in_list

PROGRAMME_STATES = ("plan", "running", "evaluation", "ended")
CADENCES = ("yearly", "quarterly")

_programme_version = Column("version", Integer, nullable=False, server_default="1")


class Contract(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("tender_id", "lot_id", "bureau_id"),
        CheckConstraint("duration_years >= 1", name="duration"),
        CheckConstraint("value_eur IS NULL OR value_eur >= 0", name="value"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    lot_id: int = Field(foreign_key="lot.id", index=True)
    bureau_id: int = Field(foreign_key="bureau.id", index=True)
    start_date: date
    duration_years: int = 1
    value_eur: Optional[int] = Field(default=None, sa_type=BigInteger)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class Programme(SQLModel, table=True):
    """The co-created programme under a contract; its state follows workflows/programme.py."""

    __table_args__ = (
        CheckConstraint(in_list("state", PROGRAMME_STATES), name="state"),
        CheckConstraint(in_list("cadence", CADENCES), name="cadence"),
        CheckConstraint("state <> 'ended' OR end_reason IS NOT NULL", name="end_reason"),
    )
    __mapper_args__ = {"version_id_col": _programme_version}

    id: Optional[int] = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", unique=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    lot_id: int = Field(foreign_key="lot.id")
    bureau_id: int = Field(foreign_key="bureau.id", index=True)
    title: str = Field(max_length=300)
    state: str = Field(default="plan", max_length=12, index=True)
    version: int = Field(default=1, sa_column=_programme_version)
    cadence: str = Field(default="yearly", max_length=10)
    # The current period runs from period_start; the evaluation opens when it ends.
    period_start: Optional[date] = None
    next_evaluation_on: Optional[date] = None
    end_reason: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    state_changed_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
