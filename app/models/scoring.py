"""The evaluation panel's own records: conflict declarations, excusals, independent score sheets with
their history, due dates per stage, the shortlist for the pitches and the pitch slots.

The agreed (consensus) scores live apart, in `ConsensusScore` (app/models/evaluation.py).
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Column, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import now
from app.models.base import UTCDateTime, in_list
from app.models.tenders import STAGES

CONFLICT_KINDS = ("none", "personal", "professional", "financial", "other")
SHEET_STATUSES = ("draft", "submitted")

_sheet_version = Column("version", Integer, nullable=False, server_default="1")


class ConflictDeclaration(SQLModel, table=True):
    """What a panel member declared about one bureau: no conflict, or a typed conflict with an explanation.
    Declared once per tender and bureau; it holds for the vision and the pitch alike."""

    __tablename__ = "conflict_declaration"
    __table_args__ = (
        CheckConstraint(in_list("kind", CONFLICT_KINDS), name="kind"),
        CheckConstraint("kind = 'none' OR explanation <> ''", name="explained"),
        UniqueConstraint("tender_id", "user_id", "bureau_id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    bureau_id: int = Field(foreign_key="bureau.id", index=True)
    kind: str = Field(max_length=20)
    explanation: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    declared_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class PanelExcusal(SQLModel, table=True):
    """The officer excused a panel member for one bureau: the member neither sees nor scores it."""

    __tablename__ = "panel_excusal"
    __table_args__ = (
        CheckConstraint("reason <> ''", name="reason"),
        UniqueConstraint("tender_id", "user_id", "bureau_id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    bureau_id: int = Field(foreign_key="bureau.id", index=True)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    excused_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    excused_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class ScoreSheet(SQLModel, table=True):
    """One evaluator's independent scores for one bureau in one stage. A draft until submitted;
    submitted sheets are locked until the officer reopens them (with a reason)."""

    __tablename__ = "score_sheet"
    __table_args__ = (
        CheckConstraint(in_list("stage", STAGES), name="stage"),
        CheckConstraint(in_list("status", SHEET_STATUSES), name="status"),
        CheckConstraint("status <> 'submitted' OR submitted_at IS NOT NULL", name="submitted_at"),
        UniqueConstraint("tender_id", "stage", "bureau_id", "user_id"),
    )
    __mapper_args__ = {"version_id_col": _sheet_version}

    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    stage: str = Field(max_length=10)
    bureau_id: int = Field(foreign_key="bureau.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    status: str = Field(default="draft", max_length=10)
    submitted_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    # SHA-256 of the submitted scores and rationales (also in the audit trail, without the values).
    fingerprint: Optional[str] = Field(default=None, max_length=64)
    reopen_count: int = 0
    version: int = Field(default=1, sa_column=_sheet_version)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class Score(SQLModel, table=True):
    """The current score and rationale on one criterion of a sheet (empty value: not scored yet)."""

    __table_args__ = (UniqueConstraint("sheet_id", "criterion_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    sheet_id: int = Field(foreign_key="score_sheet.id", index=True)
    criterion_id: int = Field(foreign_key="criterion.id", index=True)
    value: Optional[int] = None
    rationale: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    updated_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class ScoreRevision(SQLModel, table=True):
    """Every change of a score, kept: the value and rationale as they became, by whom and when.
    Written next to each change of `Score`; never updated or deleted."""

    __tablename__ = "score_revision"
    id: Optional[int] = Field(default=None, primary_key=True)
    sheet_id: int = Field(foreign_key="score_sheet.id", index=True)
    criterion_id: int = Field(foreign_key="criterion.id")
    value: Optional[int] = None
    rationale: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    recorded_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class ScoringRound(SQLModel, table=True):
    """The due date of the independent scoring of one stage, when the officer set one."""

    __tablename__ = "scoring_round"
    __table_args__ = (
        CheckConstraint(in_list("stage", STAGES), name="stage"),
        UniqueConstraint("tender_id", "stage"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    stage: str = Field(max_length=10)
    due_at: datetime = Field(sa_type=UTCDateTime)
    set_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    set_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class ShortlistEntry(SQLModel, table=True):
    """The officer's decision whether a bureau goes on to pitch (a reason when it does not).
    A shortlisted bureau may later withdraw from the pitches (recorded with a reason)."""

    __tablename__ = "shortlist_entry"
    __table_args__ = (
        CheckConstraint("shortlisted OR reason <> ''", name="reason"),
        CheckConstraint("withdrawn_at IS NULL OR (shortlisted AND withdraw_reason <> '')", name="withdrawal"),
        UniqueConstraint("tender_id", "bureau_id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    bureau_id: int = Field(foreign_key="bureau.id", index=True)
    shortlisted: bool
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    decided_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    decided_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    withdrawn_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    withdraw_reason: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))


class PitchSlot(SQLModel, table=True):
    """A time for one pitch, published by the officer and booked by one shortlisted bureau.
    A bureau holds at most one slot per tender; a slot holds at most one bureau."""

    __tablename__ = "pitch_slot"
    __table_args__ = (
        CheckConstraint("duration_minutes >= 10 AND duration_minutes <= 480", name="duration"),
        CheckConstraint("location <> '' OR online_url <> ''", name="where"),
        CheckConstraint("bureau_id IS NULL OR published_at IS NOT NULL", name="booked_published"),
        UniqueConstraint("tender_id", "bureau_id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    duration_minutes: int = 60
    location: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    online_url: str = Field(default="", max_length=500)
    published_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    bureau_id: Optional[int] = Field(default=None, foreign_key="bureau.id", index=True)
    booked_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    booked_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    # iCalendar SEQUENCE of the bureau's pitch event: it grows when the bureau moves its booking.
    ics_sequence: int = 0
    created_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
