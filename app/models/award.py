"""Selection per lot, the award decision with its letters, and objections during the standstill."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Column, Integer, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import now
from app.models.base import UTCDateTime, in_list

DECISION_STATUSES = ("standstill", "withdrawn", "final", "cancelled")
OBJECTION_STATUSES = ("open", "rejected", "upheld", "lapsed")

_objection_version = Column("version", Integer, nullable=False, server_default="1")


class LotSelection(SQLModel, table=True):
    """The officer's decision on one bureau in one lot: selected or not, with the motivation that goes
    into the letters, and (for a selected bureau) the terms of the contract to be made at the award."""

    __tablename__ = "lot_selection"
    __table_args__ = (
        UniqueConstraint("lot_id", "bureau_id"),
        CheckConstraint("duration_years >= 1", name="duration"),
        CheckConstraint("value_eur IS NULL OR value_eur >= 0", name="value"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    lot_id: int = Field(foreign_key="lot.id", index=True)
    bureau_id: int = Field(foreign_key="bureau.id", index=True)
    selected: bool = False
    motivation: str = Field(sa_column=Column(Text, nullable=False))
    # Contract terms for a selected bureau; empty start date means "the day of the award".
    start_date: Optional[date] = None
    duration_years: int = 1
    value_eur: Optional[int] = None
    decided_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    decided_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class AwardDecision(SQLModel, table=True):
    """One sending of the award decision. A tender has at most one in `standstill`; an upheld objection
    withdraws it and a new decision (the next number) restarts the standstill."""

    __tablename__ = "award_decision"
    __table_args__ = (
        CheckConstraint(in_list("status", DECISION_STATUSES), name="status"),
        CheckConstraint("status <> 'withdrawn' OR withdrawn_reason IS NOT NULL", name="withdrawn_reason"),
        UniqueConstraint("tender_id", "number"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    number: int
    status: str = Field(default="standstill", max_length=12)
    sent_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    sent_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    # The last day of the standstill (Amsterdam calendar) and the moment it is over (the next midnight).
    standstill_last_day: date
    standstill_ends_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    withdrawn_reason: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))


class DecisionLetter(SQLModel, table=True):
    """The letter one bureau received: a snapshot of what it said (JSON) and the PDF that was sent."""

    __tablename__ = "decision_letter"
    __table_args__ = (UniqueConstraint("decision_id", "bureau_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="award_decision.id", index=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    bureau_id: int = Field(foreign_key="bureau.id", index=True)
    content: str = Field(sa_column=Column(Text, nullable=False))
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    pdf_sha256: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class Objection(SQLModel, table=True):
    """A bureau's objection against an award decision, and how the officer handled it."""

    __table_args__ = (
        CheckConstraint(in_list("status", OBJECTION_STATUSES), name="status"),
        CheckConstraint("status = 'open' OR handling_reason IS NOT NULL", name="handling_reason"),
    )
    __mapper_args__ = {"version_id_col": _objection_version}

    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    decision_id: int = Field(foreign_key="award_decision.id", index=True)
    bureau_id: int = Field(foreign_key="bureau.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="open", max_length=10, index=True)
    version: int = Field(default=1, sa_column=_objection_version)
    lodged_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    lodged_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    handled_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    handled_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    handling_reason: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
