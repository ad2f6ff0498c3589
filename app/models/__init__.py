"""All tables, imported here so `SQLModel.metadata` (and Alembic) sees every one."""
from app.models.base import UTCDateTime, metadata  # noqa: F401
from app.models.accounts import Bureau, Organisation, User  # noqa: F401
from app.models.tenders import (  # noqa: F401
    Criterion, Invitation, Lot, PanelMember, ScaleAnchor, Tender, TenderBuyer,
)
from app.models.audit import AuditChainHead, AuditEvent  # noqa: F401
from app.models.mail import OutboxAttachment, OutboxMessage  # noqa: F401
from app.models.files import Attachment  # noqa: F401
from app.models.submissions import Vision, VisionLot, VisionVersion  # noqa: F401
from app.models.evaluation import ConsensusScore  # noqa: F401
from app.models.scoring import (  # noqa: F401
    ConflictDeclaration, PanelExcusal, PitchSlot, Score, ScoreRevision, ScoreSheet, ScoringRound, ShortlistEntry,
)
from app.models.programmes import Contract, Programme  # noqa: F401
from app.models.bulletins import Bulletin, OpeningRecord, Question  # noqa: F401
from app.models.award import AwardDecision, DecisionLetter, LotSelection, Objection  # noqa: F401
from app.models.programme_cycle import (  # noqa: F401
    EvaluationForm, IndicatorScore, Participant, PlanAcceptance, PlanComment, PlanIndicator, PlanRevision,
    PlanSession, PlanSpread, PlanVersion, ProgrammeEvaluation, ProgrammePeriod,
)
