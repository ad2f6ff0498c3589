"""The questions bulletin (Nota van Inlichtingen) and the opening record of the visions."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import now
from app.models.base import UTCDateTime, in_list

QUESTION_KINDS = ("question", "clarification")


class Question(SQLModel, table=True):
    """A bureau's question, or a clarification the officer adds unasked (no bureau).

    The officer drafts `answer` until the item is published in a bulletin; from then on
    (`bulletin_id` set) it never changes — the database refuses it too. Who asked is kept for the
    officer and the audit trail only; bulletins never show it."""

    __table_args__ = (
        CheckConstraint(in_list("kind", QUESTION_KINDS), name="kind"),
        CheckConstraint("kind <> 'question' OR bureau_id IS NOT NULL", name="question_has_bureau"),
        CheckConstraint("bulletin_id IS NULL OR item_number IS NOT NULL", name="published_numbered"),
        UniqueConstraint("bulletin_id", "item_number"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    kind: str = Field(default="question", max_length=14)
    bureau_id: Optional[int] = Field(default=None, foreign_key="bureau.id", index=True)
    asked_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    asked_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    answer: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    answered_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    answered_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    bulletin_id: Optional[int] = Field(default=None, foreign_key="bulletin.id", index=True)
    item_number: Optional[int] = None


class Bulletin(SQLModel, table=True):
    """A published, numbered Nota van Inlichtingen: sent to every invited bureau at the same moment.
    Immutable once written (a correction is a new bulletin); `content_hash` fixes its text."""

    __table_args__ = (UniqueConstraint("tender_id", "number"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    number: int
    intro: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    published_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    published_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    published_by_name: str = Field(default="", max_length=200)
    content_hash: str = Field(max_length=64)


class OpeningRecord(SQLModel, table=True):
    """The opening of the visions when a tender leaves `vision_submission`: which bureau submitted
    which version when (with content hashes), who opened, when. `entries` is canonical JSON, the same
    text that goes into the audit trail; `record_hash` is its SHA-256."""

    __tablename__ = "opening_record"
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", unique=True)
    opened_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    opened_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    opened_by_name: str = Field(max_length=200)
    outcome: str = Field(max_length=30)  # the stage the tender moved to: vision_review or unsuccessful
    entries: str = Field(sa_column=Column(Text, nullable=False))
    record_hash: str = Field(max_length=64)
