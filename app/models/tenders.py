"""A tender and what is fixed in its draft: buyers, lots, criteria, panel, bureaus to invite."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import now
from app.models.base import UTCDateTime, in_list

TENDER_STATES = (
    "draft", "invitation", "vision_submission", "vision_review", "pitch",
    "selection", "standstill", "awarded", "cancelled", "unsuccessful",
)
PROCEDURE_TYPES = ("multiple_private", "single_private", "national_open", "european_restricted")
STAGES = ("vision", "pitch")
INVITATION_STATUSES = ("planned", "sent", "opened", "accepted", "declined", "replaced")

_version = Column("version", Integer, nullable=False, server_default="1")


class Tender(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(in_list("state", TENDER_STATES), name="state"),
        CheckConstraint(in_list("procedure_type", PROCEDURE_TYPES), name="procedure_type"),
        CheckConstraint("estimated_value_eur IS NULL OR estimated_value_eur >= 0", name="value_positive"),
        CheckConstraint(
            "vision_stage_weight >= 0 AND pitch_stage_weight >= 0 AND vision_stage_weight + pitch_stage_weight = 100",
            name="stage_weights",
        ),
        CheckConstraint("max_winners_per_lot >= 1", name="max_winners"),
        CheckConstraint("state <> 'cancelled' OR cancel_reason IS NOT NULL", name="cancel_reason"),
        # The dashboard's counts per state and its last-changed list read these, never the whole table.
        Index("ix_tender_lead_state", "lead_organisation_id", "state"),
        Index("ix_tender_lead_updated", "lead_organisation_id", "updated_at"),
        # Its soonest deadlines: per deadline column, read in order from the window's start.
        *(Index(f"ix_tender_lead_{col}", "lead_organisation_id", col) for col in (
            "invitation_at", "questions_deadline", "vision_deadline", "pitch_start", "pitch_end", "selection_at")),
    )
    # Optimistic lock: every flush bumps `version`; a stale writer gets StaleDataError.
    __mapper_args__ = {"version_id_col": _version}

    id: Optional[int] = Field(default=None, primary_key=True)
    reference: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    development_track: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    city_goals: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    open_question: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    procedure_type: str = Field(default="multiple_private", max_length=30)
    estimated_value_eur: Optional[int] = Field(default=None, sa_type=BigInteger)
    lead_organisation_id: int = Field(foreign_key="organisation.id", index=True)
    # Timeline (UTC; shown in Europe/Amsterdam).
    invitation_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    questions_deadline: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    vision_deadline: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    pitch_start: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    pitch_end: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    selection_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    # Motivation for inviting fewer than 3 or more than 5 bureaus ("pas toe of leg uit").
    invitee_motivation: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # How vision and pitch combine into the final ranking.
    vision_stage_weight: int = Field(default=50)
    pitch_stage_weight: int = Field(default=50)
    max_winners_per_lot: int = Field(default=1)
    state: str = Field(default="draft", max_length=30, index=True)
    version: int = Field(default=1, sa_column=_version)
    cancel_reason: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    created_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    # When the tender entered its current state (for "since" on dashboards).
    state_changed_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class TenderBuyer(SQLModel, table=True):
    """A co-buyer in joint procurement (the lead buyer is Tender.lead_organisation_id)."""

    __tablename__ = "tender_buyer"
    tender_id: int = Field(foreign_key="tender.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True, index=True)


class Lot(SQLModel, table=True):
    """A management layer (perceel): top, middle management, team leaders…"""

    __table_args__ = (UniqueConstraint("tender_id", "title"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    position: int = 0
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class Criterion(SQLModel, table=True):
    """An award criterion of one stage, with its weight and scale."""

    __table_args__ = (
        CheckConstraint(in_list("stage", STAGES), name="stage"),
        CheckConstraint("weight >= 0 AND weight <= 100", name="weight_range"),
        CheckConstraint("scale_min < scale_max AND scale_step > 0", name="scale"),
        CheckConstraint("counts_in_total OR weight = 0", name="weight_counts"),
        UniqueConstraint("tender_id", "stage", "title"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    stage: str = Field(max_length=10)
    position: int = 0
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    weight: int = 0
    scale_min: int = 0
    scale_max: int = 10
    scale_step: int = 2
    required: bool = True
    counts_in_total: bool = True

    def levels(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1, self.scale_step))


class ScaleAnchor(SQLModel, table=True):
    """The described meaning of one level of a criterion's scale."""

    __tablename__ = "scale_anchor"
    __table_args__ = (UniqueConstraint("criterion_id", "score"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    criterion_id: int = Field(foreign_key="criterion.id", index=True)
    score: int
    text: str = Field(max_length=500)


class PanelMember(SQLModel, table=True):
    """An evaluator on a tender's panel."""

    __tablename__ = "panel_member"
    __table_args__ = (UniqueConstraint("tender_id", "user_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    added_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class Invitation(SQLModel, table=True):
    """A bureau to invite (planned in draft) and, once sent, its invitation's life."""

    __table_args__ = (
        CheckConstraint(in_list("status", INVITATION_STATUSES), name="status"),
        CheckConstraint("status <> 'declined' OR decline_reason IS NOT NULL", name="decline_reason"),
        UniqueConstraint("tender_id", "bureau_id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    bureau_id: int = Field(foreign_key="bureau.id", index=True)
    status: str = Field(default="planned", max_length=20)
    sent_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    send_count: int = 0
    opened_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    responded_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    decline_reason: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    # When a declined bureau is replaced, the new invitation points at the one it replaces.
    replaces_id: Optional[int] = Field(default=None, foreign_key="invitation.id")
    replacement_motivation: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
