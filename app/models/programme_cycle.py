"""The programme's cycle after award: periods, the co-created plan (versions, revisions, acceptances,
comments), participants and the periodic evaluation with its decision."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Column, String, Text, UniqueConstraint
from flask_babel import lazy_gettext as _l
from sqlmodel import Field, SQLModel

from app.clock import now
from app.models.base import UTCDateTime, in_list
from app.models.programmes import CADENCES

PLAN_STATUSES = ("draft", "agreed", "withdrawn")
SIDES = ("municipality", "bureau")
PARTICIPANT_STATUSES = ("enrolled", "waiting", "withdrawn")
DECISIONS = ("continue", "adjust", "end")
SCORE_MIN, SCORE_MAX = 1, 10


def _text(**kw):
    return Field(default="", sa_column=Column(Text, nullable=False, server_default=""), **kw)


class ProgrammePeriod(SQLModel, table=True):
    """One programme year (or quarter): evaluated when it ends. `plan_version_id` is the agreed
    plan in force during the period (a plan agreed during the period replaces it)."""

    __tablename__ = "programme_period"
    __table_args__ = (
        UniqueConstraint("programme_id", "number"),
        CheckConstraint(in_list("cadence", CADENCES), name="cadence"),
        CheckConstraint("ends_on > starts_on", name="dates"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    number: int
    cadence: str = Field(default="yearly", max_length=10)
    starts_on: date
    ends_on: date
    plan_version_id: Optional[int] = Field(default=None, foreign_key="plan_version.id")
    closed_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)


class PlanVersion(SQLModel, table=True):
    """A numbered version of the programme plan. A draft is edited by both sides (each save is a
    revision, kept in plan_revision); it counts once both sides accepted the same revision, and
    then never changes again."""

    __tablename__ = "plan_version"
    __table_args__ = (
        UniqueConstraint("programme_id", "number"),
        CheckConstraint(in_list("status", PLAN_STATUSES), name="status"),
        CheckConstraint(in_list("cadence", CADENCES), name="cadence"),
        CheckConstraint("max_participants IS NULL OR max_participants >= 1", name="max_participants"),
        CheckConstraint("cost_per_participant_eur IS NULL OR cost_per_participant_eur >= 0", name="cost"),
        CheckConstraint("status <> 'agreed' OR (agreed_at IS NOT NULL AND agreed_revision = revision "
                        "AND max_participants IS NOT NULL)", name="agreed"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    number: int
    status: str = Field(default="draft", max_length=10)
    revision: int = 1
    # Why this version was opened (e.g. the adjustments an evaluation asked for).
    opened_reason: str = _text()
    target_group: str = _text()
    intake: str = _text()
    max_participants: Optional[int] = None
    cost_per_participant_eur: Optional[int] = None
    time_investment: str = _text()
    enrolment_deadline: Optional[date] = None
    programme_leads: str = _text()
    cadence: str = Field(default="yearly", max_length=10)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    created_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    agreed_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    agreed_revision: Optional[int] = None


class PlanSession(SQLModel, table=True):
    __tablename__ = "plan_session"
    id: Optional[int] = Field(default=None, primary_key=True)
    plan_version_id: int = Field(foreign_key="plan_version.id", index=True)
    position: int = 0
    held_on: date
    themes: str = _text()


class PlanSpread(SQLModel, table=True):
    """Places per partner organisation (the aimed-for spread of participants)."""

    __tablename__ = "plan_spread"
    __table_args__ = (
        UniqueConstraint("plan_version_id", "organisation"),
        CheckConstraint("places >= 0", name="places"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    plan_version_id: int = Field(foreign_key="plan_version.id", index=True)
    position: int = 0
    organisation: str = Field(max_length=200)
    places: int = 0


class PlanIndicator(SQLModel, table=True):
    """An indicator both sides agree to score at every evaluation."""

    __tablename__ = "plan_indicator"
    __table_args__ = (UniqueConstraint("plan_version_id", "name"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    plan_version_id: int = Field(foreign_key="plan_version.id", index=True)
    position: int = 0
    name: str = Field(max_length=200)
    description: str = _text()


class PlanRevision(SQLModel, table=True):
    """The content of a plan version as saved: canonical JSON and its SHA-256. Never changed."""

    __tablename__ = "plan_revision"
    __table_args__ = (UniqueConstraint("plan_version_id", "revision"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    plan_version_id: int = Field(foreign_key="plan_version.id", index=True)
    revision: int
    content: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(max_length=64)
    saved_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    saved_by_name: str = Field(max_length=200)
    saved_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class PlanAcceptance(SQLModel, table=True):
    """One side accepting one exact revision of a plan version."""

    __tablename__ = "plan_acceptance"
    __table_args__ = (
        UniqueConstraint("plan_version_id", "side", "revision"),
        CheckConstraint(in_list("side", SIDES), name="side"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    plan_version_id: int = Field(foreign_key="plan_version.id", index=True)
    side: str = Field(max_length=12)
    revision: int
    content_hash: str = Field(max_length=64)
    user_id: Optional[int] = Field(default=None, foreign_key="user.id")
    user_name: str = Field(max_length=200)
    accepted_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class PlanComment(SQLModel, table=True):
    __tablename__ = "plan_comment"
    __table_args__ = (CheckConstraint(in_list("side", SIDES), name="side"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    plan_version_id: int = Field(foreign_key="plan_version.id", index=True)
    revision: int
    side: str = Field(max_length=12)
    author_id: Optional[int] = Field(default=None, foreign_key="user.id")
    author_name: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class Participant(SQLModel, table=True):
    """A participant of one period's group, enrolled or on the waiting list (in order of registration)."""

    __table_args__ = (CheckConstraint(in_list("status", PARTICIPANT_STATUSES), name="status"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    period_id: int = Field(foreign_key="programme_period.id", index=True)
    name: str = Field(max_length=200)
    organisation: str = Field(sa_column=Column(String(200), nullable=False))
    role: str = Field(default="", max_length=200)
    status: str = Field(default="enrolled", max_length=10)
    registered_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    registered_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    status_changed_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class ProgrammeEvaluation(SQLModel, table=True):
    """The evaluation of one period: two forms, the participants' feedback and the joint decision."""

    __tablename__ = "programme_evaluation"
    __table_args__ = (
        CheckConstraint("decision IS NULL OR " + in_list("decision", DECISIONS), name="decision"),
        CheckConstraint("decision IS NULL OR (meeting_on IS NOT NULL AND decided_at IS NOT NULL)",
                        name="decision_recorded"),
        CheckConstraint("decision IS NULL OR decision = 'continue' OR decision_notes <> ''", name="decision_notes"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    period_id: int = Field(foreign_key="programme_period.id", unique=True)
    opened_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    due_on: date
    participant_feedback: str = _text()
    feedback_revision: int = 0
    decision: Optional[str] = Field(default=None, max_length=10)
    meeting_on: Optional[date] = None
    decision_notes: str = _text()
    decided_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    decided_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)


FORM_TEXTS = ("results_personal", "results_organisational", "results_city", "projects", "went_differently",
              "do_differently", "learned")
# What the form's questions and the cadences are called (forms, pages and refusals use them).
FORM_LABELS = {
    "results_personal": _l("Results at the personal level"),
    "results_organisational": _l("Results at the organisational level"),
    "results_city": _l("Results for the city"),
    "projects": _l("Projects carried out"),
    "went_differently": _l("What went differently than expected?"),
    "do_differently": _l("What would you do differently next time?"),
    "learned": _l("What did you learn?"),
}
CADENCE_LABELS = {"yearly": _l("Yearly"), "quarterly": _l("Quarterly")}


class EvaluationForm(SQLModel, table=True):
    """The municipality's evaluation or the bureau's self-evaluation of one period."""

    __tablename__ = "evaluation_form"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "side"),
        CheckConstraint(in_list("side", SIDES), name="side"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="programme_evaluation.id", index=True)
    side: str = Field(max_length=12)
    results_personal: str = _text()
    results_organisational: str = _text()
    results_city: str = _text()
    projects: str = _text()
    went_differently: str = _text()
    do_differently: str = _text()
    learned: str = _text()
    revision: int = 0
    updated_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    updated_by_name: str = Field(default="", max_length=200)
    submitted_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    submitted_by_id: Optional[int] = Field(default=None, foreign_key="user.id")


class IndicatorScore(SQLModel, table=True):
    """A score (1–10) for one agreed indicator on one form; the name is kept as scored."""

    __tablename__ = "indicator_score"
    __table_args__ = (
        UniqueConstraint("form_id", "indicator"),
        CheckConstraint(f"score >= {SCORE_MIN} AND score <= {SCORE_MAX}", name="score"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    form_id: int = Field(foreign_key="evaluation_form.id", index=True)
    position: int = 0
    indicator: str = Field(max_length=200)
    score: int
