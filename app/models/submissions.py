"""Visions submitted by bureaus: a working draft and immutable submitted versions."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import now
from app.models.base import UTCDateTime, in_list

VISION_STATUSES = ("draft", "submitted", "withdrawn")
VISION_SECTIONS = ("view", "co_creation", "personal_level", "experience", "team")


class Vision(SQLModel, table=True):
    """A bureau's vision for a tender. `submitted_version` is the number of the version that counts
    (the latest submitted one); empty while only a draft exists or after withdrawal. A number, not a
    foreign key, so vision and vision_version do not reference each other in a cycle."""

    __table_args__ = (
        CheckConstraint(in_list("status", VISION_STATUSES), name="status"),
        CheckConstraint("status <> 'submitted' OR submitted_version IS NOT NULL", name="submitted_has_version"),
        UniqueConstraint("tender_id", "bureau_id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    bureau_id: int = Field(foreign_key="bureau.id", index=True)
    status: str = Field(default="draft", max_length=12)
    submitted_version: Optional[int] = None
    submitted_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class VisionVersion(SQLModel, table=True):
    """One version of a vision. While `submitted_at` is empty it is the bureau's working draft;
    once submitted it never changes (a revision is a new version)."""

    __tablename__ = "vision_version"
    __table_args__ = (UniqueConstraint("vision_id", "number"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    vision_id: int = Field(foreign_key="vision.id", index=True)
    number: int
    # The sections the open question asks for.
    view: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    co_creation: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    personal_level: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    experience: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    team: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    submitted_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    submitted_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    # SHA-256 over the canonical content and attachment hashes, fixed at submission (opening record).
    content_hash: Optional[str] = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class VisionLot(SQLModel, table=True):
    """A lot the bureau applies for in a version, with its approach for that lot."""

    __tablename__ = "vision_lot"
    __table_args__ = (UniqueConstraint("version_id", "lot_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="vision_version.id", index=True)
    lot_id: int = Field(foreign_key="lot.id", index=True)
    approach: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
