"""The outbox: e-mail written in the same transaction as the change that causes it."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Column, Index, LargeBinary, String, Text
from sqlmodel import Field, SQLModel

from app.clock import now
from app.models.base import UTCDateTime, in_list

OUTBOX_STATUSES = ("queued", "sending", "sent", "failed")


class OutboxMessage(SQLModel, table=True):
    """One e-mail to one recipient. A sender claims due messages, delivers them over SMTP and marks
    them sent; `message_id` is fixed at queueing so a message is recognisable wherever it lands."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint(in_list("status", OUTBOX_STATUSES), name="status"),
        Index("ix_outbox_message_due", "status", "due_at"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(default="", max_length=40)  # e.g. invitation, bulletin, reminder, decision
    tender_id: Optional[int] = Field(default=None, foreign_key="tender.id", index=True)
    to_addr: str = Field(max_length=254)
    to_name: str = Field(default="", max_length=200)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    message_id: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    # Guards against queueing the same logical message twice (e.g. "reminder:tender:3:bureau:7").
    dedupe_key: Optional[str] = Field(default=None, sa_column=Column(String(200), nullable=True, unique=True))
    status: str = Field(default="queued", max_length=10)
    attempts: int = 0
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    due_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    locked_until: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    sent_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    last_error: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))


class OutboxAttachment(SQLModel, table=True):
    __tablename__ = "outbox_attachment"
    id: Optional[int] = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="outbox_message.id", index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
