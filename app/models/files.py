"""Uploaded files (vision attachments, objections, …): metadata here, bytes on disk under UPLOAD_DIR."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Column, Index, String
from sqlmodel import Field, SQLModel

from app.clock import now
from app.models.base import UTCDateTime


class Attachment(SQLModel, table=True):
    """A stored file. `owner_type`/`owner_id` say what it belongs to (e.g. vision_version 12);
    the stored name is generated, never the user's file name."""

    __table_args__ = (Index("ix_attachment_owner", "owner_type", "owner_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    owner_type: str = Field(max_length=40)
    owner_id: int
    filename: str = Field(max_length=255)  # as uploaded, for display and download
    stored_name: str = Field(sa_column=Column(String(80), nullable=False, unique=True))
    content_type: str = Field(max_length=100)  # sniffed from the content
    size: int
    sha256: str = Field(max_length=64)
    uploaded_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    uploaded_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
